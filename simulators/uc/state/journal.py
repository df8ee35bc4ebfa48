"""The call journal behind Conversations (UC-CONV-1, 000:887-912; UC-CALL-3, 000:823).

Each ended call leaves entries for the users it concerned: the caller (outgoing), the
dialled user (incoming: answered, missed, or voicemail) and a user who picked it up.
A voice message filed in a mailbox adds a voicemail entry. The party of an entry is the
number as it was dialled or shown, so one number in different formats gives separate
conversations (UC-CALL-5, 000:1032-1070). Conversations are read newest first: at most 25
conversations of at most 50 entries (000:898); the redial list is the last 10 distinct
numbers dialled (000:398, 000:1253; LAB-REDIAL).

`journal_entries(record)` is the pure decision of who gets which entry; the switch makes
the record (callcore/switch.py CallRecord). Schema: its own track (meta key
`journal_schema`), like the conference tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .store import Store, schema_track
from .store import dt_required as _dtr
from .store import iso as _iso

JOURNAL_SCHEMA = 1
SCHEMA_JOURNAL_V1 = """
CREATE TABLE call_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL REFERENCES users(number) ON DELETE CASCADE,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX call_journal_owner ON call_journal(owner, id)
"""
MAX_CONVERSATIONS = 25
MAX_ENTRIES = 50
"""000:898: up to 25 conversations, each up to 50 entries"""
REDIAL_LENGTH = 10
"""000:398, 000:1253: the drop-down list with the 10 last dialled numbers"""

Kind = Literal["call", "voicemail"]
Direction = Literal["in", "out"]
Outcome = Literal["answered", "missed", "voicemail", "not_answered"]


@dataclass(frozen=True)
class Entry:
    """One journal line to write: `owner`'s view of a call or a voice message from/to `party`."""

    owner: str
    party: str
    kind: Kind
    direction: Direction
    outcome: Outcome


@dataclass(frozen=True)
class JournalEntry:
    id: int
    owner: str
    party: str
    kind: Kind
    direction: Direction
    outcome: Outcome
    at: datetime


@dataclass(frozen=True)
class Record:
    """An ended call as the switch saw it (switch.CallRecord satisfies this shape)."""

    caller: str
    dialled: str
    """as dialled (the Request-URI user)"""
    callee: str
    """the number it rang after routing ("" when nothing rang)"""
    answered_by: str | None
    """the number that answered: the callee's, a picker's; None unanswered"""
    voicemail: bool


def journal_entries(record: Record) -> list[Entry]:
    """Who sees what (owners that are not users are dropped by the state).

    The caller: outgoing to the number as dialled. The callee: answered by its own device,
    voicemail, or missed, also when someone else picked the call up: then there is no
    "answered by" (000:823). A picker: incoming, answered."""
    entries: list[Entry] = []
    if record.caller:
        out: Outcome = "voicemail" if record.voicemail else "answered" if record.answered_by else "not_answered"
        entries.append(Entry(record.caller, record.dialled, "call", "out", out))
    if record.callee and record.callee != record.caller:
        inbound: Outcome = (
            "voicemail" if record.voicemail else "answered" if record.answered_by == record.callee else "missed"
        )
        entries.append(Entry(record.callee, record.caller, "call", "in", inbound))
    if record.answered_by and record.answered_by not in (record.callee, record.caller) and not record.voicemail:
        entries.append(Entry(record.answered_by, record.caller, "call", "in", "answered"))
    return entries


def migrate(conn: sqlite3.Connection) -> None:
    """Create the journal table once (inside State.open's transaction)."""
    schema_track(conn, "journal_schema", JOURNAL_SCHEMA, SCHEMA_JOURNAL_V1)


class JournalData(Store):
    def add_journal(self, entries: Iterable[Entry], now: datetime) -> int:
        """Store the entries whose owner is a user; how many were stored."""
        n = 0
        with self._tx() as conn:
            for e in entries:
                if conn.execute("SELECT 1 FROM users WHERE number=?", (e.owner,)).fetchone() is None:
                    continue
                conn.execute(
                    "INSERT INTO call_journal (owner, party, kind, direction, outcome, at) VALUES (?,?,?,?,?,?)",
                    (e.owner, e.party, e.kind, e.direction, e.outcome, _iso(now)),
                )
                n += 1
        return n

    def conversations(
        self, owner: str, max_conversations: int = MAX_CONVERSATIONS, max_entries: int = MAX_ENTRIES
    ) -> list[tuple[str, list[JournalEntry]]]:
        """(party, entries newest first) per party, the party with the newest event first."""
        out: dict[str, list[JournalEntry]] = {}
        for r in self._rows("SELECT * FROM call_journal WHERE owner=? ORDER BY id DESC", (owner,)):
            entries = out.get(r["party"])
            if entries is None:
                if len(out) >= max_conversations:
                    continue
                entries = out[r["party"]] = []
            if len(entries) < max_entries:
                entries.append(
                    JournalEntry(
                        r["id"], r["owner"], r["party"], r["kind"], r["direction"], r["outcome"], _dtr(r["at"])
                    )
                )
        return list(out.items())

    def redial(self, owner: str, length: int = REDIAL_LENGTH) -> list[str]:
        """The last `length` distinct numbers `owner` dialled, newest first, as dialled (LAB-REDIAL)."""
        out: list[str] = []
        rows = self._rows(
            "SELECT party FROM call_journal WHERE owner=? AND kind='call' AND direction='out' ORDER BY id DESC",
            (owner,),
        )
        for r in rows:
            if r["party"] not in out:
                out.append(r["party"])
                if len(out) == length:
                    break
        return out
