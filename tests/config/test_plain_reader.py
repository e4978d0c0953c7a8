"""The reader of calendar files that needs no pydantic agrees with the models, or stands aside.

``plain_calendars`` (config/_entries.py) reads valid files for ``slaclock due``,
``elapsed`` and ``open`` without importing pydantic. It may leave a document to the
models (None), but whatever it reads must be exactly what the models build, and it
must never accept a document the models refuse.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock.config import read_document
from slaclock.config._entries import CALENDAR_FIELDS, HOLIDAYS_FIELDS, plain_calendars
from slaclock.config._models import CalendarConfig, CalendarSet, HolidaysConfig
from slaclock.errors import SlaclockError

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    ROOT / "examples" / "data" / name
    for name in (
        "calendars.toml",
        "follow_the_sun.toml",
        "onsite_hardware.toml",
        "desk_policy.toml",
    )
]


def models(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return what the models build, or None if they refuse the document."""
    try:
        return CalendarSet.model_validate(data).build("<test>")
    except ValidationError:
        return None


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_example_files_are_read_without_pydantic_alike(path: Path) -> None:
    data = read_document(path)
    plain = plain_calendars(data, str(path))
    assert plain is not None  # the fast path is the one these files take
    built = models(data)
    assert built is not None
    assert list(plain) == list(built)
    for name in built:
        assert plain[name] == built[name]
        assert plain[name].to_dict() == built[name].to_dict()


def test_the_field_lists_are_the_models_fields() -> None:
    assert tuple(CalendarConfig.model_fields) == CALENDAR_FIELDS
    assert tuple(HolidaysConfig.model_fields) == HOLIDAYS_FIELDS


HOURS = ["09:00-17:00", "22:00-06:00", "closed", "09:00-09:00", "25:00-26:00", ["08:00-12:00"], 9]
VALUES: dict[str, Any] = {
    "tz": st.sampled_from(["Europe/London", "America/New_York", "Mars/Base", 3, None]),
    "hours": st.dictionaries(
        st.sampled_from(["mon-fri", "sat", "sun", "noday", "mon"]),
        st.sampled_from(HOURS),
        max_size=3,
    )
    | st.sampled_from(["09:00-17:00", [], None]),
    "holidays": st.sampled_from(
        [
            {"country": "GB", "subdiv": "ENG"},
            {"country": "GB", "subdiv": "XXX"},
            {"country": "ZZ"},
            {"market": "XNYS"},
            {"market": "XNYS", "subdiv": "A"},
            {"country": "US", "observed": False},
            {"country": "US", "observed": "no"},
            {"country": "GB", "categories": ["bank"]},
            {"country": "GB", "remove": ["2026-12-25"]},
            {"country": "GB", "colour": "red"},
            {},
            ["2026-12-24", dt.date(2026, 12, 31)],
            ["2026-02-30"],
            "GB",
        ]
    ),
    "extra_holidays": st.sampled_from([["2026-12-24"], [dt.date(2026, 1, 2)], ["x"], "2026-12-24"]),
    "overrides": st.sampled_from(
        [{"2026-12-24": "09:00-13:00"}, {"2026-12-24": "x"}, {"y": "closed"}]
    ),
    "always": st.sampled_from([True, False, 1, "true"]),
    "never": st.sampled_from([True, False, 0]),
    "windows": st.sampled_from(
        [
            [["2026-12-01T00:00+00:00", "2026-12-02T00:00+00:00"]],
            [{"start": "2026-12-01T00:00+00:00", "end": "2026-12-02T00:00+00:00"}],
            [["2026-12-02T00:00+00:00", "2026-12-01T00:00+00:00"]],
            [["2026-12-01T00:00", "2026-12-02T00:00"]],
            "x",
        ]
    ),
    "recurring": st.sampled_from(
        [
            {"rule": "FREQ=MONTHLY;BYDAY=1SU", "hours": "02:00-06:00"},
            {"rule": "FREQ=DAILY;COUNT=3", "hours": "02:00-06:00"},
            {"rule": "FREQ=DAILY;COUNT=3", "hours": "02:00-06:00", "start": "2026-12-01"},
            {"rule": "FREQ=MONTHLY;BYDAY=1SU", "hours": "closed"},
            {"rule": "FREQ=NEVER", "hours": "02:00-06:00"},
            {"rule": "FREQ=MONTHLY;BYDAY=1SU"},
        ]
    ),
    "union": st.sampled_from([["a", "b"], ["a"], ["a", {"always": True}], ["a", 3], "a | b"]),
    "intersection": st.sampled_from([["a", "b"], ["a", "b & c"], ["a", "("]]),
    "difference": st.sampled_from([["a", "b"], ["a", "b", "c"], ["zz", "a"]]),
}
ZONES = st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe"])
VALID: dict[str, Any] = {
    "hours": st.fixed_dictionaries(
        {
            "tz": ZONES,
            "hours": st.sampled_from([{"mon-fri": "09:00-17:00"}, {"sat": "22:00-06:00"}]),
        },
        optional={
            "holidays": st.sampled_from(
                [{"country": "GB", "subdiv": "ENG"}, {"market": "XNYS"}, ["2026-12-24"]]
            ),
            "extra_holidays": st.just(["2026-12-24"]),
            "overrides": st.just({"2026-12-24": "09:00-13:00"}),
        },
    ),
    "always": st.fixed_dictionaries({"always": st.just(True)}, optional={"tz": ZONES}),
    "never": st.fixed_dictionaries({"never": st.just(True)}, optional={"tz": ZONES}),
    "windows": st.fixed_dictionaries(
        {"windows": st.just([["2026-12-01T00:00+00:00", "2026-12-02T00:00+00:00"]])},
        optional={"tz": ZONES},
    ),
    "recurring": st.fixed_dictionaries(
        {"tz": ZONES, "recurring": st.just({"rule": "FREQ=WEEKLY", "hours": "02:00-06:00"})}
    ),
    "union": st.fixed_dictionaries({"union": st.just(["a", {"always": True}])}),
    "intersection": st.fixed_dictionaries({"intersection": st.just(["b", "a | b"])}),
    "difference": st.fixed_dictionaries({"difference": st.just(["a", "b"])}),
}
fuzzy = st.fixed_dictionaries(
    {},
    optional={
        **{name: VALUES[name] for name in CALENDAR_FIELDS},
        "colour": st.just("red"),
    },
)


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    """Return a calendar table: valid, or valid with one field changed, or anything."""
    if draw(st.integers(0, 4)) == 4:
        return draw(fuzzy)
    table: dict[str, Any] = draw(st.one_of(*VALID.values()))
    if draw(st.booleans()):
        name = draw(st.sampled_from([*CALENDAR_FIELDS, "colour"]))
        table[name] = draw(VALUES.get(name, st.just("red")))
    return table


entries = st.one_of(
    tables(), tables(), tables(), st.sampled_from(["a | b", "a & ", "b - c", "zz", "c", 7])
)
documents = st.fixed_dictionaries(
    {"calendars": st.fixed_dictionaries({"a": entries, "b": entries}, optional={"c": entries})},
    optional={"other": st.just({"anything": 1})},
)


@pytest.mark.parametrize(
    "data",
    [{"calendars": {"9x": {"always": True}}}, {"calendars": None}, {"calendars": []}, {}],
)
def test_documents_the_plain_reader_leaves_to_the_models(data: dict[str, Any]) -> None:
    assert plain_calendars(data, "<test>") is None
    assert models(data) is None


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(documents)
def test_the_plain_reader_reads_what_the_models_read_or_stands_aside(data: dict[str, Any]) -> None:
    try:
        plain = plain_calendars(data, "<test>")
    except SlaclockError as exc:  # an error while building: the models' build says the same
        with pytest.raises(type(exc), match=f"^{re.escape(str(exc))}$"):
            models(data)
        return
    if plain is None:
        return
    built = models(data)
    assert built is not None, "the plain reader accepted a document the models refuse"
    assert list(plain) == list(built)
    for name in built:
        assert plain[name] == built[name]
        assert plain[name].to_dict() == built[name].to_dict()


def test_due_elapsed_and_open_import_neither_pydantic_nor_holidays(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from slaclock.cli import main\n"
        "calendar = sys.argv[1]\n"
        "at = '2026-11-20T16:55+00:00'\n"
        "for args in (['due', '--start', at, '--target', '4h'],\n"
        "             ['elapsed', '--from', at, '--to', '2026-11-27T16:55Z'],\n"
        "             ['open', '--at', at]):\n"
        "    assert main([args[0], '--calendar', calendar, *args[1:]]) == 0\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'pydantic', 'holidays'}))\n"
    )
    calendar = str(ROOT / "examples" / "data" / "calendars.toml") + ":support"
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "", "SLACLOCK_CACHE_DIR": str(tmp_path)}
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script, calendar],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.splitlines()
        for _ in range(2)
    ]
    assert outputs[0][-1] == "['holidays']"  # the first run computes the holidays
    assert outputs[1][-1] == "[]"  # the next reads them from the cache
    assert outputs[0][:-1] == outputs[1][:-1]
