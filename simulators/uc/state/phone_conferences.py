"""The state of phone-controlled conferences (UC-CONF-1, 000:1489-1513; own schema track).

A phone-controlled conference (rules/phone_conferences.py) is a set of call legs the call
core moved out of two-party calls: one row per participant leg with the worker that
anchors it. Within a worker the participants' legs share one bridge (a *group*); once
the conference spans two or more workers, each group has one leg into a mixer node (its
"uplink", a participant slot of `conference_mix` with member = worker index + 1), and the
nodes mix the groups as they mix MeetMe participants. A conference held by one worker
needs no mixer node (no slot: a node would play music on hold to a lone slot).

Ids start above PHONE_CONFERENCE_IDS so that they never meet a MeetMe conference's id in
`conference_mix` (one table of slots for both kinds: they share the nodes' capacity).
Not listed among the MeetMe conferences, no PINs, no moderators, no licence.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..rules import conference_slots as mix
from ..rules.conferences import PHONE_CONFERENCE_MAX
from ..rules.phone_conferences import FULL, NO_CHANNEL
from .conferences import _insert_slot, _release, _slots
from .store import StateError, Store, schema_track
from .store import iso as _iso

PHONE_CONFERENCE_SCHEMA = 1
PHONE_CONFERENCE_IDS = 1_000_000
"""phone-controlled conference ids are above this (MeetMe ids count from 1)"""
SCHEMA_V1 = """
CREATE TABLE phone_conferences (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE phone_conference_parties (
    conference INTEGER NOT NULL REFERENCES phone_conferences(id) ON DELETE CASCADE,
    worker INTEGER NOT NULL,
    leg TEXT NOT NULL,
    PRIMARY KEY (conference, leg)
)
"""


def migrate(conn: sqlite3.Connection) -> None:
    """Create the tables once (inside State.open's transaction)."""
    schema_track(conn, "phone_conference_schema", PHONE_CONFERENCE_SCHEMA, SCHEMA_V1)


def group_member(worker: int) -> int:
    """The mixer-slot member id of `worker`'s group (its uplink is `conf<C>-p<member>`)."""
    return worker + 1


Leg = tuple[int, str]
"""(worker, leg id)"""


@dataclass(frozen=True)
class PhoneConference:
    id: int
    owner: str
    parties: list[Leg]

    def workers(self) -> set[int]:
        return {w for w, _ in self.parties}


@dataclass(frozen=True)
class PhoneLeft:
    conference: PhoneConference
    ended: bool
    """one participant (or none) was left: the conference ended and its rows are gone"""


class PhoneConferenceFull(StateError):
    """The 9th participant (000:1513); the message is rules.phone_conferences.FULL."""


class NoConferenceChannel(StateError):
    """No mixer node slot is left for a group's uplink; the message is NO_CHANNEL."""


class PhoneConferenceData(Store):
    """Phone-controlled conferences: participant legs by worker, mixer slots of groups."""

    def phone_conference(self, conference_id: int) -> PhoneConference | None:
        with self._lock:
            return _load(self._conn, conference_id)

    def phone_conference_of_leg(self, worker: int, leg: str) -> PhoneConference | None:
        row = self._row("SELECT conference FROM phone_conference_parties WHERE worker=? AND leg=?", (worker, leg))
        return None if row is None else self.phone_conference(int(row[0]))

    def phone_conferences(self) -> list[PhoneConference]:
        with self._lock:
            ids = [int(r[0]) for r in self._conn.execute("SELECT id FROM phone_conferences ORDER BY id")]
            return [c for i in ids if (c := _load(self._conn, i)) is not None]

    def phone_conference_join(
        self,
        conference_id: int | None,
        owner: str,
        joining: list[Leg],
        release: Leg | None,
        nodes: int,
        now: datetime,
    ) -> PhoneConference:
        """`joining` legs enter the conference (a new one when `conference_id` is None), the
        `release`d leg (the initiator's held conference leg) leaves; mixer slots follow the
        groups. Refused (PhoneConferenceFull, nothing changed) beyond 8 participants."""
        with self._tx() as conn:
            if conference_id is None:
                row = conn.execute("SELECT MAX(id) FROM phone_conferences").fetchone()
                conference_id = max(int(row[0] or 0), PHONE_CONFERENCE_IDS) + 1
                conn.execute(
                    "INSERT INTO phone_conferences (id, owner, created_at) VALUES (?,?,?)",
                    (conference_id, owner, _iso(now)),
                )
            elif _load(conn, conference_id) is None:
                raise StateError(f"no phone-controlled conference {conference_id}")
            for worker, leg in joining:
                conn.execute(
                    "INSERT OR REPLACE INTO phone_conference_parties (conference, worker, leg) VALUES (?,?,?)",
                    (conference_id, worker, leg),
                )
            if release is not None:
                conn.execute(
                    "DELETE FROM phone_conference_parties WHERE conference=? AND worker=? AND leg=?",
                    (conference_id, *release),
                )
            conf = _required(conn, conference_id)
            if len(conf.parties) > PHONE_CONFERENCE_MAX:
                raise PhoneConferenceFull(FULL)
            _regroup(conn, conf, nodes)
            return conf

    def phone_conference_left(self, conference_id: int, worker: int, leg: str, nodes: int) -> PhoneLeft | None:
        """A participant's leg ended: it leaves; with one participant left the conference ends
        (its rows and slots go; the caller releases the last leg(s) it anchors)."""
        with self._tx() as conn:
            conn.execute(
                "DELETE FROM phone_conference_parties WHERE conference=? AND worker=? AND leg=?",
                (conference_id, worker, leg),
            )
            conf = _load(conn, conference_id)
            if conf is None:
                return None
            if len(conf.parties) >= 2:
                _regroup(conn, conf, nodes)
                return PhoneLeft(conf, False)
            conn.execute("DELETE FROM conference_mix WHERE conference=?", (conference_id,))
            conn.execute("DELETE FROM phone_conferences WHERE id=?", (conference_id,))
            return PhoneLeft(conf, True)

    def phone_conference_worker_started(self, worker: int, nodes: int) -> list[PhoneLeft]:
        """A (re)started `worker` holds no call yet, so every participant row naming it is
        a leg its predecessor held when it died (or the stub stopped): those participants
        leave, as if their legs had ended, so the others' groups regroup and a conference
        left with one participant ends (the nodes then hang up the other groups' uplinks)."""
        with self._lock:
            stale = [
                (int(r[0]), str(r[1]))
                for r in self._conn.execute(
                    "SELECT conference, leg FROM phone_conference_parties WHERE worker=? ORDER BY rowid", (worker,)
                )
            ]
        return [left for conf, leg in stale if (left := self.phone_conference_left(conf, worker, leg, nodes))]


def _regroup(conn: sqlite3.Connection, conf: PhoneConference, nodes: int) -> None:
    """Mixer slots for the groups: none while one worker holds every participant, else one
    participant slot per group (placed like a MeetMe participant, links as needed)."""
    workers = conf.workers()
    slots = _slots(conn)
    mine = {int(s.ref) for s in slots if s.conference == conf.id and s.role == "participant"}
    wanted = {group_member(w) for w in workers} if len(workers) >= 2 else set()
    for member in sorted(mine - wanted):
        _release(conn, conf.id, member)
    for member in sorted(wanted - mine):
        placement = mix.place(_slots(conn), conf.id, nodes)
        if placement is None:
            raise NoConferenceChannel(NO_CHANNEL)
        for slot in mix.claim(_slots(conn), conf.id, member, placement):
            _insert_slot(conn, slot)


def _load(conn: sqlite3.Connection, conference_id: int) -> PhoneConference | None:
    row = conn.execute("SELECT owner FROM phone_conferences WHERE id=?", (conference_id,)).fetchone()
    if row is None:
        return None
    parties = [
        (int(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT worker, leg FROM phone_conference_parties WHERE conference=? ORDER BY rowid", (conference_id,)
        )
    ]
    return PhoneConference(conference_id, str(row[0]), parties)


def _required(conn: sqlite3.Connection, conference_id: int) -> PhoneConference:
    conf = _load(conn, conference_id)
    if conf is None:
        raise StateError(f"no phone-controlled conference {conference_id}")
    return conf
