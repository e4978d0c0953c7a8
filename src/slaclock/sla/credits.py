"""Service credits: what a missed target costs, as a policy's ``[credits]`` table says.

A policy (a policy of a set, or a version) may price its misses two ways::

    [credits]
    currency = "GBP"
    per_breach = { P1 = 500, P2 = 100 }       # each breached metric of a P1 ticket: 500
    measure = "compliance"                     # or "availability" (slaclock uptime)
    metric = "resolution"                      # compliance of one metric; default: every target met
    fees = { acme = 2000, globex = "1500.50" } # the fee per period (a month), per customer
    [[credits.tiers]]
    below = 99.9
    credit = "10%"
    [[credits.tiers]]
    below = 99.0
    credit = "25%"

Money is ``decimal.Decimal``, never a float: an amount is an integer, text such as
``"1500.50"`` or a TOML number, with at most ``decimals`` places (default 2).
Percentages have at most 4 places. Of the tiers a measured percentage is below,
the one with the lowest ``below`` applies (tiers do not add). See
``docs/policy.md``, "Penalties and service credits".
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from slaclock.engine._text import brief
from slaclock.errors import PolicyError

__all__ = ["MEASURES", "PERIODS", "CreditTier", "Credits", "round_money"]

#: What a credit tier's percentage measures.
MEASURES = ("compliance", "availability")
#: The periods a fee is paid for, and credits judged over.
PERIODS = ("month", "quarter", "year")
#: The largest amount of money accepted: a typo such as 5e20 is refused, not priced.
MAX_AMOUNT = Decimal(10) ** 12
#: The most decimal places a percentage may have (99.9999 is "four nines and more").
PERCENT_PLACES = 4

_KEYS = (
    "currency",
    "per_breach",
    "per_breach_metrics",
    "measure",
    "metric",
    "fees",
    "services",
    "tiers",
    "period",
    "cap",
    "decimals",
)
_NUMBER_RE = re.compile(r"\d{1,40}(?:\.\d{1,40})?")
_PERCENT_RE = re.compile(r"(\d{1,4}(?:\.\d+)?)%")
_CURRENCY_RE = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]{0,15}")


def round_money(amount: Decimal, decimals: int) -> Decimal:
    """Return ``amount`` to ``decimals`` places, halves rounded away from zero.

    >>> round_money(Decimal("100.125"), 2), round_money(Decimal("7"), 2)
    (Decimal('100.13'), Decimal('7.00'))
    """
    return amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _decimal(value: object, where: str, what: str) -> Decimal:
    """Return a non-negative finite number written as an integer, a float or plain text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PolicyError(f"{where}: give {what} as a number, not {brief(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PolicyError(f"{where}: {value!r} is not a finite number")
        text = repr(value)
        if "e" in text or "E" in text:
            raise PolicyError(f"{where}: {text} is out of range for {what}")
    else:
        text = str(value).strip()
    if not _NUMBER_RE.fullmatch(text):
        raise PolicyError(
            f"{where}: {brief(value)} is not {what}: write digits with an optional "
            "decimal point, such as 500 or 99.9 (no sign, no exponent)"
        )
    return Decimal(text)


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite by _decimal
    return max(0, -exponent)


def _money(value: object, where: str, decimals: int) -> Decimal:
    amount = _decimal(value, where, "an amount of money")
    if amount > MAX_AMOUNT:
        raise PolicyError(f"{where}: {amount} is more than the largest amount accepted (10^12)")
    if _places(amount) > decimals:
        raise PolicyError(
            f"{where}: {amount} has more than {decimals} decimal place(s) "
            "(set credits.decimals for a currency with more)"
        )
    return amount


def _percent(value: object, where: str, *, high: int, sign: bool) -> Decimal:
    """Return a percentage: ``"10%"`` text when ``sign``, else a number (``%`` allowed)."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        match = _PERCENT_RE.fullmatch(text)
        if match is None:
            raise PolicyError(f'{where}: {brief(value)} is not a percentage such as "10%"')
        number = Decimal(match[1])
    elif sign:
        raise PolicyError(
            f'{where}: write a percentage with its sign, such as "10%", not {brief(value)}'
        )
    else:
        number = _decimal(value, where, "a percentage")
    if number > high:
        raise PolicyError(f"{where}: {number} % is more than {high} %")
    if _places(number) > PERCENT_PLACES:
        raise PolicyError(f"{where}: {number} % has more than {PERCENT_PLACES} decimal places")
    return number


def _names(value: object, where: str, what: str) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item for item in value)
    ):
        raise PolicyError(f"{where}: give a list of one or more {what}, not {brief(value)}")
    return tuple(dict.fromkeys(value))


def _table(value: object, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f"{where}: give a table of {what}, not {brief(value)}")
    for key in value:
        if not isinstance(key, str) or not key:
            raise PolicyError(f"{where}: {brief(key)} is not a name")
    return value


@dataclasses.dataclass(frozen=True)
class CreditTier:
    """One step of a credit scale: below ``below`` percent, ``credit`` percent of the fee."""

    below: Decimal
    credit: Decimal

    def to_dict(self) -> dict[str, str]:
        """Return ``{"below": "99.9", "credit": "10%"}``: exact, as a policy file writes it."""
        return {"below": str(self.below), "credit": f"{self.credit}%"}

    def __str__(self) -> str:
        return f"below {self.below} %: {self.credit} %"


@dataclasses.dataclass(frozen=True)
class Credits:
    """What a policy's misses cost: per breach by tier, and a credit scale over a period.

    ``per_breach`` maps a tier to the amount each breached metric of a ticket in
    that tier costs (``per_breach_metrics`` limits which metrics count). ``tiers``
    (highest ``below`` first) price a period's ``measure`` as a share of the
    customer's ``fees`` entry. ``cap`` (a percentage of the fee, or None) bounds
    what one customer is owed for one period.
    """

    currency: str
    per_breach: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)
    per_breach_metrics: frozenset[str] | None = None
    measure: str | None = None
    metric: str | None = None
    tiers: tuple[CreditTier, ...] = ()
    fees: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)
    services: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    period: str = "month"
    cap: Decimal | None = Decimal(100)
    decimals: int = 2

    @classmethod
    def from_dict(cls, data: object, where: str) -> Credits:
        """Return the credits a ``credits`` table says; a bad value: ``PolicyError`` at ``where``.

        >>> credits = Credits.from_dict({"currency": "GBP", "per_breach": {"P1": 500},
        ...     "measure": "compliance", "fees": {"acme": 2000},
        ...     "tiers": [{"below": 99.9, "credit": "10%"}, {"below": 99, "credit": "25%"}]},
        ...     "gold.toml: credits")
        >>> credits.per_breach["P1"], str(credits.tier_for(Fraction(985, 10)))
        (Decimal('500'), 'below 99 %: 25 %')
        """
        if not isinstance(data, Mapping):
            raise PolicyError(
                f'{where}: give a table (such as {{ currency = "GBP", ... }}), not {brief(data)}'
            )
        unknown = sorted(str(key) for key in data if key not in _KEYS)
        if unknown:
            raise PolicyError(f"{where}: unknown setting(s) {unknown}; known: {', '.join(_KEYS)}")
        decimals = data.get("decimals", 2)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
            raise PolicyError(
                f"{where}.decimals: give 0 to 4 (places of the currency), not {brief(decimals)}"
            )
        currency = data.get("currency")
        if not isinstance(currency, str) or not _CURRENCY_RE.fullmatch(currency):
            raise PolicyError(
                f'{where}.currency: give the contract\'s currency, such as "GBP" '
                f"(letters first, at most 16 characters), not {brief(currency)}"
            )
        per_breach: dict[str, Decimal] = {}
        if "per_breach" in data:
            written = _table(data["per_breach"], f"{where}.per_breach", "tiers and amounts")
            for tier, amount in written.items():
                per_breach[tier] = _money(amount, f"{where}.per_breach.{tier}", decimals)
        breach_metrics = None
        if "per_breach_metrics" in data:
            if not per_breach:
                raise PolicyError(f"{where}.per_breach_metrics: given without per_breach")
            breach_metrics = frozenset(
                _names(data["per_breach_metrics"], f"{where}.per_breach_metrics", "metric names")
            )
        tiers = _tiers(data.get("tiers"), f"{where}.tiers") if "tiers" in data else ()
        measure = data.get("measure")
        if tiers and measure not in MEASURES:
            raise PolicyError(
                f"{where}.measure: say what the tiers' percentages measure: "
                f'"compliance" or "availability", not {brief(measure)}'
            )
        if not tiers and measure is not None:
            raise PolicyError(f"{where}.measure: given without [[credits.tiers]] to price it")
        metric = data.get("metric")
        if metric is not None:
            if measure != "compliance":
                raise PolicyError(
                    f"{where}.metric: names the metric whose compliance counts; "
                    'give it with measure = "compliance"'
                )
            if not isinstance(metric, str) or not metric:
                raise PolicyError(f"{where}.metric: give a metric name, not {brief(metric)}")
        if not per_breach and not tiers:
            raise PolicyError(f"{where}: give per_breach, [[credits.tiers]] or both")
        fees = (
            {
                customer: _money(fee, f"{where}.fees.{customer}", decimals)
                for customer, fee in _table(
                    data["fees"], f"{where}.fees", "customers and fees"
                ).items()
            }
            if "fees" in data
            else {}
        )
        services: dict[str, tuple[str, ...]] = {}
        if "services" in data:
            if measure != "availability":
                raise PolicyError(
                    f"{where}.services: names each customer's services for availability; "
                    'give it with measure = "availability"'
                )
            for customer, names in _table(
                data["services"], f"{where}.services", "customers and their services"
            ).items():
                services[customer] = _names(names, f"{where}.services.{customer}", "service names")
        period = data.get("period", "month")
        if period not in PERIODS:
            raise PolicyError(
                f"{where}.period: give one of {', '.join(PERIODS)}, not {brief(period)}"
            )
        cap_text = data.get("cap", "100%")
        cap = (
            None if cap_text == "none" else _percent(cap_text, f"{where}.cap", high=1000, sign=True)
        )
        return cls(
            currency=currency,
            per_breach=per_breach,
            per_breach_metrics=breach_metrics,
            measure=measure,
            metric=metric,
            tiers=tiers,
            fees=fees,
            services=services,
            period=period,
            cap=cap,
            decimals=decimals,
        )

    def check(self, tiers: Iterable[str], metrics: Iterable[str], where: str) -> None:
        """Refuse a tier or metric name the policy does not have (a typo would cost nothing)."""
        known_tiers = set(tiers)
        known_metrics = set(metrics)
        for tier in self.per_breach:
            if tier not in known_tiers:
                raise PolicyError(
                    f"{where}.per_breach.{tier}: no tier named {tier!r}; "
                    f"the policy has {sorted(known_tiers)}"
                )
        for name in sorted(self.per_breach_metrics or ()):
            if name not in known_metrics:
                raise PolicyError(
                    f"{where}.per_breach_metrics: no metric named {name!r}; "
                    f"known: {sorted(known_metrics)}"
                )
        if self.metric is not None and self.metric not in known_metrics:
            raise PolicyError(
                f"{where}.metric: no metric named {self.metric!r}; known: {sorted(known_metrics)}"
            )

    @property
    def customers(self) -> tuple[str, ...]:
        """Return the customers the credits name (in ``fees``, then ``services``)."""
        return tuple(dict.fromkeys([*self.fees, *self.services]))

    def charge(self, tier: str, metric: str) -> Decimal | None:
        """Return what one breach of ``metric`` in ``tier`` costs, or None when it costs nothing."""
        if self.per_breach_metrics is not None and metric not in self.per_breach_metrics:
            return None
        return self.per_breach.get(tier)

    def tier_for(self, measured: Fraction) -> CreditTier | None:
        """Return the tier a measured percentage falls in: of those it is below, the lowest.

        A percentage exactly at a tier's ``below`` is not below it.

        >>> credits = Credits.from_dict({"currency": "GBP", "measure": "availability",
        ...     "tiers": [{"below": 99.9, "credit": "10%"}, {"below": 99, "credit": "25%"}]}, "x")
        >>> found = [str(credits.tier_for(Fraction(p))) for p in (100, Fraction(999, 10), 99, 50)]
        >>> found
        ['None', 'None', 'below 99.9 %: 10 %', 'below 99 %: 25 %']
        """
        found = None
        for tier in self.tiers:  # highest below first
            if measured < Fraction(tier.below):
                found = tier
        return found

    def to_dict(self) -> dict[str, Any]:
        """Return the credits as a policy file writes them (amounts as exact text)."""
        data: dict[str, Any] = {"currency": self.currency}
        if self.per_breach:
            data["per_breach"] = {tier: str(amount) for tier, amount in self.per_breach.items()}
        if self.per_breach_metrics is not None:
            data["per_breach_metrics"] = sorted(self.per_breach_metrics)
        if self.measure is not None:
            data["measure"] = self.measure
        if self.metric is not None:
            data["metric"] = self.metric
        if self.fees:
            data["fees"] = {customer: str(fee) for customer, fee in self.fees.items()}
        if self.services:
            data["services"] = {customer: list(names) for customer, names in self.services.items()}
        if self.tiers:
            data["tiers"] = [tier.to_dict() for tier in self.tiers]
        data["period"] = self.period
        data["cap"] = "none" if self.cap is None else f"{self.cap}%"
        data["decimals"] = self.decimals
        return data


def _tiers(value: object, where: str) -> tuple[CreditTier, ...]:
    """Return the tiers, highest ``below`` first; a lower ``below`` must not credit less."""
    if not isinstance(value, list) or not value:
        raise PolicyError(f"{where}: give one or more [[credits.tiers]] with below and credit")
    found: list[CreditTier] = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise PolicyError(f"{at}: give a table with below and credit, not {brief(item)}")
        unknown = sorted(str(key) for key in item if key not in ("below", "credit"))
        missing = [key for key in ("below", "credit") if key not in item]
        if unknown or missing:
            raise PolicyError(
                f"{at}: give exactly below and credit (unknown {unknown}, missing {missing})"
            )
        below = _percent(item["below"], f"{at}.below", high=100, sign=False)
        if below == 0:
            raise PolicyError(f"{at}.below: 0 % can never be undercut; give more than 0")
        found.append(
            CreditTier(below, _percent(item["credit"], f"{at}.credit", high=100, sign=True))
        )
    found.sort(key=lambda tier: tier.below, reverse=True)
    for higher, lower in itertools.pairwise(found):
        if higher.below == lower.below:
            raise PolicyError(f"{where}: two tiers say below = {lower.below}")
        if lower.credit < higher.credit:
            raise PolicyError(
                f"{where}: below {lower.below} % credits {lower.credit} %, less than "
                f"{higher.credit} % below {higher.below} %; a worse figure must not cost less"
            )
    return tuple(found)
