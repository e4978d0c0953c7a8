"""Calendars from configuration files: each format, every error, and the round trip."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import Calendar
from slaclock.config import (
    CalendarConfig,
    calendar_to_config,
    calendars_from_mapping,
    dump_calendars,
    dumps_calendars,
    load_calendars,
    loads_calendars,
    parse_expression,
    read_document,
)
from slaclock.engine.windows import Windows
from slaclock.errors import ConfigError, SlaclockError

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
HOUR = dt.timedelta(hours=1)

#: A file that uses every kind of entry, written as dump_calendars writes it.
FULL_TOML = """\
[calendars]
onsite = "support & site"
uptime = "always - maint"
desk = "london | new_york | sydney"
odd = "(london | new_york) - (site & support) | never"

[calendars.support]
tz = "Europe/London"
hours = { mon-sun = "07:00-22:00" }
holidays = { country = "GB", subdiv = "ENG" }
extra_holidays = ["2026-12-31"]
overrides = { 2026-12-24 = "09:00-13:00", 2027-01-02 = "closed" }

[calendars.site]
tz = "Europe/London"
hours = { mon-sat = "08:00-18:00" }

[calendars.always]
always = true

[calendars.never]
tz = "Asia/Tokyo"
never = true

[calendars.maint]
tz = "Europe/London"
recurring = { rule = "FREQ=MONTHLY;BYDAY=1SU", hours = "02:00-06:00" }

[calendars.freeze]
tz = "Europe/London"
windows = [{ start = "2026-12-24T00:00:00+00:00", end = "2026-12-27T00:00:00+00:00" }]

[calendars.london]
tz = "Europe/London"
hours = { mon-fri = "09:00-17:00" }

[calendars.new_york]
tz = "America/New_York"
hours = { mon-fri = "09:00-17:00" }

[calendars.sydney]
tz = "Australia/Sydney"
hours = { mon-fri = "09:00-17:00" }

[calendars.nyse]
tz = "America/New_York"
hours = { mon-fri = "09:30-16:00" }
holidays = { market = "XNYS" }

[calendars.quarterly]
tz = "UTC"
recurring = { rule = "FREQ=MONTHLY;INTERVAL=3;COUNT=4", hours = "22:00-02:00", start = "2026-01-01" }

[calendars.inline]
union = ["site", { tz = "Asia/Kolkata", hours = { sat-sun = "10:00-12:00", mon = ["01:00-02:00", "03:00-04:00"] }, holidays = ["2026-08-15"] }, "maint & freeze"]
"""  # noqa: E501


def full() -> dict[str, Calendar]:
    return loads_calendars(FULL_TOML, "toml", "full.toml")


# -- loading each format ----------------------------------------------------------------


def test_toml_builds_what_the_api_builds() -> None:
    cals = full()
    support = Calendar.weekly(
        {"mon-sun": "07:00-22:00"},
        tz="Europe/London",
        holidays={"country": "GB", "subdiv": "ENG", "add": ["2026-12-31"]},
        overrides={"2026-12-24": "09:00-13:00", "2027-01-02": None},
    )
    site = Calendar.weekly({"mon-sat": "08:00-18:00"}, tz="Europe/London")
    maint = Windows.recurring("FREQ=MONTHLY;BYDAY=1SU", "02:00-06:00", tz="Europe/London")
    assert cals["support"] == support
    assert cals["onsite"] == support & site
    assert cals["uptime"] == Calendar.always("UTC") - maint
    assert cals["desk"] == Calendar.union(cals["london"], cals["new_york"], cals["sydney"])
    assert cals["odd"] == ((cals["london"] | cals["new_york"]) - (site & support)) | cals["never"]
    assert cals["desk"].tz == LONDON
    assert list(cals) == [
        "onsite", "uptime", "desk", "odd", "support", "site", "always", "never", "maint",
        "freeze", "london", "new_york", "sydney", "nyse", "quarterly", "inline",
    ]  # fmt: skip
    # Holidays by country and subdivision, extra dates and overrides all apply.
    boxing_day = dt.datetime(2026, 12, 28, 12, tzinfo=LONDON)  # substitute bank holiday
    assert not cals["support"].is_open(boxing_day)
    assert not cals["support"].is_open(dt.datetime(2026, 12, 31, 12, tzinfo=LONDON))
    assert not cals["support"].is_open(dt.datetime(2026, 12, 24, 14, tzinfo=LONDON))
    assert cals["support"].is_open(dt.datetime(2026, 12, 24, 12, tzinfo=LONDON))
    assert not cals["nyse"].is_open(
        dt.datetime(2026, 7, 3, 12, tzinfo=ZoneInfo("America/New_York"))
    )


def test_worked_example_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "onsite.toml"
    path.write_text(FULL_TOML)
    onsite = load_calendars(path)["onsite"]
    logged = dt.datetime(2026, 11, 21, 16, tzinfo=LONDON)  # Saturday
    assert onsite.add(logged, 4 * HOUR) == dt.datetime(2026, 11, 23, 10, tzinfo=LONDON)


@pytest.mark.parametrize("format", ["json", "yaml"])
def test_json_and_yaml_load_the_same_calendars(tmp_path: Path, format: str) -> None:
    expected = full()
    text = dumps_calendars(expected, format)
    path = tmp_path / f"cals.{'yml' if format == 'yaml' else format}"
    path.write_text(text)
    assert load_calendars(path) == expected


def test_yaml_written_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "cals.yaml"
    path.write_text(
        "calendars:\n"
        "  site:\n"
        "    tz: Europe/London\n"
        "    hours: {mon-sat: '08:00-18:00'}\n"
        "    holidays: [2026-12-25, 2026-12-26]\n"  # YAML dates
        "    overrides: {2026-12-24: '08:00-12:00', 2026-12-31: closed}\n"  # date keys
        "  freeze:\n"
        "    windows: [[2026-12-24T00:00:00Z, 2026-12-27T00:00:00Z]]\n"  # YAML timestamps
        "  onsite: site - freeze\n"
    )
    cals = load_calendars(path)
    assert cals["site"] == Calendar.weekly(
        {"mon-sat": "08:00-18:00"},
        tz="Europe/London",
        holidays=[dt.date(2026, 12, 25), dt.date(2026, 12, 26)],
        overrides={dt.date(2026, 12, 24): "08:00-12:00", dt.date(2026, 12, 31): None},
    )
    assert cals["freeze"].elapsed(
        dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    ) == dt.timedelta(days=3)


def test_toml_native_dates_and_datetimes() -> None:
    cals = loads_calendars(
        """
        [calendars.site]
        tz = "Europe/London"
        hours = { mon-fri = "09:00-17:00" }
        holidays = [2026-12-25]
        extra_holidays = [2026-12-28]
        [calendars.freeze]
        tz = "Europe/London"
        windows = [[2026-12-24T00:00:00Z, 2026-12-27T00:00:00+00:00]]
        """
    )
    assert cals["site"] == Calendar.weekly(
        {"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=["2026-12-25", "2026-12-28"]
    )
    assert cals["freeze"] == Windows.between(
        [(dt.datetime(2026, 12, 24, tzinfo=UTC), dt.datetime(2026, 12, 27, tzinfo=UTC))],
        tz="Europe/London",
    )


def test_structured_composition_equals_expressions() -> None:
    cals = loads_calendars(
        """
        [calendars.a]
        tz = "UTC"
        hours = { mon = "09:00-17:00" }
        [calendars.b]
        tz = "UTC"
        hours = { mon = "12:00-20:00" }
        [calendars.c]
        tz = "UTC"
        hours = { mon = "10:00-11:00" }
        [calendars.x]
        intersection = ["a", "b"]
        [calendars.y]
        difference = ["a | b", "c"]
        [calendars]
        x2 = "a & b"
        y2 = "(a | b) - c"
        """
    )
    assert cals["x"] == cals["x2"]
    assert cals["y"] == cals["y2"]


def test_other_top_level_tables_are_left_alone() -> None:
    cals = calendars_from_mapping(
        {"calendars": {"always": {"always": True}}, "policies": {"gold": {}}}, "policy.toml"
    )
    assert cals == {"always": Calendar.always("UTC")}
    assert calendars_from_mapping({"calendars": {}}) == {}


def test_read_document_returns_the_parsed_table(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"calendars": {}, "tiers": {"P1": 1}}')
    assert read_document(path) == {"calendars": {}, "tiers": {"P1": 1}}
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match=r"x\.json: expected a table at the top level"):
        read_document(path)


# -- expressions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grouped"),
    [
        ("a | b & c", "a | (b & c)"),
        ("a & b | c", "(a & b) | c"),
        ("a - b & c", "(a - b) & c"),
        ("a & b - c", "a & (b - c)"),
        ("a | b - c", "a | (b - c)"),
        ("a - b - c", "(a - b) - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("((a))", "a"),
        ("  a|b  ", "a | b"),
    ],
)
def test_precedence_is_pythons(text: str, grouped: str) -> None:
    assert parse_expression(text) == parse_expression(grouped)
    # ...and so a file means what the same expression means in code.
    a, b, c = (
        Calendar.weekly({"mon": f"{h:02d}:00-{h + 4:02d}:00"}, tz="UTC") for h in (8, 10, 11)
    )
    built = parse_expression(text).evaluate({"a": a, "b": b, "c": c}.__getitem__)
    assert built == eval(text, {"a": a, "b": b, "c": c})


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty expression"),
        ("a &", "at the end of"),
        ("a b", "unexpected 'b' at column 3"),
        ("(a | b", "never closed"),
        ("a | b)", r"unexpected '\)' at column 6"),
        ("a + b", r"unexpected '\+' at column 3"),
        ("& a", "expected a calendar name or '\\(' at column 1"),
        ("__import__('os')", "unexpected"),
    ],
)
def test_bad_expressions(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_expression(text)


# -- errors -----------------------------------------------------------------------------

SITE = '[calendars.site]\ntz = "Europe/London"\nhours = { mon = "08:00-18:00" }\n'
ALWAYS = "[calendars.b]\nalways = true\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[calendars.site]\ntz = "Europe/London"\nhours = { mon = "8-18" }',
            "x.toml: calendars.site.hours.mon: '8-18' is not HH:MM-HH:MM",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\nhours = { mon = ["08:00-12:00", "1pm-5pm"] }',
            "x.toml: calendars.site.hours.mon: '1pm-5pm' is not HH:MM-HH:MM",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\nhours = { mon = "25:00-26:00" }',
            "x.toml: calendars.site.hours.mon: '25:00' is not a time of day",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\nhours = { mon = "08:00-18:00,17:00-19:00" }',
            "x.toml: calendars.site.hours.mon: shifts '08:00-18:00' and '17:00-19:00' overlap",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\nhours = { mon = 8 }',
            "x.toml: calendars.site.hours.mon: expected shifts such as '09:00-17:00'",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\nhours = { mnday = "08:00-18:00" }',
            "x.toml: calendars.site.hours.mnday: unknown day 'mnday'",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\n'
            'hours = { mon = "09:00-17:00", mon-fri = "09:00-10:00" }',
            "x.toml: calendars.site.hours: mon is given twice",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\n'
            'hours = { mon = "22:00-06:00", tue = "05:00-07:00" }',
            "x.toml: calendars.site.hours: mon '22:00-06:00' runs into tue",
        ),
        (
            '[calendars.site]\ntz = "Europe/Londn"\nhours = { mon = "08:00-18:00" }',
            "x.toml: calendars.site.tz: unknown time zone 'Europe/Londn'",
        ),
        (
            '[calendars.site]\nhours = { mon = "08:00-18:00" }',
            "x.toml: calendars.site.tz: required for weekly hours",
        ),
        (
            '[calendars.site]\ntz = "Europe/London"\nhour = { mon = "08:00-18:00" }',
            "x.toml: calendars.site: unknown field 'hour'; did you mean 'hours'?",
        ),
        (
            SITE + 'holidays = { country = "XX" }',
            "x.toml: calendars.site.holidays.country: unknown country code 'XX'",
        ),
        (
            SITE + 'holidays = { country = "gb" }',
            "did you mean 'GB'?",
        ),
        (
            SITE + 'holidays = { country = "GB", subdiv = "XYZ" }',
            "x.toml: calendars.site.holidays.subdiv: unknown subdivision 'XYZ' of GB "
            "(known: ENG, NIR, SCT, WLS)",
        ),
        (
            SITE + 'holidays = { country = "GB", categories = ["foo"] }',
            "x.toml: calendars.site.holidays.categories: unknown category 'foo' for GB",
        ),
        (
            SITE + 'holidays = { market = "XXXX" }',
            "x.toml: calendars.site.holidays.market: unknown market 'XXXX'",
        ),
        (
            SITE + 'holidays = { market = "XNYS", subdiv = "NY" }',
            "x.toml: calendars.site.holidays.subdiv: a market has no subdivisions",
        ),
        (
            SITE + 'holidays = { country = "GB", market = "XNYS" }',
            "x.toml: calendars.site.holidays.market: give a country or a market, not both",
        ),
        (
            SITE + "holidays = { observed = false }",
            "x.toml: calendars.site.holidays: give a country (such as 'GB') or a market",
        ),
        (
            SITE + 'holidays = { country = "GB", observed = "no" }',
            "x.toml: calendars.site.holidays.observed: Input should be a valid boolean",
        ),
        (
            SITE + 'holidays = { country = "GB", region = "ENG" }',
            "x.toml: calendars.site.holidays: unknown field 'region'",
        ),
        (
            SITE + 'holidays = ["2026-13-01"]',
            "x.toml: calendars.site.holidays[0]: '2026-13-01' is not a date (YYYY-MM-DD)",
        ),
        (
            SITE + "holidays = 5",
            "x.toml: calendars.site.holidays: expected a table such as",
        ),
        (
            SITE + 'extra_holidays = ["christmas"]',
            "x.toml: calendars.site.extra_holidays[0]: 'christmas' is not a date",
        ),
        (
            SITE + 'overrides = { 2026-12-32 = "closed" }',
            "x.toml: calendars.site.overrides.2026-12-32: '2026-12-32' is not a date",
        ),
        (
            SITE + 'overrides = { 2026-12-24 = "9-1" }',
            "x.toml: calendars.site.overrides.2026-12-24: '9-1' is not HH:MM-HH:MM",
        ),
        (
            '[calendars]\na = "b & c"\nb = "a"\nc = "a"',
            "x.toml: calendars.a: composition cycle a -> b -> a",
        ),
        (
            '[calendars]\na = "a | a"',
            "x.toml: calendars.a: composition cycle a -> a",
        ),
        (
            '[calendars.a]\nunion = ["b", { union = ["b", "a"] }]\n' + ALWAYS,
            "x.toml: calendars.a: composition cycle a -> a",
        ),
        (
            '[calendars]\na = "b & sitee"\n' + ALWAYS + SITE,
            "x.toml: calendars.a: unknown calendar 'sitee'; did you mean 'site'? "
            "(defined: a, b, site)",
        ),
        (
            '[calendars]\na = "b & "\n' + ALWAYS,
            "x.toml: calendars.a: expected a calendar name or '(' at the end of 'b & '",
        ),
        (
            "[calendars]\na = 5",
            "x.toml: calendars.a: expected a calendar table or an expression",
        ),
        (
            '[calendars.m]\ntz = "UTC"\n'
            'recurring = { rule = "FREQ=SOMETIMES", hours = "02:00-03:00" }',
            "x.toml: calendars.m.recurring.rule: invalid RRULE 'FREQ=SOMETIMES'",
        ),
        (
            '[calendars.m]\ntz = "UTC"\n'
            'recurring = { rule = "FREQ=DAILY;BYDAY=XX", hours = "02:00-03:00" }',
            "x.toml: calendars.m.recurring.rule: invalid RRULE 'FREQ=DAILY;BYDAY=XX'",
        ),
        (
            '[calendars.m]\ntz = "UTC"\n'
            'recurring = { rule = "FREQ=DAILY;COUNT=2", hours = "02:00-03:00" }',
            "x.toml: calendars.m.recurring.start: required when the rule has a COUNT",
        ),
        (
            '[calendars.m]\ntz = "UTC"\nrecurring = { rule = "DTSTART:20260101\\nFREQ=DAILY", '
            'hours = "02:00-03:00", start = 2026-01-01 }',
            "x.toml: calendars.m.recurring.start: the rule has a DTSTART line",
        ),
        (
            '[calendars.m]\ntz = "UTC"\nrecurring = { rule = "FREQ=DAILY", hours = "closed" }',
            "x.toml: calendars.m.recurring.hours: recurring windows need hours",
        ),
        (
            '[calendars.m]\ntz = "UTC"\nrecurring = { hours = "02:00-03:00" }',
            "x.toml: calendars.m.recurring.rule: required, but missing",
        ),
        (
            '[calendars.m]\nrecurring = { rule = "FREQ=DAILY", hours = "01:00-02:00" }',
            "x.toml: calendars.m.tz: required for recurring windows",
        ),
        (
            '[calendars.m]\nwindows = [["2026-01-02T00:00Z", "2026-01-01T00:00Z"]]',
            "x.toml: calendars.m.windows[0]: end 2026-01-01T00:00:00+00:00 is not after start",
        ),
        (
            '[calendars.m]\nwindows = [["2026-01-02T00:00", "2026-01-03T00:00Z"]]',
            "x.toml: calendars.m.windows[0]: start: '2026-01-02T00:00' has no UTC offset",
        ),
        (
            '[calendars.m]\nwindows = [{ start = "2026-01-02T00:00Z" }]',
            "x.toml: calendars.m.windows[0]: a window is {start = ..., end = ...}",
        ),
        (
            "[calendars.m]\nalways = false",
            "x.toml: calendars.m.always: write always = true (or never = true)",
        ),
        (
            "[calendars.m]\nalways = true\nnever = true",
            "x.toml: calendars.m: give only one of always and never",
        ),
        (
            '[calendars.m]\ntz = "UTC"',
            "x.toml: calendars.m: a calendar needs one of hours, always, never",
        ),
        (
            '[calendars.m]\nunion = ["a"]',
            "x.toml: calendars.m.union: takes at least 2 items, got 1",
        ),
        (
            '[calendars.m]\ndifference = ["a", "b", "c"]',
            "x.toml: calendars.m.difference: takes at most 2 items, got 3",
        ),
        (
            '[calendars.m]\nunion = ["b", 5]\n' + ALWAYS,
            "x.toml: calendars.m.union[1]: expected a calendar table or an expression",
        ),
        (
            '[calendars.m]\nunion = ["b", { tz = "UTC", hours = { mon = "9-5" } }]\n' + ALWAYS,
            "x.toml: calendars.m.union[1].hours.mon: '9-5' is not HH:MM-HH:MM",
        ),
        (
            '[calendars.m]\nunion = ["b", "b"]\ntz = "UTC"\n' + ALWAYS,
            "x.toml: calendars.m.tz: a union answers in its first calendar's zone",
        ),
        (
            '[calendars.m]\nalways = true\nholidays = ["2026-01-01"]',
            "x.toml: calendars.m.holidays: only a weekly calendar (one with hours) has holidays",
        ),
        (
            "[calendars.follow-the-sun]\nalways = true",
            "x.toml: calendars.follow-the-sun: 'follow-the-sun' is not a calendar name",
        ),
        ("x = 1", "x.toml: calendars: missing; the file needs a [calendars] table"),
        ("calendars = 3", "x.toml: calendars: Input should be a valid dictionary (got 3)"),
        ("not toml [", "x.toml: not valid TOML: "),
    ],
)
def test_errors_name_file_field_and_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        loads_calendars(text, "toml", "x.toml")
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, SlaclockError)


def test_several_problems_are_all_reported() -> None:
    with pytest.raises(ConfigError) as info:
        loads_calendars(
            '[calendars.a]\ntz = "Mars/Base"\nhours = { mon = "8-18" }\n'
            '[calendars.b]\ntz = "UTC"\nhours = { mon = "9-5" }\n',
            source="two.toml",
        )
    assert str(info.value).splitlines() == [
        "two.toml: calendars.a.tz: unknown time zone 'Mars/Base'; use an IANA name such as "
        "'Europe/London'",
        "two.toml: calendars.a.hours.mon: '8-18' is not HH:MM-HH:MM",
        "two.toml: calendars.b.hours.mon: '9-5' is not HH:MM-HH:MM",
    ]


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: cannot read the file"):
        load_calendars(tmp_path / "missing.toml")
    (tmp_path / "cals.ini").write_text("")
    with pytest.raises(ConfigError, match=r"cals\.ini: unknown file type '\.ini'"):
        load_calendars(tmp_path / "cals.ini")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ConfigError, match=r"bad\.json: not valid JSON"):
        load_calendars(tmp_path / "bad.json")
    (tmp_path / "bad.yaml").write_text("calendars: [")
    with pytest.raises(ConfigError, match=r"bad\.yaml: not valid YAML"):
        load_calendars(tmp_path / "bad.yaml")
    (tmp_path / "latin.toml").write_bytes(b"# caf\xe9\n")
    with pytest.raises(ConfigError, match=r"latin\.toml: not UTF-8"):
        load_calendars(tmp_path / "latin.toml")
    with pytest.raises(ConfigError, match="unknown format 'ini'"):
        loads_calendars("", "ini")
    with pytest.raises(ConfigError, match="expected a table"):
        calendars_from_mapping([1, 2])


def test_yaml_without_pyyaml_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    (tmp_path / "cals.yaml").write_text("calendars: {}\n")
    with pytest.raises(
        ConfigError, match=r"cals\.yaml: reading YAML needs PyYAML: python -m pip install pyyaml"
    ):
        load_calendars(tmp_path / "cals.yaml")


def test_loading_never_executes_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text("calendars: !!python/object/apply:os.system ['touch " + str(marker) + "']\n")
    with pytest.raises(ConfigError, match=r"evil\.yaml: not valid YAML: .*python/object"):
        load_calendars(path)
    path.write_text("calendars:\n  a: !!python/name:os.system\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_calendars(path)
    # Expressions are parsed, never evaluated as Python.
    with pytest.raises(ConfigError, match="unexpected"):
        loads_calendars("[calendars]\na = \"__import__('os').system('touch " + str(marker) + "')\"")
    assert not marker.exists()


# -- round trip -----------------------------------------------------------------------------


def test_dump_writes_back_the_same_toml() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    cals = full()
    text = dumps_calendars(cals)  # written by tomli-w
    expected = tomllib.loads(
        FULL_TOML.replace(  # the one entry written out differently
            FULL_TOML.splitlines()[-1] + "\n",
            'union = ["site", { tz = "Asia/Kolkata", hours = { mon = "01:00-02:00,03:00-04:00", '
            'sat-sun = "10:00-12:00" }, holidays = ["2026-08-15"] }, "maint & freeze"]\n',
        )
    )
    assert tomllib.loads(text) == expected
    # The named compositions come first, one line each, as a person would write them.
    assert text.splitlines()[:3] == [
        "[calendars]",
        'onsite = "support & site"',
        'uptime = "always - maint"',
    ]


@pytest.mark.parametrize("format", ["toml", "json", "yaml"])
def test_load_dump_load_gives_equal_calendars(format: str) -> None:
    cals = full()
    text = dumps_calendars(cals, format)
    again = loads_calendars(text, format)
    assert again == cals
    assert all(again[name].tz == cals[name].tz for name in cals)
    # The dump is a fixed point.
    assert dumps_calendars(again, format) == text


def test_unnamed_parts_are_written_in_full() -> None:
    london = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")
    maint = Windows.recurring("FREQ=WEEKLY;BYDAY=SU", "01:00-03:00", tz="UTC")
    cals = {"london": london, "uptime": (london | Calendar.always("UTC")) - maint}
    data = dump_calendars(cals)
    assert data == {
        "calendars": {
            "london": {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}},
            "uptime": {
                "difference": [
                    {"union": ["london", {"always": True}]},
                    {
                        "tz": "UTC",
                        "recurring": {"rule": "FREQ=WEEKLY;BYDAY=SU", "hours": "01:00-03:00"},
                    },
                ]
            },
        }
    }
    assert calendars_from_mapping(json.loads(json.dumps(data))) == cals
    assert loads_calendars(dumps_calendars(cals)) == cals


def test_expressions_are_parenthesized_to_keep_their_shape() -> None:
    a, b, c, d = (
        Calendar.weekly({"mon": f"{h:02d}:00-{h + 4:02d}:00"}, tz="UTC") for h in (8, 9, 10, 11)
    )
    named = {"a": a, "b": b, "c": c, "d": d}
    cases = {
        "p": a - (b - c),
        "q": (a - b) - c,
        "r": (a | b) & (c | d),
        "s": a & b | c & d,
        "t": a - (b & c),
        "u": (a & b) - c,
        "v": Calendar.union(a - b, c, d & a),
        "w": (a | b) - (c | d),
    }
    data = dump_calendars({**named, **cases})["calendars"]
    assert {name: data[name] for name in cases} == {
        "p": "a - (b - c)",
        "q": "a - b - c",
        "r": "(a | b) & (c | d)",
        "s": "a & b | c & d",
        "t": "a - (b & c)",
        "u": "(a & b) - c",
        "v": "a - b | c | d & a",
        "w": "(a | b) - (c | d)",
    }
    assert calendars_from_mapping({"calendars": data}) == {**named, **cases}


def test_calendar_to_config_writes_one_calendar_in_full() -> None:
    support = Calendar.weekly(
        {"mon-sun": "07:00-22:00"},
        tz="Europe/London",
        holidays={"country": "US", "subdiv": "CA", "categories": ["government", "public"]},
    )
    site = Calendar.weekly({"mon-sat": "08:00-18:00"}, tz="Europe/London")
    table = calendar_to_config(support & site)
    assert table == {
        "intersection": [
            {
                "tz": "Europe/London",
                "hours": {"mon-sun": "07:00-22:00"},
                "holidays": {
                    "country": "US",
                    "subdiv": "CA",
                    "categories": ["government", "public"],
                },
            },
            {"tz": "Europe/London", "hours": {"mon-sat": "08:00-18:00"}},
        ]
    }
    assert (
        CalendarConfig.model_validate(table).build(lambda name: Calendar.never()) == support & site
    )


def test_holidays_objects_round_trip() -> None:
    import holidays

    gb = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    gb.pop(dt.date(2026, 12, 25))  # work on Christmas Day
    gb[dt.date(2026, 6, 1)] = "Company day"
    cal = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=gb)
    table = calendar_to_config(cal)
    assert table["holidays"] == {"country": "GB", "subdiv": "ENG", "remove": ["2026-12-25"]}
    assert table["extra_holidays"] == ["2026-06-01"]
    assert calendars_from_mapping({"calendars": {"desk": table}})["desk"] == cal


def test_dump_refuses_what_it_cannot_name() -> None:
    with pytest.raises(ConfigError, match="'on-site' is not a calendar name"):
        dump_calendars({"on-site": Calendar.always()})
    with pytest.raises(ConfigError, match="expected a Calendar"):
        dump_calendars({"a": "support & site"})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="unknown format"):
        dumps_calendars({}, "ini")


def test_an_empty_set_writes_a_readable_file() -> None:
    # tomli-w quotes what TOML needs; an empty set is still a file loads_calendars reads.
    text = dumps_calendars({})
    assert text == "[calendars]\n"
    assert loads_calendars(text) == {}


def test_dump_is_json_ready() -> None:
    data: Any = dump_calendars(full())
    assert json.loads(json.dumps(data)) == data
