"""The journal behind Conversations (UC-CONV-1..6, 000:887-1030; UC-IM-1; UC-CALL-3, 000:823).

Each ended call leaves entries for the users it concerned: the caller (outgoing), the
dialled user (incoming: answered, missed, or voicemail) and a user who picked it up.
A voice message filed in a mailbox adds a voicemail entry that names the message; an
instant message adds a chat entry for its sender and its recipient. The party of an
entry is the number as it was dialled or shown, so one number in different formats gives
separate conversations (UC-CALL-5, 000:1032-1070). Conversations are read newest first: at
most 25 conversations of at most 50 entries (000:898); the redial list is the last 10
distinct numbers dialled (000:398, 000:1253; LAB-REDIAL).

Unread (UC-CONV-4, LAB-UNREAD): a missed call, a voice message and a received chat message
are unread until the user marks the conversations read; the read state is the account's,
so every session of the user agrees. Deleting (UC-CONV-2) removes the user's own entries
only; deleting a voice message's entry deletes the voice message too (LAB-VOICEMAIL-ENTRY),
so the deletions return the recordings to remove.

`journal_entries(record)` is the pure decision of who gets which entry; the switch makes
the record (callcore/switch.py CallRecord). Schema: its own track (meta key
`journal_schema`), like the conference tables; version 2 adds the unread flag, the chat
text and the voice message of an entry.
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

JOURNAL_SCHEMA = 2
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
SCHEMA_JOURNAL_V2 = """
ALTER TABLE call_journal ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_journal ADD COLUMN text TEXT;
ALTER TABLE call_journal ADD COLUMN message_id INTEGER
"""
MAX_CONVERSATIONS = 25
MAX_ENTRIES = 50
"""000:898: up to 25 conversations, each up to 50 entries"""
REDIAL_LENGTH = 10
"""000:398, 000:1253: the drop-down list with the 10 last dialled numbers"""

Kind = Literal["call", "voicemail", "chat"]
Direction = Literal["in", "out"]
Outcome = Literal["answered", "missed", "voicemail", "not_answered", "message"]
VOICE_MESSAGE_TITLE = "Voice message"
"""000:1392: the title of the message is "Voice message"."""


@dataclass(frozen=True)
class Entry:
    """One journal line to write: `owner`'s view of a call, a voice message or a chat message from/to `party`."""

    owner: str
    party: str
    kind: Kind
    direction: Direction
    outcome: Outcome
    text: str | None = None
    """the chat message"""
    message_id: int | None = None
    """the voice message of a voicemail entry"""

    @property
    def unread(self) -> bool:
        """What the user still has to look at (LAB-UNREAD): a missed call, a voice message, a
        received chat message; answered and outgoing calls and one's own messages never."""
        return self.direction == "in" and (self.outcome == "missed" or self.kind in ("voicemail", "chat"))


@dataclass(frozen=True)
class JournalEntry:
    id: int
    owner: str
    party: str
    kind: Kind
    direction: Direction
    outcome: Outcome
    at: datetime
    unread: bool = False
    text: str | None = None
    message_id: int | None = None
    """the voice message of a voicemail entry; None once the message is gone"""
    played: bool | None = None
    """a voicemail entry: whether its message was played (UC-VM-1: new or played)"""

    @property
    def title(self) -> str | None:
        return VOICE_MESSAGE_TITLE if self.kind == "voicemail" else None


@dataclass(frozen=True)
class Counts:
    """What the user sees in every view (000:378, 000:417, 000:900; UC-CONV-4)."""

    unread_conversations: int
    unread_entries: int
    missed_calls: int
    """unread missed calls"""
    new_voice_messages: int
    """voice messages of the user's mailbox not yet played"""


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
    """Create the journal table once and bring it to version 2 (inside State.open's transaction)."""
    schema_track(conn, "journal_schema", 1, SCHEMA_JOURNAL_V1)
    schema_track(conn, "journal_schema", JOURNAL_SCHEMA, SCHEMA_JOURNAL_V2)


_ENTRIES = """
SELECT j.*, v.id AS message_alive, v.played_at AS message_played
FROM call_journal j LEFT JOIN voice_messages v ON v.id = j.message_id AND v.owner = j.owner
"""


def _entry(r: sqlite3.Row) -> JournalEntry:
    voicemail = r["kind"] == "voicemail"
    alive = r["message_alive"] is not None
    return JournalEntry(
        r["id"],
        r["owner"],
        r["party"],
        r["kind"],
        r["direction"],
        r["outcome"],
        _dtr(r["at"]),
        unread=bool(r["unread"]),
        text=r["text"],
        message_id=r["message_id"] if alive else None,
        played=(r["message_played"] is not None or not alive) if voicemail else None,
    )


class JournalData(Store):
    def add_journal(self, entries: Iterable[Entry], now: datetime) -> list[JournalEntry]:
        """Store the entries whose owner is a user; the stored ones."""
        ids: list[int] = []
        with self._tx() as conn:
            for e in entries:
                if conn.execute("SELECT 1 FROM users WHERE number=?", (e.owner,)).fetchone() is None:
                    continue
                cur = conn.execute(
                    "INSERT INTO call_journal (owner, party, kind, direction, outcome, at, unread, text, message_id)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (e.owner, e.party, e.kind, e.direction, e.outcome, _iso(now), int(e.unread), e.text, e.message_id),
                )
                assert cur.lastrowid is not None
                ids.append(cur.lastrowid)
        return [self._journal_entry(i) for i in ids]

    def _journal_entry(self, entry_id: int) -> JournalEntry:
        row = self._row(_ENTRIES + " WHERE j.id=?", (entry_id,))
        assert row is not None
        return _entry(row)

    def journal_entry(self, owner: str, entry_id: int) -> JournalEntry | None:
        row = self._row(_ENTRIES + " WHERE j.owner=? AND j.id=?", (owner, entry_id))
        return _entry(row) if row else None

    # ------------------------------------------------------------ deleting (UC-CONV-2)

    def _delete_where(self, where: str, args: tuple[object, ...]) -> tuple[int, list[str]]:
        """Delete the matching entries and the voice messages they carry: (entries, recordings)."""
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT v.id, v.path FROM call_journal j JOIN voice_messages v"
                f" ON v.id = j.message_id AND v.owner = j.owner WHERE {where}",
                args,
            ).fetchall()
            for r in rows:
                conn.execute("DELETE FROM voice_messages WHERE id=?", (r["id"],))
            n = conn.execute(f"DELETE FROM call_journal AS j WHERE {where}", args).rowcount
        return n, [r["path"] for r in rows]

    def delete_conversations(self, owner: str) -> tuple[int, list[str]]:
        """Delete all of `owner`'s conversations (000:942): (entries deleted, recordings to remove)."""
        return self._delete_where("j.owner=?", (owner,))

    def delete_conversation(self, owner: str, party: str) -> tuple[int, list[str]]:
        """Delete `owner`'s whole conversation with `party` (000:953)."""
        return self._delete_where("j.owner=? AND j.party=?", (owner, party))

    def delete_journal_entry(self, owner: str, entry_id: int) -> tuple[int, list[str]]:
        """Delete one entry of `owner`'s (000:965): a call, a chat message or a voice message."""
        return self._delete_where("j.owner=? AND j.id=?", (owner, entry_id))

    # ------------------------------------------------------------ unread (UC-CONV-4)

    def mark_conversations_read(self, owner: str) -> int:
        """Every entry of `owner`'s now counts as seen (000:415); how many were unread."""
        with self._tx() as conn:
            return conn.execute("UPDATE call_journal SET unread=0 WHERE owner=? AND unread=1", (owner,)).rowcount

    def conversation_counts(self, owner: str) -> Counts:
        row = self._row(
            "SELECT COUNT(DISTINCT party) AS parties, COUNT(*) AS entries,"
            " SUM(kind='call' AND outcome='missed') AS missed FROM call_journal WHERE owner=? AND unread=1",
            (owner,),
        )
        new = self._row("SELECT COUNT(*) AS n FROM voice_messages WHERE owner=? AND played_at IS NULL", (owner,))
        assert row is not None and new is not None
        return Counts(int(row["parties"]), int(row["entries"]), int(row["missed"] or 0), int(new["n"]))

    def conversations(
        self, owner: str, max_conversations: int = MAX_CONVERSATIONS, max_entries: int = MAX_ENTRIES
    ) -> list[tuple[str, list[JournalEntry]]]:
        """(party, entries newest first) per party, the party with the newest event first."""
        out: dict[str, list[JournalEntry]] = {}
        for r in self._rows(_ENTRIES + " WHERE j.owner=? ORDER BY j.id DESC", (owner,)):
            entries = out.get(r["party"])
            if entries is None:
                if len(out) >= max_conversations:
                    continue
                entries = out[r["party"]] = []
            if len(entries) < max_entries:
                entries.append(_entry(r))
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
