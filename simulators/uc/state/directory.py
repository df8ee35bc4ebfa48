"""The state of directories, personal contacts, favorites and pictures (schema version 2).

What the administrator owns follows the configuration on every open (`sync_directories`:
the speed dials, global and external contacts); what users own is kept (personal contacts,
favorites, pictures). Entries of the administrator's directories are identified by their
content (a hash), so the same entry keeps its id across restarts; an entry the
administrator changes is a new entry and leaves the favorites it was in.

Checks that depend on what is stored (the number of personal contacts, the names of a
user's groups) run inside the write's transaction: the caller passes a `check` that raises
to refuse, and the transaction is rolled back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ..config import DirectoryContact, SpeedDial, SystemConfig
from ..rules.directories import ContactFields, Directory
from ..rules.picture import Picture
from .store import Store
from .store import dt_required as _dt
from .store import iso as _iso

SCHEMA_V2 = """
ALTER TABLE users ADD COLUMN email TEXT;
CREATE TABLE directory_entries (
    id TEXT PRIMARY KEY,
    directory TEXT NOT NULL,
    name TEXT NOT NULL,
    number TEXT,
    business TEXT,
    mobile TEXT,
    private TEXT,
    email TEXT
);
CREATE TABLE personal_contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL REFERENCES users(number) ON DELETE CASCADE,
    name TEXT NOT NULL,
    business TEXT,
    mobile TEXT,
    private TEXT,
    email TEXT,
    origin TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX personal_contacts_owner ON personal_contacts(owner);
CREATE TABLE favorite_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL REFERENCES users(number) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE favorite_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL REFERENCES favorite_groups(id) ON DELETE CASCADE,
    user_number TEXT REFERENCES users(number) ON DELETE CASCADE,
    personal_id INTEGER REFERENCES personal_contacts(id) ON DELETE CASCADE,
    entry_id TEXT REFERENCES directory_entries(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    CHECK ((user_number IS NOT NULL) + (personal_id IS NOT NULL) + (entry_id IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX favorite_once_per_group ON favorite_entries(
    group_id, coalesce(user_number, ''), coalesce(personal_id, 0), coalesce(entry_id, '')
);
CREATE TABLE pictures (
    number TEXT PRIMARY KEY REFERENCES users(number) ON DELETE CASCADE,
    format TEXT NOT NULL,
    data BLOB NOT NULL,
    original_format TEXT NOT NULL,
    original_width INTEGER NOT NULL,
    original_height INTEGER NOT NULL,
    original_bytes INTEGER NOT NULL,
    updated_at TEXT NOT NULL
)
"""

Origin = Literal["manual", "csv", "xml"]
ADMIN_DIRECTORIES = (Directory.SYSTEM, Directory.GLOBAL, Directory.EXTERNAL)


@dataclass(frozen=True)
class Listing:
    """One entry of any directory, as search results and favorites show it."""

    directory: Directory
    id: str
    """the internal number (internal), the contact's number (personal), a content hash (others)"""
    name: str
    number: str | None = None
    """the internal number (internal directory) or the speed-dial number (system directory)"""
    business: str | None = None
    mobile: str | None = None
    private: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class PersonalContact:
    id: int
    owner: str
    fields: ContactFields
    origin: Origin
    """manual (added or edited in the client) or the import it came from (000:520)"""
    created_at: datetime
    updated_at: datetime

    @property
    def listing(self) -> Listing:
        f = self.fields
        return Listing(Directory.PERSONAL, str(self.id), f.name, None, f.business, f.mobile, f.private, f.email)


@dataclass(frozen=True)
class ImportOutcome:
    added: int
    updated: int
    removed: int
    kept: int
    """manually added or edited contacts, which an import leaves alone (000:520)"""
    total: int


@dataclass(frozen=True)
class FavoriteEntry:
    id: int
    listing: Listing
    added_at: datetime


@dataclass(frozen=True)
class FavoriteGroup:
    id: int
    name: str
    entries: tuple[FavoriteEntry, ...]


@dataclass(frozen=True)
class StoredPicture:
    number: str
    picture: Picture
    updated_at: datetime


def entry_id(directory: Directory, entry: SpeedDial | DirectoryContact) -> str:
    digest = hashlib.sha256(f"{directory.value}\0{entry.model_dump_json()}".encode()).hexdigest()
    return f"{directory.value[0]}{digest[:11]}"


def sync_directories(conn: sqlite3.Connection, cfg: SystemConfig) -> None:
    """The administrator's directories as configured (inside State.open's transaction)."""
    dirs = cfg.directories
    wanted: list[tuple[str, Directory, SpeedDial | DirectoryContact]] = [
        *((entry_id(Directory.SYSTEM, e), Directory.SYSTEM, e) for e in dirs.speed_dials),
        *((entry_id(Directory.GLOBAL, e), Directory.GLOBAL, e) for e in dirs.global_contacts),
        *((entry_id(Directory.EXTERNAL, e), Directory.EXTERNAL, e) for e in dirs.external_contacts),
    ]
    ids = [w[0] for w in wanted]
    conn.execute(f"DELETE FROM directory_entries WHERE id NOT IN ({','.join('?' * len(ids))})", ids)
    for eid, directory, e in wanted:
        if isinstance(e, SpeedDial):
            values: tuple[str | None, ...] = (e.name, e.number, None, None, None, None)
        else:
            values = (e.name, None, e.business, e.mobile, e.private, e.email)
        conn.execute(
            "INSERT OR IGNORE INTO directory_entries (id, directory, name, number, business, mobile, private, email) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (eid, directory.value, *values),
        )


def _personal(r: sqlite3.Row) -> PersonalContact:
    return PersonalContact(
        id=r["id"],
        owner=r["owner"],
        fields=ContactFields(r["name"], r["business"], r["mobile"], r["private"], r["email"]),
        origin=r["origin"],
        created_at=_dt(r["created_at"]),
        updated_at=_dt(r["updated_at"]),
    )


def _admin_listing(r: sqlite3.Row) -> Listing:
    return Listing(
        Directory(r["directory"]), r["id"], r["name"], r["number"], r["business"], r["mobile"], r["private"], r["email"]
    )


def _user_listing(r: sqlite3.Row) -> Listing:
    return Listing(Directory.INTERNAL, r["number"], r["name"], r["number"], None, r["mobile"], r["home"], r["email"])


_FAVORITE_SQL = """
SELECT f.id AS fid, f.group_id, f.added_at, f.user_number, f.personal_id, f.entry_id,
       u.name AS u_name, u.mobile AS u_mobile, u.home AS u_home, u.email AS u_email,
       p.name AS p_name, p.business AS p_business, p.mobile AS p_mobile, p.private AS p_private, p.email AS p_email,
       d.directory AS d_directory, d.name AS d_name, d.number AS d_number, d.business AS d_business,
       d.mobile AS d_mobile, d.private AS d_private, d.email AS d_email
FROM favorite_entries f
JOIN favorite_groups g ON g.id = f.group_id
LEFT JOIN user_contacts u ON u.number = f.user_number
LEFT JOIN personal_contacts p ON p.id = f.personal_id
LEFT JOIN directory_entries d ON d.id = f.entry_id
WHERE g.owner = ?
ORDER BY f.id
"""


def _favorite_listing(r: sqlite3.Row) -> Listing:
    if r["user_number"] is not None:
        n = r["user_number"]
        return Listing(Directory.INTERNAL, n, r["u_name"], n, None, r["u_mobile"], r["u_home"], r["u_email"])
    if r["personal_id"] is not None:
        return Listing(
            Directory.PERSONAL,
            str(r["personal_id"]),
            r["p_name"],
            None,
            r["p_business"],
            r["p_mobile"],
            r["p_private"],
            r["p_email"],
        )
    return Listing(
        Directory(r["d_directory"]),
        r["entry_id"],
        r["d_name"],
        r["d_number"],
        r["d_business"],
        r["d_mobile"],
        r["d_private"],
        r["d_email"],
    )


class DirectoryData(Store):
    """Directories, personal contacts, favorites and pictures (mixed into State)."""

    # ------------------------------------------------------------ directories

    def listings(self, owner: str, directories: Iterable[Directory]) -> list[Listing]:
        """Every entry of the given directories that `owner` can search (personal: only theirs)."""
        wanted = set(directories)
        out: list[Listing] = []
        if Directory.PERSONAL in wanted:
            out += [c.listing for c in self.personal_contacts(owner)]
        if Directory.INTERNAL in wanted:
            out += [_user_listing(r) for r in self._rows("SELECT * FROM user_contacts")]
        admin = [d.value for d in ADMIN_DIRECTORIES if d in wanted]
        if admin:
            marks = ",".join("?" * len(admin))
            out += [
                _admin_listing(r)
                for r in self._rows(f"SELECT * FROM directory_entries WHERE directory IN ({marks})", tuple(admin))
            ]
        return out

    def listing(self, owner: str, directory: Directory, contact_id: str) -> Listing | None:
        """One entry by its directory and id (personal contacts only the owner's)."""
        if directory is Directory.PERSONAL:
            contact = self.personal_contact(owner, contact_id)
            return contact.listing if contact else None
        if directory is Directory.INTERNAL:
            row = self._row("SELECT * FROM user_contacts WHERE number=?", (contact_id,))
            return _user_listing(row) if row else None
        row = self._row("SELECT * FROM directory_entries WHERE id=? AND directory=?", (contact_id, directory.value))
        return _admin_listing(row) if row else None

    # ------------------------------------------------------------ personal contacts (UC-DIR-1)

    def personal_contacts(self, owner: str) -> list[PersonalContact]:
        return [_personal(r) for r in self._rows("SELECT * FROM personal_contacts WHERE owner=? ORDER BY id", (owner,))]

    def personal_contact(self, owner: str, contact_id: str) -> PersonalContact | None:
        if not contact_id.isascii() or not contact_id.isdigit() or len(contact_id) > 18:
            return None
        row = self._row("SELECT * FROM personal_contacts WHERE owner=? AND id=?", (owner, int(contact_id)))
        return _personal(row) if row else None

    def count_personal(self, owner: str) -> int:
        row = self._row("SELECT count(*) AS n FROM personal_contacts WHERE owner=?", (owner,))
        return int(row["n"]) if row else 0

    def add_personal(
        self, owner: str, fields: ContactFields, now: datetime, check: Callable[[int], None]
    ) -> PersonalContact:
        """Add a contact by hand; `check(count)` raises to refuse (the limit, 000:1948)."""
        self._require_user(owner)
        with self._tx() as conn:
            (count,) = conn.execute("SELECT count(*) FROM personal_contacts WHERE owner=?", (owner,)).fetchone()
            check(int(count))
            cur = conn.execute(
                "INSERT INTO personal_contacts (owner, name, business, mobile, private, email, origin, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,'manual',?,?)",
                (owner, *_values(fields), _iso(now), _iso(now)),
            )
            row = conn.execute("SELECT * FROM personal_contacts WHERE id=?", (cur.lastrowid,)).fetchone()
        return _personal(row)

    def update_personal(
        self, owner: str, contact_id: str, fields: ContactFields, now: datetime
    ) -> PersonalContact | None:
        """Edit a contact: it is then "manually added" and no import touches it again (000:520)."""
        found = self.personal_contact(owner, contact_id)
        if found is None:
            return None
        with self._tx() as conn:
            conn.execute(
                "UPDATE personal_contacts SET name=?, business=?, mobile=?, private=?, email=?, origin='manual', "
                "updated_at=? WHERE id=? AND owner=?",
                (*_values(fields), _iso(now), found.id, owner),
            )
        return self.personal_contact(owner, contact_id)

    def delete_personal(self, owner: str, contact_id: str) -> PersonalContact | None:
        """Delete a contact (and its favorites entries); the deleted contact, or None."""
        found = self.personal_contact(owner, contact_id)
        if found is not None:
            with self._tx() as conn:
                conn.execute("DELETE FROM personal_contacts WHERE id=? AND owner=?", (found.id, owner))
        return found

    def import_personal(
        self,
        owner: str,
        contacts: Sequence[ContactFields],
        origin: Origin,
        now: datetime,
        check: Callable[[int, int], None],
    ) -> ImportOutcome:
        """Synchronise the imported contacts with a file (000:520): earlier imported contacts with a
        name in the file are updated in place (they stay in the favorites), new names are added,
        imported contacts no longer in the file are removed; manually added or edited ones stay.
        `check(kept, importing)` raises to refuse (the limit, 000:1948)."""
        self._require_user(owner)
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT id, name, origin FROM personal_contacts WHERE owner=? ORDER BY id", (owner,)
            ).fetchall()
            kept = sum(1 for r in rows if r["origin"] == "manual")
            check(kept, len(contacts))
            earlier: dict[str, list[int]] = {}
            for r in rows:
                if r["origin"] != "manual":
                    earlier.setdefault(r["name"], []).append(r["id"])
            added = updated = 0
            for c in contacts:
                same = earlier.get(c.name)
                if same:
                    conn.execute(
                        "UPDATE personal_contacts SET name=?, business=?, mobile=?, private=?, email=?, origin=?, "
                        "updated_at=? WHERE id=?",
                        (*_values(c), origin, _iso(now), same.pop(0)),
                    )
                    updated += 1
                else:
                    conn.execute(
                        "INSERT INTO personal_contacts (owner, name, business, mobile, private, email, origin, "
                        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (owner, *_values(c), origin, _iso(now), _iso(now)),
                    )
                    added += 1
            stale = [i for ids in earlier.values() for i in ids]
            for i in stale:
                conn.execute("DELETE FROM personal_contacts WHERE id=?", (i,))
        return ImportOutcome(added, updated, len(stale), kept, kept + len(contacts))

    # ------------------------------------------------------------ favorites (UC-FAV-1)

    def favorite_groups(self, owner: str) -> list[FavoriteGroup]:
        entries: dict[int, list[FavoriteEntry]] = {}
        for r in self._rows(_FAVORITE_SQL, (owner,)):
            entries.setdefault(r["group_id"], []).append(
                FavoriteEntry(r["fid"], _favorite_listing(r), _dt(r["added_at"]))
            )
        return [
            FavoriteGroup(r["id"], r["name"], tuple(entries.get(r["id"], ())))
            for r in self._rows("SELECT id, name FROM favorite_groups WHERE owner=? ORDER BY id", (owner,))
        ]

    def favorite_group(self, owner: str, group_id: int) -> FavoriteGroup | None:
        return next((g for g in self.favorite_groups(owner) if g.id == group_id), None)

    def create_favorite_group(
        self, owner: str, name: str, now: datetime, check: Callable[[list[str]], None]
    ) -> FavoriteGroup:
        """A new group; `check(names of the other groups)` raises to refuse."""
        self._require_user(owner)
        with self._tx() as conn:
            check(_group_names(conn, owner))
            cur = conn.execute(
                "INSERT INTO favorite_groups (owner, name, created_at) VALUES (?,?,?)", (owner, name, _iso(now))
            )
            gid = int(cur.lastrowid or 0)
        return FavoriteGroup(gid, name, ())

    def rename_favorite_group(
        self, owner: str, group_id: int, name: str, check: Callable[[list[str]], None]
    ) -> FavoriteGroup | None:
        with self._tx() as conn:
            if (
                conn.execute("SELECT 1 FROM favorite_groups WHERE id=? AND owner=?", (group_id, owner)).fetchone()
                is None
            ):
                return None
            check(_group_names(conn, owner, but=group_id))
            conn.execute("UPDATE favorite_groups SET name=? WHERE id=?", (name, group_id))
        return self.favorite_group(owner, group_id)

    def delete_favorite_group(self, owner: str, group_id: int) -> bool:
        with self._tx() as conn:
            return conn.execute("DELETE FROM favorite_groups WHERE id=? AND owner=?", (group_id, owner)).rowcount > 0

    def add_favorite(self, owner: str, group_id: int, listing: Listing, now: datetime) -> FavoriteEntry | None:
        """Add a directory entry to a group; None when it is already there."""
        column = {Directory.INTERNAL: "user_number", Directory.PERSONAL: "personal_id"}.get(
            listing.directory, "entry_id"
        )
        key: str | int = int(listing.id) if listing.directory is Directory.PERSONAL else listing.id
        with self._tx() as conn:
            try:
                cur = conn.execute(
                    f"INSERT INTO favorite_entries (group_id, {column}, added_at) VALUES (?,?,?)",
                    (group_id, key, _iso(now)),
                )
            except sqlite3.IntegrityError:
                return None
            fid = int(cur.lastrowid or 0)
        return FavoriteEntry(fid, listing, now)

    def remove_favorite(self, owner: str, group_id: int, favorite_id: int) -> FavoriteEntry | None:
        group = self.favorite_group(owner, group_id)
        entry = next((e for e in group.entries if e.id == favorite_id), None) if group else None
        if entry is not None:
            with self._tx() as conn:
                conn.execute("DELETE FROM favorite_entries WHERE id=? AND group_id=?", (favorite_id, group_id))
        return entry

    # ------------------------------------------------------------ own picture (UC-IMG-1)

    def picture(self, number: str) -> StoredPicture | None:
        r = self._row("SELECT * FROM pictures WHERE number=?", (number,))
        if r is None:
            return None
        picture = Picture(
            r["format"],
            bytes(r["data"]),
            r["original_format"],
            r["original_width"],
            r["original_height"],
            r["original_bytes"],
        )
        return StoredPicture(r["number"], picture, _dt(r["updated_at"]))

    def has_picture(self, numbers: Iterable[str]) -> set[str]:
        wanted = list(numbers)
        marks = ",".join("?" * len(wanted))
        return {
            r["number"] for r in self._rows(f"SELECT number FROM pictures WHERE number IN ({marks})", tuple(wanted))
        }

    def set_picture(self, number: str, picture: Picture, now: datetime) -> StoredPicture:
        self._require_user(number)
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO pictures (number, format, data, original_format, original_width, original_height, "
                "original_bytes, updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(number) DO UPDATE SET "
                "format=excluded.format, data=excluded.data, original_format=excluded.original_format, "
                "original_width=excluded.original_width, original_height=excluded.original_height, "
                "original_bytes=excluded.original_bytes, updated_at=excluded.updated_at",
                (
                    number,
                    picture.format,
                    picture.data,
                    picture.original_format,
                    picture.original_width,
                    picture.original_height,
                    picture.original_bytes,
                    _iso(now),
                ),
            )
        stored = self.picture(number)
        assert stored is not None
        return stored

    def delete_picture(self, number: str) -> bool:
        with self._tx() as conn:
            return conn.execute("DELETE FROM pictures WHERE number=?", (number,)).rowcount > 0


def _values(f: ContactFields) -> tuple[str | None, ...]:
    return (f.name, f.business, f.mobile, f.private, f.email)


def _group_names(conn: sqlite3.Connection, owner: str, but: int | None = None) -> list[str]:
    rows = conn.execute("SELECT id, name FROM favorite_groups WHERE owner=? ORDER BY id", (owner,)).fetchall()
    return [r["name"] for r in rows if r["id"] != but]
