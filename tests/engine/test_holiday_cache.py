"""The on-disk cache of holiday dates: same answers, no ``holidays`` import, never trusted."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.engine import _holiday_cache

SRC = Path(__file__).resolve().parents[2] / "src"
DATA = {
    "tz": "Europe/London",
    "hours": {"mon-fri": "09:00-17:00"},
    "holidays": {"country": "GB", "subdiv": "ENG"},
}

# Answers every day of 2020-2030 and says whether the holidays package was imported.
SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    import json
    import sys

    from slaclock import Calendar

    cal = Calendar.from_dict(json.loads(sys.argv[1]))
    ours = cal._source.holidays
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=n) for n in range(11 * 366)]
    found = [day.isoformat() for day in days if day in ours]
    print(json.dumps({"holidays": found, "imported": "holidays" in sys.modules}))
    """
)


def run(folder: Path, *, cache: str = "on") -> dict[str, object]:
    env = {
        "PYTHONPATH": str(SRC),
        "PATH": "",
        "SLACLOCK_CACHE_DIR": str(folder),
        "SLACLOCK_CACHE": cache,
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(DATA)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def package_dates() -> list[str]:
    import holidays

    england = holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2032))
    last = dt.date(2020, 1, 1) + dt.timedelta(days=11 * 366 - 1)
    return sorted(day.isoformat() for day in england if day <= last)


def test_a_second_process_reads_the_dates_without_the_package(tmp_path: Path) -> None:
    first = run(tmp_path)
    assert first["imported"] is True
    files = list((tmp_path / "holidays").glob("*.json"))
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o077 == 0  # private to the user
    second = run(tmp_path)
    assert second["imported"] is False
    assert first["holidays"] == second["holidays"] == package_dates()


def test_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    result = run(tmp_path, cache="off")
    assert result["imported"] is True
    assert result["holidays"] == package_dates()
    assert not (tmp_path / "holidays").exists()


def cache_file(tmp_path: Path) -> Path:
    run(tmp_path)
    (found,) = (tmp_path / "holidays").glob("*.json")
    return found


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data["key"].__setitem__("version", "0.0.1"),  # another package version
        lambda data: data["key"].__setitem__("subdiv", "SCT"),  # another request
        lambda data: data["years"].__setitem__("2026", ["2027-01-01"]),  # a date of another year
        lambda data: data["years"].__setitem__("2026", ["2026-02-30"]),  # not a date
        lambda data: data["years"].__setitem__("2026", [20260101]),  # not text
        lambda data: data.__setitem__("format", 99),  # another layout
        lambda data: data.__setitem__("attributes", None),
    ],
)
def test_a_file_that_does_not_check_out_is_ignored(tmp_path: Path, spoil: object) -> None:
    path = cache_file(tmp_path)
    data = json.loads(path.read_text())
    spoil(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
    again = run(tmp_path)
    assert again["imported"] is True
    assert again["holidays"] == package_dates()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_file_others_may_write_is_ignored(tmp_path: Path) -> None:
    path = cache_file(tmp_path)
    os.chmod(path, 0o666)
    assert run(tmp_path)["imported"] is True


def test_garbage_is_ignored(tmp_path: Path) -> None:
    path = cache_file(tmp_path)
    path.write_bytes(b"\\x00not json")
    assert run(tmp_path)["imported"] is True
    path.write_text("[]")
    assert run(tmp_path)["imported"] is True


def test_an_unwritable_folder_only_costs_the_cache(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = run(blocked)
    assert result["holidays"] == package_dates()


def test_in_process_answers_match_with_and_without_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE_DIR", str(tmp_path))
    start = dt.datetime(2026, 12, 20, tzinfo=dt.timezone.utc)
    cold = Calendar.from_dict(DATA)
    answer = cold.elapsed(start, start + dt.timedelta(days=400))
    warm = Calendar.from_dict(DATA)  # its years now come from the file
    assert warm._source.holidays._lookup is None
    assert warm.elapsed(start, start + dt.timedelta(days=400)) == answer
    assert warm == cold
    assert warm.to_dict() == cold.to_dict()
    far = dt.datetime(2040, 1, 1, tzinfo=dt.timezone.utc)  # a year not cached: the package
    assert warm.elapsed(far, far + dt.timedelta(days=30)) == cold.elapsed(
        far, far + dt.timedelta(days=30)
    )


def test_the_version_is_read_without_importing_the_package() -> None:
    import holidays

    assert _holiday_cache.package_version() == holidays.__version__


def test_the_cache_keeps_the_package_dates_not_one_calendar_s_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE_DIR", str(tmp_path))
    changed = {
        **DATA,
        "holidays": {
            "country": "GB",
            "subdiv": "ENG",
            "add": ["2026-07-01"],
            "remove": ["2026-12-25"],
        },
    }
    own = Calendar.from_dict(changed)._source.holidays
    assert dt.date(2026, 7, 1) in own
    assert dt.date(2026, 12, 25) not in own
    (path,) = (tmp_path / "holidays").glob("*.json")
    cached = json.loads(path.read_text())["years"]["2026"]
    assert "2026-12-25" in cached
    assert "2026-07-01" not in cached
    # A calendar without those changes reads the file and answers as the package does.
    plain = Calendar.from_dict(DATA)._source.holidays
    assert plain._lookup is None
    assert dt.date(2026, 12, 25) in plain
    assert dt.date(2026, 7, 1) not in plain
    assert plain._lookup is None  # the year came from the file


# -- a holidays object passed in Python: unexpanded objects of the package's classes ----

OBJECTS = {
    "England": lambda: holidays.country_holidays("GB", subdiv="ENG"),
    "England, not observed": lambda: holidays.country_holidays("GB", subdiv="ENG", observed=False),
    "Scotland": lambda: holidays.country_holidays("GB", subdiv="SCT"),
    "Germany, Bavaria": lambda: holidays.country_holidays("DE", subdiv="BY"),
    "Sweden": lambda: holidays.country_holidays("SE"),
    "Sweden with Sundays": lambda: holidays.country_holidays("SE", include_sundays=True),
    "Egypt": lambda: holidays.country_holidays("EG"),
    "New York Stock Exchange": lambda: holidays.financial_holidays("XNYS"),
}


def object_desk(name: str) -> Calendar:
    hours = {"mon-sun": "09:00-17:00"}
    return Calendar.weekly(hours, tz="Europe/London", holidays=OBJECTS[name]())


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(sorted(OBJECTS)),
    start=st.datetimes(
        min_value=dt.datetime(2024, 1, 1),
        max_value=dt.datetime(2031, 1, 1),
        timezones=st.just(dt.timezone.utc),
    ),
    days=st.integers(min_value=0, max_value=800),
)
def test_an_object_answers_the_same_from_the_cache_as_from_its_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, start: dt.datetime, days: int
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE_DIR", str(tmp_path))
    end = start + dt.timedelta(days=days)
    monkeypatch.setenv("SLACLOCK_CACHE", "off")
    ruled = object_desk(name)
    expected = ruled.elapsed(start, end), ruled.add(start, dt.timedelta(hours=8 * days + 1))
    monkeypatch.setenv("SLACLOCK_CACHE", "on")
    object_desk(name).elapsed(start, end)  # fills the cache (or reads it)
    cached = object_desk(name)
    source = cached._source.holidays  # type: ignore[attr-defined]
    assert source._cache is not None
    assert (
        cached.elapsed(start, end),
        cached.add(start, dt.timedelta(hours=8 * days + 1)),
    ) == expected
    assert cached == ruled
    assert cached.to_dict() == ruled.to_dict()


def test_objects_in_other_states_keep_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE_DIR", str(tmp_path))
    christmas = dt.datetime(2027, 12, 27, 12, tzinfo=dt.timezone.utc)  # observed for Saturday
    sunday = dt.datetime(2027, 1, 3, 12, tzinfo=dt.timezone.utc)
    for _ in range(2):  # the second time from the files
        assert object_desk("England").is_open(christmas) is False
        assert object_desk("England, not observed").is_open(christmas) is True
        assert object_desk("Sweden").is_open(sunday) is True
        assert object_desk("Sweden with Sundays").is_open(sunday) is False
    assert len(list((tmp_path / "holidays").glob("object-*.json"))) == 4


def test_only_an_unexpanded_object_of_the_package_s_own_class_uses_the_cache() -> None:
    from holidays.countries import GB

    from slaclock.engine._holidays import holiday_source

    class Company(GB):  # type: ignore[misc]
        def _populate(self, year: int) -> None:
            super()._populate(year)
            self[dt.date(year, 7, 1)] = "Company day"

    assert holiday_source(holidays.country_holidays("GB"))._cache is not None  # type: ignore[union-attr]
    assert holiday_source(Company())._cache is None  # type: ignore[union-attr]
    assert dt.date(2027, 7, 1) in holiday_source(Company())
    expanded = holidays.country_holidays("GB", years=2026)
    assert holiday_source(expanded)._cache is None  # type: ignore[union-attr]
    unwritable = holidays.country_holidays("GB")
    unwritable.__dict__["hook"] = lambda: None  # a state that cannot be written out
    assert holiday_source(unwritable)._cache is None  # type: ignore[union-attr]


def test_a_spoiled_year_of_an_object_s_file_is_worked_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACLOCK_CACHE_DIR", str(tmp_path))
    noon = dt.datetime(2026, 12, 25, 12, tzinfo=dt.timezone.utc)
    assert object_desk("England").is_open(noon) is False
    (path,) = (tmp_path / "holidays").glob("object-*.json")
    data = json.loads(path.read_text())
    data["years"]["2026"] = "2026-07-01 2027-12-25"  # a date of another year
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
    again = object_desk("England")
    assert again.is_open(noon) is False
    assert again.is_open(dt.datetime(2026, 7, 1, 12, tzinfo=dt.timezone.utc)) is True
    assert "2026-12-25" in json.loads(path.read_text())["years"]["2026"]  # written anew
