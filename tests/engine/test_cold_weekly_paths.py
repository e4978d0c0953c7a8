"""A new weekly calendar's quick paths give what the general paths they skip give.

Each is checked against the code it stands in for: the week read as integers
(``quick_week``, its ``WeeklyHours`` made only when asked) against
``WeeklyHours.parse`` and the checked ``WeeklySource``; a week's template at an
offset as a shift of its local template (``Template.moved``) against the template
placed at that offset; and a union of shifted templates merged at once against the
templates anchored and combined.
"""

from __future__ import annotations

from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cold_construction import day_keys, hour_texts
from test_cold_fast_paths import DAY_US, MINUTE_US, weeks

from slaclock import Calendar, ScheduleError
from slaclock.engine import _sources
from slaclock.engine._holidays import holiday_source
from slaclock.engine._sources import _MONDAY, WeeklySource, local_template
from slaclock.engine._template import WEEK_US, Template, combine, compose
from slaclock.engine.schedule import WeeklyHours, quick_week, week_of

SETTINGS = settings(
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONDON = ZoneInfo("Europe/London")

week_hours = st.dictionaries(
    day_keys | st.sampled_from(["mon-fri", "sat", "sun", "fri-mon", "mon", "sun-mon"]),
    hour_texts
    | st.sampled_from(
        ["09:00-17:00", "22:00-06:00", "00:00-24:00", "06:00-13:45,14:00-21:45,22:00-05:45"]
    ),
    max_size=3,
)


def built(hours: Any, holidays: Any = None, overrides: Any = None) -> object:
    """Return what building a source gives: its parts, or the error's type and message."""
    try:
        source = WeeklySource.build(LONDON, hours, holidays, overrides)
    except ScheduleError as exc:
        return (type(exc), str(exc))
    return (
        source.week,
        source._week_starts,
        source._week_ends,
        source.holidays,
        source.overrides,
        source._irregular,
        source.to_data(),
        repr(source),
        hash(source),
    )


@SETTINGS
@given(hours=week_hours)
def test_weeks_read_quickly_are_the_weeks_read_and_checked(hours: dict[str, str]) -> None:
    quick = quick_week(hours)
    if quick is not None:
        days, _, _ = quick
        assert week_of(days) == WeeklyHours.parse(hours)
        checked = WeeklySource(LONDON, WeeklyHours.parse(hours), holiday_source(None), {})
        assert WeeklySource.build(LONDON, hours, None, None) == checked
    expected = None
    with mock.patch.object(_sources, "quick_week", return_value=None):
        expected = built(hours)
    assert built(hours) == expected


@SETTINGS
@given(
    hours=week_hours,
    holidays=st.sampled_from([None, ["2026-12-25"], "not dates", [object()]]),
    overrides=st.sampled_from([None, {}, [], "", {"2026-12-24": "09:00-13:00"}, 5]),
)
def test_holidays_and_overrides_are_read_and_refused_as_before(
    hours: dict[str, str], holidays: Any, overrides: Any
) -> None:
    with mock.patch.object(_sources, "quick_week", return_value=None):
        expected = built(hours, holidays, overrides)
    assert built(hours, holidays, overrides) == expected


def test_the_week_is_made_only_when_asked() -> None:
    source = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")._source
    assert isinstance(source, WeeklySource)
    assert source._week is None
    assert source.week == WeeklyHours.parse({"mon-fri": "09:00-17:00"})
    assert source._week is source.week


offsets = st.integers(-26 * 60, 26 * 60).map(lambda m: m * MINUTE_US)


@SETTINGS
@given(weeks(), offsets)
def test_templates_moved_from_the_local_week_are_the_placed_ones(
    week: tuple[list[int], list[int]], offset: int
) -> None:
    starts, ends = week
    # As a week's merged shifts are: from Monday 00:00, none longer than a day and a bit.
    if starts and (starts[0] < 0 or ends[-1] > WEEK_US + DAY_US):
        return
    moved = local_template(starts, ends).moved(offset - _MONDAY)
    placed = Template.placed(starts, ends, _MONDAY - offset)
    direct = local_template(starts, ends, offset - _MONDAY)
    assert (direct.starts, direct.ends, direct.shift) == (moved.starts, moved.ends, moved.shift)
    assert moved.anchored() == (placed.starts, placed.ends)
    assert moved.total == placed.total
    for t in range(-WEEK_US, 2 * WEEK_US, 7 * MINUTE_US * 61):
        assert moved.before(t + WEEK_US) - moved.before(t) == placed.total
        assert moved.before(t + DAY_US) - moved.before(t) == (
            placed.before(t + DAY_US) - placed.before(t)
        )
        assert moved.expand(t, t + 3 * DAY_US) == placed.expand(t, t + 3 * DAY_US)
        if placed.total:
            amount = 1 + t % placed.total
            assert moved.instant_at(moved.before(t) + amount) == placed.instant_at(
                placed.before(t) + amount
            )


shifted_templates = st.builds(
    lambda week, shift: Template(*week, shift=shift),
    weeks().filter(lambda pair: not pair[0] or pair[1][-1] <= WEEK_US),
    st.integers(-WEEK_US, WEEK_US),
)


@SETTINGS
@given(
    st.sampled_from(["union", "intersection", "difference"]),
    st.lists(shifted_templates, min_size=2, max_size=4),
)
def test_compositions_of_shifted_templates_answer_as_anchored_ones(
    kind: str, templates: list[Template]
) -> None:
    if kind == "difference":
        templates = templates[:2]
    composed = compose(kind, templates)
    merged = Template(*combine(kind, [template.anchored() for template in templates]))
    assert composed.total == merged.total
    assert composed.expand(-WEEK_US, 2 * WEEK_US) == merged.expand(-WEEK_US, 2 * WEEK_US)
    for t in range(-WEEK_US, 2 * WEEK_US, 7 * MINUTE_US * 61):
        assert composed.before(t + DAY_US) - composed.before(t) == (
            merged.before(t + DAY_US) - merged.before(t)
        )
