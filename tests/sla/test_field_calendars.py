"""Calendars from ticket fields (issue 12): a map of field values, or a zone from a field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_policy import at, event, examples

from slaclock import InputError, Policy, PolicyError, Ticket, evaluate_tickets
from slaclock.cli import main
from slaclock.sla.evaluation import Evaluation

MON = (2026, 11, 23)
UTC = dt.timezone.utc

CALENDARS = {
    "desk": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}},
    "leeds_site": {"tz": "Europe/London", "hours": {"mon-fri": "08:00-16:00"}},
    "paris_site": {"tz": "Europe/Paris", "hours": {"mon-fri": "10:00-18:00"}},
    "local": {"hours": {"mon-fri": "09:00-17:00"}},  # no tz: its zone comes from a field
}
SITE = {"field": "site", "map": {"leeds": "leeds_site", "paris": "paris_site"}, "default": "desk"}
POLICY = {
    "name": "Sites",
    "calendars": CALENDARS,
    "tiers": {
        "P3": {
            "resolution": {"target": "2h", "calendar": SITE},
            "first_response": {"target": "4h", "calendar": "local", "tz_from": "tz"},
        }
    },
}


def ticket(ident: str = "T-1", logged: dt.datetime | None = None, **fields: str) -> Ticket:
    when = logged or dt.datetime(*MON, 7, 0, tzinfo=UTC)  # 07:00 UTC, before every opening
    data = {"id": ident, "fields": fields, "events": [event(when, "logged", priority="P3")]}
    return Ticket.from_dict(data, f"tickets.jsonl:{ident}")


def report(policy: Policy, found: Ticket, now: dt.datetime | None = None) -> Any:
    judged = found.evaluate(policy, now or dt.datetime(*MON, 23, tzinfo=UTC))
    assert judged is not None
    return judged


# -- a map of field values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "calendar", "due"),
    [
        ("leeds", "leeds_site", dt.datetime(*MON, 10, tzinfo=UTC)),  # 08:00 London + 2h
        ("paris", "paris_site", dt.datetime(*MON, 11, tzinfo=UTC)),  # 10:00 Paris is 09:00 UTC
        ("rome", "desk", dt.datetime(*MON, 11, tzinfo=UTC)),  # unmapped: the default
        (None, "desk", dt.datetime(*MON, 11, tzinfo=UTC)),  # missing: the default too
    ],
)
def test_a_field_value_maps_to_a_named_calendar(
    site: str | None, calendar: str, due: dt.datetime
) -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    fields = {"tz": "UTC"} if site is None else {"tz": "UTC", "site": site}
    resolution = report(policy, ticket(**fields), dt.datetime(*MON, 8, tzinfo=UTC))["resolution"]
    assert resolution.calendar == calendar
    assert [segment.calendar for segment in resolution.segments] == [calendar]
    assert resolution.due == due


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"site": "rome"}, r"fields\.site: 'rome' maps to no calendar"),
        ({}, r"fields\.site: missing"),
    ],
)
def test_without_a_default_an_unmapped_or_missing_value_is_an_input_error(
    fields: dict[str, str], problem: str
) -> None:
    site = {key: value for key, value in SITE.items() if key != "default"}
    policy = Policy.from_dict(with_resolution(site), source="sites.toml")
    with pytest.raises(InputError) as caught:
        ticket("T-9", tz="UTC", **fields).evaluate(policy, dt.datetime(*MON, 8, tzinfo=UTC))
    message = str(caught.value)
    assert message.startswith("tickets.jsonl:T-9: ticket 'T-9': ")
    assert "tier P3's resolution" in message
    assert "'leeds', 'paris'" in message
    with pytest.raises(InputError, match=problem):
        ticket("T-9", tz="UTC", **fields).evaluate(policy, dt.datetime(*MON, 8, tzinfo=UTC))


# -- a zone from a field --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "started"),
    [
        ("Europe/Paris", dt.datetime(*MON, 8, tzinfo=UTC)),  # 09:00 Paris
        ("Europe/London", dt.datetime(*MON, 9, tzinfo=UTC)),
        ("America/New_York", dt.datetime(*MON, 14, tzinfo=UTC)),  # 09:00 EST
        ("Asia/Tokyo", dt.datetime(*MON, 7, tzinfo=UTC)),  # 16:00 JST: one hour left
    ],
)
def test_tz_from_counts_local_business_hours_in_the_ticket_s_zone(
    tz: str, started: dt.datetime
) -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    found = ticket(tz=tz, site="leeds")
    first = report(policy, found, dt.datetime(*MON, 7, tzinfo=UTC))["first_response"]
    assert first.calendar == f"local@{tz}"
    # The first open instant counted is 09:00 local on Monday (Tokyo is open at 07:00 UTC).
    counted = [i for i in first.intervals if i.kind == "counted"]
    assert counted == [] or counted[0].start == started
    assert first.due == found.evaluate(policy, started)["first_response"].due  # type: ignore[union-attr]
    assert first.due.utcoffset() == first.due.astimezone(first.due.tzinfo).utcoffset()


def test_tz_from_due_instants_differ_by_zone() -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    now = dt.datetime(*MON, 7, tzinfo=UTC)
    paris = report(policy, ticket(tz="Europe/Paris"), now)["first_response"].due
    york = report(policy, ticket(tz="America/New_York"), now)["first_response"].due
    assert paris == dt.datetime(*MON, 12, tzinfo=UTC)  # 09:00 + 4h Paris time
    assert york == dt.datetime(*MON, 18, tzinfo=UTC)  # 09:00 + 4h New York time
    assert str(paris.tzinfo) == "Europe/Paris"


@pytest.mark.parametrize(
    ("tz", "shown"),
    [
        ("Mars/Olympus", "'Mars/Olympus'"),
        ("Europe", "'Europe'"),  # a folder of zones
        ("x" * 300, "'xxxx"),  # too long for a file name
        ("../etc/passwd", "'../etc/passwd'"),
        ("", "''"),
    ],
)
def test_a_bad_zone_is_an_input_error_naming_ticket_field_and_value(tz: str, shown: str) -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    with pytest.raises(InputError) as caught:
        ticket("T-5", tz=tz).evaluate(policy, dt.datetime(*MON, 8, tzinfo=UTC))
    message = str(caught.value)
    assert message.startswith("tickets.jsonl:T-5: ticket 'T-5': fields.tz: ")
    assert shown in message
    assert "is not an IANA time zone" in message


def test_a_missing_zone_field_is_an_input_error() -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    with pytest.raises(InputError, match=r"ticket 'T-6': fields\.tz: missing; .*'local'"):
        ticket("T-6", site="leeds").evaluate(policy, dt.datetime(*MON, 8, tzinfo=UTC))


def test_a_calendar_with_its_own_zone_takes_the_field_s_zone_under_tz_from() -> None:
    policy = Policy.from_dict(with_resolution("desk", tz_from="tz"), source="sites.toml")
    resolution = report(policy, ticket(tz="Asia/Tokyo"), dt.datetime(*MON, 7, tzinfo=UTC))
    assert resolution["resolution"].calendar == "desk@Asia/Tokyo"
    # Logged at 16:00 in Tokyo: one hour on Monday, one on Tuesday (10:00 JST).
    assert resolution["resolution"].due == dt.datetime(2026, 11, 24, 1, tzinfo=UTC)


# -- fields as at logging, caching ----------------------------------------------------


def test_the_calendar_is_chosen_by_the_fields_as_logged() -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    logged = dt.datetime(*MON, 7, tzinfo=UTC)
    moved = Ticket.from_dict(
        {
            "id": "T-1",
            "fields": {"site": "leeds", "tz": "UTC"},
            "events": [
                event(logged, "logged", priority="P3"),
                {
                    "at": at(*MON, 9).isoformat(),
                    "type": "field_changed",
                    "field": "site",
                    "value": "paris",
                },
            ],
        }
    )
    resolution = report(policy, moved, dt.datetime(*MON, 10, tzinfo=UTC))["resolution"]
    assert resolution.calendar == "leeds_site"


def test_each_calendar_and_zone_is_built_once() -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    zones = ["Europe/Paris", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC"]
    tickets = [ticket(f"T-{n}", tz=zones[n % 5], site="leeds") for n in range(200)]
    now = dt.datetime(*MON, 12, tzinfo=UTC)
    reports = [judged for _, judged in evaluate_tickets(policy, tickets, now)]
    assert len(reports) == 200
    assert policy.zoned is not None
    assert sorted(policy.zoned.built) == sorted(("local", zone) for zone in zones)
    variants = {policy.select(found).tiers["P3"]["first_response"].calendar for found in tickets}
    assert len(policy._variants) == 5 == len(variants)
    # The same choice is the same policy object, so its evaluation book is shared.
    assert policy.select(tickets[0]) is policy.select(tickets[5])


def test_evaluating_without_the_fields_says_which_are_needed() -> None:
    policy = Policy.from_dict(POLICY, source="sites.toml")
    logged = {"at": at(*MON, 9).isoformat(), "type": "logged", "priority": "P3"}
    with pytest.raises(InputError, match=r"the ticket: fields\.tz: missing"):
        policy.evaluation().feed(logged)
    state = policy.evaluation(fields={"tz": "Europe/Paris", "site": "paris"}).feed(logged)
    assert state.report(at(*MON, 10))["resolution"].calendar == "paris_site"
    judged = policy.evaluate([logged], at(*MON, 10), fields={"tz": "Asia/Tokyo"})
    assert judged["first_response"].calendar == "local@Asia/Tokyo"
    with pytest.raises(PolicyError, match=r"a ticket field chooses.*policy\.select"):
        Evaluation(policy).feed(logged)


# -- loading --------------------------------------------------------------------------


def with_resolution(calendar: object, **more: object) -> dict[str, Any]:
    resolution = {"target": "2h", "calendar": calendar, **more}
    return {**POLICY, "tiers": {"P3": {**POLICY["tiers"]["P3"], "resolution": resolution}}}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            with_resolution({"field": "site", "map": {"leeds": "lyon_site"}}),
            r"tiers\.P3\.resolution\.calendar\.map\.leeds: no calendar named 'lyon_site'",
        ),
        (
            with_resolution({"field": "site", "map": {"leeds": "desk"}, "default": "nowhere"}),
            r"tiers\.P3\.resolution\.calendar\.default: no calendar named 'nowhere'",
        ),
        (
            with_resolution({"field": "site", "map": {}}),
            r"tiers\.P3\.resolution\.calendar\.map: give field values",
        ),
        (
            with_resolution({"map": {"leeds": "desk"}}),
            r"tiers\.P3\.resolution\.calendar\.field: give a ticket field name",
        ),
        (
            with_resolution({"field": "site", "map": {"a": "desk"}, "fallback": "desk"}),
            r"tiers\.P3\.resolution\.calendar: unknown setting\(s\) \['fallback'\]",
        ),
        (with_resolution(5), r"tiers\.P3\.resolution\.calendar: give a calendar name"),
        (
            with_resolution("local"),
            r"tiers\.P3\.resolution\.calendar: no calendar named 'local'.*give tz_from",
        ),
        (
            with_resolution(SITE, tz_from="tz"),
            r"tiers\.P3\.resolution\.tz_from: goes with one calendar name",
        ),
        (with_resolution("local", tz_from=""), r"tiers\.P3\.resolution\.tz_from: give a ticket"),
        (
            with_resolution("always", tz_from="tz"),
            r"tiers\.P3\.resolution\.calendar: 'always' takes its zone from a field",
        ),
    ],
)
def test_bad_calendar_choices_are_policy_errors_naming_the_file_and_path(
    data: dict[str, Any], problem: str
) -> None:
    with pytest.raises(PolicyError, match=rf"^sites\.toml: {problem}"):
        Policy.from_dict(data, source="sites.toml")


def test_a_composition_cannot_take_a_zone_from_a_field() -> None:
    calendars = {**CALENDARS, "both": {"union": ["desk", "leeds_site"]}}
    data = {**with_resolution("both", tz_from="tz"), "calendars": calendars}
    with pytest.raises(PolicyError, match=r"'both' takes its zone from a field.*not a composition"):
        Policy.from_dict(data, source="sites.toml")


def test_a_zoneless_calendar_is_checked_when_the_policy_loads() -> None:
    calendars = {**CALENDARS, "local": {"hours": {"mon-fri": "17:00-09:00x"}}}
    with pytest.raises(Exception, match=r"sites\.toml: calendars\.local"):
        Policy.from_dict({**POLICY, "calendars": calendars}, source="sites.toml")


# -- sets, versions, the command line and tables ----------------------------------------


SET = {
    "calendars": CALENDARS,
    "policies": [
        {
            "name": "Acme",
            "applies_when": {"customer": "acme"},
            "tiers": {"P3": {"resolution": {"target": "8h", "calendar": "desk"}}},
            "versions": [
                {
                    "effective_from": "2026-11-01",
                    "tiers": {
                        "P3": {"resolution": {"target": "4h", "calendar": "local", "tz_from": "tz"}}
                    },
                }
            ],
        },
        {"name": "Standard", "tiers": POLICY["tiers"]},
    ],
}


def test_choices_in_a_policy_set_and_its_versions() -> None:
    rules = Policy.from_dict(SET, source="set.toml")
    now = dt.datetime(*MON, 23, tzinfo=UTC)
    acme = report(rules, ticket("A", customer="acme", tz="Asia/Tokyo"), now)
    assert (acme.policy, acme.policy_version) == ("Acme", "2026-11-01")
    assert acme["resolution"].calendar == "local@Asia/Tokyo"
    october = ticket("B", dt.datetime(2026, 10, 26, 7, tzinfo=UTC), customer="acme")
    assert report(rules, october, now)["resolution"].calendar == "desk"  # before the version
    other = report(rules, ticket("C", customer="hooli", tz="UTC", site="paris"), now)
    assert (other.policy, other["resolution"].calendar) == ("Standard", "paris_site")


def write(tmp_path: Path, lines: list[dict[str, Any]]) -> tuple[str, str]:
    policy = tmp_path / "set.json"
    policy.write_text(json.dumps(SET))
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(policy), str(tickets)


def line(ident: str, **fields: str) -> dict[str, Any]:
    return ticket(ident, **fields).to_dict()


def test_the_command_line_names_the_resolved_calendar_and_refuses_a_bad_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [line("A", customer="acme", tz="Europe/Paris"), line("C", site="paris", tz="UTC")]
    policy, tickets = write(tmp_path, [*good, line("D", customer="acme", tz="Paris")])
    base = ["evaluate", "--policy", policy, tickets, "--now", "2026-11-23T23:00Z"]
    assert main([*base, "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert "tickets.jsonl:3: ticket 'D': fields.tz: 'Paris' is not an IANA time zone" in err
    for jobs in ("1", "2"):
        assert main([*base, "--format", "csv", "--skip-bad", "--jobs", jobs]) == 0
        captured = capsys.readouterr()
        rows = [row.split(",") for row in captured.out.splitlines()[1:]]
        assert [(row[0], row[7]) for row in rows] == [
            ("A", "local@Europe/Paris"),
            ("C", "local@UTC"),
            ("C", "paris_site"),
        ]
        assert "fields.tz: 'Paris' is not an IANA time zone" in captured.err
        assert "skipped 1 bad input(s)" in captured.err
    period = ["--period", "2026-11", "--format", "json"]
    assert main(["report", *base[1:], *period, "--skip-bad", "--jobs", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["tickets"] == 2
    assert main(["report", *base[1:], *period]) == 2
    assert "fields.tz: 'Paris'" in capsys.readouterr().err


def test_tables_carry_ticket_fields() -> None:
    pd = pytest.importorskip("pandas")
    from slaclock import evaluate_table

    rows = pd.DataFrame(
        {
            "ticket": ["T-1", "T-2"],
            "at": pd.to_datetime(["2026-11-23T07:00Z", "2026-11-23T07:00Z"], utc=True),
            "type": ["logged", "logged"],
            "priority": ["P3", "P3"],
            "site": ["paris", None],
            "tz": ["Europe/Paris", "Mars/Base"],
        }
    )
    policy = Policy.from_dict(POLICY)
    now = dt.datetime(*MON, 12, tzinfo=UTC)
    bad: list[InputError] = []
    judged = list(evaluate_table(policy, rows, now, fields=["site", "tz"], on_bad=bad.append))
    assert [(found.id, found.fields) for found, _ in judged] == [
        ("T-1", {"site": "paris", "tz": "Europe/Paris"})
    ]
    assert judged[0][1]["resolution"].calendar == "paris_site"
    assert judged[0][1]["first_response"].calendar == "local@Europe/Paris"
    assert len(bad) == 1
    assert "ticket 'T-2' (rows 1): fields.tz: 'Mars/Base'" in str(bad[0])
    with pytest.raises(InputError, match="fields: the table has no 'region' column"):
        list(evaluate_table(policy, rows, now, fields=["region"]))


# -- a property: a chosen calendar judges as the same calendar named outright -----------


ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "UTC"]


def outright(zone: str, site: str | None) -> Policy:
    """Return the policy ``POLICY`` resolves to for ``zone`` and ``site``, written out."""
    calendars = {**CALENDARS, "local": {**CALENDARS["local"], "tz": zone}}
    chosen = dict(SITE["map"]).get(site or "", "desk")
    tiers = {
        "P3": {
            "resolution": {"target": "2h", "calendar": chosen},
            "first_response": {"target": "4h", "calendar": "local"},
        }
    }
    return Policy.from_dict({**POLICY, "calendars": calendars, "tiers": tiers})


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    when = dt.datetime(*MON, tzinfo=UTC) + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 7)))
    events = [event(when, "logged", priority="P3")]
    for _ in range(draw(st.integers(0, 6))):
        when += dt.timedelta(minutes=draw(st.integers(0, 60 * 30)))
        kind = draw(st.sampled_from(["agent_reply", "customer_reply", "status"]))
        fields = (
            {"status": draw(st.sampled_from(["open", "pending-customer"]))}
            if kind == "status"
            else {}
        )
        events.append(event(when, kind, **fields))
    return events


@settings(max_examples=examples(40), deadline=None)
@given(
    history=histories(),
    zone=st.sampled_from(ZONES),
    site=st.sampled_from([None, "leeds", "paris", "rome"]),
    later=st.integers(0, 60 * 24 * 5),
)
def test_a_chosen_calendar_judges_as_the_calendar_named_outright(
    history: list[dict[str, Any]], zone: str, site: str | None, later: int
) -> None:
    fields = {"tz": zone} if site is None else {"tz": zone, "site": site}
    now = dt.datetime.fromisoformat(history[-1]["at"]) + dt.timedelta(minutes=later)
    found = Ticket.from_dict({"id": "T-1", "fields": fields, "events": history})
    chosen = found.evaluate(Policy.from_dict(POLICY), now)
    named = found.evaluate(outright(zone, site), now)
    assert chosen is not None
    assert named is not None
    for metric in ("first_response", "resolution"):
        mine, theirs = chosen[metric].to_dict(), named[metric].to_dict()
        # Only the calendar's name differs: local@ZONE for local, the same mapped name.
        assert mine.pop("calendar") == (
            f"local@{zone}" if metric == "first_response" else theirs["calendar"]
        )
        theirs.pop("calendar")
        for segment in [*mine["segments"], *theirs["segments"]]:
            segment.pop("calendar")
        for interval in [*mine["intervals"], *theirs["intervals"]]:
            interval["reason"] = interval["reason"].replace(f"local@{zone}", "local")
        assert mine == theirs


def test_underpins_compare_calendar_choices() -> None:
    external = Policy.from_dict(POLICY)
    tighter = json.loads(json.dumps(POLICY))
    tighter["tiers"]["P3"]["resolution"]["target"] = "1h"
    tighter["tiers"]["P3"]["first_response"]["target"] = "3h"
    assert Policy.check_underpins(Policy.from_dict(tighter), external) == []
    other = json.loads(json.dumps(tighter))
    other["tiers"]["P3"]["first_response"]["tz_from"] = "zone"
    other["tiers"]["P3"]["resolution"]["calendar"] = "desk"
    findings = [
        finding.problem for finding in Policy.check_underpins(Policy.from_dict(other), external)
    ]
    by_site = "{site: leeds=leeds_site, paris=paris_site, else desk}"
    assert findings == [
        "calendars differ (internal 'local@{zone}', external 'local@{tz}')",
        f"calendars differ (internal 'desk', external '{by_site}')",
    ]


def test_a_shared_zoneless_calendar_serves_the_policies_that_use_it() -> None:
    shared = {
        "calendars": CALENDARS,
        "policies": [
            {
                "name": "Local",
                "applies_when": {"customer": "acme"},
                "tiers": {
                    "P3": {"resolution": {"target": "4h", "calendar": "local", "tz_from": "tz"}}
                },
            },
            {"name": "Desk", "tiers": {"P3": {"resolution": {"target": "4h", "calendar": "desk"}}}},
        ],
    }
    rules = Policy.from_dict(shared, source="set.toml")
    now = dt.datetime(*MON, 12, tzinfo=UTC)
    assert report(rules, ticket("A", customer="acme", tz="Asia/Tokyo"), now)[
        "resolution"
    ].calendar == ("local@Asia/Tokyo")
    assert report(rules, ticket("B", customer="hooli"), now)["resolution"].calendar == "desk"
    # Named outright, a calendar without a zone is refused, saying why.
    shared["policies"][1]["tiers"]["P3"]["resolution"]["calendar"] = "local"
    with pytest.raises(
        PolicyError, match=r"policies\[1\]: tiers\.P3\.resolution\.calendar: .*give tz_from"
    ):
        Policy.from_dict(shared, source="set.toml")
