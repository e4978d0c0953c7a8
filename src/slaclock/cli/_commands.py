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
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from slaclock.cli._errors import UsageError, guarded, safe_text
from slaclock.cli._output import emit, fail_status, output_format, versioned, wants_colour
from slaclock.config import NAME_RE, calendars_from_mapping, read_document
from slaclock.engine._time import parse_instant
from slaclock.engine.calendar import Calendar
from slaclock.errors import (
    InputError,
    NoBusinessTimeError,
    NoClosingTimeError,
    SlaclockError,
)

# The years an instant on the command line may fall in: those tickets may use
# (sla/tickets.py; tests/cli checks they are equal), without importing the ticket reader.
FIRST_YEAR, LAST_YEAR = 1900, 2199

if TYPE_CHECKING:
    # Imported where used, so that due, elapsed and open load no more than they need
    # (argparse set-up included: see docs/benchmarks.md, start-up).
    from slaclock.cli._terminal import Skipper
    from slaclock.reports.compliance import ComplianceReport
    from slaclock.reports.periods import ReportingPeriod
    from slaclock.reports.uptime import AvailabilityReport
    from slaclock.sla.policy import Policy
    from slaclock.sla.tickets import Ticket

__all__ = ["UsageError", "build_parser", "main"]


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
    instant = parse_instant(value, option, InputError)
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:  # the years tickets may use, too
        raise InputError(f"{option}: {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
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
    import difflib

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
    return output_format(args, choices)


# -- output ----------------------------------------------------------------------


def _emit(text: str, args: argparse.Namespace, out: TextIO) -> None:
    emit(safe_text(text), args, out)


def _tickets(
    args: argparse.Namespace, lines: Iterator[bytes], skipper: Skipper
) -> Iterator[Ticket]:
    from slaclock.sla.tickets import iter_tickets

    source = "<stdin>" if args.tickets == "-" else args.tickets
    return iter_tickets(lines, source, skipper if args.skip_bad else None)


# -- commands --------------------------------------------------------------------


def _cmd_due(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar, name, _ = _calendar(args.calendar)
    if args.tickets is not None:
        return _due_batch(args, calendar, name, out, err)
    if args.start is None or args.target is None:
        raise UsageError(
            "slaclock due: give --start and --target, or --tickets FILE (see 'slaclock due --help')"
        )
    from slaclock.cli._due import due_of
    from slaclock.reports._render import iso_duration, json_text
    from slaclock.sla.targets import parse_target

    start = _instant(args.start, "--start")
    target = parse_target(args.target, "--target")
    due = due_of(calendar, name, start, target)
    allowed = calendar.elapsed(start, due)
    if _format(args, ("text", "json")) == "json":
        _emit(
            json_text(
                versioned(
                    {
                        "calendar": name,
                        "start": start.isoformat(),
                        "target": str(target),
                        "business_time": iso_duration(allowed),
                        "due": due.isoformat(),
                    }
                )
            ),
            args,
            out,
        )
    else:
        _emit(due.isoformat() + "\n", args, out)
    return 0


def _due_batch(
    args: argparse.Namespace, calendar: Calendar, name: str, out: TextIO, err: TextIO
) -> int:
    """``due --tickets FILE``: one line per ticket, written as each is computed."""
    from slaclock.cli._due import due_rows, write_line
    from slaclock.cli._terminal import Skipper
    from slaclock.sla.targets import parse_target

    default = None if args.target is None else parse_target(args.target, "--target")
    form = _format(args, ("text", "json"))
    skipper = Skipper(err)
    # To a file: all or nothing, so collect first; to stdout: each line as it is ready.
    to_file = args.output not in (None, "-")
    buffer = io.StringIO()
    rows = due_rows(
        calendar,
        name,
        args.tickets,
        default,
        _instant,
        on_bad=skipper if args.skip_bad else None,
    )
    for item in rows:
        write_line(item, name, form, buffer if to_file else out)
    skipper.summary("<stdin>" if args.tickets == "-" else args.tickets)
    if to_file:
        _emit(buffer.getvalue(), args, out)
    return 0


def _cmd_elapsed(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.reports._render import iso_duration, json_text, seconds

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
        _emit(json_text(versioned(data)), args, out)
    else:
        _emit(iso_duration(elapsed) + "\n", args, out)
    return 0


def _cmd_open(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    calendar, name, _ = _calendar(args.calendar)
    at = _instant(args.at, "--at")
    is_open = calendar.is_open(at)
    from slaclock.reports._render import json_text

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
        _emit(json_text(versioned(data)), args, out)
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


def _cmd_evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.cli._stream import EvaluateWriter, output_stream
    from slaclock.cli._terminal import Skipper, ticket_lines
    from slaclock.sla.tickets import evaluate_tickets

    policy = _policy(args.policy)
    now = _instant(args.now, "--now")
    form = _format(args, ("table", "json", "csv"))
    # Each ticket is rendered as it is evaluated (cli/_stream.py): memory stays flat.
    colour = form == "table" and args.output in (None, "-") and wants_colour(out)
    writer = EvaluateWriter(form, explain=args.explain, neutralise=not args.raw_csv, colour=colour)
    try:
        if _jobs(args) > 1:
            from slaclock.cli._jobs import parallel_reports

            skipper = Skipper(err)
            # Each worker renders its range into a file; the parent copies them out in order.
            parallel_reports(
                args.tickets,
                _jobs(args),
                policy_path=args.policy,
                now=now,
                on_bad=skipper if args.skip_bad else None,
                sink=writer.sink(),
                merge=writer.add_share,
            )
        else:
            with ticket_lines(args.tickets, err, args.no_progress) as (lines, progress):
                skipper = Skipper(err, progress)
                tickets = _tickets(args, lines, skipper)
                for ticket, report in evaluate_tickets(
                    policy, tickets, now, skipper if args.skip_bad else None
                ):
                    writer.add(ticket, report)
        skipper.summary(args.tickets)
        with output_stream(args.output, out) as stream:
            writer.write(stream, policy=policy.name, now=now.isoformat(), skipped=skipper.count)
    finally:
        writer.close()
    return fail_status(writer.statuses, getattr(args, "fail_on", None))


def _credits_option(args: argparse.Namespace, form: str, policy: Policy | None) -> None:
    """Refuse ``--credits`` where it cannot apply, before any ticket is read."""
    if not args.credits:
        return
    if form != "csv":
        raise UsageError(
            f"slaclock {args.command}: --credits writes the credits as CSV (--format csv); "
            f"the {form} output shows them already"
        )
    from slaclock.reports.credits import priced

    if policy is None:
        raise UsageError("slaclock uptime: --credits needs --policy, the file with the credits")
    if not priced(policy):
        raise InputError(f"--credits: {policy.source} has no [credits] table in any policy")


_UPCOMING_COLUMNS = (
    "at",
    "ticket",
    "customer",
    "policy",
    "tier",
    "metric",
    "level",
    "label",
    "left",
)


def _cmd_upcoming(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``upcoming``: the breach queue, every level and breach in ``(now, now + within]``."""
    from slaclock.cli._terminal import Skipper, ticket_lines
    from slaclock.reports._render import (
        csv_text,
        human_duration,
        iso_duration,
        json_text,
        text_table,
    )
    from slaclock.sla.upcoming import within_of

    policy = _policy(args.policy)
    now = _instant(args.now, "--now")
    form = _format(args, ("table", "json", "csv"))
    try:
        within = within_of(args.within)
    except SlaclockError as exc:
        raise InputError(f"--{exc}") from None
    if args.limit is not None and args.limit < 0:
        raise InputError(f"--limit: {args.limit} is not a number of rows (0 or more)")
    read = 0
    with ticket_lines(args.tickets, err, args.no_progress) as (lines, progress):
        skipper = Skipper(err, progress)

        def counted() -> Iterator[Ticket]:
            nonlocal read
            for ticket in _tickets(args, lines, skipper):
                read += 1
                yield ticket

        rows = policy.upcoming(
            counted(),
            now,
            within=within,
            limit=args.limit,
            on_bad=skipper if args.skip_bad else None,
        )
    skipper.summary(args.tickets)
    until = now + within
    if form == "json":
        data = {
            "policy": policy.name,
            "now": now.isoformat(),
            "within": iso_duration(within),
            "until": until.isoformat(),
            "tickets": read,
            "skipped": skipper.count,
            "upcoming": [row.to_dict() for row in rows],
        }
        _emit(json_text(versioned(data)), args, out)
    elif form == "csv":
        table = [[row.to_dict()[name] for name in _UPCOMING_COLUMNS] for row in rows]
        _emit(csv_text(_UPCOMING_COLUMNS, table, neutralise=not args.raw_csv), args, out)
    else:
        head = (
            f"policy {policy.name}, as at {now.isoformat()}: {len(rows)} escalation(s) "
            f"up to {until.isoformat()} in {read} tickets\n"
        )
        cells = [
            [
                row.at.isoformat(),
                row.ticket,
                row.customer or "-",
                row.tier,
                row.metric,
                row.label,
                human_duration(row.left),
                row.policy,
            ]
            for row in rows
        ]
        headers = ("at", "ticket", "customer", "tier", "metric", "level", "left", "policy")
        body = text_table(headers, cells, {6}) if rows else ""
        _emit(head + ("\n" + body if body else ""), args, out)
    return 0


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.cli._terminal import Skipper, ticket_lines
    from slaclock.reports.compliance import ComplianceReport

    policy = _policy(args.policy)
    now = _instant(args.now, "--now")
    period = _period(args)
    by = _names(args.by) or ["tier", "metric"]
    form = _format(args, ("table", "json", "csv", "html"))
    _credits_option(args, form, policy)
    with contextlib.ExitStack() as stack:
        try:
            # The same report whether the tickets are evaluated here or on --jobs processes.
            options: dict[str, Any] = {
                "by": by,
                "worst": args.worst,
                "goal": args.goal,
                "customer": args.customer,
            }
            if _jobs(args) > 1:
                from slaclock.cli._jobs import parallel_reports

                skipper = Skipper(err)
                # Each worker counts its tickets into tallies; the parent merges them.
                tallies = ComplianceReport.tallies(
                    policy, period, by=by, worst=args.worst, goal=args.goal
                )
                parallel_reports(
                    args.tickets,
                    _jobs(args),
                    policy_path=args.policy,
                    now=now,
                    period=(args.period, args.tz),
                    customer=args.customer,
                    on_bad=skipper if args.skip_bad else None,
                    sink=tallies,
                    merge=tallies.merge,
                )
                report = ComplianceReport.from_tallies(
                    policy, tallies, period, now, goal=args.goal, customer=args.customer
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
                    **options,
                    on_bad=skipper if args.skip_bad else None,
                )
        except InputError as exc:
            message = str(exc)
            if message.startswith(("by:", "goal:", "worst:")):
                raise InputError(f"--{message}") from None
            raise
    skipper.summary(args.tickets)
    report = dataclasses.replace(report, skipped=skipper.count)
    _emit(_rendered(report, form, args), args, out)
    return fail_status(["breached"] if report.total.breached else [], args.fail_on)


def _rendered(
    report: ComplianceReport | AvailabilityReport, form: str, args: argparse.Namespace
) -> str:
    """Return a compliance or availability report in ``form`` (``report``, ``uptime``)."""
    from slaclock.reports._render import json_text

    if args.credits:
        return report.credits_csv(neutralise=not args.raw_csv)
    if form == "json":
        return json_text(versioned(report.to_dict()))
    if form == "csv":
        return report.to_csv(neutralise=not args.raw_csv)
    if form == "html":
        return report.to_html(template=args.template, logo=args.logo, contact=args.contact)
    return report.to_text()


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
    from slaclock.cli._terminal import Skipper
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
    form = _format(args, ("table", "json", "csv", "html"))
    policy = None if args.policy is None else _policy(args.policy)
    _credits_option(args, form, policy)
    if policy is not None:
        from slaclock.reports.credits import priced

        if not priced(policy, "availability"):
            raise InputError(
                f'--policy: {args.policy} has no [credits] with measure = "availability"; '
                "uptime prices availability only (slaclock report prices the rest)"
            )
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
        goal=args.goal,
        policy=policy,
    )
    report = dataclasses.replace(report, skipped=skipper.count)
    _emit(_rendered(report, form, args), args, out)
    return 0


def _cmd_completion(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.cli._completion import completion_script

    out.write(completion_script(build_parser(), args.shell))
    return 0


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from slaclock.cli._demo import run as run_demo

    if args.write is not None:
        from slaclock.cli._demo import write

        return write(args.write, out)

    return run_demo(out)


# -- the parser ------------------------------------------------------------------


def _credits_flag(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--credits",
        action="store_true",
        help="with --format csv: write the service credits owed (one row per breach charged, "
        "tier applied and total) instead of the report's rows",
    )


def _raw_csv_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV cells as they are: do not prefix cells starting with = + - @ "
        "(spreadsheet formulas) with ' (see docs/security.md)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the ``slaclock`` argument parser with every subcommand."""
    from slaclock._version import __version__

    parser = _Parser(
        prog="slaclock",
        description="Business time, SLA clocks and SLA reports for service desks.",
        epilog="Exit status: 0 on success, 2 on bad input, 3 when --fail-on finds a breach, "
        "4 when --fail-on at_risk finds a metric at risk. See docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"slaclock {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an internal error, print the full traceback (for a bug report)",
    )
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
    due.add_argument("--start", help=f"when the clock starts: {instant_help}")
    due.add_argument("--target", help="business time (15m, 4h, 1h30m, PT4H) or days (3d)")
    due.add_argument(
        "--tickets",
        metavar="FILE",
        help="many tickets: CSV (id,start[,target]) or JSON Lines, '-' for stdin; "
        "one line out per ticket",
    )
    due.add_argument("--format", choices=text_formats, help="output format (default: text)")
    due.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (atomically; '-' for stdout)"
    )
    due.add_argument("--skip-bad", action="store_true", help="skip bad rows, counting them")

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

    def ticket_options(
        sub: argparse.ArgumentParser, formats: Sequence[str], *, jobs: bool = True
    ) -> None:
        sub.add_argument(
            "--policy",
            required=True,
            help="the policy file (TOML, JSON or YAML), or a folder of them (a policy set, "
            "tried in file-name order)",
        )
        sub.add_argument("tickets", help="the tickets, JSON Lines ('-' for standard input)")
        sub.add_argument("--now", default="now", help=f"judge as things stood then: {instant_help}")
        sub.add_argument(
            "--format",
            choices=formats,
            help=f"output format (default: {formats[0]}, or the one --output's extension names)",
        )
        sub.add_argument(
            "--output", "-o", metavar="FILE", help="write to FILE (atomically; '-' for stdout)"
        )
        sub.add_argument(
            "--skip-bad", action="store_true", help="skip bad lines and tickets, counting them"
        )
        sub.add_argument("--no-progress", action="store_true", help="never show a progress bar")
        _raw_csv_option(sub)
        if not jobs:
            return
        sub.add_argument(
            "--jobs",
            "-j",
            type=int,
            default=1,
            metavar="N",
            help="evaluate on N processes, same output (default 1; a file, not stdin)",
        )

    def branding_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--template", metavar="FILE", help="an HTML template (Jinja2) of your own")
        sub.add_argument("--logo", metavar="FILE", help="an image for the HTML page's header")
        sub.add_argument("--contact", help="a contact line for the HTML page's footer")

    evaluate = add("evaluate", "where every ticket's SLA metrics stand", _cmd_evaluate)
    ticket_options(evaluate, ("table", "json", "csv"))
    evaluate.add_argument(
        "--fail-on",
        choices=("breached", "at_risk"),
        help="exit 3 if any metric is breached; with at_risk, exit 4 if any is at risk",
    )
    evaluate.add_argument(
        "--explain", action="store_true", help="add each metric's counted, paused and closed time"
    )

    queue = add(
        "upcoming",
        "the breach queue: which running metrics reach a level or breach soon, and when",
        _cmd_upcoming,
    )
    ticket_options(queue, ("table", "json", "csv"), jobs=False)
    queue.add_argument(
        "--within",
        default="4h",
        help="how far ahead to look, in real time: 30m, 4h, 1h30m, PT4H (default 4h)",
    )
    queue.add_argument("--limit", type=int, metavar="N", help="only the first N rows")

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
    report.add_argument("--customer", help="only this customer's tickets (a customer's report)")
    report.add_argument(
        "--fail-on", choices=("breached",), help="exit 3 if any ticket breached a target"
    )
    _credits_flag(report)
    branding_options(report)

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
        "--format",
        choices=("table", "json", "csv", "html"),
        help="output format (default: table, or the one --output's extension names)",
    )
    uptime.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (atomically; '-' for stdout)"
    )
    uptime.add_argument("--goal", type=float, help="an availability goal in percent, such as 99.9")
    uptime.add_argument(
        "--policy",
        help='a policy file whose [credits] say measure = "availability": '
        "the credits owed per customer and month",
    )
    _credits_flag(uptime)
    branding_options(uptime)
    uptime.add_argument("--skip-bad", action="store_true", help="skip bad rows, counting them")
    _raw_csv_option(uptime)

    demo = add("demo", "run the bundled example end to end", _cmd_demo)
    demo.add_argument(
        "--write",
        metavar="DIR",
        help="write the example's files (calendars, policy, tickets, outages) into DIR instead",
    )

    completion = add("completion", "print a shell completion script", _cmd_completion)
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    if debug:  # accepted anywhere on the line, before or after the command
        arguments = ["--debug", *(value for value in arguments if value != "--debug")]

    def run() -> int:
        try:
            args = build_parser().parse_args(arguments)
        except SystemExit as exit:  # --help and --version print, then exit 0
            return int(exit.code or 0)
        handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.handler
        return handler(args, out, err)

    return guarded(run, err, debug)
