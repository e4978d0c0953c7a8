"""Reports over many tickets and services: compliance, uptime, and their text, CSV and HTML forms.

- ``periods``: reporting periods (``2026-10``, ``2026-Q4``) in a zone.
- ``compliance``: per-metric outcomes of tickets, grouped into a ``ComplianceReport``.
- ``_outcomes``: one outcome per ticket and metric, and the tallies rows are made of.
- ``_html`` and ``templates/``: the compliance and uptime pages (Jinja2, self-contained).
- ``_words``: metric labels, targets and periods written for people.
- ``uptime``: availability of services over a calendar, from outage rows.
- ``_render``: the plain text, CSV and JSON writers they share.

It may import: ``slaclock.engine``, ``slaclock.sla``, ``slaclock.errors``. Never ``cli``.
"""
