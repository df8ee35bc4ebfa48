"""The state of application-controlled conferences (MeetMe, UC-CONF-2..5; schema version 4).

A conference is permanent (000:1515): it stays with its members until a moderator deletes
it. Members are internal users (from the directory) or external ones entered by hand, each
with a personal PIN (conference ID); guests who dialled in with the guest PIN are members
while connected. Schema: its own track (meta key `conference_schema`, `migrate` called by State.open), so
it does not compete for the main schema's version numbers. A member's state (000:1548-1552) follows its call: inactive, dialing in,
waiting (alone: music on hold), active.

`conference_mix` holds which mixer node slot each connected member and each link between
nodes uses (rules/conference_slots.py decides; the rows are claimed and released in one
IMMEDIATE transaction, so workers and nodes in different processes never both win a slot).
Conference channels in use = connected members (000:1517: none until someone dials in).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..rules import conference_slots as mix
from ..rules import conferences as rules
from ..rules.conferences import ParticipantState
from ..rules.verdict import Verdict
from .store import StateError, Store, schema_track
from .store import dt as _dt
from .store import dt_required as _dtr
from .store import iso as _iso

CONFERENCE_SCHEMA = 1
SCHEMA_CONFERENCES_V1 = """
CREATE TABLE conferences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    guest_pin TEXT NOT NULL UNIQUE,
    guest_allowed INTEGER NOT NULL,
    creator TEXT NOT NULL,
    created_at TEXT NOT NULL,
    info TEXT,
    ends_at TEXT
);
CREATE TABLE conference_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conference INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
    number TEXT,
    name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    moderator INTEGER NOT NULL DEFAULT 0,
    guest INTEGER NOT NULL DEFAULT 0,
    pin TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'inactive',
    since TEXT
);
CREATE INDEX conference_members_conference ON conference_members(conference);
CREATE TABLE conference_mix (
    node INTEGER NOT NULL,
    conference INTEGER NOT NULL,
    role TEXT NOT NULL,
    ref TEXT NOT NULL,
    PRIMARY KEY (node, conference, role, ref)
)
"""

ANCHOR_SCHEMA = 1
SCHEMA_ANCHORS_V1 = """
CREATE TABLE conference_anchors (
    conference INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES conference_members(id) ON DELETE CASCADE,
    worker INTEGER NOT NULL,
    PRIMARY KEY (conference, member)
)
"""
"""which call core worker anchors a connected member's call (its own track, added after
V1, so a state written before it gains the table on open)"""


def migrate(conn: sqlite3.Connection) -> None:
    """Create the conference tables once (inside State.open's transaction)."""
    schema_track(conn, "conference_schema", CONFERENCE_SCHEMA, SCHEMA_CONFERENCES_V1)
    schema_track(conn, "conference_anchor_schema", ANCHOR_SCHEMA, SCHEMA_ANCHORS_V1)


class ConferenceError(StateError):
    """A conference change refused by a rule; `verdict` says which."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


@dataclass(frozen=True)
class ConferenceMember:
    id: int
    conference: int
    number: str | None
    name: str
    phone: str | None
    email: str | None
    moderator: bool
    guest: bool
    pin: str | None
    state: ParticipantState
    since: datetime | None

    def rule_view(self) -> rules.Member:
        return rules.Member(self.id, self.number, self.moderator, self.state, self.guest)


@dataclass(frozen=True)
class Conference:
    id: int
    name: str
    guest_pin: str
    guest_allowed: bool
    creator: str
    created_at: datetime
    info: str | None
    ends_at: datetime | None
    members: list[ConferenceMember] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(m.state in rules.CONNECTED for m in self.members)

    def member(self, member_id: int) -> ConferenceMember | None:
        return next((m for m in self.members if m.id == member_id), None)

    def rule_view(self) -> list[rules.Member]:
        return [m.rule_view() for m in self.members]


@dataclass(frozen=True)
class PinMatch:
    conference: Conference
    member: ConferenceMember | None
    kind: str
    """personal | guest"""


@dataclass(frozen=True)
class Joined:
    conference: Conference
    member: ConferenceMember
    placement: mix.Placement


Check = Callable[[Conference], None]


class ConferenceData(Store):
    """Conferences, members, PINs and mixer slots (mixed into State)."""

    # ---------------------------------------------------------------- reading

    def conference(self, conference_id: int) -> Conference | None:
        with self._lock:
            return _load(self._conn, conference_id)

    def conferences_of(self, number: str) -> list[Conference]:
        """Conferences `number` is a member of: active ones first (000:1620-1622), then by id."""
        rows = self._rows(
            "SELECT DISTINCT conference FROM conference_members WHERE number=? AND guest=0 ORDER BY conference",
            (number,),
        )
        with self._lock:
            confs = [c for r in rows if (c := _load(self._conn, int(r[0]))) is not None]
        return sorted(confs, key=lambda c: (not c.active, c.id))

    def all_conferences(self) -> list[Conference]:
        with self._lock:
            ids = [int(r[0]) for r in self._conn.execute("SELECT id FROM conferences ORDER BY id")]
            return [c for i in ids if (c := _load(self._conn, i)) is not None]

    def find_pin(self, pin: str) -> PinMatch | None:
        with self._lock:
            return _match(self._conn, pin)

    def mix_slots(self) -> list[mix.Slot]:
        with self._lock:
            return _slots(self._conn)

    def channels_in_use(self) -> dict[int, int]:
        """{conference: connected members}: the conference channels in use (000:1517, 000:1552)."""
        rows = self._rows(
            "SELECT conference, COUNT(*) FROM conference_members WHERE state IN ('waiting','active') GROUP BY conference"
        )
        return {int(r[0]): int(r[1]) for r in rows}

    # ---------------------------------------------------------------- managing (UC API)

    def create_conference(
        self, creator: str, creator_name: str, name: str, guest_allowed: bool, now: datetime
    ) -> Conference:
        with self._tx() as conn:
            guest_pin = rules.new_pin(_pins(conn))
            cur = conn.execute(
                "INSERT INTO conferences (name, guest_pin, guest_allowed, creator, created_at) VALUES (?,?,?,?,?)",
                (name, guest_pin, int(guest_allowed), creator, _iso(now)),
            )
            conf_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO conference_members (conference, number, name, moderator, pin) VALUES (?,?,?,1,?)",
                (conf_id, creator, creator_name, rules.new_pin(_pins(conn))),
            )
            return _required(conn, conf_id)

    def change_conference(self, conference_id: int, check: Check, **changes: object) -> Conference:
        """Apply `changes` (name, guest_allowed) after `check` accepted the conference as it is."""
        columns = {"name": "name", "guest_allowed": "guest_allowed"}
        with self._tx() as conn:
            check(_required(conn, conference_id))
            for key, value in changes.items():
                if value is not None:
                    conn.execute(
                        f"UPDATE conferences SET {columns[key]}=? WHERE id=?",
                        (int(value) if isinstance(value, bool) else value, conference_id),
                    )
            return _required(conn, conference_id)

    def delete_conference(self, conference_id: int, check: Check) -> Conference:
        with self._tx() as conn:
            conf = _required(conn, conference_id)
            check(conf)
            conn.execute("DELETE FROM conference_mix WHERE conference=?", (conference_id,))
            conn.execute("DELETE FROM conferences WHERE id=?", (conference_id,))
            return conf

    def add_member(
        self,
        conference_id: int,
        check: Check,
        *,
        number: str | None,
        name: str,
        phone: str | None = None,
        email: str | None = None,
    ) -> ConferenceMember:
        with self._tx() as conn:
            check(_required(conn, conference_id))
            cur = conn.execute(
                "INSERT INTO conference_members (conference, number, name, phone, email, pin) VALUES (?,?,?,?,?,?)",
                (conference_id, number, name, phone, email, rules.new_pin(_pins(conn))),
            )
            member = _required(conn, conference_id).member(int(cur.lastrowid or 0))
            assert member is not None
            return member

    def remove_member(self, conference_id: int, member_id: int, check: Check) -> ConferenceMember:
        with self._tx() as conn:
            conf = _required(conn, conference_id)
            check(conf)
            member = _member_of(conf, member_id)
            _release(conn, conference_id, member_id)
            conn.execute("DELETE FROM conference_members WHERE id=?", (member_id,))
            return member

    def set_moderator(self, conference_id: int, member_id: int, on: bool, check: Check) -> ConferenceMember:
        with self._tx() as conn:
            conf = _required(conn, conference_id)
            _member_of(conf, member_id)
            check(conf)
            conn.execute("UPDATE conference_members SET moderator=? WHERE id=?", (int(on), member_id))
            member = _required(conn, conference_id).member(member_id)
            assert member is not None
            return member

    # ---------------------------------------------------------------- calls (call core)

    def dial_in(
        self, pin: str, nodes: int, now: datetime, caller: str, worker: int | None = None
    ) -> tuple[rules.DialIn, Joined | None]:
        """A caller keyed `pin`: admit (member dialing in, a mixer slot claimed, the call
        core `worker` that anchors the call recorded) or refuse."""
        with self._tx() as conn:
            match = _match(conn, pin)
            conf = match.conference if match else None
            member = match.member if match else None
            connected = sum(1 for m in conf.members if m.state in rules.CONNECTED) if conf else 0
            decision = rules.decide_dial_in(
                kind=match.kind if match else None,
                guest_allowed=bool(conf and conf.guest_allowed),
                connected=connected,
                already_in=member is not None and member.state is not ParticipantState.INACTIVE,
            )
            if not decision.admitted or conf is None:
                return decision, None
            placement = mix.place(_slots(conn), conf.id, nodes)
            if placement is None:
                return rules.DialIn(False, "no_channel", "No conference channel is free; try again later."), None
            if member is None:
                cur = conn.execute(
                    "INSERT INTO conference_members (conference, name, phone, guest) VALUES (?,?,?,1)",
                    (conf.id, f"Guest {caller}", caller),
                )
                member_id = int(cur.lastrowid or 0)
            else:
                member_id = member.id
            conn.execute("UPDATE conference_members SET state='dialing_in', since=? WHERE id=?", (_iso(now), member_id))
            for slot in mix.claim(_slots(conn), conf.id, member_id, placement):
                _insert_slot(conn, slot)
            if worker is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO conference_anchors (conference, member, worker) VALUES (?,?,?)",
                    (conf.id, member_id, worker),
                )
            conf = _required(conn, conf.id)
            joined = conf.member(member_id)
            assert joined is not None
            return decision, Joined(conf, joined, placement)

    def member_connected(self, conference_id: int, member_id: int, now: datetime) -> Conference | None:
        """The member's mixer leg is up: waiting when alone, else everyone connected is active."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE conference_members SET state='waiting', since=? WHERE id=? AND state='dialing_in'",
                (_iso(now), member_id),
            )
            _restate(conn, conference_id, now)
            return _load(conn, conference_id)

    def member_left(self, conference_id: int, member_id: int, now: datetime, end_after: float) -> Conference | None:
        """The member's call ended: slot released, guests forgotten, states and the end timer
        updated. When the last connected moderator left while others stay, they get the info
        text and the conference ends `end_after` documented seconds later (000:1553-1555)."""
        with self._tx() as conn:
            conf = _load(conn, conference_id)
            if conf is None:
                return None
            member = conf.member(member_id)
            _release(conn, conference_id, member_id)
            conn.execute("DELETE FROM conference_anchors WHERE conference=? AND member=?", (conference_id, member_id))
            if member is not None and member.guest:
                conn.execute("DELETE FROM conference_members WHERE id=?", (member_id,))
            else:
                conn.execute(
                    "UPDATE conference_members SET state='inactive', since=? WHERE id=?", (_iso(now), member_id)
                )
            _restate(conn, conference_id, now)
            conf = _required(conn, conference_id)
            connected = [m for m in conf.members if m.state in rules.CONNECTED]
            if member is not None and member.moderator and connected and not any(m.moderator for m in connected):
                if conf.ends_at is None:
                    conn.execute(
                        "UPDATE conferences SET info=?, ends_at=? WHERE id=?",
                        (rules.END_INFO_TEXT, _iso(now + timedelta(seconds=end_after)), conference_id),
                    )
            elif not connected or any(m.moderator for m in connected):
                conn.execute("UPDATE conferences SET info=NULL, ends_at=NULL WHERE id=?", (conference_id,))
            return _required(conn, conference_id)

    def meetme_worker_started(self, worker: int, now: datetime, end_after: float) -> list[tuple[int, int]]:
        """A (re)started call core `worker` holds no call yet: the members whose calls its
        predecessor anchored left when it died (or the stub stopped). They leave as if they
        had hung up (slot released, so the mixer node hangs up its leg; states and the end
        timer follow). Returns the (conference, member) pairs that left."""
        with self._lock:
            stale = [
                (int(r[0]), int(r[1]))
                for r in self._conn.execute(
                    "SELECT conference, member FROM conference_anchors WHERE worker=? ORDER BY rowid", (worker,)
                )
            ]
        for conference_id, member_id in stale:
            self.member_left(conference_id, member_id, now, end_after)
        return stale


# -------------------------------------------------------------------- helpers


def _pins(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT pin FROM conference_members WHERE pin IS NOT NULL UNION SELECT guest_pin FROM conferences"
    )
    return {str(r[0]) for r in rows}


def _slots(conn: sqlite3.Connection) -> list[mix.Slot]:
    rows = conn.execute("SELECT node, conference, role, ref FROM conference_mix ORDER BY node, rowid")
    return [mix.Slot(int(r[0]), int(r[1]), r[2], str(r[3])) for r in rows]


def _insert_slot(conn: sqlite3.Connection, slot: mix.Slot) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO conference_mix (node, conference, role, ref) VALUES (?,?,?,?)",
        (slot.node, slot.conference, slot.role, slot.ref),
    )


def _release(conn: sqlite3.Connection, conference_id: int, member_id: int) -> None:
    left = mix.release(_slots(conn), conference_id, member_id)
    conn.execute("DELETE FROM conference_mix WHERE conference=?", (conference_id,))
    for slot in (s for s in left if s.conference == conference_id):
        _insert_slot(conn, slot)


def _restate(conn: sqlite3.Connection, conference_id: int, now: datetime) -> None:
    """Connected members: alone -> waiting (music on hold), two or more -> active."""
    n = conn.execute(
        "SELECT COUNT(*) FROM conference_members WHERE conference=? AND state IN ('waiting','active')",
        (conference_id,),
    ).fetchone()[0]
    target = rules.state_after_join(int(n)).value
    conn.execute(
        "UPDATE conference_members SET state=?, since=? WHERE conference=? AND state IN ('waiting','active') "
        "AND state<>?",
        (target, _iso(now), conference_id, target),
    )


def _match(conn: sqlite3.Connection, pin: str) -> PinMatch | None:
    row = conn.execute("SELECT id, conference FROM conference_members WHERE pin=?", (pin,)).fetchone()
    if row is not None:
        conf = _required(conn, int(row["conference"]))
        return PinMatch(conf, conf.member(int(row["id"])), "personal")
    row = conn.execute("SELECT id FROM conferences WHERE guest_pin=?", (pin,)).fetchone()
    if row is not None:
        return PinMatch(_required(conn, int(row["id"])), None, "guest")
    return None


def _member_of(conf: Conference, member_id: int) -> ConferenceMember:
    member = conf.member(member_id)
    if member is None:
        raise StateError(f"conference {conf.id} has no participant {member_id}")
    return member


def _required(conn: sqlite3.Connection, conference_id: int) -> Conference:
    conf = _load(conn, conference_id)
    if conf is None:
        raise StateError(f"no conference {conference_id}")
    return conf


def _load(conn: sqlite3.Connection, conference_id: int) -> Conference | None:
    row = conn.execute("SELECT * FROM conferences WHERE id=?", (conference_id,)).fetchone()
    if row is None:
        return None
    members = [
        ConferenceMember(
            id=int(m["id"]),
            conference=conference_id,
            number=m["number"],
            name=m["name"],
            phone=m["phone"],
            email=m["email"],
            moderator=bool(m["moderator"]),
            guest=bool(m["guest"]),
            pin=m["pin"],
            state=ParticipantState(m["state"]),
            since=_dt(m["since"]),
        )
        for m in conn.execute("SELECT * FROM conference_members WHERE conference=? ORDER BY id", (conference_id,))
    ]
    return Conference(
        id=int(row["id"]),
        name=row["name"],
        guest_pin=row["guest_pin"],
        guest_allowed=bool(row["guest_allowed"]),
        creator=row["creator"],
        created_at=_dtr(row["created_at"]),
        info=row["info"],
        ends_at=_dt(row["ends_at"]),
        members=members,
    )
