"""Service credits owed, in compliance and availability reports: tables worked by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slaclock import Calendar, ComplianceReport, Policy, Ticket, parse_period
from slaclock.cli import main
from slaclock.reports.credits import Credit, credit_pieces
from slaclock.reports.uptime import Outage, availability

UTC = dt.timezone.utc
ROOT = Path(__file__).resolve().parents[2]
MSP = ROOT / "examples" / "data" / "msp"
NOW = dt.datetime(2027, 1, 10, tzinfo=UTC)
TIERS = {
    "P1": {"resolution": {"target": "4h", "calendar": "always"}},
    "P2": {"resolution": {"target": "8h", "calendar": "always"}},
}
CREDITS: dict[str, Any] = {
    "currency": "GBP",
    "per_breach": {"P1": 500, "P2": 100},
    "measure": "compliance",
    "metric": "resolution",
    "fees": {"acme": 2000},
    "tiers": [{"below": 80, "credit": "10%"}, {"below": 60, "credit": "25%"}],
}


def gold(**changes: Any) -> Policy:
    credits = {**CREDITS, **changes}
    return Policy.from_dict({"name": "Gold", "tiers": TIERS, "credits": credits})


def ticket(
    ident: str,
    day: int,
    priority: str,
    hours: float,
    *,
    customer: str = "acme",
    month: int = 10,
    lowered: bool = False,
) -> Ticket:
    """A ticket logged at 09:00 UTC and resolved ``hours`` later (round the clock)."""
    logged = dt.datetime(2026, month, day, 9, tzinfo=UTC)
    events: list[dict[str, Any]] = [
        {"at": logged.isoformat(), "type": "logged", "priority": priority}
    ]
    if lowered:  # lowered to P2 after the P1 target was missed
        events.append(
            {
                "at": (logged + dt.timedelta(hours=5)).isoformat(),
                "type": "priority_changed",
                "priority": "P2",
            }
        )
    events.append({"at": (logged + dt.timedelta(hours=hours)).isoformat(), "type": "resolved"})
    return Ticket.from_dict({"id": ident, "customer": customer, "events": events})


#: Acme in October: two breaches (P1 5h > 4h: 500; P2 9h > 8h: 100), three met.
OCTOBER = [
    ticket("A-1", 1, "P1", 5),
    ticket("A-2", 2, "P2", 9),
    ticket("A-3", 5, "P2", 2),
    ticket("A-4", 6, "P1", 1),
    ticket("A-5", 7, "P2", 3),
]


def credits_of(
    policy: Policy, tickets: list[Ticket], period: str = "2026-10"
) -> tuple[Credit, ...]:
    return ComplianceReport.build(policy, tickets, parse_period(period), NOW).credits


def test_a_month_worked_by_hand() -> None:
    # 3 of 5 resolutions met: 60 %, not below 60, below 80: the 10 % tier, 200 of 2000.
    (acme,) = credits_of(gold(), OCTOBER)
    assert (acme.customer, acme.period.label, acme.whole) == ("acme", "2026-10", True)
    assert [(c.ticket, c.tier, c.metric, c.amount) for c in acme.breaches] == [
        ("A-1", "P1", "resolution", 500),
        ("A-2", "P2", "resolution", 100),
    ]
    assert (acme.met, acme.judged, acme.measured_percent) == (3, 5, 60)
    assert acme.tier is not None
    assert acme.tier.credit == 10
    assert acme.breach_amount == Decimal("600.00")
    assert acme.tier_amount == Decimal("200.00")
    assert (acme.owed, acme.capped, acme.cap_amount) == (Decimal("800.00"), False, 2000)


def test_exactly_at_a_tiers_limit_is_not_below_it() -> None:
    four_of_five = [*OCTOBER[:1], *OCTOBER[2:], ticket("A-6", 8, "P2", 1)]
    (acme,) = credits_of(gold(), four_of_five)
    assert acme.measured_percent == 80
    assert acme.tier is None
    assert acme.owed == Decimal("500.00")  # A-1 only


def test_the_lowest_tier_wins_and_tiers_do_not_add() -> None:
    (acme,) = credits_of(gold(), OCTOBER[:3])  # 1 of 3 met: below 80 and below 60
    assert acme.tier is not None
    assert acme.tier.credit == 25
    assert acme.owed == Decimal("600.00") + Decimal("500.00")


def test_the_cap_bounds_what_is_owed() -> None:
    (acme,) = credits_of(gold(fees={"acme": 500}), OCTOBER)
    # 600 for breaches + 10 % of 500 = 650, capped at 100 % of the fee.
    assert (acme.uncapped, acme.owed, acme.capped) == (Decimal("650.00"), Decimal("500.00"), True)
    (uncapped,) = credits_of(gold(fees={"acme": 500}, cap="none"), OCTOBER)
    assert (uncapped.owed, uncapped.capped) == (Decimal("650.00"), False)


def test_no_fee_prices_the_breaches_and_says_the_tier_is_not_priced() -> None:
    (globex,) = credits_of(gold(), [dataclasses.replace(t, customer="globex") for t in OCTOBER])
    assert globex.fee is None
    assert globex.tier is not None
    assert globex.tier_amount is None
    assert globex.owed == Decimal("600.00")
    assert globex.notes == (
        "no fee for 'globex' in the credits' fees: the tier credit is not priced",
    )


def test_a_breach_is_charged_at_the_tier_it_was_made_in() -> None:
    lowered = ticket("A-9", 3, "P1", 10, lowered=True)  # P1 missed at 13:00, lowered at 14:00
    (acme,) = credits_of(gold(), [lowered])
    assert [(c.ticket, c.tier, c.amount) for c in acme.breaches] == [("A-9", "P1", 500)]


def test_per_breach_metrics_limits_what_costs() -> None:
    tiers = {
        "P1": {
            "first_response": {"target": "15m", "calendar": "always"},
            "resolution": {"target": "4h", "calendar": "always"},
        }
    }
    credits = {"currency": "EUR", "per_breach": {"P1": 10}}
    both = Policy.from_dict({"name": "G", "tiers": tiers, "credits": credits})
    only = Policy.from_dict(
        {"name": "G", "tiers": tiers, "credits": {**credits, "per_breach_metrics": ["resolution"]}}
    )
    slow = [ticket("A-1", 1, "P1", 5)]  # no reply: first response ends with the resolution
    assert [c.metric for c in credits_of(both, slow)[0].breaches] == [
        "first_response",
        "resolution",
    ]
    assert [c.metric for c in credits_of(only, slow)[0].breaches] == ["resolution"]
    assert credits_of(only, slow)[0].measure is None


def test_overall_compliance_counts_tickets() -> None:
    (acme,) = credits_of(gold(metric=None), OCTOBER)
    assert (acme.met, acme.judged, acme.metric) == (3, 5, None)


def test_each_month_of_a_quarter_is_judged_alone() -> None:
    november = [ticket("N-1", 2, "P1", 1, month=11), ticket("N-2", 3, "P1", 1, month=11)]
    rows = credits_of(gold(), [*OCTOBER, *november], "2026-Q4")
    assert [(row.period.label, row.measured_percent, row.owed) for row in rows] == [
        ("2026-10", 60, Decimal("800.00")),
        ("2026-11", 100, Decimal("0.00")),
    ]


def test_part_of_a_month_gets_breaches_but_no_tier() -> None:
    (acme,) = credits_of(gold(), OCTOBER, "2026-10-01..2026-10-15")
    assert (acme.period.label, acme.whole, acme.tier) == ("2026-10-01..2026-10-15", False, None)
    assert acme.owed == Decimal("600.00")
    assert "not a whole month" in acme.notes[0]


def test_quarterly_credits() -> None:
    (acme,) = credits_of(gold(period="quarter"), OCTOBER, "2026-Q4")
    assert (acme.period.label, acme.whole, acme.owed) == ("2026-Q4", True, Decimal("800.00"))
    (part,) = credits_of(gold(period="quarter"), OCTOBER, "2026-10")
    assert (part.whole, part.tier) == (False, None)


def test_pieces_follow_the_periods_zone() -> None:
    pieces = credit_pieces(parse_period("2026-10-15..2026-12-31", "Europe/London"), "month")
    assert [(piece.label, whole) for piece, whole in pieces] == [
        ("2026-10-15..2026-10-31", False),
        ("2026-11", True),
        ("2026-12", True),
    ]
    assert pieces[1][0].start.isoformat() == "2026-11-01T00:00:00+00:00"
    assert [p.label for p, _ in credit_pieces(parse_period("2026-10-05"), "year")] == ["2026-10-05"]


def test_versions_price_by_the_version_that_judged() -> None:
    versioned = Policy.from_dict(
        {
            "name": "Gold",
            "tiers": TIERS,
            "credits": {"currency": "GBP", "per_breach": {"P1": 500}},
            "versions": [
                {
                    "effective_from": "2026-11-01",
                    "tiers": TIERS,
                    "credits": {"currency": "GBP", "per_breach": {"P1": 800}},
                }
            ],
        }
    )
    rows = credits_of(
        versioned, [ticket("O", 30, "P1", 5), ticket("N", 2, "P1", 5, month=11)], "2026-Q4"
    )
    assert [(row.period.label, row.policy, row.owed) for row in rows] == [
        ("2026-10", "Gold", Decimal("500.00")),
        ("2026-11", "Gold", Decimal("800.00")),
    ]


def test_a_policy_without_credits_owes_nothing() -> None:
    plain = Policy.from_dict({"name": "Plain", "tiers": TIERS})
    report = ComplianceReport.build(plain, OCTOBER, parse_period("2026-10"), NOW)
    assert report.credits == ()
    assert report.to_dict()["credits"] == []
    assert "Service credits" not in report.to_text()


def test_credits_round_trip_through_json() -> None:
    rows = credits_of(gold(fees={"acme": "1999.99"}), OCTOBER)
    for row in rows:
        again = Credit.from_dict(json.loads(json.dumps(row.to_dict())))
        assert again == row
        assert again.to_dict() == row.to_dict()
    data = rows[0].to_dict()
    assert (data["owed"], data["tier_amount"], data["fee"]) == ("800.00", "200.00", "1999.99")
    assert data["tier"] == {"below": "80", "credit": "10%"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].customer = "x"  # type: ignore[misc]


def test_renderings_show_what_is_owed_and_why() -> None:
    hostile = [dataclasses.replace(t, customer="=cmd|' /C calc'!A0") for t in OCTOBER]
    policy = gold(fees={"=cmd|' /C calc'!A0": 2000})
    report = ComplianceReport.build(policy, hostile, parse_period("2026-10"), NOW)
    text = report.to_text()
    assert "Service credits owed" in text
    assert "GBP 800.00" in text
    assert "A-1     P1    resolution  GBP 500.00" in text
    assert "60.000 % resolution (3/5)" in text
    assert "below 80 %: 10 %" in text
    lines = report.credits_csv().splitlines()
    assert lines[0].startswith("kind,customer,period,policy,currency,ticket")
    assert [line.split(",")[0] for line in lines[1:]] == ["breach", "breach", "tier", "total"]
    assert all(line.split(",")[1] == "'=cmd|' /C calc'!A0" for line in lines[1:])  # neutralised
    assert lines[-1].endswith(",800.00,")
    raw = report.credits_csv(neutralise=False)
    assert "\nbreach,=cmd|" in raw
    page = report.to_html()
    assert "Service credits owed" in page
    assert "GBP 800.00" in page
    assert "A-2" in page
    assert "Breaches charged" in page


def test_text_never_lets_a_name_drive_the_terminal() -> None:
    tickets = [dataclasses.replace(t, customer="evil\x1b[2J\u202e") for t in OCTOBER]
    text = ComplianceReport.build(gold(), tickets, parse_period("2026-10"), NOW).to_text()
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "evil\\x1b[2J\\u202e" in text  # the note about the missing fee, escaped


def test_html_escapes_names() -> None:
    tickets = [dataclasses.replace(t, customer="<b>x</b>") for t in OCTOBER]
    page = ComplianceReport.build(gold(), tickets, parse_period("2026-10"), NOW).to_html()
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


# -- availability ----------------------------------------------------------------

UPTIME_CREDITS: dict[str, Any] = {
    "currency": "USD",
    "measure": "availability",
    "fees": {"acme": 1000, "globex": 3000},
    "services": {"globex": ["web"]},
    "tiers": [{"below": 99.9, "credit": "10%"}, {"below": 99, "credit": "25%"}],
}


def cloud(**changes: Any) -> Policy:
    return Policy.from_dict(
        {"name": "Cloud", "tiers": TIERS, "credits": {**UPTIME_CREDITS, **changes}}
    )


def outage(service: str, day: int, start: dt.time, length: dt.timedelta) -> Outage:
    begin = dt.datetime.combine(dt.date(2026, 10, day), start, UTC)
    return Outage(service, begin, begin + length)


def test_availability_credits_worked_by_hand() -> None:
    # October in UTC is 744 h. Mail down 3 h: acme (every service) 99.597 %: below 99.9.
    # Web down 7 h 26 m 24 s = 1 % of 744 h: globex (web only) exactly 99 %: not below 99.
    outages = [
        outage("mail", 5, dt.time(10), dt.timedelta(hours=3)),
        outage("web", 6, dt.time(10), dt.timedelta(hours=7, minutes=26, seconds=24)),
    ]
    report = availability(
        outages, parse_period("2026-10"), Calendar.always(), services=["mail"], policy=cloud()
    )
    acme, globex = report.credits
    assert acme.customer == "acme"
    assert acme.services == ()
    # acme: both outages count (every service), 10 h 26 m 24 s of 744 h.
    assert acme.downtime == dt.timedelta(hours=10, minutes=26, seconds=24)
    assert acme.tier is not None
    assert acme.tier.credit == 25
    assert acme.owed == Decimal("250.00")
    assert (globex.services, globex.measured_percent) == (("web",), 99)
    assert globex.tier is not None
    assert globex.tier.credit == 10
    assert globex.owed == Decimal("300.00")
    # The report shows mail only; the credits still measure the customers' services.
    assert [row.service for row in report.services] == ["mail"]
    text = report.to_text()
    assert "99.000 % (web)" in text
    assert "USD 300.00" in text
    assert "breaches" not in text.split("Service credits owed")[1]
    for row in report.credits:
        assert Credit.from_dict(json.loads(json.dumps(row.to_dict()))) == row


def test_availability_credits_need_whole_months() -> None:
    report = availability(
        [], parse_period("2026-10-01..2026-10-15"), Calendar.always(), policy=cloud()
    )
    assert [(row.customer, row.whole, row.owed) for row in report.credits] == [
        ("acme", False, 0),
        ("globex", False, 0),
    ]
    assert "not a whole month" in report.credits[0].notes[0]


def test_compliance_credits_do_not_appear_in_uptime_and_the_reverse() -> None:
    report = availability([], parse_period("2026-10"), Calendar.always(), policy=gold())
    assert report.credits == ()
    assert credits_of(cloud(), OCTOBER) == ()


# -- the command line ------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


MSP_REPORT = (
    "report",
    "--policy",
    str(MSP / "policies.toml"),
    str(MSP / "tickets.jsonl"),
    "--period",
    "2026-10",
    "--tz",
    "Europe/London",
    "--now",
    "2026-11-02T09:00Z",
)
MSP_UPTIME = (
    "uptime",
    "--calendar",
    f"{MSP / 'calendars.toml'}:new_york",
    "--outages",
    str(MSP / "outages.csv"),
    "--period",
    "2026-10",
    "--services",
    "globex-web,globex-vpn",
    "--policy",
    str(MSP / "policies.toml"),
)


def test_msp_report_credits() -> None:
    code, out, _ = run(*MSP_REPORT, "--format", "json")
    assert code == 0
    owed = {(row["customer"], row["currency"]): row["owed"] for row in json.loads(out)["credits"]}
    # Acme: resolution breaches P1 500 + P2 100 + P2 100, and 21 of 29 resolutions met
    # (72.4 %: below 90) credits 10 % of 4000. Initech: one P2 breach at 50.
    assert owed == {("acme", "GBP"): "1100.00", ("initech", "EUR"): "50.00"}


def test_credits_are_the_same_on_several_processes() -> None:
    one = run(*MSP_REPORT, "--format", "csv", "--credits")
    two = run(*MSP_REPORT, "--format", "csv", "--credits", "--jobs", "2")
    assert one == two
    assert one[0] == 0
    assert "T-0047" in one[1]


def test_msp_uptime_credits() -> None:
    code, out, err = run(*MSP_UPTIME, "--format", "csv", "--credits")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "total,globex,2026-10,Globex Silver,USD,,,,availability,98.2143,,,3000.00,750.00,"
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ((*MSP_REPORT, "--credits"), "--credits writes the credits as CSV"),
        ((*MSP_UPTIME[:-2], "--format", "csv", "--credits"), "--credits needs --policy"),
        (
            (
                *MSP_REPORT[:2],
                str(ROOT / "examples" / "data" / "desk_policy.toml"),
                *MSP_REPORT[3:],
                "--format",
                "csv",
                "--credits",
            ),
            "has no [credits] table",
        ),
        (
            (*MSP_UPTIME[:-1], str(ROOT / "examples" / "data" / "desk_policy.toml")),
            'has no [credits] with measure = "availability"',
        ),
    ],
)
def test_credits_option_refusals(argv: tuple[str, ...], says: str) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert says in err
