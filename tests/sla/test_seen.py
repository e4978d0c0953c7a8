"""Repeated ticket ids are found in bounded memory: in a dict, then in a temporary SQLite file."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import InputError, iter_tickets
from slaclock.sla import _seen
from slaclock.sla._seen import SeenIds

LOGGED = {"at": "2026-11-02T09:00Z", "type": "logged", "priority": "P3"}


def _line(ident: str) -> str:
    return json.dumps({"id": ident, "events": [LOGGED]})


@given(st.lists(st.text(max_size=8), max_size=40), st.integers(min_value=0, max_value=5))
def test_spilled_ids_answer_as_the_dict_does(idents: list[str], in_memory: int) -> None:
    """Whatever the threshold, first_line is the line that first gave an id (surrogates too)."""
    seen = SeenIds(in_memory=in_memory)
    first: dict[str, int] = {}
    try:
        for line, ident in enumerate(idents, start=1):
            assert seen.first_line(ident) == first.get(ident)
            if ident not in first:
                first[ident] = line
                seen.add(ident, line)
        for ident, line in first.items():
            assert seen.first_line(ident) == line
    finally:
        seen.close()


def test_lone_surrogates_are_kept_apart() -> None:
    seen = SeenIds(in_memory=0)
    seen.add("T\ud800", 1)
    assert seen.first_line("T\ud800") == 1
    assert seen.first_line("T\ud801") is None
    seen.close()


def test_a_file_past_the_threshold_still_refuses_a_repeated_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_seen, "MAX_IDS_IN_MEMORY", 3)
    lines = [_line(f"T-{number}") for number in range(10)] + [_line("T-1")]
    with pytest.raises(InputError, match=r"tickets:11: id: 'T-1' repeats line 2"):
        list(iter_tickets(lines, "tickets"))
    skipped: list[InputError] = []
    assert len(list(iter_tickets(lines, "tickets", skipped.append))) == 10
    assert len(skipped) == 1
