"""The stub's state: SQLite in the run directory, surviving a restart.

`State.open(path, config)` creates the database on first open and seeds it from the system
configuration; later opens keep what users changed. On every open, what the administrator
owns follows the configuration (users and their names, licences and mobile numbers,
devices and SIP credentials, MULAP groups, deskshare dummy numbers, the preassigned PIN of
mailboxes still on it); what users own is kept (passwords, PINs, presence, visibility,
VoIP setting, sessions, registrations). A user's initial password is used once, when the
user first appears. Users and devices gone from the configuration are deleted with their
data.

Secrets: SIP credentials as HA1 (what digest authentication needs); UC passwords, the
administrator password and user-chosen PINs as scrypt hashes (credentials.py); session
tokens as SHA-256. A preassigned PIN is stored as it is: it is public by definition
(123456 or the internal number, REL-PIN).

Processes: every process opens its own State on the same file (WAL journal, busy timeout);
within a process one State may be shared by threads (a lock serialises its connection).
Writes that check and then change (a registration claim) run in one IMMEDIATE transaction,
so two processes cannot both win a station.

Time: the stub's system clock (timescale.SystemClock) is anchored in the database, so every
process agrees on "now"; methods take `now` (system time) and default to the clock.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .. import credentials
from ..config import DeviceKind, Licence, SystemConfig
from ..credentials import ScryptCost
from ..profiles import Mode, ReleaseProfile
from ..rules import registrations as reg_rules
from ..rules.clients import ClientKind
from ..rules.presence import (
    DEFAULT_VISIBILITY,
    Forwarding,
    ForwardTarget,
    PresenceChange,
    Status,
    Visibility,
    default_forwarding,
)
from ..timescale import TIMERS, SystemClock, Timer, TimeScale
from .conferences import ConferenceData
from .conferences import migrate as migrate_conferences
from .directory import SCHEMA_V2, DirectoryData, sync_directories
from .journal import JournalData
from .journal import migrate as migrate_journal
from .own_contact import OwnContactData
from .own_contact import migrate as migrate_own_contact
from .phone_conferences import PhoneConferenceData
from .phone_conferences import migrate as migrate_phone_conferences
from .store import StateError as StateError
from .store import UnknownUser as UnknownUser
from .store import dt as _dt
from .store import dt_required as _dt_required
from .store import iso as _iso
from .store import transaction
from .telephony import SCHEMA_V3, TelephonyData

SCHEMA_VERSION = 3
_USER_SQL = "SELECT u.*, c.mobile AS own_mobile, c.email AS own_email FROM users u JOIN user_contacts c USING (number)"
"""a user with the mobile number and e-mail address others see (the user's own, else the administrator's)"""

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    licences TEXT NOT NULL,
    mobile TEXT,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    password_changed_at TEXT,
    voip_enabled INTEGER NOT NULL DEFAULT 0,
    controlled_device TEXT
);
CREATE TABLE mulap_groups (number TEXT PRIMARY KEY REFERENCES users(number) ON DELETE CASCADE);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    sip_user TEXT NOT NULL UNIQUE,
    ha1 TEXT NOT NULL,
    mulap TEXT REFERENCES mulap_groups(number) ON DELETE SET NULL
);
CREATE TABLE deskshare_dummies (number TEXT PRIMARY KEY);
CREATE TABLE voicemail (
    number TEXT PRIMARY KEY REFERENCES users(number) ON DELETE CASCADE,
    preset_pin TEXT,
    pin_hash TEXT,
    changed_at TEXT
);
CREATE TABLE presence (
    number TEXT PRIMARY KEY REFERENCES users(number) ON DELETE CASCADE,
    status TEXT NOT NULL,
    return_time TEXT,
    info_text TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    callme_destination TEXT,
    updated_at TEXT
);
CREATE TABLE forwarding (
    number TEXT NOT NULL REFERENCES users(number) ON DELETE CASCADE,
    status TEXT NOT NULL,
    target TEXT NOT NULL,
    external_number TEXT,
    PRIMARY KEY (number, status)
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_digest TEXT NOT NULL UNIQUE,
    number TEXT REFERENCES users(number) ON DELETE CASCADE,
    role TEXT NOT NULL,
    client TEXT NOT NULL,
    address TEXT NOT NULL,
    scope TEXT NOT NULL,
    since TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE registrations (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    contact TEXT NOT NULL,
    source TEXT NOT NULL,
    transport TEXT NOT NULL,
    call_id TEXT,
    instance TEXT,
    since TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE refused_registrations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    contact TEXT NOT NULL,
    source TEXT NOT NULL,
    transport TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""

MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1, 2: SCHEMA_V2, 3: SCHEMA_V3}
"""SQL that brings the database from version n-1 to n (version 0 = empty file).
2: users' e-mail, directories, personal contacts, favorites, pictures (state/directory.py).
3: deskshare logins, voice messages (state/telephony.py)."""

REFUSED_KEPT = 50


@dataclass(frozen=True)
class Device:
    id: str
    kind: DeviceKind
    number: str
    """the device's own station number"""
    sip_user: str
    mulap: str | None


@dataclass(frozen=True)
class SipAccount:
    username: str
    realm: str
    ha1: str
    number: str
    """what a callee sees as the caller: the MULAP number for MULAP members, else the station"""
    station: str
    device_id: str
    kind: DeviceKind


@dataclass(frozen=True)
class User:
    number: str
    name: str
    licences: frozenset[Licence]
    mobile: str | None
    email: str | None
    must_change_password: bool
    voip_enabled: bool
    controlled_device: str | None
    is_mulap: bool


@dataclass(frozen=True)
class Presence:
    number: str
    status: Status
    return_time: datetime | None
    info_text: str
    visibility: Visibility
    forwarding: dict[Status, Forwarding]
    """the forwarding destination of every status (defaults filled in)"""
    callme_destination: str | None
    updated_at: datetime | None

    @property
    def callme_active(self) -> bool:
        return bool(self.callme_destination)


@dataclass(frozen=True)
class Session:
    id: str
    number: str | None
    role: str
    """"user" or "admin" """
    client: ClientKind
    address: str
    scope: str
    """"full", or "password_change" until the administrator's initial password is changed"""
    since: datetime
    last_seen: datetime


@dataclass(frozen=True)
class Registration:
    device_id: str
    sip_user: str
    station: str
    number: str
    contact: str
    source: str
    transport: str
    call_id: str | None
    instance: str | None
    since: datetime
    expires_at: datetime


@dataclass(frozen=True)
class RefusedRegistration:
    device_id: str
    sip_user: str
    station: str
    contact: str
    source: str
    transport: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class RegistrationDecision:
    """What the SIP side answers a REGISTER: 200 when accepted, else `sip_code` `sip_reason`."""

    accepted: bool
    outcome: reg_rules.Outcome
    sip_code: int
    sip_reason: str
    message: str
    retry_after_s: float
    """real seconds until the holder's registration expires (refusals), for Retry-After"""
    registration: Registration | None
    """the registration now held (accepted) ..."""
    holder: Registration | None
    """... or the one that holds the station (refused)"""


class State(DirectoryData, TelephonyData, ConferenceData, PhoneConferenceData, JournalData, OwnContactData):
    """Typed access to the stub's state. Open with `State.open(path, config)`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: SystemConfig,
        cost: ScryptCost,
        real_time: Callable[[], float],
        clock: SystemClock,
    ) -> None:
        super().__init__(conn)
        self.config = config
        self.cost = cost
        self._real_time = real_time
        self.clock = clock
        self.path = Path(conn.execute("PRAGMA database_list").fetchone()[2])

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: str | Path,
        config: SystemConfig,
        *,
        cost: ScryptCost = ScryptCost.DEFAULT,
        real_time: Callable[[], float] = time.time,
    ) -> State:
        """Open (create, migrate, seed, sync with `config`) the state file at `path`."""
        p = Path(path)
        if not p.parent.is_dir():
            raise StateError(f"state directory {p.parent} does not exist; create the run directory first")
        try:
            conn = sqlite3.connect(p, timeout=10.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"{p} is not a usable SQLite state file ({exc}); remove it or use a fresh run directory"
            ) from None
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with transaction(conn):
                _migrate(conn, p)
                migrate_conferences(conn)
                migrate_phone_conferences(conn)
                migrate_journal(conn)
                migrate_own_contact(conn)
                clock = _sync_clock(conn, TimeScale(config.system.time_scale), real_time())
                _sync_config(conn, config, cost)
        except BaseException:
            conn.close()
            raise
        return cls(conn, config, cost, real_time, clock)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- system

    @property
    def mode(self) -> Mode:
        return self.config.system.mode

    @property
    def profile(self) -> ReleaseProfile:
        return self.config.profile

    @property
    def realm(self) -> str:
        return self.config.realm

    @property
    def time_scale(self) -> TimeScale:
        return self.clock.scale

    def now(self) -> datetime:
        """The system clock's current time."""
        return self.clock.now(self._real_time())

    def schema_version(self) -> int:
        row = self._row("SELECT value FROM meta WHERE key='schema_version'")
        return int(row["value"]) if row else 0

    # ---------------------------------------------------------------- devices and SIP accounts

    def devices(self) -> list[Device]:
        return [_device(r) for r in self._rows("SELECT * FROM devices ORDER BY number")]

    def device(self, device_id: str) -> Device | None:
        row = self._row("SELECT * FROM devices WHERE id=?", (device_id,))
        return _device(row) if row else None

    def device_by_sip_user(self, username: str) -> Device | None:
        row = self._row("SELECT * FROM devices WHERE sip_user=?", (username,))
        return _device(row) if row else None

    def device_by_number(self, station: str) -> Device | None:
        row = self._row("SELECT * FROM devices WHERE number=?", (station,))
        return _device(row) if row else None

    def devices_for_number(self, number: str) -> list[Device]:
        """The devices a call to `number` rings: a MULAP's members, a desk phone logged in as
        the user by deskshare (NET-1.8), else the station's device."""
        rows = self._rows(
            "SELECT d.* FROM devices d JOIN deskshare_logins l ON l.device_id=d.id WHERE l.number=?", (number,)
        )
        if rows:
            return [_device(r) for r in rows]
        rows = self._rows("SELECT * FROM devices WHERE mulap=? ORDER BY number", (number,))
        if not rows:
            rows = self._rows("SELECT * FROM devices WHERE number=? AND mulap IS NULL", (number,))
        return [_device(r) for r in rows]

    def number_of_device(self, username: str) -> str:
        """What a callee sees as the caller of this device (the MULAP number for members)."""
        dev = self.device_by_sip_user(username)
        if dev is None:
            raise StateError(f"no device has SIP user {username!r}; known: {', '.join(self._sip_users())}")
        login = self.deskshare_login_of_device(dev.id)
        return login.number if login is not None else dev.mulap or dev.number

    def sip_accounts(self) -> list[SipAccount]:
        return [self._account(r) for r in self._rows("SELECT * FROM devices ORDER BY sip_user")]

    def sip_account(self, username: str) -> SipAccount | None:
        row = self._row("SELECT * FROM devices WHERE sip_user=?", (username,))
        return self._account(row) if row else None

    def _account(self, r: sqlite3.Row) -> SipAccount:
        return SipAccount(
            username=r["sip_user"],
            realm=self.realm,
            ha1=r["ha1"],
            number=r["mulap"] or r["number"],
            station=r["number"],
            device_id=r["id"],
            kind=DeviceKind(r["kind"]),
        )

    def _sip_users(self) -> list[str]:
        return [r["sip_user"] for r in self._rows("SELECT sip_user FROM devices ORDER BY sip_user")]

    def is_mulap(self, number: str) -> bool:
        return self._row("SELECT 1 FROM mulap_groups WHERE number=?", (number,)) is not None

    def deskshare_dummies(self) -> list[str]:
        return [r["number"] for r in self._rows("SELECT number FROM deskshare_dummies ORDER BY number")]

    # ---------------------------------------------------------------- registrations (TRB-2)

    def claim_registration(
        self,
        device_username: str,
        contact: str,
        source_address: str,
        transport: str,
        *,
        expires_s: float | None = None,
        call_id: str | None = None,
        instance: str | None = None,
        now: datetime | None = None,
    ) -> RegistrationDecision:
        """A device asks to register (REGISTER with expires > 0). Decide and record atomically.

        `expires_s` is the lifetime granted on the wire (real seconds; default: the scaled
        registration timer). `source_address` is "ip:port" as received. See
        rules/registrations.py for the policy (the first registration holds the station).
        """
        with self._tx() as conn:
            now = now or self.now()
            dev = self._device_or_error(conn, device_username)
            real_expires = expires_s if expires_s is not None else self.time_scale.timer(Timer.REGISTRATION_EXPIRES)
            claim = reg_rules.Binding(
                contact,
                source_address,
                transport.lower(),
                call_id,
                instance,
                now,
                now + timedelta(seconds=self.time_scale.documented(max(real_expires, 0.0))),
            )
            held_row = conn.execute("SELECT * FROM registrations WHERE device_id=?", (dev.id,)).fetchone()
            held = _registration(held_row, dev) if held_row else None
            held_binding = (
                reg_rules.Binding(
                    held.contact, held.source, held.transport, held.call_id, held.instance, held.since, held.expires_at
                )
                if held
                else None
            )
            decision = reg_rules.decide(dev.number, held_binding, claim, now)
            if not decision.accepted:
                assert held is not None
                conn.execute(
                    "INSERT INTO refused_registrations (device_id, contact, source, transport, at, reason) "
                    "VALUES (?,?,?,?,?,?)",
                    (dev.id, contact, source_address, claim.transport, _iso(now), decision.message),
                )
                conn.execute(
                    "DELETE FROM refused_registrations WHERE seq <= (SELECT MAX(seq) FROM refused_registrations) - ?",
                    (REFUSED_KEPT,),
                )
                return RegistrationDecision(
                    False,
                    decision.outcome,
                    403,
                    f"Station {dev.number} already registered",
                    decision.message,
                    self.time_scale.real(decision.retry_after_s),
                    None,
                    held,
                )
            since = held.since if decision.outcome is reg_rules.Outcome.REFRESH and held else now
            conn.execute(
                "INSERT INTO registrations (device_id, contact, source, transport, call_id, instance, since, expires_at) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(device_id) DO UPDATE SET contact=excluded.contact, "
                "source=excluded.source, transport=excluded.transport, call_id=excluded.call_id, "
                "instance=excluded.instance, since=excluded.since, expires_at=excluded.expires_at",
                (
                    dev.id,
                    contact,
                    source_address,
                    claim.transport,
                    call_id,
                    instance,
                    _iso(since),
                    _iso(claim.expires_at),
                ),
            )
            # deskshare (NET-1.8, 004:151): the user's own VoIP client registering logs the
            # desk phone out; it returns to its dummy number
            conn.execute("DELETE FROM deskshare_logins WHERE number=? AND device_id<>?", (dev.number, dev.id))
            row = conn.execute("SELECT * FROM registrations WHERE device_id=?", (dev.id,)).fetchone()
            return RegistrationDecision(
                True, decision.outcome, 200, "OK", decision.message, 0.0, _registration(row, dev), None
            )

    def release_registration(
        self,
        device_username: str,
        contact: str | None = None,
        *,
        source_address: str | None = None,
        transport: str | None = None,
        call_id: str | None = None,
        instance: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """A device unregisters (expires 0) or the SIP side saw its registration expire.

        Only the holder's own release counts (same client, as for refreshes); with no
        identification at all (contact None) the registration is dropped unconditionally
        (the SIP side's expiry). Returns whether a registration was removed.
        """
        with self._tx() as conn:
            now = now or self.now()
            dev = self._device_or_error(conn, device_username)
            row = conn.execute("SELECT * FROM registrations WHERE device_id=?", (dev.id,)).fetchone()
            if row is None:
                return False
            held = _registration(row, dev)
            if contact is not None:
                held_b = reg_rules.Binding(
                    held.contact, held.source, held.transport, held.call_id, held.instance, held.since, held.expires_at
                )
                claim = reg_rules.Binding(
                    contact, source_address or "", (transport or "").lower(), call_id, instance, now, now
                )
                if held.expires_at > now and not reg_rules.same_client(held_b, claim):
                    return False
            conn.execute("DELETE FROM registrations WHERE device_id=?", (dev.id,))
            return True

    def registrations(self, now: datetime | None = None) -> list[Registration]:
        """Live registrations (expired ones are not shown)."""
        now = now or self.now()
        out = []
        devices = {d.id: d for d in self.devices()}
        for r in self._rows("SELECT * FROM registrations"):
            reg = _registration(r, devices[r["device_id"]])
            if reg.expires_at > now:
                out.append(reg)
        return sorted(out, key=lambda reg: reg.station)

    def refused_registrations(self, limit: int = 20) -> list[RefusedRegistration]:
        out = []
        for r in self._rows(
            "SELECT f.*, d.sip_user, d.number FROM refused_registrations f JOIN devices d ON d.id=f.device_id "
            "ORDER BY f.seq DESC LIMIT ?",
            (limit,),
        ):
            out.append(
                RefusedRegistration(
                    r["device_id"],
                    r["sip_user"],
                    r["number"],
                    r["contact"],
                    r["source"],
                    r["transport"],
                    _dt_required(r["at"]),
                    r["reason"],
                )
            )
        return out

    def _device_or_error(self, conn: sqlite3.Connection, username: str) -> Device:
        row = conn.execute("SELECT * FROM devices WHERE sip_user=?", (username,)).fetchone()
        if row is None:
            raise StateError(f"no device has SIP user {username!r}; register with a SIP user of the configuration")
        return _device(row)

    # ---------------------------------------------------------------- users and passwords

    def users(self) -> list[User]:
        return [self._user(r) for r in self._rows(f"{_USER_SQL} ORDER BY u.number")]

    def user(self, number: str) -> User | None:
        row = self._row(f"{_USER_SQL} WHERE u.number=?", (number,))
        return self._user(row) if row else None

    def _user(self, r: sqlite3.Row) -> User:
        return User(
            number=r["number"],
            name=r["name"],
            licences=frozenset(Licence(x) for x in r["licences"].split(",") if x),
            mobile=r["own_mobile"],
            email=r["own_email"],
            must_change_password=bool(r["must_change_password"]),
            voip_enabled=bool(r["voip_enabled"]),
            controlled_device=r["controlled_device"],
            is_mulap=self.is_mulap(r["number"]),
        )

    def verify_password(self, number: str, password: str) -> bool:
        """Whether `password` is the user's UC password (False for unknown users, same cost)."""
        row = self._row("SELECT password_hash FROM users WHERE number=?", (number,))
        if row is None:
            credentials.verify_secret(password, credentials.hash_secret("", self.cost))
            return False
        return credentials.verify_secret(password, row["password_hash"])

    def set_password(self, number: str, password: str, now: datetime | None = None) -> None:
        """Store a new UC password (already checked against the rules); clears "must change"."""
        self._require_user(number)
        digest = credentials.hash_secret(password, self.cost)
        with self._tx() as conn:
            conn.execute(
                "UPDATE users SET password_hash=?, must_change_password=0, password_changed_at=? WHERE number=?",
                (digest, _iso(now or self.now()), number),
            )

    def verify_admin_password(self, password: str) -> bool:
        row = self._row("SELECT value FROM meta WHERE key='admin_password_hash'")
        return row is not None and credentials.verify_secret(password, row["value"])

    def set_voip(self, number: str, enabled: bool, controlled_device: str | None) -> None:
        self._require_user(number)
        with self._tx() as conn:
            conn.execute(
                "UPDATE users SET voip_enabled=?, controlled_device=? WHERE number=?",
                (int(enabled), controlled_device, number),
            )

    # ---------------------------------------------------------------- voicemail PIN (UC-PIN, REL-PIN)

    def pin_is_preset(self, number: str) -> bool:
        row = self._row("SELECT preset_pin FROM voicemail WHERE number=?", (number,))
        if row is None:
            raise UnknownUser(f"no user with number {number!r}")
        return row["preset_pin"] is not None

    def verify_pin(self, number: str, pin: str) -> bool:
        row = self._row("SELECT preset_pin, pin_hash FROM voicemail WHERE number=?", (number,))
        if row is None:
            return False
        if row["preset_pin"] is not None:
            return secrets.compare_digest(pin.encode("utf-8", "surrogatepass"), row["preset_pin"].encode())
        return credentials.verify_secret(pin, row["pin_hash"] or "")

    def set_pin(self, number: str, pin: str, now: datetime | None = None) -> None:
        """Store a new PIN (already checked against the rules); the preassigned PIN is then gone."""
        self._require_user(number)
        digest = credentials.hash_secret(pin, self.cost)
        with self._tx() as conn:
            conn.execute(
                "UPDATE voicemail SET preset_pin=NULL, pin_hash=?, changed_at=? WHERE number=?",
                (digest, _iso(now or self.now()), number),
            )

    # ---------------------------------------------------------------- presence (UC-PRES-1..3)

    def presence(self, number: str) -> Presence:
        row = self._row("SELECT * FROM presence WHERE number=?", (number,))
        if row is None:
            raise UnknownUser(f"no user with number {number!r}")
        forwarding = {s: default_forwarding(s) for s in Status}
        for f in self._rows("SELECT * FROM forwarding WHERE number=?", (number,)):
            forwarding[Status(f["status"])] = Forwarding(ForwardTarget(f["target"]), f["external_number"])
        return Presence(
            number=number,
            status=Status(row["status"]),
            return_time=_dt(row["return_time"]),
            info_text=row["info_text"],
            visibility=Visibility(row["visibility"]),
            forwarding=forwarding,
            callme_destination=row["callme_destination"],
            updated_at=_dt(row["updated_at"]),
        )

    def set_presence(self, number: str, change: PresenceChange, now: datetime | None = None) -> Presence:
        """Store a presence change (already checked by rules/presence.py)."""
        self._require_user(number)
        with self._tx() as conn:
            conn.execute(
                "UPDATE presence SET status=?, return_time=?, info_text=?, updated_at=? WHERE number=?",
                (change.status.value, _iso(change.return_time), change.info_text, _iso(now or self.now()), number),
            )
            if change.forward_to is not None:
                conn.execute(
                    "INSERT INTO forwarding (number, status, target, external_number) VALUES (?,?,?,?) "
                    "ON CONFLICT(number, status) DO UPDATE SET target=excluded.target, "
                    "external_number=excluded.external_number",
                    (number, change.status.value, change.forward_to.value, change.external_number),
                )
        return self.presence(number)

    def set_callme(self, number: str, destination: str | None) -> Presence:
        """The CallMe service's destination (000:790-803): set = active, None = deleted (000:782).
        A CallMe presence status without the service is Office (rules/presence.py)."""
        self._require_user(number)
        with self._tx() as conn:
            conn.execute("UPDATE presence SET callme_destination=? WHERE number=?", (destination, number))
            if destination is None:
                conn.execute("UPDATE presence SET status=? WHERE number=? AND status=?", ("office", number, "callme"))
        return self.presence(number)

    def set_visibility(self, number: str, visibility: Visibility) -> Presence:
        self._require_user(number)
        with self._tx() as conn:
            conn.execute("UPDATE presence SET visibility=? WHERE number=?", (visibility.value, number))
        return self.presence(number)

    # ---------------------------------------------------------------- UC sessions (open connections)

    def open_session(
        self,
        number: str | None,
        *,
        role: str,
        client: ClientKind,
        address: str,
        scope: str = "full",
        now: datetime | None = None,
    ) -> tuple[str, Session]:
        """A new session; returns (token, session). Only the token's digest is stored."""
        now = now or self.now()
        token = secrets.token_urlsafe(32)
        sid = secrets.token_hex(6)
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO sessions (id, token_digest, number, role, client, address, scope, since, last_seen) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    sid,
                    credentials.token_digest(token),
                    number,
                    role,
                    client.value,
                    address,
                    scope,
                    _iso(now),
                    _iso(now),
                ),
            )
        return token, Session(sid, number, role, client, address, scope, now, now)

    def session(self, token: str, now: datetime | None = None) -> Session | None:
        """The live session of a token (touching it), or None; idle sessions are closed."""
        now = now or self.now()
        with self._tx() as conn:
            row = conn.execute(
                "SELECT * FROM sessions WHERE token_digest=?", (credentials.token_digest(token),)
            ).fetchone()
            if row is None:
                return None
            if self._idle(row, now):
                conn.execute("DELETE FROM sessions WHERE id=?", (row["id"],))
                return None
            conn.execute("UPDATE sessions SET last_seen=? WHERE id=?", (_iso(now), row["id"]))
        s = _session(row)
        return Session(s.id, s.number, s.role, s.client, s.address, s.scope, s.since, now)

    def set_session_scope(self, session_id: str, scope: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE sessions SET scope=? WHERE id=?", (scope, session_id))

    def close_session(self, session_id: str) -> bool:
        with self._tx() as conn:
            return conn.execute("DELETE FROM sessions WHERE id=?", (session_id,)).rowcount > 0

    def sessions(self, number: str | None = None, now: datetime | None = None) -> list[Session]:
        """Open user sessions (all users, or one), oldest first; idle ones are left out."""
        now = now or self.now()
        if number is None:
            rows = self._rows("SELECT * FROM sessions WHERE role='user' ORDER BY since")
        else:
            rows = self._rows("SELECT * FROM sessions WHERE role='user' AND number=? ORDER BY since", (number,))
        return [_session(r) for r in rows if not self._idle(r, now)]

    def _idle(self, row: sqlite3.Row, now: datetime) -> bool:
        idle = timedelta(seconds=TIMERS[Timer.UC_SESSION_IDLE].seconds)
        return _dt_required(row["last_seen"]) + idle <= now


# -------------------------------------------------------------------- module helpers


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    version = 0
    if has_meta:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row else 0
    elif conn.execute("SELECT 1 FROM sqlite_master").fetchone():
        raise StateError(f"{path} holds tables that are not the stub's state; use a fresh run directory")
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{path} was written by a newer stub (schema {version} > {SCHEMA_VERSION}); use a fresh run directory"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[target].split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (str(target),),
        )


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value)
    )


def _sync_clock(conn: sqlite3.Connection, scale: TimeScale, real_now: float) -> SystemClock:
    anchor_real, anchor_system, factor = (
        _meta(conn, k) for k in ("clock_anchor_real", "clock_anchor_system", "time_scale")
    )
    if anchor_real is None or anchor_system is None or factor is None:
        clock = SystemClock.starting(real_now, scale)
    else:
        clock = SystemClock(float(anchor_real), _dt_required(anchor_system), TimeScale(float(factor)))
        if clock.scale != scale:
            clock = clock.rescaled(real_now, scale)
    _set_meta(conn, "clock_anchor_real", repr(clock.anchor_real))
    _set_meta(conn, "clock_anchor_system", clock.anchor_system.isoformat())
    _set_meta(conn, "time_scale", repr(clock.scale.factor))
    return clock


def _sync_config(conn: sqlite3.Connection, cfg: SystemConfig, cost: ScryptCost) -> None:
    _set_meta(conn, "mode", cfg.system.mode.value)
    _set_meta(conn, "release", cfg.system.release.value)
    _set_meta(conn, "realm", cfg.realm)
    admin_hash = _meta(conn, "admin_password_hash")
    if admin_hash is None or not credentials.verify_secret(cfg.administrator.password, admin_hash):
        _set_meta(conn, "admin_password_hash", credentials.hash_secret(cfg.administrator.password, cost))

    numbers = [u.number for u in cfg.users]
    marks = ",".join("?" * len(numbers))
    conn.execute(f"DELETE FROM users WHERE number NOT IN ({marks})", numbers)
    known = {r[0] for r in conn.execute("SELECT number FROM users")}
    for u in cfg.users:
        licences = ",".join(sorted(licence.value for licence in u.licences))
        if u.number in known:
            conn.execute(
                "UPDATE users SET name=?, licences=?, mobile=?, email=? WHERE number=?",
                (u.name, licences, u.mobile, u.email, u.number),
            )
            continue
        conn.execute(
            "INSERT INTO users (number, name, licences, mobile, email, password_hash, must_change_password) "
            "VALUES (?,?,?,?,?,?,?)",
            (
                u.number,
                u.name,
                licences,
                u.mobile,
                u.email,
                credentials.hash_secret(u.password, cost),
                int(u.must_change_password),
            ),
        )
        conn.execute(
            "INSERT INTO presence (number, status, visibility) VALUES (?,?,?)",
            (u.number, Status.OFFICE.value, DEFAULT_VISIBILITY.value),
        )
        conn.execute("INSERT INTO voicemail (number, preset_pin) VALUES (?,?)", (u.number, cfg.preset_pin(u.number)))
    for u in cfg.users:
        conn.execute(
            "UPDATE voicemail SET preset_pin=? WHERE number=? AND preset_pin IS NOT NULL",
            (cfg.preset_pin(u.number), u.number),
        )

    groups = [g.number for g in cfg.mulap]
    conn.execute(f"DELETE FROM mulap_groups WHERE number NOT IN ({','.join('?' * len(groups))})", groups)
    for g in groups:
        conn.execute("INSERT OR IGNORE INTO mulap_groups (number) VALUES (?)", (g,))

    ids = [d.id for d in cfg.devices]
    conn.execute(f"DELETE FROM devices WHERE id NOT IN ({','.join('?' * len(ids))})", ids)
    # free unique numbers/users first, so that swaps between devices do not collide
    conn.execute("UPDATE devices SET number='~' || id, sip_user='~' || id")
    for d in cfg.devices:
        group = cfg.mulap_of(d.id)
        conn.execute(
            "INSERT INTO devices (id, kind, number, sip_user, ha1, mulap) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, number=excluded.number, sip_user=excluded.sip_user, "
            "ha1=excluded.ha1, mulap=excluded.mulap",
            (
                d.id,
                d.kind.value,
                d.number,
                d.sip_user,
                credentials.ha1(d.sip_user, cfg.realm, d.sip_password),
                group.number if group else None,
            ),
        )

    conn.execute("DELETE FROM deskshare_dummies")
    for n in cfg.deskshare.dummy_numbers:
        conn.execute("INSERT INTO deskshare_dummies (number) VALUES (?)", (n,))
    sync_directories(conn, cfg)


def _device(r: sqlite3.Row) -> Device:
    return Device(r["id"], DeviceKind(r["kind"]), r["number"], r["sip_user"], r["mulap"])


def _registration(row: sqlite3.Row, dev: Device) -> Registration:
    return Registration(
        device_id=dev.id,
        sip_user=dev.sip_user,
        station=dev.number,
        number=dev.mulap or dev.number,
        contact=row["contact"],
        source=row["source"],
        transport=row["transport"],
        call_id=row["call_id"],
        instance=row["instance"],
        since=_dt_required(row["since"]),
        expires_at=_dt_required(row["expires_at"]),
    )


def _session(r: sqlite3.Row) -> Session:
    return Session(
        id=r["id"],
        number=r["number"],
        role=r["role"],
        client=ClientKind(r["client"]),
        address=r["address"],
        scope=r["scope"],
        since=_dt_required(r["since"]),
        last_seen=_dt_required(r["last_seen"]),
    )
