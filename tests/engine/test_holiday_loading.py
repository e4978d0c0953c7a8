"""Country holidays load one country's module, and leave the ``holidays`` package whole."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = textwrap.dedent(
    """
    import datetime as dt
    import sys

    from slaclock import Calendar

    cal = Calendar.from_dict(
        {"tz": "Europe/London", "hours": {"mon-fri": "09:00-17:00"},
         "holidays": {"country": "GB", "subdiv": "ENG"}}
    )
    christmas = dt.datetime(2026, 12, 25, 12, tzinfo=dt.timezone.utc)
    assert not cal.is_open(christmas)
    loaded = sorted(name for name in sys.modules if name.startswith("holidays.countries."))
    assert loaded == ["holidays.countries.united_kingdom"], loaded

    # The package is still whole: every way of reaching a country works afterwards.
    import holidays
    from holidays.countries import France
    import holidays.countries.germany

    assert holidays.countries.Germany is holidays.countries.germany.Germany
    assert France(years=2026)
    assert "DE" in holidays.list_supported_countries()
    england = holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2031))
    ours = cal._source.holidays
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=n) for n in range(11 * 366)]
    assert [day in ours for day in days] == [day in england for day in days]
    print("ok")
    """
)


def test_a_country_calendar_imports_that_country_only() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(SRC), "PATH": "", "SLACLOCK_CACHE": "off"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_markets_and_aliases_load_like_the_package_functions() -> None:
    import holidays

    from slaclock.engine._holidays import load_holidays

    for code, financial in (("GB", False), ("UK", False), ("US", False), ("XNYS", True)):
        ours = load_holidays(holidays, code, financial=financial)
        theirs = holidays.financial_holidays(code) if financial else holidays.country_holidays(code)
        assert type(ours) is type(theirs)
        assert dict(ours.__class__(years=2026)) == dict(theirs.__class__(years=2026))
