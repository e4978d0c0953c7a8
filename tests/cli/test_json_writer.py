"""The one-pass indented JSON writer of ``evaluate`` equals ``json.dumps`` of ``with_seconds``."""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy
from slaclock.cli._output import indented_json_with_seconds, with_seconds

#: Durations and near misses, so the seconds beside them are exercised.
_TEXTS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["PT1H", "-PT15M", "PT1.5S", "PT0S", "PT", "P1D", "PT1H30M0.1234567S", 'é\n"']),
    st.from_regex(r"-?PT\d{1,6}H?\d{0,3}M?(\d{1,3}(\.\d{1,8})?S)?", fullmatch=True),
)


class _Level(enum.IntEnum):
    LOW = 1


_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXTS,
    st.just(_Level.LOW),
)


def _values() -> st.SearchStrategy[Any]:
    return st.recursive(
        _LEAVES,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.lists(inner, max_size=3).map(tuple),
            st.dictionaries(
                st.one_of(_TEXTS, st.sampled_from(["elapsed", "elapsed_seconds", "due"])),
                inner,
                max_size=5,
            ),
            st.dictionaries(st.integers(-3, 3), inner, max_size=2),
        ),
        max_leaves=25,
    )


@given(_values(), st.sampled_from(["", "    "]))
def test_same_text_as_json_dumps(value: Any, margin: str) -> None:
    try:
        expected = json.dumps(with_seconds(value), indent=2, ensure_ascii=False)
    except Exception as error:  # a duration too long to count: the same refusal
        with pytest.raises(type(error)):
            indented_json_with_seconds(value, margin)
        return
    assert indented_json_with_seconds(value, margin) == expected.replace("\n", "\n" + margin)


def test_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        indented_json_with_seconds({"at": dt.date(2026, 1, 1)})


_POLICY: dict[str, Any] = {
    "name": "Gold",
    "pause_when": ["pending-customer"],
    "calendars": {"support": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}}},
    "tiers": {
        "P3": {
            "first_response": {"target": "4h", "calendar": "support"},
            "next_update": {"target": "8h", "calendar": "support"},
            "resolution": {"target": "3d", "calendar": "support"},
        }
    },
}
_KINDS = ["agent_reply", "customer_reply", "pending-customer", "open", "resolved"]


@given(
    st.lists(st.tuples(st.integers(1, 3_000), st.sampled_from(_KINDS)), max_size=10),
    st.booleans(),
)
def test_reports_written_as_before(steps: list[tuple[int, str]], explain: bool) -> None:
    when = dt.datetime(2026, 3, 27, 8, tzinfo=dt.timezone.utc)
    events: list[dict[str, Any]] = [{"at": when, "type": "logged", "priority": "P3"}]
    for minutes, kind in steps:
        when += dt.timedelta(minutes=minutes)
        if kind in ("pending-customer", "open"):
            events.append({"at": when, "type": "status", "status": kind})
        else:
            events.append({"at": when, "type": kind})
    report = Policy.from_dict(_POLICY).evaluate(events, now=when + dt.timedelta(hours=5))
    data = {name: figures.to_dict(intervals=explain) for name, figures in report.items()}
    expected = json.dumps(with_seconds(data), indent=2, ensure_ascii=False)
    assert indented_json_with_seconds(data) == expected
