"""Service credits owed: per customer and period, what the policy's ``[credits]`` say is due.

A compliance report (``slaclock report``) and an availability report
(``slaclock uptime``) each carry ``credits``: one ``Credit`` per policy, customer
and credit period (a calendar month unless the credits say ``period``), with
the breaches charged, the measured percentage, the tier it fell in and the
amount owed. The rules (``docs/policy.md``, "Penalties and service credits"):

- A ticket belongs to the period it was logged in, as it belongs to the report.
- Per breach: each metric of a ticket that breached costs ``per_breach`` of the
  tier it first breached under, at the price of the version that judged it.
- A tier credit is judged over a whole period only: the report's period is cut
  at period boundaries (in its zone) and a part of a month gets per-breach
  charges and a note, never a tier credit from part of the month's figures.
  The tiers, fee and cap are those of the version in force at the period's end.
- Of the tiers the measured percentage is below, the lowest applies; its
  credit is that percentage of the customer's fee, rounded half up to the
  currency's ``decimals``; what one customer is owed for one period is capped at
  ``cap`` percent of the fee (100 % unless the credits say otherwise).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from slaclock.engine._time import day_start, to_us
from slaclock.errors import InputError
from slaclock.reports._render import (
    csv_text,
    iso_duration,
    seconds,
    terminal_safe,
    text_table,
)
from slaclock.reports.periods import ReportingPeriod
from slaclock.sla.credits import Credits, CreditTier, round_money

if TYPE_CHECKING:
    from slaclock.reports._outcomes import Outcome
    from slaclock.sla.policy import Policy

__all__ = [
    "CSV_COLUMNS",
    "Charge",
    "Credit",
    "CreditBook",
    "availability_credits",
    "credit_pieces",
    "credits_csv",
    "credits_text",
    "html_rows",
    "priced",
]

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclasses.dataclass(frozen=True)
class Charge:
    """One breach that costs money: a ticket's metric, breached under ``tier``."""

    ticket: str
    metric: str
    tier: str
    amount: Decimal

    def to_dict(self, decimals: int = 2) -> dict[str, Any]:
        """Return the charge as JSON-ready data; the amount is exact text (``"500.00"``)."""
        return {
            "ticket": self.ticket,
            "metric": self.metric,
            "tier": self.tier,
            "amount": str(round_money(self.amount, decimals)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Charge:
        """Return the charge ``to_dict`` wrote."""
        return cls(data["ticket"], data["metric"], data["tier"], Decimal(data["amount"]))


@dataclasses.dataclass(frozen=True)
class Credit:
    """What one customer is owed under one policy for one period, and why.

    ``whole`` says whether ``period`` is a whole credit period (a month): only
    then is a tier credit judged. Compliance is ``met`` of ``judged``;
    availability is the measured time less ``downtime`` over ``measured``.
    """

    policy: str
    customer: str
    period: ReportingPeriod
    whole: bool
    currency: str
    decimals: int = 2
    breaches: tuple[Charge, ...] = ()
    #: "compliance", "availability", or None when the policy has no credit tiers.
    measure: str | None = None
    #: The metric whose compliance counts (None: every target of a ticket met).
    metric: str | None = None
    met: int | None = None
    judged: int | None = None
    downtime: dt.timedelta | None = None
    measured: dt.timedelta | None = None
    #: The tier the measured percentage fell in, if any.
    tier: CreditTier | None = None
    fee: Decimal | None = None
    #: The cap, in percent of the fee (None: no cap).
    cap: Decimal | None = None
    notes: tuple[str, ...] = ()
    #: For availability: the services measured, down when any was (empty: every service).
    services: tuple[str, ...] = ()

    @property
    def measured_percent(self) -> Fraction | None:
        """Return the measured percentage exactly, or None when nothing was measured."""
        if self.measure == "compliance" and self.judged:
            assert self.met is not None
            return Fraction(100 * self.met, self.judged)
        if self.measure == "availability" and self.measured:
            assert self.downtime is not None
            return 100 * (
                1
                - Fraction(self.downtime / dt.timedelta(microseconds=1))
                / Fraction(self.measured / dt.timedelta(microseconds=1))
            )
        return None

    @property
    def breach_amount(self) -> Decimal:
        """Return the sum of the breaches charged."""
        return round_money(sum((item.amount for item in self.breaches), Decimal(0)), self.decimals)

    @property
    def tier_amount(self) -> Decimal | None:
        """Return the tier's credit in money (its percentage of the fee), or None."""
        if self.tier is None or self.fee is None:
            return None
        return round_money(self.fee * self.tier.credit / 100, self.decimals)

    @property
    def cap_amount(self) -> Decimal | None:
        """Return the most this customer can be owed for the period, or None (no cap, no fee)."""
        if self.cap is None or self.fee is None:
            return None
        return round_money(self.fee * self.cap / 100, self.decimals)

    @property
    def uncapped(self) -> Decimal:
        """Return the breaches' sum plus the tier credit, before the cap."""
        return self.breach_amount + (self.tier_amount or Decimal(0))

    @property
    def capped(self) -> bool:
        """Return whether the cap lowered what is owed."""
        cap = self.cap_amount
        return cap is not None and self.uncapped > cap

    @property
    def owed(self) -> Decimal:
        """Return what is owed: the breaches plus the tier credit, at most the cap."""
        cap = self.cap_amount
        total = self.uncapped
        return round_money(min(total, cap) if cap is not None else total, self.decimals)

    def money(self, amount: Decimal | None) -> str:
        """Return ``amount`` as exact text to the currency's places (``""`` for None)."""
        return "" if amount is None else str(round_money(amount, self.decimals))

    def to_dict(self) -> dict[str, Any]:
        """Return the credit as JSON-ready data: amounts as exact text, never floats."""
        percent = self.measured_percent
        return {
            "policy": self.policy,
            "customer": self.customer,
            "period": self.period.to_dict(),
            "whole_period": self.whole,
            "currency": self.currency,
            "decimals": self.decimals,
            "breaches": [item.to_dict(self.decimals) for item in self.breaches],
            "breach_amount": self.money(self.breach_amount),
            "measure": self.measure,
            "metric": self.metric,
            "met": self.met,
            "judged": self.judged,
            "downtime": None if self.downtime is None else iso_duration(self.downtime),
            "downtime_seconds": None if self.downtime is None else seconds(self.downtime),
            "measured": None if self.measured is None else iso_duration(self.measured),
            "measured_seconds": None if self.measured is None else seconds(self.measured),
            "measured_percent": None if percent is None else float(percent),
            "tier": None if self.tier is None else self.tier.to_dict(),
            "fee": self.money(self.fee) or None,
            "tier_amount": self.money(self.tier_amount) or None,
            "cap_percent": None if self.cap is None else str(self.cap),
            "cap_amount": self.money(self.cap_amount) or None,
            "capped": self.capped,
            "owed": self.money(self.owed),
            "notes": list(self.notes),
            "services": list(self.services),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Credit:
        """Return the credit ``to_dict`` wrote (the derived amounts are computed again)."""

        def span(name: str) -> dt.timedelta | None:
            value = data[f"{name}_seconds"]
            return None if value is None else dt.timedelta(seconds=value)

        period = data["period"]
        tier = data["tier"]
        return cls(
            policy=data["policy"],
            customer=data["customer"],
            period=ReportingPeriod(
                period["label"],
                dt.datetime.fromisoformat(period["start"]),
                dt.datetime.fromisoformat(period["end"]),
            ),
            whole=data["whole_period"],
            currency=data["currency"],
            decimals=data["decimals"],
            breaches=tuple(Charge.from_dict(item) for item in data["breaches"]),
            measure=data["measure"],
            metric=data["metric"],
            met=data["met"],
            judged=data["judged"],
            downtime=span("downtime"),
            measured=span("measured"),
            tier=None
            if tier is None
            else CreditTier(Decimal(tier["below"]), Decimal(tier["credit"].rstrip("%"))),
            fee=None if data["fee"] is None else Decimal(data["fee"]),
            cap=None if data["cap_percent"] is None else Decimal(data["cap_percent"]),
            notes=tuple(data["notes"]),
            services=tuple(data["services"]),
        )


# -- periods ---------------------------------------------------------------------


def credit_pieces(period: ReportingPeriod, unit: str) -> tuple[tuple[ReportingPeriod, bool], ...]:
    """Return ``period`` cut at ``unit`` boundaries (month, quarter, year): (piece, whole?).

    >>> from slaclock.reports.periods import parse_period
    >>> pieces = credit_pieces(parse_period("2026-10-15..2026-12-31"), "month")
    >>> tuple((piece.label, whole) for piece, whole in pieces)
    (('2026-10-15..2026-10-31', False), ('2026-11', True), ('2026-12', True))
    """
    zone = period.start.tzinfo
    assert zone is not None
    first = period.start.astimezone(zone).date()
    after = period.end.astimezone(zone).date()
    step = _MONTHS[unit]
    month = (first.month - 1) // step * step + 1
    unit_start = dt.date(first.year, month, 1)
    pieces: list[tuple[ReportingPeriod, bool]] = []
    while unit_start < after:
        total = unit_start.month - 1 + step
        unit_end = dt.date(unit_start.year + total // 12, total % 12 + 1, 1)
        low, high = max(unit_start, first), min(unit_end, after)
        whole = (low, high) == (unit_start, unit_end)
        if whole:
            label = _unit_label(unit_start, unit)
        else:
            last = high - dt.timedelta(days=1)
            label = low.isoformat() if low == last else f"{low.isoformat()}..{last.isoformat()}"
        pieces.append((ReportingPeriod(label, day_start(low, zone), day_start(high, zone)), whole))
        unit_start = unit_end
    return tuple(pieces)


def _unit_label(start: dt.date, unit: str) -> str:
    if unit == "year":
        return f"{start.year}"
    if unit == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def _unit_words(unit: str) -> str:
    return {"month": "a whole month", "quarter": "a whole quarter", "year": "a whole year"}[unit]


def _partial_note(piece: ReportingPeriod, unit: str, measure: str) -> str:
    """Return why a piece shorter than the credits' ``unit`` gets no tier credit."""
    words = _unit_words(unit)
    return f"{piece.label} is not {words}: {measure} credits are judged over {words} only"


# -- which policy priced a ticket ------------------------------------------------


def _families(policy: Policy) -> dict[tuple[str, str | None], tuple[Policy, Policy]]:
    """Return, by the (policy, version) a report names, each policy or version and its policy."""
    members = getattr(policy, "policies", None) or (policy,)
    found: dict[tuple[str, str | None], tuple[Policy, Policy]] = {}
    for member in members:
        found[member.name, member.version] = (member, member)
        # A policy without top-level tiers stands for its latest version: that entry wins.
        for _, version in member.versions:
            found[version.name, version.version] = (member, version)
    return found


def _in_force(family: Policy, piece: ReportingPeriod) -> Credits | None:
    """Return the credits of the version in force at the piece's last instant."""
    last = piece.end - dt.timedelta(microseconds=1)
    try:
        return family.version_at(last).credits
    except InputError:  # the piece ends before the first version: price it by the first
        return family.versions[0][1].credits


def priced(policy: Policy, measure: str | None = None) -> bool:
    """Return whether any policy or version of ``policy`` has credits (of ``measure``, if given)."""
    return any(
        version.credits is not None and measure in (None, version.credits.measure)
        for _, version in _families(policy).values()
    )


# -- compliance credits ----------------------------------------------------------


class _Account:
    """What one customer's tickets under one policy, in one piece, did: counts and charges."""

    __slots__ = ("charges", "metrics", "tickets")

    def __init__(self) -> None:
        self.tickets = [0, 0]  # met, judged (a ticket is met when no metric breached)
        self.metrics: dict[str, list[int]] = {}
        self.charges: list[Charge] = []


class CreditBook:
    """Counts a compliance report's outcomes into credits, ticket by ticket (memory: the charges).

    >>> from slaclock import Policy
    >>> from slaclock.reports.periods import parse_period
    >>> book = CreditBook(Policy.from_dict({"name": "Gold", "tiers": {"P1": {
    ...     "resolution": {"target": "4h", "calendar": "always"}}},
    ...     "credits": {"currency": "GBP", "per_breach": {"P1": 500}}}), parse_period("2026-10"))
    >>> book.active
    True
    """

    def __init__(self, policy: Policy, period: ReportingPeriod) -> None:
        self.period = period
        self.families = _families(policy)
        self.active = any(version.credits is not None for _, version in self.families.values())
        self._policies = {family.name: family for family, _ in self.families.values()}
        self._pieces: dict[str, tuple[tuple[ReportingPeriod, bool], ...]] = {}
        self._starts: dict[str, list[int]] = {}
        self._accounts: dict[tuple[str, str, str, int], _Account] = {}

    def _piece(self, unit: str, logged_at: dt.datetime) -> int:
        if unit not in self._pieces:
            pieces = credit_pieces(self.period, unit)
            self._pieces[unit] = pieces
            self._starts[unit] = [to_us(piece.start) for piece, _ in pieces]
        return max(0, bisect.bisect_right(self._starts[unit], to_us(logged_at)) - 1)

    def add_ticket(self, outcomes: Sequence[Outcome]) -> None:
        """Count one ticket, given the outcomes of its metrics."""
        if not self.active or not outcomes:
            return
        first = outcomes[0]
        found = self.families.get((first.policy, first.policy_version))
        if found is None or found[1].credits is None:
            return
        family, version = found
        credits = version.credits
        assert credits is not None
        if not credits.per_breach and credits.measure != "compliance":
            return  # availability credits: priced by slaclock uptime, not from tickets
        index = self._piece(credits.period, first.logged_at)
        key = (family.name, first.customer, credits.period, index)
        account = self._accounts.get(key)
        if account is None:
            account = self._accounts[key] = _Account()
        results = {item.result for item in outcomes}
        if "breached" in results or ("met" in results and "open" not in results):
            account.tickets[1] += 1
            account.tickets[0] += "breached" not in results
        for item in outcomes:
            if item.result in ("met", "breached"):
                counts = account.metrics.setdefault(item.metric, [0, 0])
                counts[1] += 1
                counts[0] += item.result == "met"
            if item.result == "breached":
                amount = credits.charge(item.breached_tier or item.tier, item.metric)
                if amount is not None:
                    tier = item.breached_tier or item.tier
                    account.charges.append(Charge(item.ticket, item.metric, tier, amount))

    def __getstate__(self) -> dict[str, Any]:
        # What a merge reads: the counts, never the policies (a worker process
        # builds its own book from the policy it loads; see ``Tallies.begin``).
        return {
            "period": self.period,
            "_pieces": self._pieces,
            "_starts": self._starts,
            "_accounts": self._accounts,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.families = {}
        self.active = False  # counts nothing more: only merged into a book that has its policy
        self._policies = {}

    def merge(self, other: CreditBook) -> None:
        """Count what ``other`` (a book of the same policy and period) counted as well."""
        for unit, pieces in other._pieces.items():
            if unit not in self._pieces:
                self._pieces[unit] = pieces
                self._starts[unit] = other._starts[unit]
        for key, theirs in other._accounts.items():
            mine = self._accounts.get(key)
            if mine is None:
                mine = self._accounts[key] = _Account()
            mine.tickets[0] += theirs.tickets[0]
            mine.tickets[1] += theirs.tickets[1]
            for metric, (met, judged) in theirs.metrics.items():
                counts = mine.metrics.setdefault(metric, [0, 0])
                counts[0] += met
                counts[1] += judged
            mine.charges.extend(theirs.charges)

    def credits(self) -> tuple[Credit, ...]:
        """Return the credits counted so far, by customer, period and policy."""
        rows: list[Credit] = []
        for (name, customer, unit, index), account in self._accounts.items():
            family = self._policies[name]
            piece, whole = self._pieces[unit][index]
            credits = _in_force(family, piece)
            if credits is None:
                continue
            notes: list[str] = []
            met = judged = None
            tier = None
            measure = credits.measure if credits.measure == "compliance" else None
            if measure is not None:
                if credits.metric is None:
                    met, judged = account.tickets
                else:
                    met, judged = account.metrics.get(credits.metric, [0, 0])
                if not whole:
                    notes.append(_partial_note(piece, unit, "compliance"))
                elif not judged:
                    notes.append("no ticket judged: no compliance credit")
                else:
                    tier = credits.tier_for(Fraction(100 * met, judged))
            fee = credits.fees.get(customer)
            if fee is None and (tier is not None or account.charges) and credits.fees:
                notes.append(
                    f"no fee for {customer!r} in the credits' fees: "
                    + ("the tier credit is not priced" if tier else "no cap applies")
                )
            elif fee is None and tier is not None:
                notes.append("the credits give no fees: the tier credit is not priced")
            charges = tuple(sorted(account.charges, key=lambda item: (item.ticket, item.metric)))
            rows.append(
                Credit(
                    policy=name,
                    customer=customer,
                    period=piece,
                    whole=whole,
                    currency=credits.currency,
                    decimals=credits.decimals,
                    breaches=charges,
                    measure=measure,
                    metric=credits.metric if measure else None,
                    met=met,
                    judged=judged,
                    tier=tier,
                    fee=fee,
                    cap=credits.cap,
                    notes=tuple(notes),
                )
            )
        # Whatever order the tickets came in (merged parts, too): the same order of rows.
        rows.sort(
            key=lambda row: (
                row.customer,
                to_us(row.period.start),
                row.policy,
                to_us(row.period.end),
            )
        )
        return tuple(rows)


# -- availability credits --------------------------------------------------------


def availability_credits(
    policy: Policy,
    period: ReportingPeriod,
    downtime_of: Any,
) -> tuple[Credit, ...]:
    """Return the availability credits of every customer ``policy`` prices, per whole period.

    ``downtime_of(services, piece)`` returns ``(downtime, measured)`` over ``piece``
    for the services named (None: every service), down when any of them was down.
    """
    rows: list[Credit] = []
    seen: set[str] = set()
    for family, _ in _families(policy).values():
        if family.name in seen:
            continue
        seen.add(family.name)
        units = {
            version.credits.period
            for _, version in [(0, family), *family.versions]
            if version.credits is not None and version.credits.measure == "availability"
        }
        for unit in sorted(units):
            for piece, whole in credit_pieces(period, unit):
                credits = _in_force(family, piece)
                if credits is None or credits.measure != "availability" or credits.period != unit:
                    continue
                for customer in credits.customers:
                    rows.append(
                        _availability_row(
                            family.name,
                            customer=customer,
                            credits=credits,
                            piece=piece,
                            whole=whole,
                            downtime_of=downtime_of,
                        )
                    )
    rows.sort(key=lambda row: (row.customer, to_us(row.period.start), row.policy))
    return tuple(rows)


def _availability_row(
    name: str,
    *,
    customer: str,
    credits: Credits,
    piece: ReportingPeriod,
    whole: bool,
    downtime_of: Any,
) -> Credit:
    notes: list[str] = []
    services = credits.services.get(customer)
    downtime = measured = None
    tier = None
    if not whole:
        notes.append(_partial_note(piece, credits.period, "availability"))
    else:
        downtime, measured = downtime_of(services, piece)
        if not measured:
            notes.append("no time was measured: no availability credit")
        else:
            down_us = downtime // dt.timedelta(microseconds=1)
            all_us = measured // dt.timedelta(microseconds=1)
            tier = credits.tier_for(100 * (1 - Fraction(down_us, all_us)))
    fee = credits.fees.get(customer)
    if fee is None and tier is not None:
        notes.append(f"no fee for {customer!r} in the credits' fees: the tier credit is not priced")
    return Credit(
        policy=name,
        customer=customer,
        period=piece,
        whole=whole,
        currency=credits.currency,
        decimals=credits.decimals,
        measure="availability",
        downtime=downtime,
        measured=measured,
        tier=tier,
        fee=fee,
        cap=credits.cap,
        notes=tuple(notes),
        services=services or (),
    )


# -- renderings ------------------------------------------------------------------


def measured_text(credit: Credit) -> str:
    """Return the measured percentage cut (never rounded up) to 3 places, with its basis."""
    percent = credit.measured_percent
    if percent is None:
        return "-"
    cut = Decimal(math.floor(percent * 1000)) / 1000
    text = f"{cut:.3f} %"
    if credit.measure == "compliance":
        what = credit.metric or "tickets"
        text += f" {what} ({credit.met}/{credit.judged})"
    elif credit.services:
        text += f" ({', '.join(credit.services)})"
    return text


def money_text(credit: Credit, amount: Decimal | None) -> str:
    """Return ``GBP 1,234.50`` (``-`` for None)."""
    if amount is None:
        return "-"
    return f"{credit.currency} {round_money(amount, credit.decimals):,}"


def tier_text(credit: Credit) -> str:
    """Return the tier applied as ``below 99.9 %: 10 %``, or ``-``."""
    return "-" if credit.tier is None else str(credit.tier)


def credits_text(credits: Sequence[Credit]) -> str:
    """Return the credits as plain-text tables: owed per customer and period, then the breaches."""
    if not credits:
        return ""
    # Columns that say nothing for these credits (breaches in an uptime report, tiers
    # for credits per breach only) are left out.
    per_breach = any(item.measure != "availability" for item in credits)
    tiered = any(item.measure is not None for item in credits)
    columns: list[tuple[str, bool, Any]] = [
        ("customer", False, lambda item: item.customer),
        ("period", False, lambda item: item.period.label),
        ("policy", False, lambda item: item.policy),
    ]
    if per_breach:
        columns += [
            ("breaches", True, lambda item: str(len(item.breaches))),
            ("for breaches", True, lambda item: money_text(item, item.breach_amount)),
        ]
    if tiered:
        columns += [
            ("measured", False, measured_text),
            ("tier", False, tier_text),
            ("fee", True, lambda item: money_text(item, item.fee)),
            ("tier credit", True, lambda item: money_text(item, item.tier_amount)),
        ]
    columns.append(
        (
            "owed",
            True,
            lambda item: money_text(item, item.owed) + (" (capped)" if item.capped else ""),
        )
    )
    text = "\nService credits owed\n" + text_table(
        [name for name, _, _ in columns],
        [[cell(item) for _, _, cell in columns] for item in credits],
        {index for index, (_, right, _) in enumerate(columns) if right},
    )
    charged = [
        [
            item.customer,
            item.period.label,
            charge.ticket,
            charge.tier,
            charge.metric,
            money_text(item, charge.amount),
        ]
        for item in credits
        for charge in item.breaches
    ]
    if charged:
        text += "\nBreaches charged\n" + text_table(
            ["customer", "period", "ticket", "tier", "metric", "amount"], charged, {5}
        )
    notes = [
        f"  {item.customer} {item.period.label}: {note}" for item in credits for note in item.notes
    ]
    if notes:
        # What a ticket or policy file names is shown, never obeyed by the terminal.
        text += "\nNotes\n" + "\n".join(terminal_safe(line) for line in notes) + "\n"
    return text


#: The columns of ``credits_csv``.
CSV_COLUMNS = (
    "kind",
    "customer",
    "period",
    "policy",
    "currency",
    "ticket",
    "metric",
    "tier",
    "measure",
    "measured_percent",
    "below",
    "credit_percent",
    "fee",
    "amount",
    "note",
)


def credits_csv(credits: Iterable[Credit], *, neutralise: bool = True) -> str:
    """Return the credits as CSV: per customer and period a ``breach`` row per breach charged,
    a ``tier`` row when a tier applied, and a ``total`` row with what is owed.

    Amounts are exact text to the currency's places. Cells a spreadsheet would run
    as formulas are made inert unless ``neutralise`` is false.
    """
    rows: list[list[Any]] = []
    for item in credits:
        head = [item.customer, item.period.label, item.policy, item.currency]
        for charge in item.breaches:
            rows.append(
                [
                    "breach",
                    *head,
                    charge.ticket,
                    charge.metric,
                    charge.tier,
                    "",
                    "",
                    "",
                    "",
                    "",
                    item.money(charge.amount),
                    "",
                ]
            )
        percent = item.measured_percent
        measured = "" if percent is None else round(float(percent), 4)
        if item.tier is not None:
            rows.append(
                [
                    "tier",
                    *head,
                    "",
                    item.metric or "",
                    "",
                    item.measure,
                    measured,
                    str(item.tier.below),
                    str(item.tier.credit),
                    item.money(item.fee),
                    item.money(item.tier_amount),
                    "",
                ]
            )
        notes = list(item.notes)
        if item.capped:
            notes.append(f"capped at {item.cap} % of the fee")
        rows.append(
            [
                "total",
                *head,
                "",
                item.metric or "",
                "",
                item.measure or "",
                measured,
                "",
                "",
                item.money(item.fee),
                item.money(item.owed),
                "; ".join(notes),
            ]
        )
    return csv_text(list(CSV_COLUMNS), rows, neutralise=neutralise)


def _tier_words(item: Credit) -> str:
    """Return the tier credit in words: ``10 % of GBP 4,000.00: GBP 400.00 (below 90 %)``."""
    if item.tier is None:
        return "none"
    if item.fee is None:
        return f"{item.tier.credit} % (below {item.tier.below} %), no fee given"
    return (
        f"{item.tier.credit} % of {money_text(item, item.fee)}: "
        f"{money_text(item, item.tier_amount)} (below {item.tier.below} %)"
    )


def html_rows(credits: Sequence[Credit]) -> list[dict[str, Any]]:
    """Return the credits as the HTML templates show them (text cells, already formatted)."""
    return [
        {
            "customer": item.customer,
            "period": item.period.label,
            "policy": item.policy,
            "measure": item.measure,
            "breaches": [
                {
                    "ticket": c.ticket,
                    "metric": c.metric,
                    "tier": c.tier,
                    "amount": money_text(item, c.amount),
                }
                for c in item.breaches
            ],
            "breach_amount": money_text(item, item.breach_amount),
            "measured": measured_text(item),
            "tier": tier_text(item),
            "tier_words": _tier_words(item),
            "fee": money_text(item, item.fee),
            "tier_amount": money_text(item, item.tier_amount),
            "owed": money_text(item, item.owed),
            "capped": item.capped,
            "cap": None if item.cap is None else f"{item.cap} %",
            "notes": list(item.notes),
            "services": ", ".join(item.services) if item.services else "every service",
        }
        for item in credits
    ]
