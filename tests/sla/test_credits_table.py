"""The ``[credits]`` table of a policy: read exactly, and every bad value refused with its place."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy, PolicySet
from slaclock.errors import PolicyError
from slaclock.sla.credits import Credits, CreditTier, round_money

TIERS = {
    "P1": {"resolution": {"target": "4h", "calendar": "always"}},
    "P2": {"resolution": {"target": "8h", "calendar": "always"}},
}


def policy(credits: Any, **more: Any) -> Policy:
    return Policy.from_dict(
        {"name": "Gold", "tiers": TIERS, "credits": credits, **more}, source="gold.toml"
    )


def full(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "currency": "GBP",
        "per_breach": {"P1": 500, "P2": "100.50"},
        "measure": "compliance",
        "metric": "resolution",
        "fees": {"acme": 2000},
        "tiers": [{"below": 99, "credit": "25%"}, {"below": 99.9, "credit": "10%"}],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_full_table_reads_exactly() -> None:
    credits = policy(full()).credits
    assert credits is not None
    assert credits.per_breach == {"P1": Decimal(500), "P2": Decimal("100.50")}
    # Highest below first, whatever the file's order.
    assert credits.tiers == (
        CreditTier(Decimal("99.9"), Decimal(10)),
        CreditTier(Decimal(99), Decimal(25)),
    )
    assert credits.cap == 100
    assert credits.period == "month"
    assert credits.decimals == 2
    assert credits.fees == {"acme": Decimal(2000)}
    assert Credits.from_dict(credits.to_dict(), "again") == credits


@pytest.mark.parametrize(
    ("measured", "tier"),
    [
        (Fraction(100), None),
        (Fraction(999, 10), None),  # exactly at the limit: not below it
        (Fraction(9989999, 100000), Decimal(10)),
        (Fraction(99), Decimal(10)),  # at 99: below 99.9 only
        (Fraction(98), Decimal(25)),  # below both: the lowest below wins, they do not add
        (Fraction(0), Decimal(25)),
    ],
)
def test_the_lowest_matching_tier_wins(measured: Fraction, tier: Decimal | None) -> None:
    credits = policy(full()).credits
    assert credits is not None
    found = credits.tier_for(measured)
    assert (found.credit if found else None) == tier


def test_money_rounds_half_up_to_the_places() -> None:
    assert round_money(Decimal("0.005"), 2) == Decimal("0.01")
    assert round_money(Decimal("3.333"), 2) == Decimal("3.33")
    assert round_money(Decimal("2.5"), 0) == Decimal(3)


@pytest.mark.parametrize(
    ("changes", "where", "says"),
    [
        ({"per_breach": {"P1": math.nan}}, "credits.per_breach.P1", "not a finite number"),
        ({"per_breach": {"P1": math.inf}}, "credits.per_breach.P1", "not a finite number"),
        ({"per_breach": {"P1": -5}}, "credits.per_breach.P1", "no sign"),
        ({"per_breach": {"P1": "-5"}}, "credits.per_breach.P1", "no sign"),
        ({"per_breach": {"P1": "1e3"}}, "credits.per_breach.P1", "no exponent"),
        ({"per_breach": {"P1": 1e20}}, "credits.per_breach.P1", "out of range"),
        ({"per_breach": {"P1": 10**13}}, "credits.per_breach.P1", "largest amount"),
        ({"per_breach": {"P1": "12.345"}}, "credits.per_breach.P1", "more than 2 decimal"),
        ({"per_breach": {"P1": True}}, "credits.per_breach.P1", "as a number"),
        ({"per_breach": {"P1": [1]}}, "credits.per_breach.P1", "as a number"),
        ({"per_breach": {"P9": 5}}, "credits.per_breach.P9", "no tier named 'P9'"),
        ({"per_breach": {}}, "credits.per_breach", "give a table"),
        ({"fees": {"acme": "2,000"}}, "credits.fees.acme", "not an amount"),
        (
            {"tiers": [{"below": 99, "credit": "10%%"}]},
            "credits.tiers[0].credit",
            "not a percentage",
        ),
        (
            {"tiers": [{"below": 99, "credit": "-10%"}]},
            "credits.tiers[0].credit",
            "not a percentage",
        ),
        ({"tiers": [{"below": 99, "credit": 10}]}, "credits.tiers[0].credit", "with its sign"),
        ({"tiers": [{"below": 99, "credit": "101%"}]}, "credits.tiers[0].credit", "more than 100"),
        ({"tiers": [{"below": 99, "credit": "1.00001%"}]}, "credits.tiers[0].credit", "4 decimal"),
        ({"tiers": [{"below": math.nan, "credit": "1%"}]}, "credits.tiers[0].below", "finite"),
        ({"tiers": [{"below": 100.5, "credit": "1%"}]}, "credits.tiers[0].below", "more than 100"),
        ({"tiers": [{"below": 0, "credit": "1%"}]}, "credits.tiers[0].below", "more than 0"),
        ({"tiers": [{"below": 99}]}, "credits.tiers[0]", "missing ['credit']"),
        ({"tiers": [{"below": 99, "credit": "5%", "over": 1}]}, "credits.tiers[0]", "unknown"),
        ({"tiers": []}, "credits.tiers", "one or more"),
        (
            {"tiers": [{"below": 99, "credit": "5%"}, {"below": 99, "credit": "9%"}]},
            "credits.tiers",
            "two tiers say below = 99",
        ),
        (
            {"tiers": [{"below": 99.9, "credit": "25%"}, {"below": 99, "credit": "10%"}]},
            "credits.tiers",
            "must not cost less",
        ),
        ({"measure": "uptime"}, "credits.measure", '"compliance" or "availability"'),
        ({"measure": None}, "credits.measure", '"compliance" or "availability"'),
        ({"metric": "ack"}, "credits.metric", "no metric named 'ack'"),
        ({"per_breach_metrics": ["reply"]}, "credits.per_breach_metrics", "no metric named"),
        ({"currency": None}, "credits.currency", "give the contract's currency"),
        ({"currency": "=HYPERLINK()"}, "credits.currency", "letters first"),
        ({"decimals": 7}, "credits.decimals", "0 to 4"),
        ({"cap": 100}, "credits.cap", "with its sign"),
        ({"period": "week"}, "credits.period", "month, quarter, year"),
        ({"services": {"acme": ["mail"]}}, "credits.services", 'measure = "availability"'),
        ({"bonus": 1}, "credits", "unknown setting(s) ['bonus']"),
    ],
)
def test_a_bad_value_names_its_file_and_place(
    changes: dict[str, Any], where: str, says: str
) -> None:
    data = full()
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    with pytest.raises(PolicyError) as caught:
        policy(data)
    message = str(caught.value)
    assert message.startswith(f"gold.toml: {where}"), message
    assert says in message, message
    assert isinstance(caught.value, ValueError)


def test_shapes_that_need_each_other() -> None:
    with pytest.raises(PolicyError, match="measure: given without"):
        policy({"currency": "GBP", "per_breach": {"P1": 1}, "measure": "compliance"})
    with pytest.raises(PolicyError, match=r"give per_breach, \[\[credits.tiers\]\] or both"):
        policy({"currency": "GBP", "fees": {"acme": 1}})
    with pytest.raises(PolicyError, match="metric: names the metric"):
        policy(full(measure="availability"))
    with pytest.raises(PolicyError, match="per_breach_metrics: given without per_breach"):
        policy(
            {
                "currency": "GBP",
                "per_breach_metrics": ["resolution"],
                "measure": "compliance",
                "tiers": [{"below": 90, "credit": "5%"}],
            }
        )
    with pytest.raises(PolicyError, match="credits: give a table"):
        policy("500 GBP")


def test_cap_none_and_other_places() -> None:
    credits = policy(full(cap="none", decimals=3, per_breach={"P1": "0.125"})).credits
    assert credits is not None
    assert credits.cap is None
    assert credits.per_breach["P1"] == Decimal("0.125")
    assert policy(full(cap="150%")).credits.cap == 150  # type: ignore[union-attr]


def test_a_version_replaces_the_credits_or_keeps_them() -> None:
    gold = Policy.from_dict(
        {
            "name": "Gold",
            "tiers": TIERS,
            "credits": {"currency": "GBP", "per_breach": {"P1": 500}},
            "versions": [
                {"effective_from": "2026-11-01", "tiers": TIERS},
                {
                    "effective_from": "2026-12-01",
                    "tiers": TIERS,
                    "credits": {"currency": "GBP", "per_breach": {"P1": 800}},
                },
            ],
        }
    )
    paid = [gold.credits, *(version.credits for _, version in gold.versions)]
    assert [credits.per_breach["P1"] for credits in paid if credits] == [500, 500, 800]


def test_a_version_checks_its_own_tiers() -> None:
    with pytest.raises(PolicyError, match=r"versions\[0\]\.credits\.per_breach\.P2: no tier"):
        Policy.from_dict(
            {
                "name": "Gold",
                "versions": [
                    {
                        "effective_from": "2026-11-01",
                        "tiers": {"P1": TIERS["P1"]},
                        "credits": {"currency": "GBP", "per_breach": {"P2": 5}},
                    }
                ],
            },
            source="gold.toml",
        )


def test_a_set_refuses_a_fee_for_a_customer_the_policy_never_judges(tmp_path: Path) -> None:
    data = {
        "policies": [
            {
                "name": "Acme",
                "applies_when": {"customer": "acme"},
                "tiers": TIERS,
                "credits": {"currency": "GBP", "per_breach": {"P1": 5}, "fees": {"globex": 10}},
            },
            {"name": "Standard", "tiers": TIERS},
        ]
    }
    with pytest.raises(PolicyError, match=r"policies\[0\]\.credits: customer 'globex'"):
        Policy.from_dict(data, source="msp.toml")
    data["policies"][0]["credits"]["fees"] = {"acme": 10}  # type: ignore[index]
    assert isinstance(Policy.from_dict(data, source="msp.toml"), PolicySet)


def test_toml_numbers_and_text_read_alike(tmp_path: Path) -> None:
    path = tmp_path / "gold.toml"
    path.write_text(
        'name = "Gold"\n'
        '[tiers.P1]\nresolution = { target = "4h", calendar = "always" }\n'
        "[credits]\n"
        'currency = "GBP"\n'
        "per_breach = { P1 = 1500.5 }\n"
        'measure = "availability"\n'
        'fees = { acme = "2000.25" }\n'
        '[[credits.tiers]]\nbelow = 99.95\ncredit = "12.5%"\n'
    )
    credits = Policy.load(path).credits
    assert credits is not None
    assert credits.per_breach["P1"] == Decimal("1500.5")
    assert credits.fees["acme"] == Decimal("2000.25")
    assert credits.tiers == (CreditTier(Decimal("99.95"), Decimal("12.5")),)


# -- properties ------------------------------------------------------------------

#: Credit scales: distinct limits, credits growing as the limit falls (what is accepted).
SCALES = st.lists(
    st.tuples(st.integers(1, 1_000_000), st.integers(0, 1_000_000)),
    min_size=1,
    max_size=5,
    unique_by=lambda pair: pair[0],
).map(
    lambda pairs: [
        {"below": f"{below / 10_000:.4f}", "credit": f"{credit / 10_000:.4f}%"}
        for below, credit in zip(
            sorted((b for b, _ in pairs), reverse=True), sorted(c for _, c in pairs), strict=True
        )
    ]
)
PERCENTS = st.fractions(min_value=0, max_value=100)


@given(SCALES, PERCENTS, PERCENTS)
def test_a_worse_figure_never_credits_less(
    scale: list[dict[str, str]], a: Fraction, b: Fraction
) -> None:
    credits = Credits.from_dict({"currency": "GBP", "measure": "availability", "tiers": scale}, "x")
    low, high = sorted((a, b))

    def credit(measured: Fraction) -> Decimal:
        tier = credits.tier_for(measured)
        return Decimal(0) if tier is None else tier.credit

    assert credit(low) >= credit(high)
    # By brute force: the tier is the one with the lowest limit the figure is below.
    under = [tier for tier in credits.tiers if low < Fraction(tier.below)]
    assert credits.tier_for(low) == (min(under, key=lambda tier: tier.below) if under else None)
