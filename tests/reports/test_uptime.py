"""Availability: hand-checked figures over 24x7 and business hours, maintenance, bad CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from slaclock import Calendar, Windows
from slaclock.errors import InputError
from slaclock.reports.periods import ReportingPeriod, parse_period
from slaclock.reports.uptime import Outage, availability, iter_outages, read_outages

UTC = dt.timezone.utc
OCTOBER = parse_period("2026-10")  # 744 hours; Sundays 4, 11, 18, 25; 22 weekdays
ALWAYS = Calendar.always("UTC")
#: Every Sunday 02:00-04:00 UTC: 4 windows, 8 hours in October 2026.
MAINTENANCE = Windows.recurring("FREQ=WEEKLY;BYDAY=SU", "02:00-04:00", tz="UTC")
#: Monday to Friday 09:00-17:00 in London: 22 days, 176 hours in October 2026.
BUSINESS = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London")

CSV = """service,start,end,note
mail,2026-10-04T01:00:00Z,2026-10-04T03:00:00Z,half inside maintenance
mail,2026-10-05T10:00:00Z,2026-10-05T11:00:00Z,
mail,2026-10-05T10:30:00Z,2026-10-05T10:45:00Z,inside the one before
web,2026-10-05T10:30:00Z,2026-10-05T12:00:00Z,overlaps mail
web,2026-10-31T23:00:00Z,2026-11-01T02:00:00Z,runs past the end of the period
web,2026-09-30T22:00:00Z,2026-10-01T01:00:00Z,starts before it
"""


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


@pytest.fixture(scope="module")
def outages() -> list[Outage]:
    return list(iter_outages(io.StringIO(CSV), "outages.csv"))


def figures(report: object) -> dict[str, tuple[dt.timedelta, int, dt.timedelta]]:
    rows = [*report.services, report.combined]  # type: ignore[attr-defined]
    return {row.service: (row.downtime, row.incidents, row.longest) for row in rows}


def test_all_hours_less_maintenance(outages: list[Outage]) -> None:
    report = availability(outages, OCTOBER, ALWAYS, exclude=MAINTENANCE, calendar_name="always")
    assert report.measured == hours(744 - 8)
    assert figures(report) == {
        # 01:00-02:00 on the 4th (02:00-03:00 is maintenance), 10:00-11:00 on the 5th
        "mail": (hours(2), 2, hours(1)),
        # 00:00-01:00 on the 1st, 10:30-12:00 on the 5th, 23:00-24:00 on the 31st
        "web": (hours(3.5), 3, hours(1.5)),
        # any service down: 1st 00-01, 4th 01-02, 5th 10:00-12:00, 31st 23-24
        "(combined)": (hours(5), 4, hours(2)),
    }
    mail = report.services[0]
    assert mail.availability == pytest.approx(100 * (1 - 2 / 736))
    assert mail.uptime == hours(734)
    assert report.combined.availability == pytest.approx(100 * (1 - 5 / 736))


def test_business_hours_only(outages: list[Outage]) -> None:
    report = availability(outages, OCTOBER, BUSINESS, services=["web", "mail", "dns"])
    assert report.measured == hours(176)
    # 10:00Z on Monday 5 October is 11:00 in London: inside business hours. The
    # Sunday, the Saturday night and the night of the 1st are outside them.
    assert figures(report) == {
        "web": (hours(1.5), 1, hours(1.5)),
        "mail": (hours(1), 1, hours(1)),
        "dns": (hours(0), 0, hours(0)),
        "(combined)": (hours(2), 1, hours(2)),
    }
    assert [row.service for row in report.services] == ["web", "mail", "dns"]
    assert report.services[2].availability == 100.0
    assert report.services[0].availability == pytest.approx(100 * (1 - 1.5 / 176))


def test_business_hours_less_a_maintenance_evening() -> None:
    # Maintenance 16:00-18:00 London every Monday cuts 1 hour a Monday from 09:00-17:00.
    evening = Windows.recurring("FREQ=WEEKLY;BYDAY=MO", "16:00-18:00", tz="Europe/London")
    outage = Outage(
        "erp",
        dt.datetime(2026, 10, 5, 14, 30, tzinfo=UTC),  # 15:30 London
        dt.datetime(2026, 10, 5, 16, 30, tzinfo=UTC),  # 17:30 London
    )
    report = availability([outage], OCTOBER, BUSINESS, exclude=[evening])
    assert report.measured == hours(176 - 4)  # four Mondays in October 2026
    assert report.services[0].downtime == hours(0.5)  # 15:30-16:00 only


def test_several_exclusions_and_an_empty_measure() -> None:
    first = Windows.between(
        [(dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 10, 11, tzinfo=UTC))]
    )
    second = Windows.between(
        [(dt.datetime(2026, 10, 11, tzinfo=UTC), dt.datetime(2026, 11, 1, tzinfo=UTC))]
    )
    outage = Outage("x", dt.datetime(2026, 10, 2, tzinfo=UTC), dt.datetime(2026, 10, 3, tzinfo=UTC))
    report = availability([outage], OCTOBER, ALWAYS, exclude=[first, second])
    assert report.measured == dt.timedelta(0)
    assert report.services[0].availability is None
    assert report.services[0].downtime == dt.timedelta(0)
    assert "-" in report.to_text()


def test_naming_services_leaves_out_the_others(outages: list[Outage]) -> None:
    report = availability(outages, OCTOBER, ALWAYS, services=["mail", "dns"])
    assert figures(report) == {
        "mail": (hours(3), 2, hours(2)),
        "dns": (hours(0), 0, hours(0)),
        "(combined)": (hours(3), 2, hours(2)),
    }


def test_no_outages_at_all() -> None:
    report = availability([], OCTOBER, ALWAYS)
    assert report.services == ()
    assert report.combined.availability == 100.0


def test_json_csv_and_text(outages: list[Outage]) -> None:
    report = availability(
        outages,
        OCTOBER,
        ALWAYS,
        exclude=MAINTENANCE,
        calendar_name="always",
        excluded_names=["maintenance"],
    )
    data = json.loads(report.to_json())
    assert list(data) == [
        "period",
        "calendar",
        "excluded",
        "measured",
        "measured_seconds",
        "goal_percent",
        "skipped",
        "services",
        "combined",
        "incidents",
        "verdict",
        "credits",
    ]
    assert data["excluded"] == ["maintenance"]
    assert data["measured"] == "PT736H"
    assert data["services"][0] == {
        "service": "mail",
        "availability_percent": pytest.approx(100 * (1 - 2 / 736)),
        "downtime": "PT2H",
        "downtime_seconds": 7200.0,
        "measured": "PT736H",
        "measured_seconds": 2649600.0,
        "incidents": 2,
        "longest": "PT1H",
        "longest_seconds": 3600.0,
    }
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [(row["kind"], row["service"]) for row in rows] == [
        ("service", "mail"),
        ("service", "web"),
        ("combined", ""),
    ]
    assert rows[2]["downtime"] == "PT5H"
    # Rounded: 100 * (1 - 2/736) is 99.72826086956522.
    assert rows[0]["availability_percent"] == "99.7283"
    text = report.to_text()
    assert "measured over always less maintenance: 736h" in text
    assert "99.728 %" in text  # mail: 1 - 2/736


# -- reading outages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", r"^o\.csv: empty; expected a header row"),
        ("service,begin,end\n", r"^o\.csv:1: the header names no start column"),
        ("service,start,end\nmail,2026-10-01T00:00Z\n", r"^o\.csv:2: 2 fields, the header has 3"),
        (
            "service,start,end\n,2026-10-01T00:00Z,2026-10-01T01:00Z\n",
            r"^o\.csv:2: service: is empty",
        ),
        (
            "service,start,end\nmail,yesterday,2026-10-01T01:00Z\n",
            r"^o\.csv:2: start: 'yesterday' is not an ISO 8601 instant "
            r"such as 2026-11-20T16:55\+00:00$",
        ),
        (
            "service,start,end\nmail,2026-10-01T00:00,2026-10-01T01:00Z\n",
            r"^o\.csv:2: start: '2026-10-01T00:00' has no UTC offset",
        ),
        (
            "service,start,end\n\nmail,2026-10-01T02:00Z,2026-10-01T01:00Z\n",
            r"^o\.csv:3: end: 2026-10-01T01:00:00\+00:00 is not after start",
        ),
        ('service,start,end\n"mail,2026\n', r"^o\.csv:\d+: "),
    ],
)
def test_bad_outage_rows_name_the_line_and_field(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        list(iter_outages(io.StringIO(text), "o.csv"))


def test_bad_rows_can_be_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "outages.csv"
    path.write_text(
        "Service, Start ,END\n"
        "mail,2026-10-05T10:00Z,2026-10-05T11:00Z\n"
        "mail,not a time,2026-10-05T11:00Z\n"
        "web,2026-10-05T10:00+01:00,2026-10-05T11:00+01:00\n"
    )
    skipped: list[InputError] = []
    outages = read_outages(path, on_bad=skipped.append)
    assert [(item.service, item.start.isoformat()) for item in outages] == [
        ("mail", "2026-10-05T10:00:00+00:00"),
        ("web", "2026-10-05T10:00:00+01:00"),
    ]
    assert [str(error) for error in skipped] == [
        f"{path}:3: start: 'not a time' is not an ISO 8601 instant such as 2026-11-20T16:55+00:00"
    ]
    assert outages[0].where == f"{path}:2"
    with pytest.raises(FileNotFoundError):
        read_outages(tmp_path / "missing.csv")
    (tmp_path / "latin1.csv").write_bytes(
        b"service,start,end\ncaf\xe9,2026-10-05T10:00Z,2026-10-05T11:00Z\n"
    )
    with pytest.raises(InputError, match=r"latin1\.csv: not UTF-8 text"):
        read_outages(tmp_path / "latin1.csv")


def test_outages_are_checked_when_built_by_hand() -> None:
    start = dt.datetime(2026, 10, 5, tzinfo=UTC)
    with pytest.raises(InputError, match="is not after start"):
        Outage("mail", start, start)
    with pytest.raises(InputError, match="service: is empty"):
        Outage("", start, start + hours(1))


def test_a_custom_period() -> None:
    outage = Outage(
        "x", dt.datetime(2026, 10, 5, 10, tzinfo=UTC), dt.datetime(2026, 10, 5, 22, tzinfo=UTC)
    )
    day = ReportingPeriod(
        "5 Oct", dt.datetime(2026, 10, 5, tzinfo=UTC), dt.datetime(2026, 10, 6, tzinfo=UTC)
    )
    report = availability([outage], day, ALWAYS)
    assert report.services[0].availability == pytest.approx(50.0)


# -- incidents, goal and the page ---------------------------------------------------------


def test_incidents_list_what_counted_and_what_fell_outside(outages: list[Outage]) -> None:
    extra = Outage(
        "mail",
        dt.datetime(2026, 10, 11, 2, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 11, 3, tzinfo=UTC),
    )
    report = availability([*outages, extra], OCTOBER, ALWAYS, exclude=MAINTENANCE)
    seen = [
        (item.service, item.start, item.end, item.downtime, item.counted)
        for item in report.incidents
    ]
    day = dt.datetime
    assert seen == [
        # Clipped to the period: it started on 30 September.
        ("web", day(2026, 10, 1, tzinfo=UTC), day(2026, 10, 1, 1, tzinfo=UTC), hours(1), True),
        # Half inside the Sunday maintenance window: only 01:00-02:00 counted.
        ("mail", day(2026, 10, 4, 1, tzinfo=UTC), day(2026, 10, 4, 3, tzinfo=UTC), hours(1), True),
        # Two overlapping mail outages merged into one incident.
        (
            "mail",
            day(2026, 10, 5, 10, tzinfo=UTC),
            day(2026, 10, 5, 11, tzinfo=UTC),
            hours(1),
            True,
        ),
        (
            "web",
            day(2026, 10, 5, 10, 30, tzinfo=UTC),
            day(2026, 10, 5, 12, tzinfo=UTC),
            hours(1.5),
            True,
        ),
        # Wholly inside maintenance: listed, not counted.
        (
            "mail",
            day(2026, 10, 11, 2, 30, tzinfo=UTC),
            day(2026, 10, 11, 3, tzinfo=UTC),
            hours(0),
            False,
        ),
        ("web", day(2026, 10, 31, 23, tzinfo=UTC), day(2026, 11, 1, tzinfo=UTC), hours(1), True),
    ]
    # The incidents that counted add up to each service's downtime.
    for row in report.services:
        counted = [i for i in report.incidents if i.service == row.service and i.counted]
        assert sum((i.downtime for i in counted), dt.timedelta(0)) == row.downtime
        assert len(counted) == row.incidents
    data = json.loads(report.to_json())
    assert data["incidents"][4] == {
        "service": "mail",
        "start": "2026-10-11T02:30:00+00:00",
        "end": "2026-10-11T03:00:00+00:00",
        "downtime": "PT0S",
        "downtime_seconds": 0.0,
        "counted": False,
    }
    assert "no (outside measured hours)" in report.to_text()


def test_goal_flags_services_and_says_the_verdict(outages: list[Outage]) -> None:
    report = availability(outages, OCTOBER, ALWAYS, exclude=MAINTENANCE, goal=99.7)
    assert [report.below_goal(row) for row in report.services] == [False, True]  # mail, web
    assert report.verdict.startswith("Below goal (99.7 %): all services together were available")
    assert availability(outages, OCTOBER, ALWAYS, goal=99).verdict.startswith("Goal met (99 %)")
    nothing = availability([], parse_period("2026-10-04"), Calendar.never("UTC"))
    assert nothing.verdict == "No time was measured in this period."
    with pytest.raises(InputError, match="goal: 101 is not a percentage"):
        availability(outages, OCTOBER, ALWAYS, goal=101)


def test_the_page_is_self_contained_and_escaped(outages: list[Outage]) -> None:
    odd = Outage(
        "<script>x</script>",
        dt.datetime(2026, 10, 6, 10, tzinfo=UTC),
        dt.datetime(2026, 10, 6, 11, tzinfo=UTC),
    )
    page = availability([*outages, odd], OCTOBER, ALWAYS, exclude=MAINTENANCE, goal=99.9).to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "http://" not in page
    assert "https://" not in page
    assert "Incidents that counted" in page
    assert "Outages outside the measured hours" not in page  # none wholly outside here
    assert page.count("<svg") == 3 + 1  # mail, web, the odd one, and all services
