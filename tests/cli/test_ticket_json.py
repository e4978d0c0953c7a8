"""``evaluate``'s JSON of a ticket, written from the report's shape, is the old text to the byte.

The reference is the renderer it replaced, kept here: the report's dictionaries
(``to_dict`` as it was) with ``with_seconds``, through ``json.dumps(indent=2)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Policy, SlaclockError
from slaclock.cli._errors import safe_text
from slaclock.cli._output import with_seconds
from slaclock.cli._stream import render_ticket
from slaclock.cli._ticket_json import _ticket, ticket_json
from slaclock.sla.results import (
    CycleReport,
    Escalation,
    Interval,
    MetricReport,
    Report,
    SegmentReport,
    Status,
    iso_duration,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "sla"))
from test_policy import examples
from test_whole_ticket import histories, policies


@dataclasses.dataclass(frozen=True)
class _Ticket:
    """What the renderer reads of a ticket (a ``Ticket`` needs real events)."""

    id: Any
    customer: Any = ""


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _old_metric(m: MetricReport, explain: bool) -> dict[str, Any]:
    """``MetricReport.to_dict`` as it was when this renderer replaced it."""
    data: dict[str, Any] = {
        "metric": m.metric,
        "status": m.status.value,
        "target": iso_duration(m.target),
        "target_text": m.target_text,
        "calendar": m.calendar,
        "started_at": _iso(m.started_at),
        "stopped_at": _iso(m.stopped_at),
        "due": _iso(m.due),
        "breached_at": _iso(m.breached_at),
        "elapsed": iso_duration(m.elapsed),
        "remaining": iso_duration(m.remaining),
        "used": m.used,
    }
    data["cycles"] = [
        {
            "started_at": c.started_at.isoformat(),
            "stopped_at": _iso(c.stopped_at),
            "status": c.status.value,
            "elapsed": iso_duration(c.elapsed),
            "target": iso_duration(c.target),
            "target_text": c.target_text,
            "due": _iso(c.due),
            "breached_at": _iso(c.breached_at),
        }
        for c in m.cycles
    ]
    data["segments"] = [
        {
            "tier": s.tier,
            "from": s.started_at.isoformat(),
            "to": _iso(s.ended_at),
            "target": iso_duration(s.target),
            "target_text": s.target_text,
            "calendar": s.calendar,
            "used": iso_duration(s.used),
            "status": s.status.value,
            "due": _iso(s.due),
            "breached_at": _iso(s.breached_at),
        }
        for s in m.segments
    ]
    data["escalations"] = [_old_escalation(e) for e in m.escalations]
    following = m.next_escalation
    data["next_escalation"] = None if following is None else _old_escalation(following)
    if explain:
        data["intervals"] = [
            {
                "metric": v.metric,
                "start": v.start.isoformat(),
                "end": v.end.isoformat(),
                "kind": v.kind,
                "reason": v.reason,
            }
            for v in m.intervals
        ]
    return data


def _old_escalation(e: Escalation) -> dict[str, Any]:
    return {"metric": e.metric, "level": e.level, "label": e.label, "at": _iso(e.at)}


def old_json(ticket: _Ticket, report: Report, explain: bool, margin: str = "") -> str:
    """Return the ticket's JSON as the renderer before ``ticket_json`` wrote it."""
    item = {
        "id": ticket.id,
        "customer": ticket.customer,
        "priority": report.priority,
        "policy": report.policy,
        "policy_version": report.policy_version,
        "metrics": {name: _old_metric(figures, explain) for name, figures in report.items()},
    }
    text = json.dumps(with_seconds(item), indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + margin)


def assert_written_alike(ticket: Any, report: Report, explain: bool) -> None:
    try:
        expected = old_json(ticket, report, explain, "    ")
    except Exception as error:  # the same refusal (a duration too long to count)
        with pytest.raises(type(error)):
            ticket_json(ticket, report, explain, "    ")
        return
    assert ticket_json(ticket, report, explain, "    ") == expected
    rendered = render_ticket("json", explain, True, ticket, report)
    assert rendered.text == ",\n    " + safe_text(expected)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=policies(),
    history=histories(),
    minutes=st.integers(0, 60 * 24 * 5),
    explain=st.booleans(),
)
def test_random_reports_are_written_as_before(
    data: dict[str, Any], history: list[dict[str, Any]], minutes: int, explain: bool
) -> None:
    policy = Policy.from_dict(data)
    now = dt.datetime.fromisoformat(history[0]["at"]) + dt.timedelta(minutes=minutes)
    try:
        report = policy.evaluate(history, now)
    except SlaclockError:
        return
    assert_written_alike(_Ticket("T-1", "acme"), report, explain)
    # The evaluator's reports take the fast way, not the generic one.
    written = _ticket(_Ticket("T-1", "acme"), report, explain, "\n")  # type: ignore[arg-type]
    assert written == old_json(_Ticket("T-1", "acme"), report, explain)


#: Text of every kind: escapes, non-ASCII, lone surrogates, and text that reads as a duration.
ODD_TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["PT1H", "-PT15M", "PT1.5S", "P", "-", "", 'a"b\\c\n', "é\u2028", "\ud800", "PT"]
    ),
)
ZONES = [
    dt.timezone.utc,
    dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
    ZoneInfo("Europe/London"),
]
ZONES.append(dt.timezone(dt.timedelta(hours=5, seconds=7, microseconds=3)))
INSTANTS = st.builds(
    lambda when, zone, fold: when.replace(tzinfo=zone, fold=fold),
    st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)),
    st.sampled_from(ZONES),
    st.integers(0, 1),
)
#: Durations up to past the ten-year limit, where the seconds are refused.
DURATIONS = st.one_of(
    st.timedeltas(dt.timedelta(days=-4000), dt.timedelta(days=4000)),
    st.integers(-(10**12), 10**12).map(lambda us: dt.timedelta(microseconds=us)),
)
NUMBERS = st.one_of(st.floats(), st.integers(-(10**20), 10**20), st.just(0.0), st.just(-0.0))


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


@st.composite
def odd_reports(draw: st.DrawFn) -> tuple[_Ticket, Report]:
    """Return a hand-made ticket and report of odd values the evaluator rarely writes."""
    statuses = st.sampled_from(list(Status))

    def segment() -> SegmentReport:
        return SegmentReport(
            draw(ODD_TEXT), draw(INSTANTS), draw(_maybe(INSTANTS)), draw(DURATIONS),
            draw(ODD_TEXT), draw(ODD_TEXT), draw(DURATIONS), draw(statuses),
            draw(_maybe(INSTANTS)), draw(_maybe(INSTANTS)),
        )  # fmt: skip

    def cycle() -> CycleReport:
        return CycleReport(
            draw(INSTANTS), draw(_maybe(INSTANTS)), draw(statuses), draw(DURATIONS),
            draw(DURATIONS), draw(_maybe(INSTANTS)), draw(_maybe(INSTANTS)), draw(ODD_TEXT),
        )  # fmt: skip

    def escalation() -> Escalation:
        return Escalation(draw(ODD_TEXT), draw(NUMBERS), draw(_maybe(INSTANTS)))

    metrics = {}
    for name in draw(st.lists(ODD_TEXT, max_size=3, unique=True)):
        story = tuple(
            Interval(draw(ODD_TEXT), draw(INSTANTS), draw(INSTANTS), draw(ODD_TEXT), draw(ODD_TEXT))
            for _ in range(draw(st.integers(0, 2)))
        )
        metrics[name] = MetricReport(
            draw(ODD_TEXT), draw(statuses), draw(DURATIONS), draw(ODD_TEXT), draw(ODD_TEXT),
            draw(_maybe(INSTANTS)), draw(_maybe(INSTANTS)), draw(_maybe(INSTANTS)),
            draw(_maybe(INSTANTS)), draw(DURATIONS), draw(DURATIONS), draw(NUMBERS),
            tuple(cycle() for _ in range(draw(st.integers(0, 2)))),
            tuple(segment() for _ in range(draw(st.integers(0, 2)))),
            tuple(escalation() for _ in range(draw(st.integers(0, 2)))),
            draw(_maybe(st.builds(escalation))),
            _story=lambda story=story: story,
        )  # fmt: skip
    report = Report(draw(ODD_TEXT), draw(ODD_TEXT), draw(INSTANTS), metrics, draw(_maybe(ODD_TEXT)))
    return _Ticket(draw(ODD_TEXT), draw(_maybe(ODD_TEXT))), report


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_reports(), st.booleans())
def test_odd_reports_are_written_as_before(pair: tuple[_Ticket, Report], explain: bool) -> None:
    assert_written_alike(*pair, explain)


def test_values_of_other_types_go_the_generic_way() -> None:
    when = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc)
    figures = MetricReport(
        "resolution", Status.MET, dt.timedelta(hours=4), "4h", "desk", when, None, None, None,
        dt.timedelta(hours=1), dt.timedelta(hours=3), 1, (), (), (), None,
    )  # fmt: skip
    odd = dataclasses.replace(figures, calendar=7, used=True)  # type: ignore[arg-type]
    for metrics in ({"resolution": figures}, {"resolution": odd}, {}):
        report = Report("Gold", "P1", when, metrics)
        assert_written_alike(_Ticket("PT1H"), report, explain=False)
        assert_written_alike(_Ticket(17, None), report, explain=True)
