"""The SLA layer: targets, ticket events, policies, and the evaluation of a ticket against one.

- ``targets``: ``4h`` durations and ``3d`` business-day targets, and a metric's spec.
- ``events``: what happened to a ticket (``TicketEvent``), validated at the boundary.
- ``results``: what an evaluation reports (``Report``, ``MetricReport``, ``Status``).
- ``_tracking``: how one metric is counted, with engine clocks, and judged.
- ``evaluation``: the immutable ``Evaluation`` state, fed one event at a time.
- ``policy``: ``Policy``, its file model (pydantic), and internal/external checks.
- ``tickets``: tickets as read from JSON Lines, and evaluating many.
- ``tables``: tickets from a pandas or Arrow table of events, one row per event.
- ``_due_many``: business-day due instants for a whole column at once.

It may import: ``slaclock.engine``, ``slaclock.errors``, and ``slaclock.config``
(policy files embed calendar definitions). Never ``reports`` or ``cli``.
"""
