"""The user's own contact data (UC-ME-1, 000:1724-1733): mobile, home/external, e-mail.

The configuration holds what the administrator entered (a user's mobile number and e-mail
address, 000:1479); the user's own values are kept apart, field by field, so that applying
the configuration again never overwrites what the user set. A field the user set (or
cleared: stored as NULL with its flag) replaces the administrator's value; a field the user
never touched shows the administrator's. The view `user_contacts` is what directories,
favourites and the call core read (000:1726: "made available to other subscribers").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from .store import Store, schema_track
from .store import iso as _iso

OWN_CONTACT_SCHEMA = 1
SCHEMA_V1 = """
CREATE TABLE own_contact (
    number TEXT PRIMARY KEY REFERENCES users(number) ON DELETE CASCADE,
    mobile TEXT,
    mobile_set INTEGER NOT NULL DEFAULT 0,
    home TEXT,
    home_set INTEGER NOT NULL DEFAULT 0,
    email TEXT,
    email_set INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT NOT NULL
);
CREATE VIEW user_contacts AS
SELECT u.number AS number, u.name AS name,
       CASE WHEN o.mobile_set THEN o.mobile ELSE u.mobile END AS mobile,
       o.home AS home,
       CASE WHEN o.email_set THEN o.email ELSE u.email END AS email
FROM users u LEFT JOIN own_contact o ON o.number = u.number
"""
FIELDS = ("mobile", "home", "email")
"""what the user edits (000:1733); the name and the internal number are the administrator's"""


def migrate(conn: sqlite3.Connection) -> None:
    """Create the table and the view once (inside State.open's transaction)."""
    schema_track(conn, "own_contact_schema", OWN_CONTACT_SCHEMA, SCHEMA_V1)


@dataclass(frozen=True)
class OwnContact:
    """What others see of a user (the effective values) and who set each field."""

    number: str
    name: str
    mobile: str | None
    home: str | None
    email: str | None
    set_by_user: frozenset[str]
    """the fields the user set or cleared; the others are the administrator's (home: none)"""


class OwnContactData(Store):
    """The own contact data (mixed into State)."""

    def own_contact(self, number: str) -> OwnContact | None:
        row = self._row("SELECT * FROM user_contacts WHERE number=?", (number,))
        if row is None:
            return None
        flags = self._row("SELECT mobile_set, home_set, email_set FROM own_contact WHERE number=?", (number,))
        mine = {f for f, on in zip(FIELDS, flags, strict=True) if on} if flags is not None else set()
        return OwnContact(row["number"], row["name"], row["mobile"], row["home"], row["email"], frozenset(mine))

    def set_own_contact(self, number: str, changes: dict[str, str | None], now: datetime) -> OwnContact | None:
        """Set (a value) or clear (None) the given fields of FIELDS; the others stay as they were."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise ValueError(f"not own contact fields: {sorted(unknown)}")
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM users WHERE number=?", (number,)).fetchone() is None:
                return None
            conn.execute("INSERT OR IGNORE INTO own_contact (number, changed_at) VALUES (?, ?)", (number, _iso(now)))
            for name, value in changes.items():
                conn.execute(
                    f"UPDATE own_contact SET {name}=?, {name}_set=1, changed_at=? WHERE number=?",
                    (value, _iso(now), number),
                )
        return self.own_contact(number)
