"""Fast paths of a new calendar's construction give what the general paths they skip give.

Each fast path here is checked against the slower, general code it stands in for:
placing a week's template by rotation against sorting and merging every interval,
the week's intervals read in one pass against merging them one by one, and shifts
made without re-checking against the checked constructor.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.engine._holidays import holiday_source
from slaclock.engine._sources import WeeklySource, append_merged
from slaclock.engine._steady import transitions
from slaclock.engine._template import ALWAYS, NEVER, WEEK_US, Template, combine, compose
from slaclock.engine.schedule import Shift, WeeklyHours, _quick_shifts

SETTINGS = settings(
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = dt.timedelta(microseconds=1)
MINUTE_US = 60_000_000
DAY_US = 1440 * MINUTE_US

# Interval lists of every kind ``Template.placed`` may get: sorted and apart (a week's
# shifts), touching, overlapping, empty, longer than a week, out of order, negative.
bounds = st.integers(-2 * WEEK_US, 3 * WEEK_US)
intervals = st.lists(st.tuples(bounds, st.integers(0, WEEK_US + DAY_US)), max_size=12).map(
    lambda pairs: ([start for start, _ in pairs], [start + length for start, length in pairs])
)
minutes = st.integers(0, 7 * 1440 - 1).map(lambda m: m * MINUTE_US)


@st.composite
def weeks(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Return sorted, apart intervals within about a week: the usual shape, and its edges."""
    cuts = sorted(set(draw(st.lists(minutes, min_size=0, max_size=16))))
    if len(cuts) % 2:
        cuts.append(cuts[-1] + draw(st.integers(1, 2 * 1440)) * MINUTE_US)
    return cuts[::2], cuts[1::2]


@SETTINGS
@given(intervals | weeks(), st.integers(-3 * WEEK_US, 3 * WEEK_US) | st.sampled_from([0, -1]))
def test_placed_templates_equal_the_sorted_and_merged_ones(
    given_intervals: tuple[list[int], list[int]], shift: int
) -> None:
    starts, ends = given_intervals
    placed = Template.placed(starts, ends, shift)
    merged = Template.merged(starts, ends, shift)
    assert (placed.starts, placed.ends) == (merged.starts, merged.ends)
    assert placed.cum_end == merged.cum_end
    assert placed.total == merged.total


def test_a_week_reaching_round_to_its_own_start_is_merged_by_the_general_path() -> None:
    # The last interval ends exactly a week after the first starts: they touch once placed.
    starts, ends = [0, 2 * DAY_US], [DAY_US, WEEK_US]
    for shift in (0, DAY_US // 3, -5):
        placed = Template.placed(starts, ends, shift)
        assert (placed.starts, placed.ends) == (
            Template.merged(starts, ends, shift).starts,
            Template.merged(starts, ends, shift).ends,
        )


day_hours = st.lists(
    st.tuples(st.integers(0, 1439), st.integers(1, 1440)), min_size=0, max_size=4
).map(lambda pairs: tuple(Shift(a * MINUTE_US, (a + b) * MINUTE_US) for a, b in pairs))


@SETTINGS
@given(st.lists(day_hours, min_size=7, max_size=7))
def test_the_week_read_in_one_pass_is_the_week_merged_shift_by_shift(
    days: list[tuple[Shift, ...]],
) -> None:
    # Built directly (as a caller may), so the shifts may touch, overlap or be out of order.
    week = WeeklyHours.__new__(WeeklyHours)
    object.__setattr__(week, "days", tuple(days))
    source = WeeklySource(ZoneInfo("Europe/London"), week, holiday_source(None), {})
    starts: list[int] = []
    ends: list[int] = []
    for number, shifts in enumerate(days):
        for shift in shifts:
            append_merged(
                starts, ends, number * DAY_US + shift.start_us, number * DAY_US + shift.end_us
            )
    assert (source._week_starts, source._week_ends) == (starts, ends)


clock = st.integers(0, 24 * 60).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")


@SETTINGS
@given(st.lists(st.tuples(clock, clock), min_size=1, max_size=5))
def test_shifts_read_quickly_are_the_checked_shifts(pairs: list[tuple[str, str]]) -> None:
    quick = _quick_shifts(",".join(f"{a}-{b}" for a, b in pairs))
    if quick is None:
        return
    for shift in quick:
        checked = Shift(shift.start_us, shift.end_us)
        assert shift == checked
        assert hash(shift) == hash(checked)
        assert (shift.start, shift.end, str(shift)) == (checked.start, checked.end, str(checked))


def test_three_shifts_with_a_night_are_read_quickly() -> None:
    quick = _quick_shifts("06:00-13:45,14:00-21:45,22:00-05:45")
    assert quick is not None
    assert [str(shift) for shift in quick] == ["06:00-13:45", "14:00-21:45", "22:00-05:45"]
    assert quick[2].end == dt.timedelta(hours=29, minutes=45)


# -- the hour a clock set back reads again ------------------------------------------------

REPEAT_ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # half-hour daylight saving
    "Europe/Dublin",  # negative daylight saving (summer is standard time)
    "Pacific/Chatham",  # transitions at 02:45 and 03:45
    "Pacific/Apia",  # skipped a whole day
    "America/St_Johns",
    "America/Sao_Paulo",
    "Africa/Casablanca",  # an hour back for Ramadan, twice a year
    "Asia/Gaza",
    "Antarctica/Troll",  # two hours at once
    "Europe/Moscow",
)
REPEAT_WEEKS = (
    {"mon-fri": "09:00-17:00"},
    {"mon-fri": "06:00-13:45,14:00-21:45,22:00-05:45"},
    # Boundaries on, inside and at the edges of the readings repeated, every day.
    {"mon-sun": "00:30-01:00,01:15-01:45,02:00-02:30,02:45-03:00,03:30-03:45,04:00-05:00"},
    {"mon-sun": "01:00-02:00,23:00-00:59"},
    {"sat,sun": "01:30-02:15,22:00-01:30"},
    {"mon-sun": "00:00-24:00"},
)


@pytest.mark.parametrize("hours", REPEAT_WEEKS)
@pytest.mark.parametrize("name", REPEAT_ZONES)
def test_every_repeated_hour_of_1990_to_2045_is_placed_as_its_days_are(
    name: str, hours: dict[str, str]
) -> None:
    """After every transition of 1990-2045 that sets a clock back, the template given for
    the hour read again lists what placing its days lists, with and without holidays."""
    zone = ZoneInfo(name)
    known = transitions(zone)
    assert known is not None
    first = (dt.datetime(1990, 1, 1, tzinfo=UTC) - EPOCH) // US
    last = (dt.datetime(2045, 1, 1, tzinfo=UTC) - EPOCH) // US
    changes = [t for t in known.times if first <= t < last]
    year = first
    while year < last:  # past the file's transitions, the rule's
        changes += [t for t in known.around(year) if first <= t < last]
        year += 30 * DAY_US
    holidays = {
        (EPOCH + US * (t - DAY_US)).date() for t in changes[::2]
    }  # the day before every other change
    sources = [
        Calendar.weekly(hours, tz=name)._source,
        Calendar.weekly(hours, tz=name, holidays=sorted(holidays))._source,
    ]
    seen = 0
    for change in sorted(set(changes)):
        settled, _, _ = known.segment(change)
        if settled <= change:
            continue  # the clock went forward (or nothing changed)
        for source in sources:
            for t in (change, change + 1, (change + settled) // 2, settled - 1):
                found = source.steady(t, t + DAY_US)
                assert found is not None
                hi, template = found
                assert hi == settled
                if template is None:
                    continue
                seen += 1
                assert template.total in {0, WEEK_US}
                assert template.expand(t, hi) == source.between(t, hi)
                assert template.expand(t, hi) == source.intervals(t, hi, steady=False)
    if name not in {"Asia/Kolkata", "UTC"}:
        assert seen


# -- compositions with a week all open or never open -------------------------------------

week_templates = st.one_of(
    st.sampled_from([ALWAYS, NEVER, Template([0], [WEEK_US]), Template([], [])]),
    weeks()
    .filter(lambda pair: not pair[0] or pair[1][-1] <= WEEK_US)
    .map(lambda pair: Template(*pair)),
    # Touching intervals, as an intersection may leave.
    st.just(Template([0, DAY_US], [DAY_US, 2 * DAY_US])),
)


@SETTINGS
@given(
    st.sampled_from(["union", "intersection", "difference"]),
    st.lists(week_templates, min_size=2, max_size=4),
)
def test_compositions_with_constant_weeks_answer_as_merged_ones(
    kind: str, templates: list[Template]
) -> None:
    if kind == "difference":
        templates = templates[:2]
    composed = compose(kind, templates)
    merged = Template(*combine(kind, [(template.starts, template.ends) for template in templates]))
    assert composed.total == merged.total
    assert composed.expand(-WEEK_US, 2 * WEEK_US) == merged.expand(-WEEK_US, 2 * WEEK_US)
    for t in range(-WEEK_US, 2 * WEEK_US, 7 * MINUTE_US * 61):
        assert composed.before(t) == merged.before(t)
        if merged.total:
            target = merged.before(t) + 1
            assert composed.instant_at(target) == merged.instant_at(target)


@SETTINGS
@given(
    st.sampled_from(["intersection", "difference"]),
    st.lists(week_templates, min_size=2, max_size=4),
    st.integers(-3 * WEEK_US, 3 * WEEK_US) | st.sampled_from([0, 1, WEEK_US - 1]),
)
def test_templates_of_one_offset_compose_as_those_placed_at_the_epoch(
    kind: str, templates: list[Template], shift: int
) -> None:
    # A desk and its site in one zone: templates sharing a shift combine their lists as
    # they are; the general path places each at the epoch's anchoring first.
    if kind == "difference":
        templates = templates[:2]
    moved = [template.moved(shift) for template in templates]
    composed = compose(kind, moved)
    general = Template(*combine(kind, [template.anchored() for template in moved]))
    assert composed.total == general.total
    assert composed.expand(-WEEK_US, 2 * WEEK_US) == general.expand(-WEEK_US, 2 * WEEK_US)
    for t in range(-WEEK_US, 2 * WEEK_US, 7 * MINUTE_US * 61):
        assert composed.before(t) - composed.before(0) == general.before(t) - general.before(0)
        if general.total:
            target = general.before(t) + 1
            assert composed.instant_at(target + composed.before(0) - general.before(0)) == (
                general.instant_at(target)
            )
