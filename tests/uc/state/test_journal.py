"""The call journal behind Conversations (simulators/uc/state/journal.py): who sees which
entry (UC-CALL-3 000:823, UC-CONV-1 000:887-912), the 25 x 50 limit, newest first; unread
entries and the counters (UC-CONV-4), deleting (UC-CONV-2), the schema 1 -> 2 migration."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from simulators.uc.callcore.switch import Dial, Switch
from simulators.uc.credentials import ScryptCost
from simulators.uc.state.core import State
from simulators.uc.state.journal import JOURNAL_SCHEMA, SCHEMA_JOURNAL_V1, Counts, Entry, Record, journal_entries

from ..callcore.test_switch import Directory
from ..conftest import FakeTime, example


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


def test_unread_kinds_and_the_counters(state: State) -> None:
    """LAB-UNREAD: missed calls, voice messages and received chat messages are unread; answered,
    outgoing and one's own messages never (000:900 counter, 000:378 missed and new voicemail)."""
    now = state.now()
    message = state.add_voice_message("200", "202", "/nonexistent.wav", 3.0, now)
    state.add_journal(
        [
            Entry("200", "201", "call", "in", "answered"),
            Entry("200", "201", "call", "in", "missed"),
            Entry("200", "202", "voicemail", "in", "voicemail", message_id=message.id),
            Entry("200", "203", "chat", "in", "message", text="hi"),
            Entry("200", "204", "chat", "out", "message", text="hello"),
            Entry("200", "204", "call", "out", "not_answered"),
        ],
        now,
    )
    unread = {party: sum(e.unread for e in entries) for party, entries in state.conversations("200")}
    assert unread == {"201": 1, "202": 1, "203": 1, "204": 0}
    assert state.conversation_counts("200") == Counts(3, 3, 1, 1)
    (voicemail,) = dict(state.conversations("200"))["202"]
    assert (voicemail.title, voicemail.message_id, voicemail.played) == ("Voice message", message.id, False)


def test_marked_read_for_the_account_and_voice_messages_stay_new(state: State) -> None:
    """000:415: selecting the conversations marks the notifications read; a voice message stays
    new (000:378) until it is played."""
    now = state.now()
    message = state.add_voice_message("200", "202", "/nonexistent.wav", 3.0, now)
    state.add_journal(
        [
            Entry("200", "201", "call", "in", "missed"),
            Entry("200", "202", "voicemail", "in", "voicemail", message_id=message.id),
        ],
        now,
    )
    assert state.mark_conversations_read("200") == 2
    assert state.mark_conversations_read("200") == 0
    assert state.conversation_counts("200") == Counts(0, 0, 0, 1)
    state.mark_played(message.id, now)
    assert state.conversation_counts("200").new_voice_messages == 0
    (voicemail,) = dict(state.conversations("200"))["202"]
    assert voicemail.played is True


def test_deleting_all_one_conversation_one_entry_only_the_owners(state: State, tmp_path: Path) -> None:
    """000:942, 000:953, 000:965: the owner's entries go, the other party's stay; deleting a
    voice message's entry deletes the voice message and returns its recording (LAB-VOICEMAIL-ENTRY)."""
    now = state.now()
    wav = tmp_path / "m.wav"
    message = state.add_voice_message("200", "202", str(wav), 3.0, now)
    stored = state.add_journal(
        [
            Entry("200", "201", "chat", "out", "message", text="a"),
            Entry("201", "200", "chat", "in", "message", text="a"),
            Entry("200", "201", "call", "out", "answered"),
            Entry("200", "202", "voicemail", "in", "voicemail", message_id=message.id),
            Entry("200", "203", "call", "in", "missed"),
        ],
        now,
    )
    chat, _, call, voicemail, _ = stored
    assert state.delete_journal_entry("201", chat.id) == (0, []), "another user's entry is not theirs"
    assert state.delete_journal_entry("200", chat.id) == (1, [])
    assert [e.id for e in dict(state.conversations("200"))["201"]] == [call.id]
    assert state.delete_journal_entry("200", voicemail.id) == (1, [str(wav)])
    assert state.voice_message("200", message.id) is None
    assert state.delete_conversation("200", "201") == (1, [])
    assert [party for party, _ in state.conversations("200")] == ["203"]
    assert state.delete_conversations("200") == (1, [])
    assert state.conversations("200") == []
    assert [e.text for e in dict(state.conversations("201"))["200"]] == ["a"], "the other party keeps theirs"


def test_a_version_1_journal_opens_as_version_2(tmp_path: Path, fake_time: FakeTime) -> None:
    """A state file of the previous stub (journal schema 1) opens: its entries are kept, read,
    and without text or voice message; the schema is then 2."""
    path = tmp_path / "state.sqlite"
    State.open(path, example(), cost=ScryptCost.FAST, real_time=fake_time).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(
            "DROP TABLE call_journal;"
            + SCHEMA_JOURNAL_V1
            + ";INSERT INTO call_journal (owner, party, kind, direction, outcome, at)"
            " VALUES ('200', '201', 'call', 'in', 'missed', '2026-12-01T10:00:00+00:00');"
            "UPDATE meta SET value='1' WHERE key='journal_schema';"
        )
    conn.close()
    state = State.open(path, example(), cost=ScryptCost.FAST, real_time=fake_time)
    try:
        ((party, (entry,)),) = state.conversations("200")
        assert (party, entry.outcome, entry.unread, entry.text, entry.message_id) == (
            "201",
            "missed",
            False,
            None,
            None,
        )
        state.add_journal([Entry("200", "201", "chat", "in", "message", text="new")], state.now())
        assert state.conversation_counts("200").unread_entries == 1
    finally:
        state.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='journal_schema'").fetchone() == (str(JOURNAL_SCHEMA),)
