"""The state of telephony features (schema version 3): deskshare logins, voice messages.

Deskshare (NET-1.8, 004:141-151): a desk phone on a dummy number (e.g. 100) that logged in
as a user (e.g. 205) with the service code rings for that user and calls out as that user,
until the user's own VoIP client registers (the desk phone then returns to its dummy
number) or the desk phone logs in again.

Voicemail (UC-VM-1, 000:1388-1483): each message is a WAV file the call core recorded (in
the run directory) and a row here; a message once played is deleted after the retention
time (30 days, on the stub's scaled system clock).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from .store import Store
from .store import dt as _dt
from .store import dt_required as _dtr
from .store import iso as _iso

SCHEMA_V3 = """
CREATE TABLE deskshare_logins (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    number TEXT NOT NULL UNIQUE REFERENCES users(number) ON DELETE CASCADE,
    since TEXT NOT NULL
);
CREATE TABLE voice_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL REFERENCES users(number) ON DELETE CASCADE,
    caller TEXT NOT NULL,
    path TEXT NOT NULL,
    seconds REAL NOT NULL,
    received_at TEXT NOT NULL,
    played_at TEXT
);
CREATE INDEX voice_messages_owner ON voice_messages(owner)
"""


@dataclass(frozen=True)
class DeskshareLogin:
    device_id: str
    number: str
    since: datetime


@dataclass(frozen=True)
class VoiceMessage:
    id: int
    owner: str
    caller: str
    path: str
    seconds: float
    received_at: datetime
    played_at: datetime | None


class TelephonyData(Store):
    """Deskshare logins and voice messages (the SQL of state/core.py's telephony methods)."""

    # ------------------------------------------------------------ deskshare

    def deskshare_logins(self) -> list[DeskshareLogin]:
        return [
            DeskshareLogin(r["device_id"], r["number"], _dtr(r["since"]))
            for r in self._rows("SELECT * FROM deskshare_logins ORDER BY number")
        ]

    def deskshare_login_of_number(self, number: str) -> DeskshareLogin | None:
        return next((x for x in self.deskshare_logins() if x.number == number), None)

    def deskshare_login_of_device(self, device_id: str) -> DeskshareLogin | None:
        return next((x for x in self.deskshare_logins() if x.device_id == device_id), None)

    def deskshare_log_in(self, device_id: str, number: str, now: datetime) -> None:
        """The desk phone now stands for `number` (any earlier login of either is replaced)."""
        with self._tx() as conn:
            conn.execute("DELETE FROM deskshare_logins WHERE device_id=? OR number=?", (device_id, number))
            conn.execute(
                "INSERT INTO deskshare_logins (device_id, number, since) VALUES (?,?,?)", (device_id, number, _iso(now))
            )

    def deskshare_log_out(self, number: str) -> bool:
        """The user's desk phone returns to its dummy number; whether one was logged in."""
        with self._tx() as conn:
            return conn.execute("DELETE FROM deskshare_logins WHERE number=?", (number,)).rowcount > 0

    # ------------------------------------------------------------ voicemail

    def add_voice_message(self, owner: str, caller: str, path: str, seconds: float, now: datetime) -> VoiceMessage:
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT INTO voice_messages (owner, caller, path, seconds, received_at) VALUES (?,?,?,?,?)",
                (owner, caller, path, seconds, _iso(now)),
            )
            row = conn.execute("SELECT * FROM voice_messages WHERE id=?", (cur.lastrowid,)).fetchone()
        return _message(row)

    def voice_messages(self, owner: str, now: datetime, retention_s: float) -> list[VoiceMessage]:
        """The owner's messages, newest first; played ones older than the retention are deleted."""
        self.expire_voice_messages(now, retention_s)
        rows = self._rows("SELECT * FROM voice_messages WHERE owner=? ORDER BY id DESC", (owner,))
        return [_message(r) for r in rows]

    def voice_message(self, owner: str, message_id: int) -> VoiceMessage | None:
        row = self._row("SELECT * FROM voice_messages WHERE owner=? AND id=?", (owner, message_id))
        return _message(row) if row else None

    def mark_played(self, message_id: int, now: datetime) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE voice_messages SET played_at=? WHERE id=? AND played_at IS NULL", (_iso(now), message_id)
            )

    def expire_voice_messages(self, now: datetime, retention_s: float) -> list[str]:
        """Delete played messages older than the retention; returns their WAV paths."""
        gone: list[str] = []
        with self._tx() as conn:
            for r in conn.execute("SELECT id, path, played_at FROM voice_messages WHERE played_at IS NOT NULL"):
                played = _dt(r["played_at"])
                if played is not None and (now - played).total_seconds() >= retention_s:
                    gone.append(r["path"])
                    conn.execute("DELETE FROM voice_messages WHERE id=?", (r["id"],))
        return gone


def _message(r: sqlite3.Row) -> VoiceMessage:
    return VoiceMessage(
        r["id"], r["owner"], r["caller"], r["path"], float(r["seconds"]), _dtr(r["received_at"]), _dt(r["played_at"])
    )
