"""The command line: ``slaclock`` (also ``python -m slaclock``).

::

    slaclock due      --calendar calendars.toml:support --start 2026-11-20T16:55+00:00 --target 10m
    slaclock elapsed  --calendar calendars.toml:support --from INSTANT --to INSTANT
    slaclock open     --calendar calendars.toml:support [--at INSTANT]
    slaclock evaluate --policy gold.toml tickets.jsonl [--now INSTANT] [--format table|json|csv]
    slaclock report   --policy gold.toml tickets.jsonl --period 2026-10 [--by tier,metric]
    slaclock uptime   --calendar cals.toml:always --outages outages.csv --period 2026-10
    slaclock demo

Output is plain text by default and JSON with ``--format json`` (stable field
names, ISO 8601 instants and durations). The exit status is 0 on success and 2
on bad input, with one line on stderr naming the file, line and field; a user
error never prints a traceback. ``--output FILE`` is written atomically, so an
error leaves no partial file. ``docs/cli.md`` describes every command.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import difflib
import functools
import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from slaclock.cli._files import write_atomically
from slaclock.cli._terminal import Skipper, one_line, ticket_lines
from slaclock.config import NAME_RE, calendars_from_mapping, read_document
from slaclock.engine.calendar import Calendar
from slaclock.errors import (
    InputError,
    NoBusinessTimeError,
    NoClosingTimeError,
    SlaclockError,
)
from slaclock.reports._render import csv_text, human_duration, iso_duration, json_text, seconds
from slaclock.sla.targets import BusinessDays, parse_target

if TYPE_CHECKING:
    # Imported where used, so that due, elapsed and open load no more than they need.
    from slaclock.reports.periods import ReportingPeriod
    from slaclock.sla.policy import Policy
    from slaclock.sla.results import Report
    from slaclock.sla.tickets import Ticket

__all__ = ["UsageError", "build_parser", "main", "write_atomically"]


class UsageError(Exception):
    """A command line argparse refused; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, raised instead of printed."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


# -- values from the command line ------------------------------------------------


def _instant(text: str, option: str) -> dt.datetime:
    """Return the instant an option gives: ISO 8601 with a UTC offset, or ``now``."""
    value = text.strip()
    if value.lower() == "now":
        return dt.datetime.now(dt.timezone.utc)
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option}: {text!r} is not an ISO 8601 instant such as 2026-11-20T16:55+00:00"
        ) from None
    if instant.utcoffset() is None:
        raise InputError(
            f"{option}: {text!r} has no UTC offset; write it as "
            f"'{instant.isoformat()}+00:00' or with its zone's offset"
        )
    return instant


def _load_calendars(path: str) -> dict[str, Calendar]:
    """Return the calendars of a calendar file, or of a policy file (one with ``tiers``)."""
    data = read_document(path)
    if "tiers" in data:
        from slaclock.sla.policy import Policy

        policy = Policy.from_dict(data, source=path, base=Path(path).parent)
        return dict(policy.calendars)
    calendars = calendars_from_mapping(data, path)
    calendars.setdefault("always", Calendar.always("UTC"))
    return calendars


def _pick(calendars: dict[str, Calendar], name: str, path: str, option: str) -> Calendar:
    if name in calendars:
        return calendars[name]
    close = difflib.get_close_matches(name, list(calendars), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(
        f"{option}: {path}: no calendar named {name!r}{hint} (defined: {', '.join(calendars)})"
    )


def _split_spec(spec: str) -> tuple[str, str | None]:
    """Return ``(file, name)`` from ``FILE:NAME``, or ``(file, None)`` from ``FILE``."""
    path, colon, name = spec.rpartition(":")
    if colon and path and NAME_RE.fullmatch(name):
        return path, name
    return spec, None


def _calendar(spec: str, option: str = "--calendar") -> tuple[Calendar, str, str]:
    """Return the calendar ``FILE:NAME`` names, its name, and the file it came from."""
    path, name = _split_spec(spec)
    calendars = _load_calendars(path)
    if name is None:
        defined = [key for key in calendars if key != "always"] or ["always"]
        if len(defined) != 1:
            raise InputError(
                f"{option}: {path} defines {len(defined)} calendars ({', '.join(defined)}); "
                f"name one as {path}:NAME"
            )
        name = defined[0]
    return _pick(calendars, name, path, option), name, path


def _names(values: Sequence[str] | None) -> list[str]:
    """Return the names of repeatable, comma-separated options, in order, once each."""
    names: list[str] = []
    for value in values or ():
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return list(dict.fromkeys(names))


def _format(args: argparse.Namespace, choices: Sequence[str]) -> str:
    """Return ``--format``, or the one ``--output``'s extension implies, or the first choice."""
    if args.format:
        return str(args.format)
    output = getattr(args, "output", None)
    if output:
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix in choices:
            return suffix
    return choices[0]


# -- output ----------------------------------------------------------------------


def _emit(text: str, args: argparse.Namespace, out: TextIO) -> None:
    output = getattr(args, "output", None)
    if output:
        write_atomically(output, text)
    else:
        out.write(text)


def _tickets(
    args: argparse.Namespace, lines: Iterator[bytes], skipper: Skipper
) -> Iterator[Ticket]:
    from slaclock.sla.tickets import iter_tickets

    source = "<stdin>" if args.tickets == "-" else args.tickets
    return iter_tickets(lines, source, skipper if args.skip_bad else None)


# -- commands --------------------------------------------------------------------


def _cmd_due(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar, name, _ = _calendar(args.calendar)
    start = _instant(args.start, "--start")
    target = parse_target(args.target, "--target")
    try:
        if isinstance(target, BusinessDays):
            due = target.due_from(calendar, start)
        else:
            due = calendar.add(start, target.amount)
    except NoBusinessTimeError as exc:
        raise InputError(f"--calendar: {name}: {exc}") from None
    allowed = calendar.elapsed(start, due)
    if _format(args, ("text", "json")) == "json":
        _emit(
            json_text(
                {
                    "calendar": name,
                    "start": start.isoformat(),
                    "target": str(target),
                    "business_time": iso_duration(allowed),
                    "due": due.isoformat(),
                }
            ),
            args,
            out,
        )
    else:
        _emit(due.isoformat() + "\n", args, out)
    return 0


def _cmd_elapsed(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar, name, _ = _calendar(args.calendar)
    start = _instant(args.start, "--from")
    end = _instant(args.end, "--to")
    elapsed = calendar.elapsed(start, end)
    if _format(args, ("text", "json")) == "json":
        data = {
            "calendar": name,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "elapsed": iso_duration(elapsed),
            "elapsed_seconds": seconds(elapsed),
        }
        _emit(json_text(data), args, out)
    else:
        _emit(iso_duration(elapsed) + "\n", args, out)
    return 0


def _cmd_open(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar, name, _ = _calendar(args.calendar)
    at = _instant(args.at, "--at")
    is_open = calendar.is_open(at)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    with contextlib.suppress(NoBusinessTimeError, NoClosingTimeError):
        if is_open:
            closes_at = calendar.next_close(at)
            opens_at = calendar.next_open(closes_at)
        else:
            opens_at = calendar.next_open(at)
            closes_at = calendar.next_close(opens_at)
    if _format(args, ("text", "json")) == "json":
        data = {
            "calendar": name,
            "at": at.astimezone(calendar.tz).isoformat(),
            "open": is_open,
            "opens_at": None if opens_at is None else opens_at.isoformat(),
            "closes_at": None if closes_at is None else closes_at.isoformat(),
        }
        _emit(json_text(data), args, out)
        return 0
    if is_open:
        if closes_at is None:
            text = "open: never closes"
        elif opens_at is None:
            text = f"open: closes {closes_at.isoformat()}, never opens again"
        else:
            text = f"open: closes {closes_at.isoformat()}, opens again {opens_at.isoformat()}"
    elif opens_at is None:
        text = "closed: never opens"
    elif closes_at is None:
        text = f"closed: opens {opens_at.isoformat()}, never closes again"
    else:
        text = f"closed: opens {opens_at.isoformat()}, closes again {closes_at.isoformat()}"
    _emit(text + "\n", args, out)
    return 0


def _policy(path: str) -> Policy:
    from slaclock.sla.policy import Policy

    return Policy.load(path)


_EVALUATE_COLUMNS = (
    "ticket",
    "customer",
    "priority",
    "metric",
    "status",
    "target",
    "target_text",
    "calendar",
    "started_at",
    "stopped_at",
    "due",
    "breached_at",
    "elapsed",
    "remaining",
    "used",
)


def _evaluated(form: str, explain: bool, ticket: Ticket, report: Report) -> Any:
    """Return what ``evaluate`` prints for one ticket in ``form``, as plain data.

    A JSON item's text for ``json``, CSV rows for ``csv``, and for ``table`` the table's
    rows with the ``--explain`` text. Module-level, so ``--jobs`` runs it in the
    worker processes and ships back only this.
    """
    if form == "json":
        metrics = {}
        for metric, figures in report.items():
            data = figures.to_dict()
            if not explain:
                del data["intervals"]
            metrics[metric] = data
        item = {
            "id": ticket.id,
            "customer": ticket.customer,
            "priority": report.priority,
            "metrics": metrics,
        }
        # Encoded here (on all cores with --jobs), indented as an element of "tickets".
        return textwrap.indent(json_text(item).rstrip("\n"), "    ")
    if form == "csv":
        rows = []
        for figures in report.values():
            data = figures.to_dict()
            data.update(ticket=ticket.id, customer=ticket.customer, priority=report.priority)
            rows.append(["" if data[name] is None else data[name] for name in _EVALUATE_COLUMNS])
        return rows
    body = [
        [
            ticket.id,
            ticket.customer or "-",
            report.priority,
            figures.metric,
            figures.status.value,
            human_duration(figures.elapsed),
            figures.target_text,
            "-" if figures.due is None else figures.due.isoformat(),
            "-" if figures.breached_at is None else figures.breached_at.isoformat(),
        ]
        for figures in report.values()
    ]
    return body, f"\n{ticket.id}:\n{report.explain()}\n" if explain else ""


def _cmd_evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.sla.tickets import evaluate_tickets

    policy = _policy(args.policy)
    now = _instant(args.now, "--now")
    form = _format(args, ("table", "json", "csv"))
    render = functools.partial(_evaluated, form, bool(args.explain))
    results: list[Any] = []
    if _jobs(args) > 1:
        from slaclock.cli._jobs import parallel_reports

        skipper = Skipper(err)
        results = list(
            parallel_reports(
                args.tickets,
                _jobs(args),
                policy_path=args.policy,
                now=now,
                on_bad=skipper if args.skip_bad else None,
                render=render,
            )
        )
    else:
        with ticket_lines(args.tickets, err, args.no_progress) as (lines, progress):
            skipper = Skipper(err, progress)
            tickets = _tickets(args, lines, skipper)
            for ticket, report in evaluate_tickets(
                policy, tickets, now, skipper if args.skip_bad else None
            ):
                results.append(render(ticket, report))
    skipper.summary(args.tickets)
    if form == "json":
        document = {
            "policy": policy.name,
            "now": now.isoformat(),
            "skipped": skipper.count,
            "tickets": [],
        }
        text = json_text(document)
        if results:
            # json_text's own layout, with the items encoded one by one above.
            items = ",\n".join(results)
            text = text.replace('  "tickets": []\n}', f'  "tickets": [\n{items}\n  ]\n}}')
        _emit(text, args, out)
        return 0
    if form == "csv":
        rows = [row for ticket_rows in results for row in ticket_rows]
        _emit(csv_text(_EVALUATE_COLUMNS, rows), args, out)
        return 0
    from slaclock.reports._render import text_table

    body = [row for ticket_rows, _ in results for row in ticket_rows]
    text = f"policy {policy.name}, as at {now.isoformat()}: {len(results)} tickets\n\n"
    text += text_table(
        ["ticket", "customer", "tier", "metric", "status", "used", "target", "due", "breached at"],
        body,
        {5, 6},
    )
    text += "".join(explained for _, explained in results)
    _emit(text, args, out)
    return 0


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.reports.compliance import ComplianceReport

    policy = _policy(args.policy)
    now = _instant(args.now, "--now")
    period = _period(args)
    by = _names(args.by) or ["tier", "metric"]
    form = _format(args, ("table", "json", "csv", "html"))
    with contextlib.ExitStack() as stack:
        try:
            if _jobs(args) > 1:
                from slaclock.cli._jobs import parallel_reports
                from slaclock.reports._outcomes import outcomes

                skipper = Skipper(err)
                judged = parallel_reports(
                    args.tickets,
                    _jobs(args),
                    policy_path=args.policy,
                    now=now,
                    period=(args.period, args.tz),
                    on_bad=skipper if args.skip_bad else None,
                    render=outcomes,
                )
                report = ComplianceReport.from_outcomes(
                    policy, judged, period, now, by=by, worst=args.worst, goal=args.goal
                )
            else:
                lines, progress = stack.enter_context(
                    ticket_lines(args.tickets, err, args.no_progress)
                )
                skipper = Skipper(err, progress)
                tickets = _tickets(args, lines, skipper)
                report = ComplianceReport.build(
                    policy,
                    tickets,
                    period,
                    now,
                    by=by,
                    worst=args.worst,
                    goal=args.goal,
                    on_bad=skipper if args.skip_bad else None,
                )
        except InputError as exc:
            message = str(exc)
            if message.startswith(("by:", "goal:", "worst:")):
                raise InputError(f"--{message}") from None
            raise
    skipper.summary(args.tickets)
    report = dataclasses.replace(report, skipped=skipper.count)
    render: dict[str, Callable[[], str]] = {
        "table": report.to_text,
        "json": report.to_json,
        "csv": report.to_csv,
        "html": report.to_html,
    }
    _emit(render[form](), args, out)
    return 0


def _jobs(args: argparse.Namespace) -> int:
    """Return how many processes evaluate the tickets (``--jobs``; one for standard input)."""
    jobs = int(args.jobs)
    if jobs < 1:
        raise InputError(f"--jobs: {jobs} is not a number of processes (1 or more)")
    return 1 if args.tickets == "-" else jobs


def _period(args: argparse.Namespace) -> ReportingPeriod:
    from slaclock.reports.periods import parse_period

    try:
        return parse_period(args.period, args.tz)
    except InputError as exc:
        raise InputError(f"--period: {exc}") from None
    except SlaclockError as exc:
        raise InputError(f"--tz: {exc}") from None


def _cmd_uptime(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.reports.uptime import availability, read_outages

    calendar, name, path = _calendar(args.calendar)
    period = _period(args)
    excluded: list[Calendar] = []
    excluded_names = _names(args.exclude)
    calendars = _load_calendars(path) if excluded_names else {}
    for spec in excluded_names:
        if NAME_RE.fullmatch(spec):  # a bare name: a calendar of the --calendar file
            excluded.append(_pick(calendars, spec, path, "--exclude"))
        else:
            excluded.append(_calendar(spec, "--exclude")[0])
    services = _names(args.services) or None
    form = _format(args, ("table", "json", "csv"))
    skipper = Skipper(err)
    outages = read_outages(args.outages, skipper if args.skip_bad else None)
    skipper.summary(args.outages)
    report = availability(
        outages,
        period,
        calendar,
        exclude=excluded,
        services=services,
        calendar_name=name,
        excluded_names=excluded_names,
    )
    report = dataclasses.replace(report, skipped=skipper.count)
    render: dict[str, Callable[[], str]] = {
        "table": report.to_text,
        "json": report.to_json,
        "csv": report.to_csv,
    }
    _emit(render[form](), args, out)
    return 0


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.cli._demo import run as run_demo

    return run_demo(out)


# -- the parser ------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the ``slaclock`` argument parser with every subcommand."""
    from slaclock._version import __version__

    parser = _Parser(
        prog="slaclock",
        description="Business time, SLA clocks and SLA reports for service desks.",
        epilog="Exit status: 0 on success, 2 on bad input. See docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"slaclock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".")
        sub.set_defaults(handler=handler)
        return sub

    calendar_help = (
        "FILE:NAME: a calendar in a calendar or policy file (NAME may be left out if the "
        "file has only one)"
    )
    instant_help = "an ISO 8601 instant with a UTC offset, or 'now'"
    text_formats = ("text", "json")

    due = add("due", "when a target of business time falls due", _cmd_due)
    due.add_argument("--calendar", required=True, help=calendar_help)
    due.add_argument("--start", required=True, help=f"when the clock starts: {instant_help}")
    due.add_argument(
        "--target", required=True, help="business time (15m, 4h, 1h30m, PT4H) or days (3d)"
    )
    due.add_argument("--format", choices=text_formats, help="output format (default: text)")

    elapsed = add("elapsed", "business time between two instants", _cmd_elapsed)
    elapsed.add_argument("--calendar", required=True, help=calendar_help)
    elapsed.add_argument("--from", dest="start", required=True, help=instant_help)
    elapsed.add_argument("--to", dest="end", required=True, help=instant_help)
    elapsed.add_argument("--format", choices=text_formats, help="output format (default: text)")

    is_open = add(
        "open", "whether a calendar is open, and when it next opens and closes", _cmd_open
    )
    is_open.add_argument("--calendar", required=True, help=calendar_help)
    is_open.add_argument("--at", default="now", help=f"{instant_help} (default: now)")
    is_open.add_argument("--format", choices=text_formats, help="output format (default: text)")

    def ticket_options(sub: argparse.ArgumentParser, formats: Sequence[str]) -> None:
        sub.add_argument("--policy", required=True, help="the policy file (TOML, JSON or YAML)")
        sub.add_argument("tickets", help="the tickets, JSON Lines ('-' for standard input)")
        sub.add_argument("--now", default="now", help=f"judge as things stood then: {instant_help}")
        sub.add_argument(
            "--format",
            choices=formats,
            help=f"output format (default: {formats[0]}, or the one --output's extension names)",
        )
        sub.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically)")
        sub.add_argument(
            "--skip-bad", action="store_true", help="skip bad lines and tickets, counting them"
        )
        sub.add_argument("--no-progress", action="store_true", help="never show a progress bar")
        sub.add_argument(
            "--jobs",
            "-j",
            type=int,
            default=1,
            metavar="N",
            help="evaluate on N processes, same output (default 1; a file, not stdin)",
        )

    evaluate = add("evaluate", "where every ticket's SLA metrics stand", _cmd_evaluate)
    ticket_options(evaluate, ("table", "json", "csv"))
    evaluate.add_argument(
        "--explain", action="store_true", help="add each metric's counted, paused and closed time"
    )

    report = add("report", "a compliance report for a period", _cmd_report)
    ticket_options(report, ("table", "json", "csv", "html"))
    report.add_argument("--period", required=True, help="2026-10, 2026-Q4, 2026, or days A..B")
    report.add_argument("--tz", default="UTC", help="the zone the period's days are in (UTC)")
    report.add_argument(
        "--by", action="append", help="group by tier, metric, customer (default: tier,metric)"
    )
    report.add_argument(
        "--worst", type=int, default=10, help="how many worst breaches to list (10)"
    )
    report.add_argument("--goal", type=float, help="a compliance goal in percent, such as 95")

    uptime = add("uptime", "availability of services over a calendar", _cmd_uptime)
    uptime.add_argument("--calendar", required=True, help=calendar_help + " (the measured hours)")
    uptime.add_argument("--outages", required=True, help="CSV with columns service,start,end")
    uptime.add_argument("--period", required=True, help="2026-10, 2026-Q4, 2026, or days A..B")
    uptime.add_argument("--tz", default="UTC", help="the zone the period's days are in (UTC)")
    uptime.add_argument(
        "--exclude",
        action="append",
        help="calendars of windows not measured (maintenance): NAME in the --calendar file, "
        "or FILE:NAME; repeat or separate with commas",
    )
    uptime.add_argument(
        "--services", action="append", help="every service to report, including those never down"
    )
    uptime.add_argument(
        "--format", choices=("table", "json", "csv"), help="output format (default: table)"
    )
    uptime.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically)")
    uptime.add_argument("--skip-bad", action="store_true", help="skip bad rows, counting them")

    add("demo", "run the bundled example end to end", _cmd_demo)
    return parser


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename is not None else reason


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exit:  # --help and --version print, then exit 0
            return int(exit.code or 0)
        handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.handler
        return handler(args, out, err)
    except UsageError as exc:
        err.write(f"{exc}\n")
    except SlaclockError as exc:
        err.write(f"slaclock: {one_line(str(exc))}\n")
    except BrokenPipeError:
        # The reader went away (``slaclock evaluate ... | head``): stop quietly.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        err.write(f"slaclock: {one_line(_os_message(exc))}\n")
    except KeyboardInterrupt:
        err.write("slaclock: interrupted\n")
        return 130
    return 2
