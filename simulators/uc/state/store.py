"""The plumbing under the stub's state classes: one SQLite connection, a lock, transactions.

Every part of the state (core.py: users, devices, sessions, registrations, presence, PINs;
directory.py, telephony.py, journal.py, conferences.py, phone_conferences.py) builds on
`Store`; the state's SQL is in this package and nowhere else (Kamailio's own subscriber
table is edge/kamailio.py's).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any


class StateError(RuntimeError):
    """The state cannot be used as asked; the message says why and what to do."""


class UnknownUser(StateError):
    pass


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat()


def dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def dt_required(text: str) -> datetime:
    return datetime.fromisoformat(text)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_track(conn: sqlite3.Connection, key: str, version: int, schema: str) -> None:
    """Create a feature's tables once (inside State.open's transaction): its own version in
    `meta` under `key`, so feature schemas never race the main schema's version numbers."""
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    if row is not None and int(row[0]) >= version:
        return
    for statement in schema.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (key, str(version)),
    )


class Store:
    """A connection shared by threads (a lock serialises it); writes in IMMEDIATE transactions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, transaction(self._conn):
            yield self._conn

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    def _row(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    def _require_user(self, number: str) -> None:
        if self._row("SELECT 1 FROM users WHERE number=?", (number,)) is None:
            raise UnknownUser(f"no user with number {number!r}")
