"""Smoke test for a vendored copy of the engine: run with ``python -I -S smoke.py FOLDER PACKAGE``.

``FOLDER`` holds the copied ``engine/`` folder renamed to ``PACKAGE``. No
site-packages are visible, so this proves the engine needs the standard library
alone: calendars, holidays as plain dates, composition, one-off windows, the
clock, and ``elapsed_many``/``add_many`` on lists.
"""

import datetime as dt
import importlib
import sys

folder, package = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
engine = importlib.import_module(package)
Calendar, Clock, Windows = engine.Calendar, engine.Clock, engine.Windows
assert engine.COMPILED is False, "a vendored engine is its Python sources"

utc = dt.timezone.utc
desk = Calendar.weekly(
    {"mon-fri": "09:00-17:00"},
    tz="Europe/London",
    holidays=[dt.date(2026, 12, 25), dt.date(2026, 12, 28)],
    overrides={dt.date(2026, 12, 24): "09:00-13:00"},
)
friday = dt.datetime(2026, 11, 20, 16, 55, tzinfo=utc)
monday = dt.datetime(2026, 11, 23, 9, 5, tzinfo=utc)
assert desk.elapsed(friday, monday) == dt.timedelta(minutes=10)
assert desk.add(friday, dt.timedelta(minutes=10)) == dt.datetime(2026, 11, 23, 9, 5, tzinfo=utc)
christmas_eve = dt.datetime(2026, 12, 24, 12, 0, tzinfo=utc)
assert desk.add(christmas_eve, dt.timedelta(hours=2)) == dt.datetime(
    2026, 12, 29, 10, 0, tzinfo=utc
)

site = Calendar.weekly({"mon-sat": "08:00-18:00"}, tz="Europe/London")
new_york = Calendar.weekly({"mon-fri": "09:00-17:00"}, tz="America/New_York")
onsite, follow = desk & site, desk | new_york
assert onsite.elapsed(friday, friday + dt.timedelta(days=3)) == dt.timedelta(hours=8)
assert follow.next_close(friday) == dt.datetime(2026, 11, 20, 22, 0, tzinfo=utc)
freeze = Windows.between([(christmas_eve, christmas_eve + dt.timedelta(days=1))])
assert (Calendar.always("UTC") - freeze).is_open(christmas_eve) is False

clock = Clock.start(desk, friday).pause(friday + dt.timedelta(minutes=2))
clock = clock.resume(dt.datetime(2026, 11, 23, 9, 0, tzinfo=utc))
assert clock.due(dt.timedelta(minutes=10)) == dt.datetime(2026, 11, 23, 9, 8, tzinfo=utc)
assert Clock.from_json(clock.to_json()) == clock

starts = [friday, friday - dt.timedelta(days=1)]
ends = [dt.datetime(2026, 11, 23, 9, 5, tzinfo=utc), friday]
assert list(desk.elapsed_many(starts, ends)) == [dt.timedelta(minutes=10), dt.timedelta(hours=8)]
assert next(iter(desk.add_many(starts, [dt.timedelta(minutes=10)] * 2))) == ends[0]

loaded = {name.split(".")[0] for name in sys.modules}
for third_party in ("slaclock", "holidays", "dateutil", "numpy", "pydantic"):
    assert third_party not in loaded, f"{third_party} was imported"
print("vendored engine OK")
