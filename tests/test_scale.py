"""Batch queries scale past one process: Dask partitions give the single-process answers.

The Dask test is the recipe of docs/scale.md, run for real: a partitioned Parquet
file of synthetic tickets, a local cluster of two worker processes, and
``map_partitions`` calling ``Calendar.elapsed_many`` and ``add_many`` on each
partition. Calendars travel to the workers as their spec (a few hundred bytes)
and rebuild their index there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pytest

from slaclock import Calendar, ComplianceReport, Policy, iter_tickets, parse_period

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
#: Resolution target by priority: P1 in 4 business hours ... P4 in 40.
TARGETS = {1: pd.Timedelta(hours=4), 2: pd.Timedelta(hours=8), 3: pd.Timedelta(hours=24)}
TARGETS[4] = pd.Timedelta(hours=40)


def london_desk() -> Calendar:
    return Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Europe/London",
        holidays=holidays.country_holidays("GB", subdiv="ENG"),
    )


def follow_the_sun() -> Calendar:
    return (
        london_desk()
        | Calendar.weekly(
            {"mon-fri": "09:00-17:00"},
            tz="America/New_York",
            holidays=holidays.country_holidays("US", subdiv="NY"),
        )
        | Calendar.weekly(
            {"mon-fri": "09:00-17:00"},
            tz="Australia/Sydney",
            holidays=holidays.country_holidays("AU", subdiv="NSW"),
        )
    )


def synthetic_tickets(count: int, seed: int = 6) -> pd.DataFrame:
    """Tickets logged during 2026 (UTC), resolved within three weeks; 1% still open (NaT)."""
    rng = np.random.default_rng(seed)
    logged = np.datetime64("2026-01-01T00:00:00", "us") + rng.integers(
        0, 365 * 86_400 * 10**6, count
    ).astype("timedelta64[us]")
    resolved = logged + rng.integers(0, 21 * 86_400 * 10**6, count).astype("timedelta64[us]")
    resolved[rng.random(count) < 0.01] = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "ticket": np.arange(count),
            "logged": pd.Series(logged).dt.tz_localize("UTC"),
            "resolved": pd.Series(resolved).dt.tz_localize("UTC"),
            "priority": rng.integers(1, 5, count),
        }
    )


def sla_columns(tickets: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """What each worker runs on its partition: business time to resolution, and the due instant."""
    target = tickets["priority"].map(TARGETS)
    return tickets.assign(
        business_time=calendar.elapsed_many(tickets["logged"], tickets["resolved"]),
        due=calendar.add_many(tickets["logged"], target),
    )


def which_calendar(tickets: pd.DataFrame, calendar: Calendar) -> pd.DataFrame:
    """Return, for a partition, its process, its calendar object and the chunks it had built."""
    before = len(calendar._index._chunks)
    sla_columns(tickets, calendar)
    return pd.DataFrame(
        {"pid": [os.getpid()], "calendar": [id(calendar)], "chunks_before": [before]}
    )


@contextlib.contextmanager
def two_worker_processes() -> Iterator[Any]:
    """Yield a Dask client of a local cluster of two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_unpickling_a_calendar_again_gives_the_calendar_built_before() -> None:
    blob = pickle.dumps(london_desk())
    first = pickle.loads(blob)
    first._index._cold_left = 0  # past the answers from the week's template: it builds chunks
    first.elapsed(dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC))
    again = pickle.loads(blob)
    assert again is first
    assert again._index._chunks


def test_dask_partitions_give_the_single_process_answers(tmp_path: Path) -> None:
    dd = pytest.importorskip("dask.dataframe")
    from dask.dataframe.utils import make_meta

    frame = synthetic_tickets(20_000)
    folder = tmp_path / "tickets"
    folder.mkdir()
    for number, first in enumerate(range(0, len(frame), 5_000)):
        frame.iloc[first : first + 5_000].to_parquet(folder / f"part-{number}.parquet", index=False)
    desk = london_desk()

    expected = sla_columns(pd.read_parquet(folder), desk)

    ddf = dd.read_parquet(folder)
    assert ddf.npartitions > 1
    with two_worker_processes() as client:
        workers = client.run(os.getpid)
        assert len(workers) == 2
        assert os.getpid() not in workers.values()
        meta = sla_columns(make_meta(ddf), desk)  # an empty partition: empty batches work too
        result = ddf.map_partitions(sla_columns, desk, meta=meta)
        computed = client.compute(result).result()
        # Each worker process keeps one calendar, index and all, for every partition.
        seen = ddf.map_partitions(which_calendar, desk, meta=which_calendar(make_meta(ddf), desk))
        calendars = client.compute(seen).result()

    assert len(calendars) == ddf.npartitions
    for _, partitions in calendars.groupby("pid"):
        assert partitions["calendar"].nunique() == 1
    assert (calendars["chunks_before"] > 0).sum() >= ddf.npartitions - 2

    computed = computed.sort_values("ticket").reset_index(drop=True)
    expected = expected.sort_values("ticket").reset_index(drop=True)
    pd.testing.assert_frame_equal(computed, expected)
    assert str(computed["due"].dt.tz) == "Europe/London"
    assert computed["business_time"].isna().sum() == frame["resolved"].isna().sum() > 0

    # And both are the single calls' answers.
    for row in computed.sample(50, random_state=1).itertuples():
        logged = row.logged.to_pydatetime()
        assert row.due.to_pydatetime() == desk.add(logged, TARGETS[row.priority].to_pytimedelta())
        if not pd.isna(row.resolved):
            spent = desk.elapsed(logged, row.resolved.to_pydatetime())
            assert row.business_time.to_pytimedelta() == spent


@pytest.mark.parametrize("make", [london_desk, follow_the_sun], ids=["london", "follow-the-sun"])
def test_calendars_pickle_small_and_answer_the_same(make: Callable[[], Calendar]) -> None:
    cal = make()
    before = pickle.dumps(cal)
    start = dt.datetime(2020, 1, 3, 16, 55, tzinfo=LONDON)
    end = dt.datetime(2036, 6, 1, tzinfo=LONDON)
    spent = cal.elapsed(start, end)  # builds the index for 16 years
    after = pickle.dumps(cal)

    assert len(after) < 2048
    assert after == before  # the spec travels, never the index

    back = pickle.loads(after)
    assert back == cal
    assert back is not cal
    assert pickle.loads(after) is back  # one calendar per description in a process
    assert back.elapsed(start, end) == spent
    friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
    for amount in (dt.timedelta(minutes=10), dt.timedelta(hours=40), dt.timedelta(hours=-2000)):
        assert back.add(friday, amount) == cal.add(friday, amount)
    starts = np.array(["2026-03-29T00:30", "2026-10-25T00:30"], dtype="datetime64[us]")
    ends = starts + np.timedelta64(30, "D")
    assert np.array_equal(back.elapsed_many(starts, ends), cal.elapsed_many(starts, ends))


def test_cloudpickle_ships_only_the_spec() -> None:
    cloudpickle = pytest.importorskip("cloudpickle")  # what Dask and Spark ship tasks with
    cal = follow_the_sun()
    cal.elapsed(dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2036, 1, 1, tzinfo=UTC))
    blob = cloudpickle.dumps(cal)
    assert len(blob) < 2048  # the rebuild function travels by reference, not as bytecode
    back = pickle.loads(blob)
    assert back == cal
    friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
    assert back.add(friday, dt.timedelta(hours=40)) == cal.add(friday, dt.timedelta(hours=40))


# -- the compliance report on Dask (docs/scale.md, "A compliance report on Dask") --------------

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "data"


def dask_recipe() -> dict[str, Any]:
    """Return the names the Dask recipe of docs/scale.md defines, run from the page itself."""
    text = (ROOT / "docs" / "scale.md").read_text()
    block = text.split("<!-- dask-recipe -->", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {"__name__": "dask_recipe"}
    exec(compile(block, "docs/scale.md (Dask recipe)", "exec"), namespace)
    return namespace


def event_rows(tickets: list[dict[str, Any]]) -> pd.DataFrame:
    """Return the tickets as a warehouse keeps them: one row per event."""
    rows = [
        {
            "ticket": ticket["id"],
            "customer": ticket.get("customer"),
            "at": event["at"],
            "type": event["type"],
            "priority": event.get("priority"),
            "status": event.get("status"),
        }
        for ticket in tickets
        for event in ticket["events"]
    ]
    frame = pd.DataFrame(rows)
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return frame


def calendars_seen(events: pd.DataFrame, policy: Any, count: Callable[..., Any]) -> pd.DataFrame:
    """Return, for a partition, its process, its calendar object and whether it came built."""
    calendar = policy.calendars["desk"]
    index = calendar._index
    built = len(index._chunks) + len(index._spans) + len(index._pieces)
    period = parse_period("2026-10", "Europe/London")
    count(events, policy, period, dt.datetime(2026, 11, 1, tzinfo=UTC), ("tier", "metric"), 10)
    return pd.DataFrame({"pid": [os.getpid()], "calendar": [id(calendar)], "built": [built]})


def test_the_dask_recipe_gives_one_process_compliance_report(tmp_path: Path) -> None:
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    import json

    recipe = dask_recipe()
    policy = Policy.load(DATA / "desk_policy.toml")
    period = parse_period("2026-10", "Europe/London")
    now = dt.datetime(2026, 11, 1, tzinfo=UTC)
    lines = (DATA / "october_2026_tickets.jsonl").read_text().splitlines()
    tickets = [json.loads(line) for line in lines]
    # JSON Lines in three files; events in three Parquet files, tickets spread over them
    # out of order, and one ticket's events cut across two files.
    for number in range(3):
        (tmp_path / f"tickets-{number}.jsonl").write_text("\n".join(lines[number::3]) + "\n")
    rows = event_rows(tickets[1::2] + tickets[::2])
    (tmp_path / "events").mkdir()
    for number, cut in enumerate(np.array_split(np.arange(len(rows)), 3)):
        rows.iloc[cut].to_parquet(tmp_path / "events" / f"part-{number}.parquet", index=False)
    assert (
        rows.iloc[np.array_split(np.arange(len(rows)), 3)[0][-1]]["ticket"]
        == (rows.iloc[np.array_split(np.arange(len(rows)), 3)[1][0]]["ticket"])
    )

    expected = {
        by: ComplianceReport.build(policy, iter_tickets(lines), period, now, by=by, worst=5)
        for by in (("tier", "metric"), ("customer", "tier"))
    }
    assert expected["tier", "metric"].tickets > 200
    with two_worker_processes() as client:
        assert len(client.run(os.getpid)) == 2
        for by, report in expected.items():
            from_events = recipe["events_report"](
                policy, str(tmp_path / "events"), period, now, by=by, worst=5
            )
            assert from_events == report
            assert from_events.to_json() == report.to_json()
            from_lines = recipe["lines_report"](
                policy, str(tmp_path / "tickets-*.jsonl"), period, now, by=by, worst=5
            )
            assert from_lines == report
        # One built calendar per worker process, whatever the partitions.
        events = dd.read_parquet(tmp_path / "events")
        parts = events.shuffle("ticket", npartitions=8).to_delayed()
        seen = pd.concat(
            dask.compute(
                *[
                    dask.delayed(calendars_seen)(part, policy, recipe["count_events"])
                    for part in parts
                ]
            )
        )
    assert len(seen) == 8
    for _, partitions in seen.groupby("pid"):
        assert partitions["calendar"].nunique() == 1
    assert (seen["built"] > 0).sum() >= len(seen) - seen["pid"].nunique()
