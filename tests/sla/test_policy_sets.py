"""Policy sets (issue 12): several policies in one file, chosen per ticket by its fields."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from test_policy import at, event

from slaclock import ConfigError, InputError, Policy, PolicyError, Status, Ticket, evaluate_tickets
from slaclock.cli import main
from slaclock.sla.policy import PolicySet

MON = (2026, 11, 23)


def tier(target: str) -> dict[str, Any]:
    return {"P3": {"resolution": {"target": target, "calendar": "always"}}}


ACME = {"name": "Acme Gold", "applies_when": {"customer": ["acme", "globex"]}, "tiers": tier("2h")}
VPN = {
    "name": "VPN",
    "applies_when": {"customer": "initech", "product": "vpn"},
    "tiers": tier("4h"),
}
STANDARD = {"name": "Standard", "tiers": tier("8h")}
SET = {"policies": [ACME, VPN, STANDARD]}


def ticket(ident: str, **fields: str) -> Ticket:
    logged = event(at(*MON, 9), "logged", priority="P3")
    return Ticket.from_dict({"id": ident, "fields": fields, "events": [logged]}, f"t:{ident}")


@pytest.mark.parametrize(
    ("fields", "chosen"),
    [
        ({"customer": "acme"}, "Acme Gold"),
        ({"customer": "globex", "product": "vpn"}, "Acme Gold"),  # the first match wins
        ({"customer": "initech", "product": "vpn"}, "VPN"),
        ({"customer": "initech", "product": "mail"}, "Standard"),  # every field must match
        ({"customer": "initech"}, "Standard"),  # a missing field does not match
        ({}, "Standard"),
    ],
)
def test_the_first_matching_policy_judges(fields: dict[str, str], chosen: str) -> None:
    rules = Policy.from_dict(SET, source="set.toml")
    assert isinstance(rules, PolicySet)
    assert rules.choose(fields).name == chosen
    report = ticket("T-1", **fields).evaluate(rules, now=at(*MON, 10))
    assert report is not None
    assert report.policy == chosen


def test_targets_come_from_the_chosen_policy() -> None:
    rules = Policy.from_dict(SET, source="set.toml")
    judged = dict(
        (found.id, report["resolution"].status)
        for found, report in evaluate_tickets(
            rules, [ticket("A", customer="acme"), ticket("B", customer="x")], at(*MON, 12)
        )
    )
    assert judged == {"A": Status.BREACHED, "B": Status.RUNNING}


def test_no_match_without_a_default_names_the_ticket() -> None:
    rules = Policy.from_dict({"policies": [ACME, VPN]}, source="set.toml")
    with pytest.raises(InputError, match=r"t:T-9: no policy of set\.toml applies to fields"):
        ticket("T-9", customer="hooli").evaluate(rules, now=at(*MON, 10))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"policies": [STANDARD, ACME]}, r"policies\[1\] \('Acme Gold'\): comes after the default"),
        ({"policies": [ACME, {**ACME, "name": "Acme Silver"}]}, "can both apply to one ticket"),
        (
            {"policies": [ACME, {**VPN, "applies_when": {"customer": "acme", "product": "vpn"}}]},
            "can both apply",
        ),
        ({"policies": [ACME, {**STANDARD, "name": "Acme Gold"}]}, "used twice"),
        ({"policies": []}, "one or more policies"),
        ({"policies": [ACME, STANDARD], "tiers": {}}, "unknown setting"),
        ({"policies": [{**ACME, "applies_when": {"customer": 3}}, STANDARD]}, "applies_when"),
        ({"policies": [{**ACME, "applies_when": {}}, STANDARD]}, "applies_when"),
        ({"policies": [{**ACME, "tiers": {"P3": {"nope": {}}}}]}, r"policies\[0\]"),
    ],
)
def test_bad_policy_sets(data: dict[str, Any], problem: str) -> None:
    with pytest.raises((PolicyError, ConfigError), match=problem) as caught:
        Policy.from_dict(data, source="set.toml")
    assert "set.toml" in str(caught.value)


def test_disjoint_policies_need_no_default() -> None:
    rules = Policy.from_dict({"policies": [ACME, VPN]}, source="set.toml")
    assert [policy.name for policy in rules.policies] == ["Acme Gold", "VPN"]  # type: ignore[attr-defined]


def test_shared_calendars_and_a_single_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "msp.toml"
    path.write_text(
        'name = "MSP"\n'
        '[calendars.desk]\ntz = "UTC"\nhours = { mon-fri = "09:00-17:00" }\n'
        '[[policies]]\nname = "Acme"\napplies_when = { customer = "acme" }\n'
        '[policies.tiers.P3]\nresolution = { target = "2h", calendar = "desk" }\n'
        '[[policies]]\nname = "Standard"\n'
        '[policies.tiers.P3]\nresolution = { target = "8h", calendar = "desk" }\n'
    )
    rules = Policy.load(path)
    assert isinstance(rules, PolicySet)
    assert rules.name == "MSP"
    assert rules.choose({"customer": "acme"}).calendars["desk"] == rules.calendars["desk"]
    events = [event(at(*MON, 9), "logged", priority="P3")]
    assert rules.evaluate(events, at(*MON, 10), {"customer": "acme"}).policy == "Acme"
    # A file without [[policies]] is one policy, as before.
    single = tmp_path / "gold.toml"
    single.write_text(
        'name = "Gold"\n[tiers.P3]\nresolution = { target = "4h", calendar = "always" }\n'
    )
    assert type(Policy.load(single)) is Policy


def test_evaluate_and_report_accept_a_policy_set(tmp_path: Path, capsys: Any) -> None:
    policy = tmp_path / "set.json"
    policy.write_text(json.dumps(SET))
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_text(
        "".join(
            json.dumps(found.to_dict()) + "\n"
            for found in [ticket("A", customer="acme"), ticket("B", customer="hooli")]
        )
    )
    now = "2026-11-23T12:00:00+00:00"
    arguments = ["--policy", str(policy), str(tickets), "--now", now]
    assert main(["evaluate", *arguments, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    policies = {item["id"]: item["policy"] for item in data["tickets"]}
    assert policies == {"A": "Acme Gold", "B": "Standard"}
    assert main(["report", *arguments, "--period", "2026-11", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["policy"] == "set"
    assert report["total"]["breached"] == 1


# -- versions ---------------------------------------------------------------------------

VERSIONED = {
    "name": "Gold",
    "tiers": tier("8h"),  # before the first version
    "versions": [
        {"effective_from": "2026-11-01", "tiers": tier("4h")},
        {"effective_from": "2026-12-01T00:00:00+00:00", "tiers": tier("2h")},
    ],
}


@pytest.mark.parametrize(
    ("logged", "chosen", "target"),
    [
        (at(2026, 10, 31, 23), None, "8h"),  # 23:00 London is 23:00 UTC: before 1 Nov
        (at(2026, 11, 1, 0), "2026-11-01", "4h"),
        (at(2026, 11, 30, 23, 59), "2026-11-01", "4h"),
        (at(2026, 12, 1, 0), "2026-12-01T00:00:00+00:00", "2h"),
    ],
)
def test_a_ticket_is_judged_by_the_version_in_force_when_logged(
    logged: Any, chosen: str | None, target: str
) -> None:
    policy = Policy.from_dict(VERSIONED, source="gold.toml")
    events = [event(logged, "logged", priority="P3")]
    found = Ticket.from_dict({"id": "T-1", "events": events})
    report = found.evaluate(policy, now=logged)
    assert report is not None
    assert (report.policy, report.policy_version) == ("Gold", chosen)
    assert report["resolution"].target_text == target
    assert report.to_dict()["policy_version"] == chosen
    # The same through Policy.evaluate, and inside a policy set.
    assert policy.evaluate(events, logged).policy_version == chosen
    rules = Policy.from_dict({"policies": [VERSIONED]}, source="set.toml")
    report = found.evaluate(rules, now=logged)
    assert report is not None
    assert (report.policy, report.policy_version) == ("Gold", chosen)


@pytest.mark.parametrize(
    ("judge_by", "version", "target"),
    [("logged", None, "8h"), ("current", "2026-12-01T00:00:00+00:00", "2h")],
)
def test_judge_by_chooses_the_version_in_force_when_logged_or_now(
    judge_by: str, version: str | None, target: str
) -> None:
    # Logged in October, before both versions; judged on 2 December.
    policy = Policy.from_dict({**VERSIONED, "judge_by": judge_by}, source="gold.toml")
    logged = at(2026, 10, 30, 9)
    now = at(2026, 12, 2, 9)
    events = [event(logged, "logged", priority="P3")]
    found = Ticket.from_dict({"id": "T-1", "events": events})
    for report in (
        found.evaluate(policy, now=now),
        policy.evaluate(events, now),
        found.evaluate(Policy.from_dict({"policies": [{**VERSIONED, "judge_by": judge_by}]}), now),
    ):
        assert report is not None
        assert (report.policy_version, report["resolution"].target_text) == (version, target)
    # Judged by the current version, as things stood in mid-November: the 1 November one.
    mid = found.evaluate(policy, now=at(2026, 11, 15, 9))
    assert mid is not None
    assert mid.policy_version == (None if judge_by == "logged" else "2026-11-01")


def test_judge_by_is_logged_or_current() -> None:
    with pytest.raises(ConfigError, match=r"gold\.toml: judge_by: "):
        Policy.from_dict({**VERSIONED, "judge_by": "latest"}, source="gold.toml")


def test_judge_by_current_in_the_command_line(tmp_path: Path, capsys: Any) -> None:
    policy = tmp_path / "gold.json"
    policy.write_text(json.dumps({**VERSIONED, "judge_by": "current"}))
    tickets = tmp_path / "tickets.jsonl"
    logged = event(at(2026, 10, 30, 9), "logged", priority="P3")
    tickets.write_text(json.dumps({"id": "T-1", "events": [logged]}) + "\n")
    now = "2026-12-02T09:00:00+00:00"
    arguments = ["--policy", str(policy), str(tickets), "--now", now]
    assert main(["evaluate", *arguments, "--format", "csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["policy"], row["policy_version"]) == ("Gold", "2026-12-01T00:00:00+00:00")
    assert row["target_text"] == "2h"


def test_without_top_level_tiers_a_ticket_before_the_first_version_is_refused() -> None:
    policy = Policy.from_dict({**VERSIONED, "tiers": {}}, source="gold.toml")
    early = Ticket.from_dict(
        {"id": "T-0", "events": [event(at(2026, 10, 1, 9), "logged", priority="P3")]}, "t:1"
    )
    with pytest.raises(InputError, match=r"t:1: logged at .* before the first version"):
        early.evaluate(policy, now=at(2026, 10, 1, 10))
    assert policy.tiers == Policy.from_dict(VERSIONED).versions[-1][1].tiers


@pytest.mark.parametrize(
    ("versions", "problem"),
    [
        (
            [
                {"effective_from": "2026-12-01", "tiers": tier("4h")},
                {"effective_from": "2026-11-01", "tiers": tier("2h")},
            ],
            r"versions\[1\]\.effective_from: 2026-11-01 is not after versions\[0\].*oldest first",
        ),
        (
            [
                {"effective_from": "2026-11-01", "tiers": tier("4h")},
                {"effective_from": "2026-11-01", "tiers": tier("2h")},
            ],
            "is not after",
        ),
        ([{"effective_from": "soon", "tiers": tier("4h")}], "not a date"),
        ([{"effective_from": "2026-11-01T00:00:00", "tiers": tier("4h")}], "no UTC offset"),
        ([{"effective_from": 5, "tiers": tier("4h")}], "give a date"),
        (
            [
                {
                    "effective_from": "2026-11-01",
                    "tiers": {"P3": {"x": {"target": "1h", "calendar": "always"}}},
                }
            ],
            r"versions\[0\]\.tiers\.P3\.x: no metric named",
        ),
    ],
)
def test_bad_versions(versions: list[dict[str, Any]], problem: str) -> None:
    with pytest.raises(PolicyError, match=rf"gold\.toml: .*{problem}"):
        Policy.from_dict({**VERSIONED, "versions": versions}, source="gold.toml")


def test_a_policy_needs_tiers_or_versions() -> None:
    with pytest.raises(ConfigError, match="tiers"):
        Policy.from_dict({"name": "Empty"}, source="gold.toml")


def test_toml_dates_read_as_versions(tmp_path: Path) -> None:
    path = tmp_path / "gold.toml"
    path.write_text(
        'name = "Gold"\n'
        "[[versions]]\neffective_from = 2026-11-01\n"
        '[versions.tiers.P3]\nresolution = { target = "4h", calendar = "always" }\n'
    )
    policy = Policy.load(path)
    assert [version.version for _, version in policy.versions] == ["2026-11-01"]
    assert [version.name for _, version in policy.versions] == ["Gold"]


# -- a folder of policy files -----------------------------------------------------------


def folder_of(tmp_path: Path, files: dict[str, Any]) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_text(data if isinstance(data, str) else json.dumps(data))
    return folder


FOLDER = {
    "10-acme.json": ACME,  # a policy of its own, with applies_when at its top level
    "20-more.json": {
        "policies": [VPN, {**ACME, "name": "Globex", "applies_when": {"customer": "globex"}}]
    },
    "99-standard.toml": '[[policies]]\nname = "Standard"\n'
    '[policies.tiers.P3]\nresolution = { target = "8h", calendar = "always" }\n',
    ".10-draft.json": {**ACME, "name": "Draft"},  # hidden: left out
    "notes.txt": "not a policy",
}


def test_a_folder_is_a_policy_set_in_file_name_order(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, FOLDER)
    (folder / "old").mkdir()  # subfolders are left out
    (folder / "old" / "05-old.json").write_text(json.dumps({**ACME, "name": "Old"}))
    for rules in (PolicySet.from_folder(folder), Policy.load(folder)):
        assert isinstance(rules, PolicySet)
        assert [policy.name for policy in rules.policies] == [
            "Acme Gold",
            "VPN",
            "Globex",
            "Standard",
        ]
        assert rules.name == "policies"
        assert rules.choose({"customer": "globex"}).name == "Acme Gold"  # 10- comes first
        assert rules.choose({"customer": "initech", "product": "vpn"}).name == "VPN"
        assert rules.choose({"customer": "hooli"}).name == "Standard"
        assert rules.choose({"customer": "acme"}).source.endswith("10-acme.json")


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (
            {"10-standard.json": STANDARD, "20-acme.json": ACME},
            r"20-acme\.json \('Acme Gold'\): comes after the default policy 'Standard' "
            r"\(the one without applies_when, .*10-standard\.json\)",
        ),
        (
            {"10-acme.json": ACME, "20-acme.json": {**ACME, "applies_when": {"customer": "x"}}},
            r"the name\(s\) \['Acme Gold'\] are used twice \(.*10-acme\.json, .*20-acme\.json\)",
        ),
        (
            {"10-acme.json": ACME, "20-more.json": {**ACME, "name": "More"}},
            r"'Acme Gold' \(.*10-acme\.json\) and 'More' \(.*20-more\.json\) can both apply",
        ),
        (
            {"10-acme.json": {**ACME, "applies_when": {"customer": 3}}},
            r"10-acme\.json: applies_when\.customer: give a value or a list of values",
        ),
        (
            {
                "10-acme.json": {
                    **ACME,
                    "tiers": {"P3": {"resolution": {"target": "4h", "calendar": "x"}}},
                }
            },
            r"10-acme\.json: tiers\.P3\.resolution\.calendar: no calendar named 'x'",
        ),
        ({"notes.txt": "nothing here"}, r"policies: no policy files in the folder"),
    ],
)
def test_folder_errors_name_the_file(tmp_path: Path, files: dict[str, Any], problem: str) -> None:
    folder = folder_of(tmp_path, files)
    with pytest.raises(PolicyError, match=problem):
        Policy.load(folder)


def test_a_folder_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from slaclock.sla import policy as module

    folder = folder_of(tmp_path, {f"{n:02}.json": {**ACME, "name": f"P{n}"} for n in range(3)})
    monkeypatch.setattr(module, "MAX_POLICY_FILES", 2)
    with pytest.raises(PolicyError, match=r"3 policy files, more than the limit MAX_POLICY_FILES"):
        Policy.load(folder)
    monkeypatch.setattr(module, "MAX_POLICY_FILES", 256)
    monkeypatch.setattr(module, "MAX_FOLDER_BYTES", 100)
    with pytest.raises(PolicyError, match=r"more than the limit MAX_FOLDER_BYTES \(100\)"):
        Policy.load(folder)


def test_the_command_line_takes_a_folder(tmp_path: Path, capsys: Any) -> None:
    folder = folder_of(tmp_path, FOLDER)
    tickets = tmp_path / "tickets.jsonl"
    found = [ticket("A", customer="globex"), ticket("B", customer="hooli")]
    tickets.write_text("".join(json.dumps(item.to_dict()) + "\n" for item in found))
    arguments = ["--policy", str(folder), str(tickets), "--now", "2026-11-23T12:00Z"]
    outputs = []
    for jobs in ("1", "2"):
        assert main(["evaluate", *arguments, "--format", "csv", "--jobs", jobs]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    rows = csv.DictReader(io.StringIO(outputs[0]))
    chosen = [(row["ticket"], row["policy"]) for row in rows]
    assert chosen == [("A", "Acme Gold"), ("B", "Standard")]
    assert main(["report", *arguments, "--period", "2026-11", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["policy"] == "policies"
    (folder / "50-broken.toml").write_text("name = \n")
    assert main(["evaluate", *arguments]) == 2
    assert "50-broken.toml" in capsys.readouterr().err
