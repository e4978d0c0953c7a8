"""What an evaluation reports: per metric, status, due and breach instants, time used, and why."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slaclock.engine._time import iso_or_none
from slaclock.sla.targets import iso_duration

__all__ = [
    "CycleReport",
    "Escalation",
    "Explanation",
    "Interval",
    "MetricReport",
    "Report",
    "SegmentReport",
    "Status",
    "iso_duration",
]


_T = TypeVar("_T")


def built(cls: type[_T], values: dict[str, Any]) -> _T:
    """Return the frozen dataclass ``cls`` holding ``values``: every field, in field order.

    What ``cls(**values)`` returns (equal, the same repr, ``__dict__`` and pickle),
    without its ``__init__`` setting each field through ``object.__setattr__``: the
    evaluator builds a few reports per ticket from values it has already checked.
    """
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


class Status(str, enum.Enum):
    """How a metric stands; each member compares equal to its string value."""

    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    AT_RISK = "at_risk"
    PAUSED = "paused"
    #: A cycle metric with nothing to judge yet (no customer message for next_update).
    IDLE = "idle"
    #: The ticket moved to a tier without this metric before it breached; it is not judged.
    CANCELLED = "cancelled"
    #: A total the policy measures without a target (``agent_work_time = { calendar = ... }``):
    #: counted, never judged.
    MEASURED = "measured"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class Interval:
    """A stretch of time in a metric's story: counted, paused or closed, and why."""

    metric: str
    start: dt.datetime
    end: dt.datetime
    kind: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Return the interval as JSON-ready data."""
        return {
            "metric": self.metric,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclasses.dataclass(frozen=True)
class SegmentReport:
    """The stretch of one run of a metric judged under one priority tier.

    A priority change ends the open run's segment with the judgement it has
    then (``breached``, or ``met`` when the tier's target was not missed while it
    applied; ``cancelled`` when the new tier lacks the metric) and opens the next.
    ``used`` is the business time judged against ``target``: since the run
    started (``retroactive``) or since the segment began (``from_change``).
    """

    tier: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    target: dt.timedelta
    target_text: str
    calendar: str
    used: dt.timedelta
    status: Status
    due: dt.datetime | None
    breached_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the segment as JSON-ready data."""
        return {
            "tier": self.tier,
            "from": self.started_at.isoformat(),
            "to": iso_or_none(self.ended_at),
            "target": iso_duration(self.target),
            "target_text": self.target_text,
            "calendar": self.calendar,
            "used": iso_duration(self.used),
            "status": self.status.value,
            "due": iso_or_none(self.due),
            "breached_at": iso_or_none(self.breached_at),
        }


@dataclasses.dataclass(frozen=True)
class CycleReport:
    """One judged cycle of a cycle metric (next_update, periodic_update)."""

    started_at: dt.datetime
    stopped_at: dt.datetime | None
    status: Status
    elapsed: dt.timedelta
    target: dt.timedelta
    due: dt.datetime | None
    breached_at: dt.datetime | None
    #: The target as written in the policy (``"3d"``, ``"4h"``).
    target_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the cycle as JSON-ready data."""
        return {
            "started_at": self.started_at.isoformat(),
            "stopped_at": iso_or_none(self.stopped_at),
            "status": self.status.value,
            "elapsed": iso_duration(self.elapsed),
            "target": iso_duration(self.target),
            "target_text": self.target_text,
            "due": iso_or_none(self.due),
            "breached_at": iso_or_none(self.breached_at),
        }


@dataclasses.dataclass(frozen=True)
class Escalation:
    """An escalation level of a metric's running clock, and when its used time reaches it.

    ``level`` is a share of the target (``0.75``); ``1.0`` is the breach level,
    reached at the due instant. ``at`` is None when the clock is paused short of
    the level: a paused clock cannot know when it will resume.

    >>> import datetime as dt
    >>> at = dt.datetime(2026, 11, 23, 12, tzinfo=dt.timezone.utc)
    >>> level = Escalation("resolution", 0.75, at)
    >>> level.label, Escalation.from_dict(level.to_dict()) == level
    ('75%', True)
    """

    metric: str
    level: float
    at: dt.datetime | None

    @property
    def breach(self) -> bool:
        """Return whether this is the breach level (the whole target used)."""
        return self.level >= 1.0

    @property
    def label(self) -> str:
        """Return ``"breach"``, or the level as a percentage (``"75%"``, ``"87.5%"``)."""
        return "breach" if self.breach else level_text(self.level)

    def to_dict(self) -> dict[str, Any]:
        """Return the escalation as JSON-ready data that ``from_dict`` reads back."""
        return {
            "metric": self.metric,
            "level": self.level,
            "label": self.label,
            "at": iso_or_none(self.at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Escalation:
        """Return the escalation ``to_dict`` wrote."""
        at = data["at"]
        return cls(
            str(data["metric"]),
            float(data["level"]),
            None if at is None else dt.datetime.fromisoformat(at),
        )


def level_text(level: float) -> str:
    """Return an escalation level as a percentage without needless digits (``0.875`` is 87.5%)."""
    return f"{level * 100:.6g}%"


@dataclasses.dataclass(frozen=True)
class MetricReport:
    """Where one metric stands: status, due and breach instants, time used, and why.

    For cycle metrics the figures are the open cycle's (or the last one's when
    none is open), the status is ``BREACHED`` if any cycle breached, and
    ``cycles`` lists every cycle. ``segments`` lists, for every run, the
    stretch judged under each priority tier: the status is ``BREACHED`` if any
    segment breached, so a priority change never hides a miss.
    """

    metric: str
    status: Status
    target: dt.timedelta
    target_text: str
    calendar: str
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    due: dt.datetime | None
    breached_at: dt.datetime | None
    elapsed: dt.timedelta
    remaining: dt.timedelta
    used: float
    cycles: tuple[CycleReport, ...]
    segments: tuple[SegmentReport, ...] = ()
    #: The policy's escalation levels (``warn_at``) the running clock has reached, lowest
    #: first, each with the instant it was reached (the open run's current tier segment).
    escalations: tuple[Escalation, ...] = ()
    #: The next escalation level, or the breach, with its instant (None while paused);
    #: None when the clock is not counting towards anything more.
    next_escalation: Escalation | None = None
    #: Computes ``intervals`` on first use: explaining costs more than judging.
    _story: Callable[[], tuple[Interval, ...]] | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @functools.cached_property
    def intervals(self) -> tuple[Interval, ...]:
        """Return the counted, paused and closed intervals behind this metric, oldest first."""
        return () if self._story is None else self._story()

    def figures_dict(self) -> dict[str, Any]:
        """Return the report's own figures as JSON-ready data: ``to_dict`` without the lists
        (cycles, segments, escalations, intervals), what a CSV row holds.

        The keys come in ``to_dict``'s order, ``metric`` to ``used``.
        """
        return {
            "metric": self.metric,
            "status": self.status.value,
            "target": iso_duration(self.target),
            "target_text": self.target_text,
            "calendar": self.calendar,
            "started_at": iso_or_none(self.started_at),
            "stopped_at": iso_or_none(self.stopped_at),
            "due": iso_or_none(self.due),
            "breached_at": iso_or_none(self.breached_at),
            "elapsed": iso_duration(self.elapsed),
            "remaining": iso_duration(self.remaining),
            "used": self.used,
        }

    def to_dict(self, *, intervals: bool = True) -> dict[str, Any]:
        """Return the report as JSON-ready data (ISO 8601 instants and durations).

        ``intervals=False`` leaves out the ``intervals`` (the explanation), which
        cost more to work out than the rest of the report.
        """
        data = self.figures_dict()
        data["cycles"] = [cycle.to_dict() for cycle in self.cycles]
        data["segments"] = [segment.to_dict() for segment in self.segments]
        data["escalations"] = [level.to_dict() for level in self.escalations]
        data["next_escalation"] = (
            None if self.next_escalation is None else self.next_escalation.to_dict()
        )
        if intervals:
            data["intervals"] = [interval.to_dict() for interval in self.intervals]
        return data


@dataclasses.dataclass(frozen=True)
class Explanation:
    """The counted, paused and closed intervals behind a report; ``str()`` renders text."""

    intervals: tuple[Interval, ...]

    def to_dict(self) -> list[dict[str, str]]:
        """Return the intervals as JSON-ready data."""
        return [interval.to_dict() for interval in self.intervals]

    def __str__(self) -> str:
        lines: list[str] = []
        metric = None
        for interval in self.intervals:
            if interval.metric != metric:
                metric = interval.metric
                lines.append(f"{metric}:")
            lines.append(
                f"  {interval.start.isoformat()} .. {interval.end.isoformat()}  "
                f"{interval.kind:<7}  {interval.reason}"
            )
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class Report(Mapping[str, MetricReport]):
    """A ticket's SLA report: a mapping of metric name to ``MetricReport``.

    ``policy`` names the policy that judged the ticket and ``policy_version`` the
    version of it (its ``effective_from`` as written, such as ``2026-11-01``; None
    for a policy's top-level tiers).
    """

    policy: str
    priority: str
    now: dt.datetime
    metrics: Mapping[str, MetricReport]
    policy_version: str | None = None

    def __getitem__(self, metric: str) -> MetricReport:
        try:
            return self.metrics[metric]
        except KeyError:
            raise KeyError(
                f"no {metric!r} metric in tier {self.priority} of policy {self.policy!r}; "
                f"it has {list(self.metrics)}"
            ) from None

    def __iter__(self) -> Any:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)

    @property
    def next_escalation(self) -> Escalation | None:
        """Return the earliest next escalation (a level, or a breach) of any running metric.

        This is the instant a scheduler sets its next timer for: nothing in the
        report changes level before it unless an event comes. None when no metric
        is counting towards a level (all stopped, paused or past their due instant).
        Ties go to the lower level, then to the metric first in report order.
        """
        found = [
            report.next_escalation
            for report in self.metrics.values()
            if report.next_escalation is not None and report.next_escalation.at is not None
        ]
        return min(found, key=_escalation_key, default=None)

    def explain(self) -> Explanation:
        """Return every metric's counted, paused and closed intervals, each with its reason."""
        return Explanation(
            tuple(interval for report in self.metrics.values() for interval in report.intervals)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the whole report as JSON-ready data."""
        return {
            "policy": self.policy,
            "policy_version": self.policy_version,
            "priority": self.priority,
            "now": self.now.isoformat(),
            "metrics": {name: report.to_dict() for name, report in self.metrics.items()},
        }


def _escalation_key(escalation: Escalation) -> tuple[dt.datetime, float]:
    assert escalation.at is not None
    return escalation.at, escalation.level
