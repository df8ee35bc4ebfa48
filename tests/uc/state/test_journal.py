"""The call journal behind Conversations (simulators/uc/state/journal.py): who sees which
entry (UC-CALL-3 000:823, UC-CONV-1 000:887-912), the 25 x 50 limit, newest first."""

from __future__ import annotations

from datetime import timedelta

from simulators.uc.callcore.switch import Dial, Switch
from simulators.uc.state.core import State
from simulators.uc.state.journal import Entry, Record, journal_entries

from ..callcore.test_switch import Directory
from ..conftest import FakeTime


def test_entries_of_an_answered_a_missed_and_a_picked_up_call() -> None:
    assert journal_entries(Record("200", "201", "201", "201", False)) == [
        Entry("200", "201", "call", "out", "answered"),
        Entry("201", "200", "call", "in", "answered"),
    ]
    assert journal_entries(Record("200", "20-1", "201", None, False)) == [
        Entry("200", "20-1", "call", "out", "not_answered"),
        Entry("201", "200", "call", "in", "missed"),
    ]
    picked = journal_entries(Record("200", "202", "202", "201", False))
    assert Entry("202", "200", "call", "in", "missed") in picked, "picked up elsewhere: missed, no 'answered by'"
    assert Entry("201", "200", "call", "in", "answered") in picked
    assert journal_entries(Record("200", "201", "201", None, True))[1] == Entry("201", "200", "call", "in", "voicemail")


def test_the_switch_records_a_pickup_for_the_journal() -> None:
    records: list[Record] = []
    sw = Switch(Directory(), 6, journal=records.append)
    (dial,) = sw.incoming("i1", user="202", device="200")
    assert isinstance(dial, Dial)
    sw.incoming("i2", user="*59202", device="201")
    sw.ended(dial.leg, 487)
    sw.ended("i2")
    sw.ended("i1")
    assert records == [Record("200", "202", "202", "201", False)]


def test_conversations_newest_first_at_most_25_of_50(state: State, fake_time: FakeTime) -> None:
    now = state.now()
    for i in range(60):
        state.add_journal([Entry("200", "201", "call", "out", "answered")], now + timedelta(seconds=i))
    for i in range(30):
        state.add_journal([Entry("200", f"3{i:02d}", "call", "in", "missed")], now + timedelta(seconds=100 + i))
    state.add_journal([Entry("999", "200", "call", "in", "missed")], now)  # not a user: dropped
    found = state.conversations("200")
    assert len(found) == 25 and found[0][0] == "329", [party for party, _ in found]
    assert all(len(entries) <= 50 for _, entries in found)
    assert "201" not in dict(found), "the oldest conversations fall off"
    few = state.conversations("200", max_conversations=40)
    entries = dict(few)["201"]
    assert len(entries) == 50 and entries[0].at > entries[-1].at, "newest first"


def test_redial_is_the_last_10_distinct_numbers_dialled(state: State) -> None:
    """000:398, 000:1253 (LAB-REDIAL): newest first, as dialled, repeats once, incoming calls not at all."""
    now = state.now()
    for i, number in enumerate(["201", "20-1", *[f"29{n:02d}" for n in range(12)], "201"]):
        state.add_journal([Entry("200", number, "call", "out", "not_answered")], now + timedelta(seconds=i))
    state.add_journal([Entry("200", "202", "call", "in", "missed")], now + timedelta(seconds=99))
    assert state.redial("200") == ["201", *[f"29{n:02d}" for n in range(11, 2, -1)]]
    assert state.redial("201") == []
