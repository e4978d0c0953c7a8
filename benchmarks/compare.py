"""Compare slaclock with the other Python business-time libraries, every case in one run.

One command (issue 6)::

    python benchmarks/compare.py [--out docs/benchmarks.md]

creates (or reuses) a virtual environment at ``.bench-venv/`` in the repository,
installs the project (``-e .[fast,dataframes]``) and the pinned comparison
libraries into it, re-runs itself there with ``--here`` and prints (and with
``--out`` writes) one Markdown document: the machine, the versions, and tables of
medians with ratios. ``--here`` measures in the current environment instead.

::

    python benchmarks/compare.py --compiled [--out docs/benchmarks.md]

does the same in ``.bench-venv-compiled/``, slaclock installed with its compiled
engine (``SLACLOCK_COMPILE=1``), and measures the single calls only: the pure-Python
engine, the compiled one and timegrid's compiled timeline side by side; with
``--out`` it writes that one section into the page, which a full run then keeps.

::

    python benchmarks/compare.py --smoke

runs every case once after a warm-up, on batches of 1,000 pairs, in the current environment: it
creates no environment, installs nothing, and skips libraries that are not
importable. CI runs it so the script never rots; its numbers mean nothing.

The policy evaluator's section streams up to 1,000,000 tickets, which alone takes
minutes; ``--evaluator-tickets N`` stops at N (100000 leaves the million out).

The exit status is 1 if the libraries disagreed on an answer (the document says
where), 0 otherwise. Workload: Mon-Fri 09:00-17:00, Europe/London, England's bank
holidays from the ``holidays`` package, starting Friday 2026-11-20 16:55.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = ROOT / ".bench-venv"
#: The environment of ``--compiled``: the project built with its compiled engine.
COMPILED_VENV = ROOT / ".bench-venv-compiled"
#: What the comparison environment holds besides the project itself.
COMPARISON = ["workclock==0.1.2", "businesstimedelta==1.0.1", "timegrid==0.1.6", "pandas", "pytz"]
VERSIONS = [
    "slaclock",
    "workclock",
    "businesstimedelta",
    "timegrid",
    "pandas",
    "numpy",
    "pyarrow",
    "holidays",
    "pytz",
]

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
START = dt.datetime(2026, 11, 20, 16, 55, tzinfo=LONDON)
SPANS = {
    "1 day": 1,
    "1 week": 7,
    "1 month": 30,
    "1 year": 365,
    "10 years": 3652,
    "30 years": 10957,
}
AMOUNTS = {
    "10 min": dt.timedelta(minutes=10),
    "40 h": dt.timedelta(hours=40),
    "2,000 h": dt.timedelta(hours=2000),
}
#: Years of England's holidays handed to the libraries that need them listed up front.
HOLIDAY_YEARS = range(2020, 2061)
LIBRARIES = [
    "slaclock",
    "workclock",
    "businesstimedelta",
    "pandas",
    "timegrid",
    "timegrid compiled",
]
#: The single calls' extra column when slaclock's compiled build is installed (``--compiled``).
SLACLOCK_COMPILED = "slaclock compiled"
#: The Python module each column needs ("timegrid compiled" is timegrid's compiled timeline).
MODULES = {"timegrid compiled": "timegrid"}
#: The columns of the building table (timegrid's compile time gets its own line there).
BUILD_LIBRARIES = ["slaclock", "workclock", "businesstimedelta", "pandas"]
#: What timegrid's timeline is compiled over (it answers inside that range only).
COMPILED = (dt.datetime(2020, 1, 1), dt.datetime(2060, 1, 1))

#: Timing: each run of a case lasts about RUN_NS; a case gets REPEAT runs within BUDGET_NS.
RUN_NS = 50_000_000
BUDGET_NS = 2_000_000_000
MIN_REPEAT, MAX_REPEAT = 3, 7


# -- the command -----------------------------------------------------------


def main() -> int:
    """Run the comparison (in its own environment unless told otherwise); return the status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--smoke", action="store_true", help="one call per case, current environment"
    )
    parser.add_argument(
        "--here", action="store_true", help="measure in the current environment, install nothing"
    )
    parser.add_argument("--out", type=Path, help="also write the Markdown document here")
    parser.add_argument(
        "--compiled",
        action="store_true",
        help="measure in .bench-venv-compiled, slaclock built with SLACLOCK_COMPILE=1",
    )
    parser.add_argument(
        "--evaluator-tickets",
        type=int,
        default=max(EVALUATOR_RUNS),
        metavar="N",
        help="the longest ticket stream the evaluator section times "
        f"(default {max(EVALUATOR_RUNS):,}, which alone takes minutes)",
    )
    args = parser.parse_args()
    if args.evaluator_tickets < 1:
        parser.error("--evaluator-tickets: expected a positive number of tickets")
    if not (args.smoke or args.here):
        return run_in_own_environment(
            args.out, compiled=args.compiled, evaluator_tickets=args.evaluator_tickets
        )
    text, disagreements = report(smoke=args.smoke, evaluator_tickets=args.evaluator_tickets)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        previous = args.out.read_text() if args.out.exists() else ""
        args.out.write_text(merged(text, previous))
        print(f"wrote {args.out}", file=sys.stderr)
    return 1 if disagreements else 0


def run_in_own_environment(
    out: Path | None, *, compiled: bool = False, evaluator_tickets: int = 1_000_000
) -> int:
    """Create ``.bench-venv``, install the project and the comparison, re-run with ``--here``.

    With ``compiled``, the environment is ``.bench-venv-compiled`` and the project is
    installed (not editable) with its compiled engine: ``SLACLOCK_COMPILE=1``.
    """
    venv = COMPILED_VENV if compiled else VENV
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"creating {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    print(f"installing the project and {', '.join(COMPARISON)}", file=sys.stderr)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    project = f"{ROOT}[fast,dataframes]"
    if compiled:
        # Rebuilt every time (the checkout may have changed); its dependencies come next.
        build = {**os.environ, "SLACLOCK_COMPILE": "1"}
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(ROOT)], check=True, env=build)
        subprocess.run([*pip, project, *COMPARISON], check=True, env=build)
    else:
        subprocess.run([*pip, "-e", project, *COMPARISON], check=True)
    command = [str(python), str(Path(__file__).resolve()), "--here"]
    command += ["--evaluator-tickets", str(evaluator_tickets)]
    if out:
        command += ["--out", str(out.resolve())]
    return subprocess.run(command, check=False, cwd=ROOT).returncode


# -- timing ----------------------------------------------------------------


def side_by_side(calls: dict[str, Callable[[], object]], *, smoke: bool) -> dict[str, float]:
    """Return, for each call, the median over runs of its mean nanoseconds per call.

    Each call is warmed up first (that builds whatever index or cache the library
    keeps). A run of one call lasts about ``RUN_NS``; the runs of all the calls
    are interleaved, round after round, so a busy moment on the machine hits
    them alike. Slow cases get fewer rounds, never fewer than three.
    """
    numbers: dict[str, int] = {}
    singles: dict[str, float] = {}
    for name, call in calls.items():
        call()
        began = time.perf_counter_ns()
        call()
        one = max(time.perf_counter_ns() - began, 1)
        singles[name] = float(one)
        numbers[name] = max(1, RUN_NS // one)
    if smoke:
        return singles
    round_ns = sum(numbers[name] * singles[name] for name in calls)
    repeat = min(MAX_REPEAT, max(MIN_REPEAT, int(BUDGET_NS // round_ns)))
    runs: dict[str, list[float]] = {name: [] for name in calls}
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for name, call in calls.items():
                number = numbers[name]
                began = time.perf_counter_ns()
                for _ in range(number):
                    call()
                runs[name].append((time.perf_counter_ns() - began) / number)
    finally:
        if collecting:
            gc.enable()
    return {name: statistics.median(values) for name, values in runs.items()}


def show(ns: float | None) -> str:
    """Return a duration in the unit that reads best."""
    if ns is None:
        return "n/a"
    if ns < 1e6:
        return f"{ns / 1e3:,.2f} µs"
    if ns < 1e9:
        return f"{ns / 1e6:,.1f} ms"
    return f"{ns / 1e9:,.2f} s"


def times(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:,.1f}x"


# -- the libraries, each configured for the same workload ------------------


def importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def england(**kwargs: Any) -> Any:
    import holidays

    return holidays.country_holidays("GB", subdiv="ENG", **kwargs)


def slaclock_desk(library: str = "") -> Any:
    """Return the London desk: on the installed build, or on the one ``library`` names.

    The single calls time "slaclock" on the pure-Python engine and, when the compiled
    build is installed (``--compiled``), "slaclock compiled" on that.
    """
    from slaclock import Calendar

    weekly = pure_engine().Calendar.weekly if library == "slaclock" else Calendar.weekly
    return weekly({"mon-fri": "09:00-17:00"}, tz="Europe/London", holidays=england())


def compiled_installed() -> bool:
    """Return whether the installed slaclock runs its compiled engine."""
    try:
        from slaclock import engine
    except ImportError:
        return False
    return bool(getattr(engine, "COMPILED", False))


_PURE: list[Any] = []


def pure_engine() -> Any:
    """Return slaclock's engine in pure Python.

    The installed one, unless that is the compiled build: then a copy of its Python
    sources imported under another name (the engine is vendorable), so that one
    process times both builds side by side.
    """
    if _PURE:  # looked for once: this runs inside every timed cold-start call
        return _PURE[0]
    import importlib
    import shutil
    import tempfile
    from importlib.machinery import EXTENSION_SUFFIXES

    from slaclock import engine

    if not compiled_installed():
        _PURE.append(engine)
        return engine
    folder = Path(tempfile.mkdtemp(prefix="slaclock-pure-"))
    shutil.copytree(
        Path(engine.__file__).parent,
        folder / "slaclock_pure_engine",
        ignore=shutil.ignore_patterns("__pycache__", *(f"*{end}" for end in EXTENSION_SUFFIXES)),
    )
    sys.path.insert(0, str(folder))
    _PURE.append(importlib.import_module("slaclock_pure_engine"))
    return _PURE[0]


def workclock_desk() -> Any:
    import workclock

    return workclock.Schedule(
        [
            workclock.WorkDay(dt.time(9), dt.time(17), days=range(5)),
            workclock.Holidays(england(years=HOLIDAY_YEARS)),
        ],
        time_zone="Europe/London",
    )


def businesstimedelta_desk() -> Any:
    import businesstimedelta
    import pytz

    zone = pytz.timezone("Europe/London")
    return businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(dt.time(9), dt.time(17), [0, 1, 2, 3, 4], tz=zone),
            businesstimedelta.HolidayRule(england(), tz=zone),
        ]
    )


def timegrid_desk(years: range = HOLIDAY_YEARS) -> Any:
    """Return timegrid's calendar: naive London wall times (it has no zones), holidays closed."""
    import timegrid

    desk = timegrid.TimeGridCalendar.weekdays(dt.time(9), dt.time(17))
    for day in sorted(england(years=years)):
        desk = desk.close(day)
    return desk


def wall(t: dt.datetime) -> dt.datetime:
    """Return ``t`` as a naive London wall time (what timegrid and pandas read)."""
    return t.astimezone(LONDON).replace(tzinfo=None)


def pandas_hours(hours: int) -> Any:
    import pandas as pd

    return pd.offsets.CustomBusinessHour(
        n=hours,
        start="09:00",
        end="17:00",
        weekmask="Mon Tue Wed Thu Fri",
        holidays=sorted(england(years=HOLIDAY_YEARS)),
    )


#: A prepared case: a call to time, and a function turning its result into a comparable value.
Prepared = tuple[Callable[[], object], Callable[[Any], object]]


def elapsed_cases(library: str, start: dt.datetime, end: dt.datetime) -> Prepared | None:
    """Return the library's call for the open time in ``[start, end)``, or None if it has none."""
    if library in ("slaclock", SLACLOCK_COMPILED):
        cal = slaclock_desk(library)
        return (lambda: cal.elapsed(start, end)), (lambda result: result)
    if library == "workclock":
        schedule = workclock_desk()
        return (lambda: schedule.between(start, end)), (lambda result: result)
    if library == "businesstimedelta":
        import pytz

        rules = businesstimedelta_desk()
        zone = pytz.timezone("Europe/London")
        a = zone.localize(start.replace(tzinfo=None))
        b = zone.localize(end.replace(tzinfo=None))
        return (lambda: rules.difference(a, b)), (lambda result: result.timedelta)
    if library == "timegrid":
        desk = timegrid_desk()
        return (lambda: desk.get_working_duration(wall(start), wall(end))), (lambda r: r)
    if library == "timegrid compiled":
        timeline = timegrid_desk().compile(*COMPILED)
        return (lambda: timeline.get_working_duration(wall(start), wall(end))), (lambda r: r)
    return None  # pandas has no business-time difference


def add_cases(library: str, start: dt.datetime, amount: dt.timedelta) -> Prepared | None:
    """Return the library's call for ``amount`` of open time after ``start``, or None."""
    if library in ("slaclock", SLACLOCK_COMPILED):
        cal = slaclock_desk(library)
        return (lambda: cal.add(start, amount)), (lambda result: result)
    if library == "workclock":
        schedule = workclock_desk()
        return (lambda: schedule.add(start, amount)), (lambda result: result)
    if library == "businesstimedelta":
        import businesstimedelta
        import pytz

        delta = businesstimedelta.BusinessTimeDelta(businesstimedelta_desk(), timedelta=amount)
        a = pytz.timezone("Europe/London").localize(start.replace(tzinfo=None))
        return (lambda: a + delta), (lambda result: result)
    if library == "pandas":
        if amount % dt.timedelta(hours=1):
            return None  # CustomBusinessHour counts whole hours only
        import pandas as pd

        offset = pandas_hours(amount // dt.timedelta(hours=1))
        naive = pd.Timestamp(start.replace(tzinfo=None))  # wall time: pandas is naive here
        return (lambda: naive + offset), (
            lambda result: result.tz_localize("Europe/London").to_pydatetime()
        )
    if library == "timegrid":
        desk = timegrid_desk()
        return (lambda: desk.add_work_duration(wall(start), amount)), (
            lambda result: result.replace(tzinfo=LONDON)
        )
    return None  # timegrid's compiled timeline has no add


# -- the report ------------------------------------------------------------


@dataclass
class Table:
    """Rows of medians per library, plus what disagreed."""

    title: str
    rows: list[tuple[str, dict[str, float | None]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check(table: Table, case: str, answers: dict[str, object]) -> None:
    """Warn in ``table`` about every library whose answer differs from slaclock's."""
    ours = answers.get("slaclock")
    for library, answer in answers.items():
        if library != "slaclock" and answer != ours:
            table.warnings.append(
                f"{case}: {library} answers {answer!r}, slaclock answers {ours!r}"
            )


def comparison_table(table: Table, present: list[str], libraries: list[str] | None = None) -> str:
    """Return ``table`` with a ratio column: the fastest other library's time over slaclock's."""
    libraries = libraries or LIBRARIES
    head = "| case | " + " | ".join(libraries) + " | ratio (fastest other / slaclock) |"
    lines = [head, "| --- |" + " ---: |" * (len(libraries) + 1)]
    for case, medians in table.rows:
        cells = [show(medians.get(lib)) if lib in present else "not installed" for lib in libraries]
        ratio = ratio_of(medians)
        lines.append(
            f"| {case} | " + " | ".join(cells) + f" | {'–' if ratio is None else times(ratio)} |"
        )
    lines.extend(f"\n> ⚠ disagreement: {warning}" for warning in table.warnings)
    return "\n".join(lines)


def ratio_of(medians: dict[str, float | None], build: str = "slaclock") -> float | None:
    """Return the fastest other library's time over slaclock's (``build``), if both are known."""
    others = [value for lib, value in medians.items() if not lib.startswith("slaclock") and value]
    ours = medians.get(build)
    return min(others) / ours if others and ours else None


def single_calls(present: list[str], smoke: bool) -> tuple[Table, list[str]]:
    """Time ``elapsed`` over each span and ``add`` of each amount, for every library."""
    table = Table("Single calls")
    cases: list[tuple[str, Callable[[str], Prepared | None]]] = []
    for name, days in SPANS.items():
        end = START + dt.timedelta(days=days)
        cases.append((f"`elapsed`, {name}", lambda lib, end=end: elapsed_cases(lib, START, end)))
    for name, amount in AMOUNTS.items():
        cases.append((f"`add`, {name}", lambda lib, amount=amount: add_cases(lib, START, amount)))
    for case, prepare in cases:
        calls: dict[str, Callable[[], object]] = {}
        answers: dict[str, object] = {}
        for library in present:
            prepared = prepare(library)
            if prepared is not None:
                call, normalize = prepared
                answers[library] = normalize(call())
                calls[library] = call
        check(table, case, answers)
        medians: dict[str, float | None] = {library: None for library in present}
        medians.update(side_by_side(calls, smoke=smoke))
        table.rows.append((case, medians))
    verdicts = []
    if len(present) > 1 and not smoke:
        slower = [case for case, medians in table.rows if (ratio_of(medians) or 1) < 1]
        ten = ratio_of(dict(table.rows)["`elapsed`, 10 years"])
        verdicts.append(
            "no slower than the fastest other library in every case: "
            + ("met" if not slower else f"**not met** ({', '.join(slower)})")
        )
        if ten is not None:
            verdicts.append(
                f"at least 50x faster at 10 years: {'met' if ten >= 50 else '**not met**'}"
                f" ({times(ten)})"
            )
        verdicts.extend(warm_verdicts(table))
    return table, verdicts


#: The heading of the section a ``--compiled`` run writes into the page.
COMPILED_HEADING = "## Single calls: the compiled build"


def compiled_section(*, smoke: bool) -> tuple[str, int]:
    """Return the single calls on both builds and timegrid's timeline, measured in one run.

    Runs where the compiled build is installed; "slaclock" is then a copy of the same
    engine's Python sources (see ``pure_engine``).
    """
    present = ["slaclock", SLACLOCK_COMPILED]
    present += [
        lib for lib in ("workclock", "timegrid compiled") if importable(MODULES.get(lib, lib))
    ]
    table, _ = single_calls(present, smoke)
    verdicts = [] if smoke else warm_verdicts(table)
    # A new calendar's first answers on both builds, against the others' build + query.
    cold_present = ["slaclock", SLACLOCK_COMPILED]
    cold_present += [lib for lib in ("workclock", "timegrid") if importable(lib)]
    cold, cold_verdicts = cold_start(cold_present, smoke)
    text = (
        f"{COMPILED_HEADING}\n\n"
        "The optional compiled build of the engine (`SLACLOCK_COMPILE=1 pip install .`, "
        "see [Batches and scale](scale.md#a-compiled-build)) against the pure-Python "
        "engine and timegrid's compiled timeline, measured side by side in one run of "
        "`python benchmarks/compare.py --compiled --out docs/benchmarks.md` (which writes "
        "this section only). Same workload and method as the single calls above; "
        '"slaclock" is the pure-Python engine. '
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{', '.join(versions(['slaclock', 'timegrid', 'workclock']))}; measured "
        f"{dt.date.today().isoformat()}, load average {load_average()}.\n\n"
        + comparison_table(table, present, present)
        + "\n"
        + "".join(f"\n- {verdict}" for verdict in verdicts)
        + ("\n" if verdicts else "")
        + "\n### Cold start on the compiled build\n\n"
        "The cases of [Cold start](#cold-start-a-new-calendar-and-its-first-answer) on both "
        "builds, in the same run: each call builds the calendar (its `holidays` object "
        "included) and asks one question. The ratio is the fastest other library's time "
        'over the pure-Python engine\'s ("slaclock").\n\n'
        + comparison_table(cold, cold_present, cold_present)
        + "\n"
        + "".join(f"\n- {verdict}" for verdict in cold_verdicts)
        + ("\n" if cold_verdicts else "")
    )
    return text, len(table.warnings) + len(cold.warnings)


def merged(new: str, old: str) -> str:
    """Return the page to write: ``new`` with the compiled build's section kept in place.

    A ``--compiled`` run's section replaces the one in ``old``; a full run keeps
    ``old``'s section (each is measured in its own environment).
    """
    if new.startswith(COMPILED_HEADING):
        page, section = old, new
    else:
        page, section = new, _section(old)
    if not page:
        return section or ""
    found = _section(page)
    if found is not None:
        page = page.replace(found, "")
    if section is None:
        return page
    after = page.find("\n## ", page.find("## Single calls\n")) + 1
    if not after:
        return page.rstrip("\n") + "\n\n" + section
    return page[:after] + section.rstrip("\n") + "\n\n" + page[after:]


def _section(page: str) -> str | None:
    """Return the compiled build's section of ``page`` (to the next heading), if it has one."""
    start = page.find(COMPILED_HEADING)
    if start < 0:
        return None
    end = page.find("\n## ", start + 1)
    return page[start : end + 1 if end >= 0 else len(page)]


def warm_verdicts(table: Table) -> list[str]:
    """Return issue 14's warm target for each build: no slower than timegrid's timeline."""
    verdicts = []
    for build in ("slaclock", SLACLOCK_COMPILED):
        ratios = {
            case: medians["timegrid compiled"] / medians[build]
            for case, medians in table.rows
            if case.startswith("`elapsed`")
            and medians.get(build)
            and medians.get("timegrid compiled")
        }
        if ratios:
            worst = min(ratios, key=ratios.__getitem__)
            verdicts.append(
                f"warm `elapsed` ({build}) no slower than timegrid's compiled timeline at "
                f"every span: {'met' if ratios[worst] >= 1 else '**not met**'} (worst "
                f"{worst.split(', ')[1]}: timegrid compiled / {build} = {ratios[worst]:.2f})"
            )
    return verdicts


@dataclass
class Batch:
    """One workload of pairs, in every container the libraries take."""

    starts: Any
    ends: Any
    amounts: Any


def batch_data(size: int) -> Batch:
    """Return ``size`` synthetic tickets: logged during 2026 (UTC), closed within 14 days."""
    import numpy as np

    rng = np.random.default_rng(6)
    year = 365 * 86_400 * 10**6
    logged = np.datetime64("2026-01-01T00:00:00", "us").astype("int64")
    starts = logged + rng.integers(0, year, size)
    ends = starts + rng.integers(0, 14 * 86_400 * 10**6, size)
    amounts = rng.integers(0, 40 * 3_600 * 10**6, size)
    return Batch(
        starts.astype("datetime64[us]"),
        ends.astype("datetime64[us]"),
        amounts.astype("timedelta64[us]"),
    )


def batches(present: list[str], smoke: bool) -> tuple[Table, list[str]]:
    """Time ``elapsed_many`` and ``add_many`` on 1,000,000 pairs, against workclock's."""
    import numpy as np

    size = 1_000 if smoke else 1_000_000
    listed = 1_000 if smoke else 100_000
    data = batch_data(size)
    table = Table(f"Batches of {size:,} pairs")
    verdicts: list[str] = []
    cal = slaclock_desk()
    schedule = workclock_desk() if "workclock" in present else None

    elapsed = cal.elapsed_many(data.starts, data.ends)
    added = cal.add_many(data.starts, data.amounts)
    # The batch answers are the single calls' answers (tests/test_batch.py proves it; spot-check).
    for i in range(0, size, max(1, size // 200)):
        start = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(
            microseconds=int(data.starts[i].astype("int64"))
        )
        end = start + dt.timedelta(
            microseconds=int((data.ends[i] - data.starts[i]).astype("int64"))
        )
        amount = dt.timedelta(microseconds=int(data.amounts[i].astype("int64")))
        if elapsed[i] != np.timedelta64(cal.elapsed(start, end), "us"):
            table.warnings.append(f"elapsed_many[{i}] differs from elapsed()")
        if added[i] != np.datetime64(cal.add(start, amount).astimezone(UTC).replace(tzinfo=None)):
            table.warnings.append(f"add_many[{i}] differs from add()")

    def row(case: str, ours: Callable[[], object], theirs: Callable[[], object] | None) -> None:
        calls = {"slaclock": ours} if theirs is None else {"slaclock": ours, "workclock": theirs}
        medians: dict[str, float | None] = {library: None for library in present}
        medians.update(side_by_side(calls, smoke=smoke))
        table.rows.append((case, medians))

    row(
        "`elapsed_many`, NumPy `datetime64[us]`",
        lambda: cal.elapsed_many(data.starts, data.ends),
        None if schedule is None else (lambda: schedule.between_many(data.starts, data.ends)),
    )
    row(
        "`add_many`, NumPy `datetime64[us]` + `timedelta64[us]`",
        lambda: cal.add_many(data.starts, data.amounts),
        None if schedule is None else (lambda: schedule.add_many(data.starts, data.amounts)),
    )
    if schedule is not None:
        if not np.array_equal(schedule.between_many(data.starts, data.ends), elapsed):
            table.warnings.append("workclock's between_many differs from elapsed_many")
        if not np.array_equal(schedule.add_many(data.starts, data.amounts), added):
            table.warnings.append("workclock's add_many differs from add_many")
    for case, position in (("elapsed_many", 0), ("add_many", 1)):
        ns = table.rows[position][1]["slaclock"] or 0.0
        if not smoke:
            verdicts.append(
                f"`{case}` on 1,000,000 pairs under 0.15 s: "
                + ("met" if ns < 0.15e9 else "**not met**")
                + f" ({show(ns)})"
            )

    def cold() -> None:
        # A fresh calendar each time: the batch pays for building its index.
        slaclock_desk().elapsed_many(data.starts, data.ends)

    row("`elapsed_many`, first call on a fresh calendar (builds the index)", cold, None)

    if importable("pandas"):
        import pandas as pd

        starts = pd.Series(data.starts).dt.tz_localize("UTC")
        ends = pd.Series(data.ends).dt.tz_localize("UTC")
        amounts = pd.Series(data.amounts)
        row("`elapsed_many`, pandas zoned columns", lambda: cal.elapsed_many(starts, ends), None)
        row("`add_many`, pandas zoned columns", lambda: cal.add_many(starts, amounts), None)
        if not np.array_equal(cal.elapsed_many(starts, ends).to_numpy("timedelta64[us]"), elapsed):
            table.warnings.append("elapsed_many on pandas differs from NumPy")
        due = cal.add_many(starts, amounts).dt.tz_convert("UTC").dt.tz_localize(None)
        if not np.array_equal(due.to_numpy("datetime64[us]"), added):
            table.warnings.append("add_many on pandas differs from NumPy")
    if importable("pyarrow"):
        import pyarrow as pa

        kind = pa.timestamp("us", tz="UTC")
        arrow_starts = pa.array(data.starts.astype("int64"), type=pa.int64()).cast(kind)
        arrow_ends = pa.array(data.ends.astype("int64"), type=pa.int64()).cast(kind)
        arrow_amounts = pa.array(data.amounts)
        row(
            "`elapsed_many`, Arrow zoned timestamps",
            lambda: cal.elapsed_many(arrow_starts, arrow_ends),
            None,
        )
        row(
            "`add_many`, Arrow zoned timestamps",
            lambda: cal.add_many(arrow_starts, arrow_amounts),
            None,
        )
        used = cal.elapsed_many(arrow_starts, arrow_ends).to_numpy(zero_copy_only=False)
        if not np.array_equal(used.astype("timedelta64[us]"), elapsed):
            table.warnings.append("elapsed_many on Arrow differs from NumPy")

    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    list_starts = [
        epoch + dt.timedelta(microseconds=int(v)) for v in data.starts[:listed].view("int64")
    ]
    list_ends = [
        epoch + dt.timedelta(microseconds=int(v)) for v in data.ends[:listed].view("int64")
    ]
    row(
        f"`elapsed_many`, lists of {listed:,} aware datetimes",
        lambda: cal.elapsed_many(list_starts, list_ends),
        None if schedule is None else (lambda: schedule.between_many(list_starts, list_ends)),
    )
    if schedule is not None and schedule.between_many(list_starts, list_ends) != cal.elapsed_many(
        list_starts, list_ends
    ):
        table.warnings.append("workclock's between_many on lists differs")
    return table, verdicts


def composed(smoke: bool) -> tuple[str, list[str]]:
    """Time the single-call cases on composed calendars and the clock against the plain calendar."""
    import holidays

    from slaclock import Calendar

    desk = slaclock_desk()
    site = Calendar.weekly({"mon-sat": "07:30-16:30"}, tz="Europe/London")
    new_york = Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="America/New_York",
        holidays=holidays.country_holidays("US", subdiv="NY"),
    )
    sydney = Calendar.weekly(
        {"mon-fri": "09:00-17:00"},
        tz="Australia/Sydney",
        holidays=holidays.country_holidays("AU", subdiv="NSW"),
    )
    variants = {
        "support & site": desk & site,
        "london \\| new_york \\| sydney": desk | new_york | sydney,
    }
    lines = [
        "| case | plain calendar | "
        + " | ".join(f"`{name}`" for name in variants)
        + " | slowdown (worst composed / plain) |",
        "| --- | ---: |" + " ---: |" * len(variants) + " ---: |",
    ]
    worst_overall = 0.0
    cases: list[tuple[str, Callable[[Any], Callable[[], object]]]] = []
    for name, days in SPANS.items():
        end = START + dt.timedelta(days=days)
        cases.append((f"`elapsed`, {name}", lambda cal, end=end: lambda: cal.elapsed(START, end)))
    for name, amount in AMOUNTS.items():
        cases.append((f"`add`, {name}", lambda cal, amount=amount: lambda: cal.add(START, amount)))
    for case, make in cases:
        medians = side_by_side(
            {"plain": make(desk)} | {name: make(cal) for name, cal in variants.items()},
            smoke=smoke,
        )
        plain = medians["plain"]
        cells = []
        worst = 0.0
        for name in variants:
            ns = medians[name]
            worst = max(worst, ns / plain)
            cells.append(f"{show(ns)} ({times(ns / plain)})")
        worst_overall = max(worst_overall, worst)
        lines.append(f"| {case} | {show(plain)} | " + " | ".join(cells) + f" | {times(worst)} |")

    try:
        from slaclock import Clock
    except ImportError:  # the clock is not in this version of slaclock
        clock_lines: list[str] = []
    else:
        # Logged Friday 16:55, paused Monday 10:00-11:00 waiting on the customer.
        monday = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
        clock = Clock.start(desk, START).pause(monday).resume(monday + dt.timedelta(hours=1))
        target = dt.timedelta(hours=40)
        now = START + dt.timedelta(days=7)
        clock_cases = [
            (
                "`Clock.due(40 h)` vs `add`",
                lambda: clock.due(target),
                lambda: desk.add(START, target),
            ),
            (
                "`Clock.remaining(40 h, now)` vs `elapsed`, 1 week",
                lambda: clock.remaining(target, now),
                lambda: desk.elapsed(START, now),
            ),
        ]
        clock_lines = [
            "",
            "| case | plain calendar | clock | slowdown (clock / plain) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for case, ours, plain_call in clock_cases:
            medians = side_by_side({"plain": plain_call, "clock": ours}, smoke=smoke)
            plain, ns = medians["plain"], medians["clock"]
            worst_overall = max(worst_overall, ns / plain)
            clock_lines.append(f"| {case} | {show(plain)} | {show(ns)} | {times(ns / plain)} |")
    verdicts = []
    if not smoke:
        verdicts.append(
            "composed calendars and the clock within 2x of the plain calendar: "
            + ("met" if worst_overall <= 2 else "**not met**")
            + f" (worst {times(worst_overall)})"
        )
    return "\n".join(lines + clock_lines), verdicts


def index_size(cal: Any) -> tuple[int, int]:
    """Return the bytes the calendar's chunk cache holds, and how many chunks it holds.

    Reads the engine's private cache on purpose: this is what the index costs.
    """
    seen: set[int] = set()

    def size(value: object) -> int:
        if id(value) in seen:
            return 0
        seen.add(id(value))
        return sys.getsizeof(value)

    chunks = cal._index._chunks
    total = sys.getsizeof(chunks)
    for number, chunk in chunks.items():
        total += size(number) + size(chunk) + size(chunk.lo) + size(chunk.hi) + size(chunk.total)
        for values in (chunk.starts, chunk.ends, chunk.cum_end):
            total += size(values) + sum(size(value) for value in values)
    return total, len(chunks)


def building(present: list[str], smoke: bool) -> str:
    """Time building a calendar and its index for 10 years; measure the index's memory."""
    from slaclock import Calendar
    from slaclock.engine._index import CHUNK_US

    years = 1 if smoke else 10
    span = "1 year" if years == 1 else f"{years} years"
    end = START + dt.timedelta(days=round(365.25 * years))

    def ours() -> None:
        slaclock_desk().elapsed(START, end)

    def theirs() -> None:
        workclock_desk().between(START, end)

    def union() -> None:
        import holidays

        (
            slaclock_desk()
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
        ).elapsed(START, end)

    makers: dict[str, Callable[[], object]] = {
        "slaclock": slaclock_desk,
        "workclock": workclock_desk,
        "businesstimedelta": businesstimedelta_desk,
        "pandas": lambda: pandas_hours(40),
    }
    constructed = side_by_side(
        {library: make for library, make in makers.items() if library in present}, smoke=smoke
    )
    whole = side_by_side(
        {"slaclock": ours, "workclock": theirs} if "workclock" in present else {"slaclock": ours},
        smoke=smoke,
    )
    union_whole = side_by_side({"union": union}, smoke=smoke)["union"]
    cal = slaclock_desk()
    # A new calendar answers its first questions from its weekly template and builds no
    # index; skip that handover here, since this row measures what the index holds.
    cal._index._cold_left = 0
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    cal.elapsed(START, end)
    retained = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    held, chunks = index_size(cal)
    covered = chunks * CHUNK_US / (365.25 * 86_400 * 10**6)

    absent = "not installed"
    no_index = "n/a (no index)"

    def theirs_or(library: str, value: str) -> str:
        return value if library in present else absent

    rows = [
        (
            "building the calendar object, with England's holidays",
            *(theirs_or(library, show(constructed.get(library))) for library in BUILD_LIBRARIES),
        ),
        (
            f"calendar + first {span} `elapsed`, from nothing",
            show(whole["slaclock"]),
            theirs_or("workclock", show(whole.get("workclock"))),
            theirs_or("businesstimedelta", no_index),
            theirs_or("pandas", no_index),
        ),
        (
            f"three-way union + first {span} `elapsed`",
            show(union_whole),
            theirs_or("workclock", "n/a"),
            theirs_or("businesstimedelta", "n/a"),
            theirs_or("pandas", "n/a"),
        ),
        (
            f"index memory per year (chunk cache: {chunks} chunks, {covered:.1f} years)",
            f"{held / covered / 1024:,.1f} KiB",
            theirs_or("workclock", "not visible from Python"),
            theirs_or("businesstimedelta", no_index),
            theirs_or("pandas", no_index),
        ),
        (
            f"memory retained by the {span} build, per year "
            "(tracemalloc; includes the holiday years the `holidays` object expanded)",
            f"{retained / covered / 1024:,.1f} KiB",
            theirs_or("workclock", "not visible from Python"),
            theirs_or("businesstimedelta", no_index),
            theirs_or("pandas", no_index),
        ),
    ]
    lines = [
        "| case | " + " | ".join(BUILD_LIBRARIES) + " |",
        "| --- |" + " ---: |" * len(BUILD_LIBRARIES),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if "timegrid" in present:
        made = timegrid_desk()
        compiled = side_by_side(
            {"build": timegrid_desk, "compile": lambda: made.compile(*COMPILED)}, smoke=smoke
        )
        lines.append(
            f"\ntimegrid: its calendar with England's holidays 2020-2060 closed takes "
            f"{show(compiled['build'])}; compiling that calendar's timeline over 2020-2060 "
            f'(what the single calls\' "timegrid compiled" column queries) takes '
            f"{show(compiled['compile'])} more."
        )
    return "\n".join(lines)


# -- cold start: a new calendar and its first answer -------------------------

COLD_CASES = ("plain", "3 shifts", "union", "intersection", "24x7 minus maintenance")
COLD_QUERIES = {
    "`elapsed`, 1 day": ("elapsed", dt.timedelta(days=1)),
    "`elapsed`, 1 week": ("elapsed", dt.timedelta(days=7)),
    "`elapsed`, 1 year": ("elapsed", dt.timedelta(days=365)),
    "`add`, 8 h": ("add", dt.timedelta(hours=8)),
    "`add`, 40 h": ("add", dt.timedelta(hours=40)),
    "`add`, 2,000 h": ("add", dt.timedelta(hours=2000)),
}
COLD_LIBRARIES = ["slaclock", "workclock", "businesstimedelta", "timegrid"]
SHIFTS = (
    (dt.time(6), dt.time(13, 45)),
    (dt.time(14), dt.time(21, 45)),
    (dt.time(22), dt.time(5, 45)),
)
# The same shifts as slaclock reads them: written once, as a user's calendar file says them.
SHIFTS_TEXT = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in SHIFTS)
DESKS = ("Europe/London", "America/New_York", "Australia/Sydney")


def slaclock_cold(case: str, library: str = "") -> Any:
    """Return slaclock's calendar for a cold-start case, built from nothing.

    On the installed build, or on the one ``library`` names (see ``slaclock_desk``).
    """
    from slaclock import Calendar

    if library == "slaclock":
        Calendar = pure_engine().Calendar  # noqa: N806 - the same class, in pure Python
    if case == "plain":
        return slaclock_desk(library)
    if case == "3 shifts":
        return Calendar.weekly({"mon-fri": SHIFTS_TEXT}, tz="Europe/London")
    if case == "union":
        return Calendar.union(
            *(Calendar.weekly({"mon-fri": "09:00-17:00"}, tz=zone) for zone in DESKS)
        )
    if case == "intersection":
        site = Calendar.weekly({"mon-sat": "07:30-16:30"}, tz="Europe/London")
        return slaclock_desk(library) & site
    return Calendar.always("Europe/London") - Calendar.weekly(
        {"sun": "02:00-06:00"}, tz="Europe/London"
    )


def workclock_cold(case: str, years: range) -> Any:
    """Return workclock's schedule for a case; holidays listed for ``years`` only."""
    import workclock

    rules: list[Any]
    if case == "plain":
        rules = [
            workclock.WorkDay(dt.time(9), dt.time(17)),
            workclock.Holidays(england(years=years)),
        ]
    elif case == "3 shifts":
        rules = [workclock.WorkDay(a, b) for a, b in SHIFTS]
    elif case == "union":
        rules = [workclock.WorkDay(dt.time(9), dt.time(17), time_zone=zone) for zone in DESKS]
    elif case == "intersection":
        # workclock has no intersection: the user writes the overlap by hand.
        rules = [
            workclock.WorkDay(dt.time(9), dt.time(16, 30)),
            workclock.Holidays(england(years=years)),
        ]
    else:
        rules = [
            workclock.WorkDay(dt.time(0), dt.time(0), days=range(7)),
            workclock.Break(dt.time(2), dt.time(6), days=[6]),
        ]
    return workclock.Schedule(rules, time_zone="Europe/London")


def timegrid_cold(case: str, years: range) -> Any | None:
    """Return timegrid's calendar for a case, or None where it cannot say it without zones."""
    import timegrid

    days = [getattr(timegrid.DayOfWeek, name) for name in ("MONDAY", "TUESDAY", "WEDNESDAY")]
    days += [getattr(timegrid.DayOfWeek, name) for name in ("THURSDAY", "FRIDAY")]
    if case == "plain":
        return timegrid_desk(years)
    if case == "3 shifts":
        grid = timegrid.TimeGridCalendar.create()
        for day in days:
            for a, b in SHIFTS:
                grid = grid.add_open_rule(day, a, b)
        return grid
    if case == "intersection":
        site = timegrid.TimeGridCalendar.create()
        for day in [*days, timegrid.DayOfWeek.SATURDAY]:
            site = site.add_open_rule(day, dt.time(7, 30), dt.time(16, 30))
        return timegrid_desk(years).and_(site)
    return None  # three zones, or 24x7 across daylight saving: not without zones


def cold_call(library: str, case: str, query: str, amount: dt.timedelta) -> Prepared | None:
    """Return a call that builds the library's calendar from nothing and asks one question."""
    years = range(START.year, (START + amount + dt.timedelta(days=400)).year + 1)
    end = START + amount
    if library in ("slaclock", SLACLOCK_COMPILED):
        if query == "elapsed":
            return (lambda: slaclock_cold(case, library).elapsed(START, end)), (lambda r: r)
        return (lambda: slaclock_cold(case, library).add(START, amount)), (lambda r: r)
    if library == "workclock":
        if query == "elapsed":
            return (lambda: workclock_cold(case, years).between(START, end)), (lambda r: r)
        return (lambda: workclock_cold(case, years).add(START, amount)), (lambda r: r)
    if library == "timegrid":
        if timegrid_cold(case, years) is None:
            return None
        if query == "elapsed":
            return (
                lambda: timegrid_cold(case, years).get_working_duration(wall(START), wall(end))
            ), (lambda r: r)
        return (lambda: timegrid_cold(case, years).add_work_duration(wall(START), amount)), (
            lambda r: r.replace(tzinfo=LONDON)
        )
    if library == "businesstimedelta" and case == "plain":
        import businesstimedelta
        import pytz

        zone = pytz.timezone("Europe/London")
        a = zone.localize(START.replace(tzinfo=None))
        if query == "elapsed":
            b = zone.localize(end.replace(tzinfo=None))
            return (lambda: businesstimedelta_desk().difference(a, b)), (lambda r: r.timedelta)
        return (
            lambda: (
                a + businesstimedelta.BusinessTimeDelta(businesstimedelta_desk(), timedelta=amount)
            )
        ), (lambda r: r)
    return None


def cold_start(present: list[str], smoke: bool) -> tuple[Table, list[str]]:
    """Time building each case's calendar (with its holidays) plus its first answer."""
    table = Table("Cold start")
    libraries = [library for library in [*COLD_LIBRARIES, SLACLOCK_COMPILED] if library in present]
    for case in COLD_CASES:
        for name, (query, amount) in COLD_QUERIES.items():
            label = f"{case}: {name}"
            calls: dict[str, Callable[[], object]] = {}
            answers: dict[str, object] = {}
            for library in libraries:
                if library == "businesstimedelta" and amount > dt.timedelta(days=30):
                    continue  # seconds per call, and the plain single calls show it already
                prepared = cold_call(library, case, query, amount)
                if prepared is not None:
                    call, normalize = prepared
                    answers[library] = normalize(call())
                    calls[library] = call
            check(table, label, answers)
            medians: dict[str, float | None] = {library: None for library in present}
            medians.update(side_by_side(calls, smoke=smoke))
            table.rows.append((label, medians))
    verdicts = []
    for build in ("slaclock", SLACLOCK_COMPILED):
        if build not in libraries or len(libraries) == 1 or smoke:
            continue
        slower = [case for case, medians in table.rows if (ratio_of(medians, build) or 1) < 1]
        which = "" if build == "slaclock" else f" ({build})"
        verdicts.append(
            f"cold start{which} no slower than the fastest other library's build + first "
            "query, every case: " + ("met" if not slower else f"**not met** ({', '.join(slower)})")
        )
    return table, verdicts


def source_env(*folders: Path, src: Path = ROOT / "src") -> dict[str, str]:
    """Return this process's environment with ``src`` (and ``folders``) importable first.

    For the processes the benchmarks start: they run this checkout's slaclock
    (or the one in ``src``).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(src), *map(str, folders), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


# -- start-up: whole processes ------------------------------------------------


def startup(smoke: bool) -> tuple[str, list[str]]:
    """Time whole processes: the interpreter, ``import slaclock``, and three commands.

    As an installed package runs: bytecode written (``PYTHONDONTWRITEBYTECODE`` is
    dropped), each process run once before timing, which also fills the holiday
    cache (in a folder of its own); one more row runs ``due`` with the cache off.
    """
    import tempfile

    calendar = str(ROOT / "examples" / "data" / "calendars.toml") + ":support"
    command = [sys.executable, "-m", "slaclock"]
    processes = {
        "`python -c pass` (the interpreter alone)": [sys.executable, "-c", "pass"],
        "`import slaclock`": [sys.executable, "-c", "import slaclock"],
        "`import pydantic` (for scale)": [sys.executable, "-c", "import pydantic"],
        "`import holidays` (for scale)": [sys.executable, "-c", "import holidays"],
        "`slaclock due --target 10m`": [
            *command,
            "due",
            "--calendar",
            calendar,
            "--start",
            "2026-11-20T16:55+00:00",
            "--target",
            "10m",
        ],
        "`slaclock elapsed`, 1 week": [
            *command,
            "elapsed",
            "--calendar",
            calendar,
            "--from",
            "2026-11-20T16:55+00:00",
            "--to",
            "2026-11-27T16:55+00:00",
        ],
        "`slaclock open`": [
            *command,
            "open",
            "--calendar",
            calendar,
            "--at",
            "2026-11-20T16:55+00:00",
        ],
    }
    uncached = "`slaclock due --target 10m`, holiday cache off (`SLACLOCK_CACHE=off`)"
    processes[uncached] = processes["`slaclock due --target 10m`"]
    env = source_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs = 1 if smoke else 21
    taken: dict[str, list[float]] = {name: [] for name in processes}
    with tempfile.TemporaryDirectory() as cache:
        env["SLACLOCK_CACHE_DIR"] = cache
        envs = {name: env for name in processes}
        envs[uncached] = {**env, "SLACLOCK_CACHE": "off"}
        for name, argv in processes.items():  # bytecode and the holiday cache, as in use
            subprocess.run(argv, check=True, env=envs[name], stdout=subprocess.DEVNULL, cwd=ROOT)
        for _ in range(runs):
            # Interleaved, so a busy moment on the machine hits every process alike.
            for name, argv in processes.items():
                began = time.perf_counter_ns()
                subprocess.run(
                    argv, check=True, env=envs[name], stdout=subprocess.DEVNULL, cwd=ROOT
                )
                taken[name].append(time.perf_counter_ns() - began)
    medians = {name: statistics.median(values) for name, values in taken.items()}
    floor = medians["`python -c pass` (the interpreter alone)"]
    lines = ["| process | median | less the interpreter |", "| --- | ---: | ---: |"]
    for name, ns in medians.items():
        lines.append(f"| {name} | {show(ns)} | {show(max(ns - floor, 0))} |")
    verdicts = []
    if not smoke:
        imported = medians["`import slaclock`"]
        verdicts.append(
            f"`import slaclock` under 50 ms: {'met' if imported < 50e6 else '**not met**'}"
            f" ({show(imported)})"
        )
        worst = max(
            ns for name, ns in medians.items() if name.startswith("`slaclock ") and name != uncached
        )
        verdicts.append(
            f"`slaclock due`, `elapsed`, `open` under 150 ms: "
            f"{'met' if worst < 150e6 else '**not met**'} (slowest {show(worst)}; "
            f"`due` with the holiday cache off {show(medians[uncached])})"
        )
    return "\n".join(lines), verdicts


# -- many cores: evaluate --jobs -------------------------------------------------


def jobs_scaling(smoke: bool) -> tuple[str, list[str]]:
    """Time ``slaclock evaluate`` and ``report`` on 100,000 tickets with ``--jobs 1`` and ``2``.

    Whole processes, wall time, and the CPU time of the process and its workers
    (what the cores did, which other work on the machine skews less than the wall).
    """
    import resource
    import tempfile

    count = 600 if smoke else 100_000
    lines = (ROOT / "examples" / "data" / "october_2026_tickets.jsonl").read_text().splitlines()
    policy = str(ROOT / "examples" / "data" / "desk_policy.toml")
    env = source_env()
    commands = {
        "evaluate": ["--format", "json"],
        "report": ["--period", "2026-10", "--tz", "Europe/London", "--format", "json"],
    }
    texts, verdicts = [], []
    with tempfile.TemporaryDirectory() as folder:
        tickets = Path(folder) / "tickets.jsonl"
        with tickets.open("w") as handle:
            for number in range(count):
                data = json.loads(lines[number % len(lines)])
                data["id"] = f"{data['id']}-{number}"
                handle.write(json.dumps(data) + "\n")
        for command, options in commands.items():
            taken: dict[int, float] = {}
            cpu: dict[int, float] = {}
            outputs: dict[int, bytes] = {}
            for jobs in (1, 2):
                out = Path(folder) / f"{command}-{jobs}.json"
                argv = [sys.executable, "-m", "slaclock", command, "--policy", policy]
                argv += [str(tickets), "--now", "2026-11-01T00:00Z", *options]
                argv += ["--no-progress", "--jobs", str(jobs), "--output", str(out)]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                began = time.perf_counter_ns()
                subprocess.run(argv, check=True, env=env, cwd=ROOT)
                taken[jobs] = time.perf_counter_ns() - began
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[jobs] = (
                    after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                ) * 1e9
                outputs[jobs] = out.read_bytes()
            same = outputs[1] == outputs[2]
            speedup = taken[1] / taken[2]
            texts.append(
                f"- `slaclock {command} --format json`: `--jobs 1` {show(taken[1])} "
                f"({show(cpu[1])} CPU), `--jobs 2` {show(taken[2])} ({show(cpu[2])} CPU "
                f"in all processes): {speedup:.2f}x; output "
                f"{'identical' if same else '**different**'}.\n"
            )
            if not smoke:
                verdicts.append(
                    f"`{command} --jobs 2` at least 1.7x on 100,000 tickets with identical "
                    f"output: {'met' if speedup >= 1.7 and same else '**not met**'} "
                    f"({speedup:.2f}x)"
                )
    text = (
        f"{count:,} tickets (October's 300, repeated with new ids), whole processes, one "
        f"run each on {os.cpu_count()} cores:\n\n" + "".join(texts)
    )
    return text, verdicts


# -- the evaluator: tickets per second ---------------------------------------

#: Issue 14's starting point: 20-event tickets per second on one core, measured in session 2
#: with ``benchmarks/bench_policy.py`` (its 100,000 tickets then held in memory) on main
#: before the issue's evaluator work, ``BASELINE_COMMIT``.
BASELINE_TICKETS_PER_S = 1_672
BASELINE_COMMIT = "965ce61c0ee64d9b307062689015b079ecf293f0"
#: Tickets streamed for each row of the evaluator table, and how many runs each gets.
EVALUATOR_RUNS = {1_000: 7, 10_000: 5, 100_000: 3, 1_000_000: 1}
#: Events per ticket for the linearity rows, and the tickets each of their runs streams.
EVENT_SIZES = (10, 20, 40, 80)
EVENT_TICKETS = 2_000
#: Tickets per run, and rounds, of the side-by-side run against ``BASELINE_COMMIT``.
BASELINE_TICKETS, BASELINE_ROUNDS = 10_000, 3
#: How far per-ticket (and per-event) costs may drift and still count as constant.
DRIFT = 1.25

_STREAM = """
import json, sys
from bench_policy import measure_stream
counts, sizes, runs = json.loads(sys.argv[1])
print(json.dumps(measure_stream(counts, sizes, runs)))
"""


def measured_stream(
    counts: list[int], sizes: list[int], runs: int, src: Path = ROOT / "src"
) -> dict[str, Any]:
    """Return ``bench_policy.measure_stream``'s figures, measured in a new process.

    A process of its own, so that its peak memory is the stream's alone; it runs
    the slaclock in ``src`` (this checkout's unless told).
    """
    done = subprocess.run(
        [sys.executable, "-c", _STREAM, json.dumps([counts, sizes, runs])],
        check=True,
        capture_output=True,
        text=True,
        env=source_env(HERE, src=src),
        cwd=ROOT,
    )
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found


def baseline_sources(folder: Path) -> Path | None:
    """Return ``BASELINE_COMMIT``'s ``src`` unpacked into ``folder``, or None without its history.

    (A shallow clone, as CI makes, does not have it.)
    """
    try:
        packed = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", BASELINE_COMMIT, "src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=packed, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return folder / "src"


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def lasted(seconds: float) -> str:
    """Return a wall time of minutes in minutes, a shorter one in seconds."""
    return f"{seconds / 60:.1f} minutes" if seconds >= 60 else f"{seconds:.0f} s"


def cpu_median(found: dict[str, Any], key: str) -> float:
    """Return the median CPU nanoseconds of the runs of ``key`` ("COUNTxSIZE")."""
    return statistics.median(run[1] for run in found["runs"][key])


def side_by_side_baseline(smoke: bool) -> tuple[float, float] | None:
    """Return tickets per second (CPU) of ``BASELINE_COMMIT`` and of this checkout.

    Measured in turns, a new process each, so a busy moment hits both alike; None
    where the checkout lacks the commit.
    """
    import tempfile

    count = 100 if smoke else BASELINE_TICKETS
    with tempfile.TemporaryDirectory() as folder:
        old = baseline_sources(Path(folder))
        if old is None:
            return None
        runs: dict[Path, list[float]] = {old: [], ROOT / "src": []}
        for _ in range(1 if smoke else BASELINE_ROUNDS):
            for src, rates in runs.items():
                try:
                    found = measured_stream([count], [20], 1, src)
                except subprocess.CalledProcessError:
                    return None  # the old code no longer runs in this environment
                rates.append(count * 1e9 / cpu_median(found, f"{count}x20"))
    return statistics.median(runs[old]), statistics.median(runs[ROOT / "src"])


def evaluator(smoke: bool, longest: int = 1_000_000) -> tuple[str, list[str]]:
    """Time ``Policy.evaluate`` on streams of 20-event tickets, then on longer and shorter ones.

    Each stream size runs in a process of its own (its peak memory is the stream's);
    the events-per-ticket sizes share one process, their runs interleaved. Tickets
    are made as they are evaluated (``bench_policy.synthetic_tickets``), so no
    stream holds more than a thousand of them.
    """
    began = time.perf_counter()
    sizes = (
        {100: 1, 200: 1}
        if smoke
        else {count: runs for count, runs in EVALUATOR_RUNS.items() if count <= longest}
        or {longest: 1}
    )
    per_ticket: dict[int, float] = {}
    lines = [
        "| tickets | runs | tickets/s (CPU) | µs per ticket (CPU) | tickets/s (wall) "
        "| peak RSS after warm-up / at the end |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    found: dict[str, Any] = {}
    took = 0.0
    for count, runs in sizes.items():
        row_began = time.perf_counter()
        found = measured_stream([count], [20], runs)
        took = time.perf_counter() - row_began
        wall = statistics.median(run[0] for run in found["runs"][f"{count}x20"])
        cpu = cpu_median(found, f"{count}x20")
        per_ticket[count] = cpu / count
        lines.append(
            f"| {count:,} | {runs} | {count * 1e9 / cpu:,.0f} | {cpu / count / 1e3:,.1f} "
            f"| {count * 1e9 / wall:,.0f} | {mib(found['rss_warm'])} / {mib(found['rss_peak'])} |"
        )
    largest = max(sizes)
    # Within the largest stream (the last ``found``): the median cost per ticket of its
    # stretches of ``batch`` tickets, over its first 10,000 tickets, the next 90,000 and
    # the rest. Medians of many stretches: a busy moment on the machine moves them little.
    stretches, batch = found["stretches"][f"{largest}x20"], found["batch"]
    each = [min(batch, largest - batch * number) for number in range(len(stretches))]
    stretch_costs = {
        (low * batch + 1, sum(each[:high])): statistics.median(
            ns / n for ns, n in zip(stretches[low:high], each[low:high], strict=True)
        )
        for low, high in (
            (0, 10_000 // batch),
            (10_000 // batch, 100_000 // batch),
            (100_000 // batch, len(stretches)),
        )
        if low < len(stretches)
    }
    tickets = 50 if smoke else EVENT_TICKETS
    found = measured_stream([tickets], list(EVENT_SIZES), 1 if smoke else 3)
    cost: dict[int, float] = {}
    event_lines = [
        "| events per ticket | µs per ticket (CPU) | µs per event | µs per event added "
        "(from the row above) |",
        "| ---: | ---: | ---: | ---: |",
    ]
    previous: tuple[int, float] | None = None
    for size in EVENT_SIZES:
        cpu = cpu_median(found, f"{tickets}x{size}") / tickets
        cost[size] = cpu
        added = (
            "–" if previous is None else f"{(cpu - previous[1]) / (size - previous[0]) / 1e3:.1f}"
        )
        event_lines.append(f"| {size} | {cpu / 1e3:,.1f} | {cpu / size / 1e3:.2f} | {added} |")
        previous = size, cpu
    rate = 1e9 / per_ticket[min(100_000, largest)]
    # Linear: an event added to a long ticket costs what one added to a short ticket does.
    low, middle, high = EVENT_SIZES[0], EVENT_SIZES[-2], EVENT_SIZES[-1]
    growth = ((cost[high] - cost[middle]) / (high - middle)) / (
        (cost[middle] - cost[low]) / (middle - low)
    )
    again = side_by_side_baseline(smoke)
    drift = max(stretch_costs.values()) / min(stretch_costs.values())
    text = (
        "`Policy.evaluate(events, now)` on one core, each ticket judged at its last event "
        "under `benchmarks/bench_policy.py`'s policy (a London desk with England's holidays; "
        "P3: first response 4 h, next update 8 h, resolution `3d`). A ticket is logged at a "
        "random minute of 2026, then gets agent and customer replies and status changes "
        "(half of them to `pending-customer`, which pauses) 5 minutes to 10 hours apart, "
        "and is resolved an hour after the last. Tickets are made one at a time from a "
        "fixed seed, a thousand ahead of the evaluator, and only the evaluation is timed; "
        "each report is dropped once made, as a stream drops it once written. Medians of "
        "the runs; CPU time of the one process (other work on the machine moves it less "
        "than wall time). Each row runs in a new process after 50 warm-up tickets; its "
        "peak resident memory (`VmHWM`, else `ru_maxrss`) is shown after the warm-up "
        "and at the end.\n\n"
        + "\n".join(lines)
        + f"\n\nWithin the {largest:,}-ticket stream ({lasted(took)} of this run), "
        f"the median CPU time per ticket of its stretches of {batch:,} tickets: "
        + ", ".join(
            f"tickets {first:,}-{last:,} {ns / 1e3:,.1f} µs"
            for (first, last), ns in stretch_costs.items()
        )
        + f" ({drift:.2f}x from the cheapest to the dearest).\n\n"
        f"Events per ticket: {tickets:,} tickets of each length, "
        f"{'one run' if smoke else 'three runs'}, interleaved in one process. The cost "
        "of a ticket is a fixed part (its report) plus a part per event; linear means the "
        "cost of an added event stays flat as tickets grow.\n\n" + "\n".join(event_lines) + "\n\n"
        f"Issue 14's baseline: {BASELINE_TICKETS_PER_S:,} tickets a second, measured on this "
        f"workload in the issue's second session with `benchmarks/bench_policy.py` (which "
        f"then held its 100,000 tickets in memory) on main before the issue's evaluator "
        f"work, commit {BASELINE_COMMIT[:7]}; the issue's table says 1,000-2,500 a second "
        f"for such tickets. Today, at {min(100_000, largest):,} tickets: {rate:,.0f} a "
        f"second, {rate / BASELINE_TICKETS_PER_S:.1f}x. "
        + (
            f"{BASELINE_COMMIT[:7]} measured again in this run, side by side ("
            f"{'one run' if smoke else f'{BASELINE_ROUNDS} runs'} of "
            f"{100 if smoke else BASELINE_TICKETS:,} tickets each, a new process each, "
            f"alternating): {again[0]:,.0f} tickets a second against {again[1]:,.0f} today, "
            f"{again[1] / again[0]:.1f}x."
            if again
            else f"(Commit {BASELINE_COMMIT[:7]} is not measured again side by side: this "
            "checkout lacks it, or its code does not run in this environment.)"
        )
        + f"\n\nThis section took {lasted(time.perf_counter() - began)}.\n"
    )
    verdicts = []
    if not smoke:
        verdicts += [
            f"evaluator at least 10x issue 14's {BASELINE_TICKETS_PER_S:,} tickets/s "
            "(20-event tickets, one core): "
            f"{'met' if rate >= 10 * BASELINE_TICKETS_PER_S else '**not met**'} "
            f"({rate:,.0f} tickets/s at {min(100_000, largest):,} tickets, "
            f"{rate / BASELINE_TICKETS_PER_S:.1f}x"
            + (
                f"; {again[1] / again[0]:.1f}x {BASELINE_COMMIT[:7]} measured side by side)"
                if again
                else ")"
            ),
            "evaluator linear in events per ticket (the cost of an event added from "
            f"{middle} to {high} events within {DRIFT}x of one added from {low} to {middle}): "
            f"{'met' if growth <= DRIFT else '**not met**'} ({growth:.2f}x)",
        ]
        if len(stretch_costs) > 1:
            verdicts.append(
                f"evaluator cost per ticket constant from 1,000 to {largest:,} tickets (within "
                f"the {largest:,}-ticket stream, its stretches' median costs within {DRIFT}x): "
                f"{'met' if drift <= DRIFT else '**not met**'} ({drift:.2f}x)"
            )
    return text, verdicts


#: Issue 14's figure for ``due_from`` in a loop over 100,000 rows, before it remembered answers.
ISSUE_LOOP_NS = 31.7e9


def business_days(smoke: bool) -> tuple[str, list[str], list[str]]:
    """Time ``BusinessDays(3).due_many`` on 100,000 instants against a loop of ``due_from``.

    Returns the text, the verdicts and any disagreement between the two.
    """
    from slaclock import BusinessDays

    size = 1_000 if smoke else 100_000
    data = batch_data(size)
    cal = slaclock_desk()
    three = BusinessDays(3)
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    listed = [epoch + dt.timedelta(microseconds=int(v)) for v in data.starts.view("int64")]
    batch = three.due_many(cal, data.starts)
    looped = [three.due_from(cal, t) for t in listed]
    warnings = []
    for position, (ours, theirs) in enumerate(zip(batch.tolist(), looped, strict=True)):
        if ours.replace(tzinfo=UTC) != theirs:
            warnings.append(f"due_many[{position}] is {ours}, due_from says {theirs}")
            break
    medians = side_by_side(
        {
            "batch": lambda: three.due_many(cal, data.starts),
            "loop": lambda: [three.due_from(cal, t) for t in listed],
        },
        smoke=smoke,
    )
    ratio = medians["loop"] / medians["batch"]
    text = (
        f"`BusinessDays(3)` (a `3d` target) on the London desk, the due instant for {size:,} "
        "instants logged during 2026 (the batches' starts): `due_many` on a NumPy "
        "`datetime64[us]` column against a Python loop of `due_from` over aware datetimes "
        "(which remembers its answer per local day, so after the warm-up every call is a "
        "look-up; issue 14 measured 31.7 s for 100,000 rows before there was either). "
        "Answers compared element by element: "
        + ("the same." if not warnings else f"**different** ({warnings[0]}).")
        + "\n\n| case | median |\n| --- | ---: |\n"
        f"| `due_many`, NumPy | {show(medians['batch'])} |\n"
        f"| loop of `due_from` | {show(medians['loop'])} |\n"
        f"| ratio (loop / `due_many`) | {times(ratio)} |\n"
        + (
            ""
            if smoke
            else f"\nAgainst the issue's 31.7 s (a loop with nothing remembered), `due_many` "
            f"is {times(ISSUE_LOOP_NS / medians['batch'])} faster.\n"
        )
    )
    verdicts = []
    if not smoke:
        verdicts.append(
            f"`BusinessDays.due_many` at least 100x a Python loop on {size:,} rows: "
            f"{'met' if ratio >= 100 and not warnings else '**not met**'} ({times(ratio)})"
        )
    return text, verdicts, warnings


def versions(names: list[str] = VERSIONS) -> list[str]:
    """Return "name version" for each of ``names`` (default: every package the page names)."""
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return found


def load_average() -> str:
    """Return the 1-minute load average (other work on the machine skews every number)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


INTRO = """\
# Benchmarks

slaclock against the other Python business-time libraries, every case measured
side by side in one run (issues 6 and 14). Regenerate this page with one command
from a checkout:

```bash
python benchmarks/compare.py --out docs/benchmarks.md
```

It creates `.bench-venv/` in the repository, installs slaclock
(`-e .[fast,dataframes]`) with workclock 0.1.2, businesstimedelta 1.0.1, timegrid
0.1.6, pandas and pytz into it, re-runs itself there and writes this page
(`--here` measures in the current environment instead). Benchmarks are not
tests: CI times nothing. It only runs `python benchmarks/compare.py --smoke`
(one call per case, small batches, no installs) so the script never rots.
`python benchmarks/compare.py --compiled --out docs/benchmarks.md` does the same in
`.bench-venv-compiled/` with slaclock's optional compiled engine
(`SLACLOCK_COMPILE=1`) and writes one section, "Single calls: the compiled build",
which a full run keeps. The policy evaluator's section streams up to 1,000,000
tickets, which alone takes minutes (`--evaluator-tickets 100000` leaves the
million out).

**Workload.** Mon-Fri 09:00-17:00 in Europe/London with England's bank holidays
from the `holidays` package, configured the same way in every library
(businesstimedelta through pytz, pandas on naive London wall times, workclock
with holiday years 2020-2060 listed up front, timegrid on naive London wall
times with those holidays closed, since it has no time zones). Single calls
start on Friday 2026-11-20 at 16:55: `elapsed` to 1 day, 1 week, 1 month,
1 year, 10 and 30 years later, `add` of 10 minutes, 40 hours and 2,000 hours.
"timegrid compiled" is timegrid's compiled timeline (2020-2060), which answers
`elapsed` only; its compile time is reported under "Building". Every library's
answer is checked against slaclock's; a disagreement would be printed under its
table.

**Numbers.** Medians over runs of the mean time per call, after a warm-up call
(which builds any index), with the garbage collector paused while timing; slow
cases get fewer runs (never fewer than three). Ratios are the fastest other
library's time over slaclock's: above 1 means slaclock is faster. "n/a" means
the library cannot do the case (pandas `CustomBusinessHour` adds whole hours
only and has no business-time difference). The machine is shared: the load
average below says how busy it was, and only the ratios measured side by side
mean much.
"""


def report(*, smoke: bool, evaluator_tickets: int = 1_000_000) -> tuple[str, int]:
    """Measure everything; return the Markdown document and the number of disagreements.

    Where the compiled build is installed (``--compiled``), the document is its one
    section instead: see ``compiled_section``.
    """
    if compiled_installed():
        return compiled_section(smoke=smoke)
    present = [lib for lib in LIBRARIES if importable(MODULES.get(lib, lib))]
    if "businesstimedelta" in present and not importable("pytz"):
        present.remove("businesstimedelta")
    sections = [INTRO]
    if smoke:
        sections.append(
            "> **Smoke run**: one call per case, tiny batches. The numbers mean nothing.\n"
        )
    sections.append(
        "## Machine and versions\n\n"
        f"- {platform.platform()}, {cpu_model()}, {os.cpu_count()} cores\n"
        f"- {platform.python_implementation()} {platform.python_version()}\n"
        f"- {', '.join(versions())}\n"
        f"- measured {dt.date.today().isoformat()}; load average when the run began: "
        f"{load_average()}\n"
    )
    single, single_verdicts = single_calls(present, smoke)
    sections.append(
        "## Single calls\n\nMedian time per call.\n\n" + comparison_table(single, present) + "\n"
    )
    if importable("numpy"):
        batch, batch_verdicts = batches(present, smoke)
    else:
        batch, batch_verdicts = Table("Batches (skipped: NumPy is not installed)"), []
    sections.append(
        f"## {batch.title}\n\n"
        "Median time for the whole batch. Tickets logged at random instants of 2026 (UTC) "
        "and closed within 14 days; `add_many` adds random amounts up to 40 hours. "
        "NumPy `datetime64` values are read as UTC by both libraries; the other rows "
        "are slaclock alone (workclock takes NumPy arrays and lists only). After a "
        "warm-up call; the fresh-calendar row builds a new calendar for every call.\n\n"
        + comparison_table(batch, present)
        + "\n"
    )
    cold, cold_verdicts = cold_start(present, smoke)
    sections.append(
        "## Cold start: a new calendar and its first answer\n\n"
        "What a script, a serverless call or the command line pays: each call builds the "
        "calendar from nothing, its `holidays` object included, and asks one question from "
        "Friday 2026-11-20 16:55 London. *plain* is the London desk with England's holidays; "
        "*3 shifts* is Mon-Fri 06:00-13:45, 14:00-21:45 and 22:00-05:45 (overnight); "
        "*union* is London, New York and Sydney desks, Mon-Fri 09:00-17:00 each in its own "
        "zone; *intersection* is the London desk & site access Mon-Sat 07:30-16:30; "
        "*24x7 minus maintenance* is always open in London less Sundays 02:00-06:00. "
        "workclock and timegrid get England's holidays for the years the question reaches "
        "only (they take dates up front); workclock has no intersection, so its user writes "
        "the overlap (Mon-Fri 09:00-16:30) by hand; timegrid has no time zones, so it is "
        "left out where the answer depends on them (n/a). businesstimedelta is timed on the "
        "plain spans up to a week.\n\n" + comparison_table(cold, present, COLD_LIBRARIES) + "\n"
    )
    started, startup_verdicts = startup(smoke)
    sections.append(
        "## Start-up: whole processes\n\n"
        "Median wall time of each process, run in turn (interleaved) "
        f"{'once' if smoke else '21 times'}, after one untimed run of each (so "
        "bytecode is compiled and the holiday cache filled, as on a machine in use). "
        "The commands read `examples/data/calendars.toml:support` (London desk, "
        "England's holidays); the last row runs `due` with the holiday cache off, what "
        "the first run of a new calendar or `holidays` version costs.\n\n" + started + "\n"
    )
    jobs_text, jobs_verdicts = jobs_scaling(smoke)
    sections.append("## Many cores: `evaluate` and `report --jobs`\n\n" + jobs_text)
    evaluated, evaluator_verdicts = evaluator(smoke, evaluator_tickets)
    sections.append("## The policy evaluator: tickets per second\n\n" + evaluated)
    if importable("numpy"):
        due_text, due_verdicts, due_warnings = business_days(smoke)
    else:
        due_text, due_verdicts, due_warnings = "Skipped: NumPy is not installed.\n", [], []
    sections.append("## Business-day targets in a batch: `due_many`\n\n" + due_text)
    composed_table, composed_verdicts = composed(smoke)
    sections.append(
        "## Composed calendars and the clock\n\n"
        "The single-call cases on `support & site` (the London desk intersected with "
        "site access Mon-Sat 07:30-16:30) and on a three-way union of London, New York "
        "and Sydney desks, each Mon-Fri 09:00-17:00 with its own holidays; then the "
        "SLA clock (paused once) against the plain calendar call it reduces to. "
        "In brackets: time over the plain calendar's.\n\n" + composed_table + "\n"
    )
    sections.append(
        "## Building the calendar and its index\n\n"
        "Medians over repeated fresh builds, each from constructing the `holidays` object "
        "to the answer of the first query. The index is a cache of chunks of 2\\*\\*45 µs "
        "(about 407 days), built lazily in both directions as queries reach them, at "
        "most 512 per calendar (the oldest built is dropped first).\n\n"
        + building(present, smoke)
        + "\n"
    )
    verdicts = (
        single_verdicts
        + batch_verdicts
        + composed_verdicts
        + cold_verdicts
        + startup_verdicts
        + jobs_verdicts
        + evaluator_verdicts
        + due_verdicts
    )
    if verdicts:
        sections.append(
            "## Targets (issues 6 and 14)\n\n" + "\n".join(f"- {v}" for v in verdicts) + "\n"
        )
    disagreements = single.warnings + batch.warnings + cold.warnings + due_warnings
    sections.append(
        "## Agreement\n\n"
        + (
            "\n".join(f"- ⚠ {w}" for w in disagreements)
            if disagreements
            else "Every library gave slaclock's answer in every case it can do; the "
            "batch answers equal the single calls' (checked on 200 elements) and "
            "workclock's batch answers."
        )
        + "\n"
    )
    return "\n".join(sections), len(disagreements)


if __name__ == "__main__":
    sys.exit(main())
