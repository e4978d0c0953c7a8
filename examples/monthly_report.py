"""The monthly SLA report a service manager sends a customer: October 2026.

Reads a month of synthetic tickets (examples/data/october_2026_tickets.jsonl,
made by synthetic_month.py) and the desk's policy, and writes the compliance
report as an HTML page (charts included, nothing loaded from anywhere), CSV and
JSON, then prints the plain-text version and each customer's compliance.

    python examples/monthly_report.py                 # files in a new temporary folder
    python examples/monthly_report.py --out reports/  # files in reports/

The same report from the command line:

    slaclock report --policy examples/data/desk_policy.toml \\
        examples/data/october_2026_tickets.jsonl --period 2026-10 --tz Europe/London \\
        --now 2026-11-02T09:00Z --goal 95 --output october.html
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from slaclock import ComplianceReport, Policy, parse_period, read_tickets

DATA = Path(__file__).resolve().parent / "data"
#: Judged on the Monday morning after the month, so late October tickets have had time.
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def main(argv: list[str] | None = None) -> None:
    """Write october.html, october.csv and october.json; print the text report."""
    parser = argparse.ArgumentParser(description="Write October 2026's SLA report.")
    parser.add_argument("--out", type=Path, help="folder for the files (default: a new temp one)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="slaclock-report-"))
    out.mkdir(parents=True, exist_ok=True)

    policy = Policy.load(DATA / "desk_policy.toml")
    tickets = read_tickets(DATA / "october_2026_tickets.jsonl")
    october = parse_period("2026-10", "Europe/London")
    report = ComplianceReport.build(policy, tickets, october, NOW, goal=95, worst=8)

    (out / "october.html").write_text(report.to_html(), encoding="utf-8")
    (out / "october.csv").write_text(report.to_csv(), encoding="utf-8", newline="")
    (out / "october.json").write_text(report.to_json(), encoding="utf-8")
    print(report.to_text())

    by_customer = ComplianceReport.build(
        policy, tickets, october, NOW, by=["customer"], goal=95, worst=0
    )
    print("By customer (tickets that met every target):\n")
    for row in by_customer.rows:
        share = row.compliance or 0.0
        bar = "#" * round(share / 5)
        flag = "  below goal" if by_customer.below_goal(row) else ""
        print(f"  {row.group['customer']:<9} {share:5.1f}%  {bar:<20}{flag}")
    print(f"\nWrote october.html, october.csv and october.json to {out}")


if __name__ == "__main__":
    main()
