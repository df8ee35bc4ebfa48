"""The call core's switching logic: legs, sessions and what to do on each event. Pure.

A *leg* is one SIP dialog of the core (one pjsua2 call): `in` from a device (through
Kamailio), `out` to a device. A *session* is one call as users see it: the caller's
inbound leg, the outbound legs ringing the called number's devices in parallel (MULAP
members ring together, NET-1.3), and, once one answers, two peered legs whose audio the
conference bridge connects (every call's media is anchored in the core, as the system's
gateway does).

Each event method returns the actions the pjsua2 adapter carries out, in order. Nothing
here does I/O or reads a clock, so every rule below is unit-tested without pjsua2:

- unknown number -> 404; no device of the number -> 480; no room in this worker -> 503
- first 180 from any fork -> 180 to the caller; first 2xx -> 200 to the caller, bridge the
  two, CANCEL the other forks; all forks failed -> the best failure to the caller
- a leg ends -> its peer is hung up (unless the leg was transferred away)
- remote hold / retrieve on a leg -> hold / retrieve its peer (re-INVITE relayed)
- a DTMF digit on a leg -> the same digit, same method (RFC 4733 or INFO), to its peer
- REFER (blind or attended): the core places the transfer leg itself (pjsua2 does, from
  the Refer-To); the referring leg's peer is handed to it and bridged once it answers; if
  it fails, the peer goes back to the referrer (or is hung up if the referrer left)
- INVITE with Replaces (attended transfer): the new leg takes the replaced leg's peer
- *59 and a number (PICKUP_CODE): the caller of the call ringing there is answered and
  connected to the picker; the ringing devices are cancelled (UC-CALL-3)
- with a `router` (routing.py): the features decide where a call goes (deskshare service
  code, voicemail, CallMe, status-based forwarding, DND); a leg the core answers itself
  (`AnswerLocal`) runs a dialogue (ivr.py) in the adapter; a ringing session with a mailbox
  goes to voicemail when its no-answer timer (`StartTimer`) fires unanswered (`timeout`),
  and at once when none of the devices it rang is registered (LAB-UNREACHABLE-VOICEMAIL)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ..state.journal import Record
from .routing import Refuse, Route, Service, Voicemail

Direction = Literal["in", "out"]
LegState = Literal["setup", "ringing", "answered", "ended"]
Media = Literal["none", "active", "local_hold", "remote_hold", "error"]
DtmfMethod = Literal["rfc4733", "info"]

_DIAL_SEPARATORS = re.compile(r"[\s()/:;-]")


class Directory(Protocol):
    """What the switch needs from the stub state (state.core.State satisfies it)."""

    def devices_for_number(self, number: str) -> Sequence[DeviceRef]: ...

    def number_of_device(self, username: str) -> str: ...


class DeviceRef(Protocol):
    @property
    def sip_user(self) -> str: ...

    @property
    def kind(self) -> object: ...


# -- actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    leg: str
    code: int
    reason: str
    identity: str = ""
    """to the caller of a call the core connects: whom the call reached, the number dialled
    (P-Asserted-Identity, LAB-CONNECTED-IDENTITY); empty: none"""


@dataclass(frozen=True)
class Dial:
    leg: str
    device: str
    caller_number: str
    caller_name: str = ""


@dataclass(frozen=True)
class Hangup:
    leg: str
    code: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Connect:
    a: str
    b: str


@dataclass(frozen=True)
class Disconnect:
    a: str
    b: str


@dataclass(frozen=True)
class Hold:
    leg: str


@dataclass(frozen=True)
class Retrieve:
    leg: str


@dataclass(frozen=True)
class SendDtmf:
    leg: str
    digits: str
    method: DtmfMethod


@dataclass(frozen=True)
class AnswerLocal:
    """The core answers `leg` itself and runs the `service` dialogue on it (ivr.py)."""

    leg: str
    service: str
    """"deskshare" or "voicemail" """
    owner: str | None = None
    """the mailbox owner (voicemail); the caller's device (deskshare)"""
    caller: str = ""


@dataclass(frozen=True)
class StartTimer:
    """Call `Switch.timeout(session)` after `seconds` (real)."""

    session: str
    seconds: float


Action = Reply | Dial | Hangup | Connect | Disconnect | Hold | Retrieve | SendDtmf | AnswerLocal | StartTimer


# -- state --------------------------------------------------------------------------------


@dataclass
class Leg:
    id: str
    session: str
    direction: Direction
    device: str | None = None
    number: str | None = None
    state: LegState = "setup"
    media: Media = "none"
    peer: str | None = None
    code: int = 0
    reason: str = ""
    transport: str = ""
    held_for_peer: bool = False
    """we put this leg on hold because its peer put us on hold"""
    transfer_of: str | None = None
    """for a transfer leg: the leg whose peer it takes over (the referrer)"""
    local: str | None = None
    """the service of a leg the core answered itself (AnswerLocal)"""
    deflect_to: str | None = None
    """the user part of the Contact a ringing device redirected the call to (deflect)"""


@dataclass
class Session:
    id: str
    dialled: str
    caller: str
    inbound: str
    forks: list[str] = field(default_factory=list)
    answered: str | None = None
    ringing_sent: bool = False
    voicemail_of: str | None = None
    """the mailbox an unanswered call goes to when the no-answer timer fires"""
    as_dialled: str = ""
    """the Request-URI user as the caller dialled it (the journal's party, UC-CALL-5)"""
    originated: bool = False
    """CallMe outbound (`originate`): `inbound` is the system's call to the CallMe destination"""
    mailbox: str | None = None
    """the mailbox of the user the call rings for (None: no mailbox)"""


def dialled_number(user: str) -> str | None:
    """The internal number in a Request-URI user part, or None when it is not one.

    Blanks and ( ) / - : ; are allowed as in the client's number formats (UC-CALL-5,
    000:1032-1070); a leading + is an external (canonical) number, not internal.
    """
    cleaned = _DIAL_SEPARATORS.sub("", user)
    if cleaned.isdigit() and 1 <= len(cleaned) <= 16:
        return cleaned
    return None


def reached(session: Session) -> str:
    """Whom the caller reached, as the caller's phone is told (LAB-CONNECTED-IDENTITY): the
    internal number dialled, also when CallMe or a forwarding rang another station (000:756:
    under CallMe "your internal phone number is displayed to the caller")."""
    return dialled_number(session.as_dialled) or session.dialled


PICKUP_CODE = "*59"
"""directed call pickup: *59 and the ringing number (the lab's code for the Favorites' pickup
button, docs/RULES-INTERPRETATION.md "Call pickup")"""
PICKUP_NOTHING = "No call to pick up at"
"""the reason of a pickup with nothing ringing (kamailio.cfg matches it)"""

FAILURE_PREFERENCE = (486, 603, 600, 480, 408, 404, 487)


NOT_REGISTERED = (480, "Not Registered")
"""what Kamailio answers a leg to a device without a registration (edge/kamailio.cfg CORE_OUT)"""


def unreachable(code: int, reason: str) -> bool:
    """A fork that failed because its device is not registered (not busy, not refused)."""
    return (code, reason) == NOT_REGISTERED


def best_failure(codes: list[int]) -> int:
    """RFC 3261 16.7-like choice among the forks' final failures (busy wins over no answer)."""
    for code in FAILURE_PREFERENCE:
        if code in codes:
            return code
    return min((c for c in codes if c >= 400), default=480)


class Switch:
    def __init__(
        self,
        directory: Directory,
        capacity: int,
        prefix: str = "",
        slots_free: Callable[[], int] | None = None,
        router: Callable[[str, str | None], Route] | None = None,
        voicemail_box: Callable[[], str] | None = None,
        journal: Callable[[Record], None] | None = None,
    ) -> None:
        self.router = router
        self.journal = journal
        """where ended calls go (services.journal -> the state's call journal); None: kept in `records`"""
        self.voicemail_box = voicemail_box
        """where calls go (routing.route bound to the state); None: plain numbers only"""
        self.directory = directory
        self.capacity = capacity
        self.slots_free = slots_free
        """the SIP stack's own count of free call slots (ended calls hold one for a while)"""
        self.legs: dict[str, Leg] = {}
        self.sessions: dict[str, Session] = {}
        self._ids: Callable[[], int] = itertools.count(1).__next__
        self.records: list[Record] = []
        """ended calls, when there is no `journal`"""
        self.prefix = prefix

    # -- helpers -------------------------------------------------------------------------

    def new_id(self, kind: str) -> str:
        return f"{self.prefix}{kind}{self._ids()}"

    def live_legs(self) -> int:
        return sum(1 for leg in self.legs.values() if leg.state != "ended")

    def free(self) -> int:
        free = self.capacity - self.live_legs()
        if self.slots_free is not None:
            free = min(free, self.slots_free())
        return free

    def leg(self, leg_id: str) -> Leg:
        return self.legs[leg_id]

    def peer_of(self, leg_id: str) -> Leg | None:
        peer = self.legs[leg_id].peer
        return self.legs.get(peer) if peer else None

    def _forget_if_done(self, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is None:
            return
        legs = [leg for leg in self.legs.values() if leg.session == session_id]
        if all(leg.state == "ended" for leg in legs):
            record = self._record(session)
            if record is not None and self.journal is not None:
                self.journal(record)
            elif record is not None:
                self.records.append(record)
            for leg in legs:
                del self.legs[leg.id]
            del self.sessions[session_id]

    def _record(self, session: Session) -> Record | None:
        inbound = self.legs.get(session.inbound)
        if inbound is None or inbound.local not in (None, "voicemail") or not session.as_dialled:
            return None  # a service call (deskshare, conference dial-in), not a call between parties
        answer = self.legs.get(session.answered) if session.answered else None
        voicemail = answer is not None and answer.local == "voicemail"
        callee = session.voicemail_of if voicemail else session.dialled if session.forks else ""
        answered_by = None if answer is None or voicemail else answer.number
        caller = "" if session.caller == "anonymous" else session.caller
        return Record(caller, session.as_dialled, callee or "", answered_by, voicemail)

    # -- events --------------------------------------------------------------------------

    def incoming(
        self, leg_id: str, *, user: str, device: str | None, transport: str = "", caller: str | None = None
    ) -> list[Action]:
        """A new inbound INVITE for Request-URI user `user` from `device` (None: looped back)."""
        session_id = self.new_id("s")
        number: str | None = None
        if device is not None:
            try:
                number = self.directory.number_of_device(device)
            except Exception:
                number = None
        caller_number = caller or number or "anonymous"
        self.legs[leg_id] = Leg(leg_id, session_id, "in", device, number, transport=transport)
        session = Session(session_id, user, caller_number, leg_id, as_dialled=user)
        self.sessions[session_id] = session
        if user.startswith(PICKUP_CODE) and device is not None:
            return self._pickup(session, leg_id, user.removeprefix(PICKUP_CODE))
        if self.router is not None:
            return self._routed(session, leg_id, self.router(user, device))
        target = dialled_number(user)
        if target is None:
            return self._refuse(leg_id, 404, f"{user!r} is not an internal number")
        devices = [d for d in self.directory.devices_for_number(target) if d.sip_user != device]
        if not devices:
            known = self.directory.devices_for_number(target)
            if known:
                return self._refuse(leg_id, 486, f"{target} is calling itself")
            return self._refuse(leg_id, 404, f"no station {target}")
        if self.free() < len(devices):
            return self._refuse(leg_id, 503, "call core worker full")
        session.dialled = target
        actions: list[Action] = []
        for dev in devices:
            out_id = self.new_id("o")
            self.legs[out_id] = Leg(out_id, session_id, "out", dev.sip_user, target)
            session.forks.append(out_id)
            actions.append(Dial(out_id, dev.sip_user, caller_number))
        return actions

    def _pickup(self, session: Session, leg_id: str, user: str) -> list[Action]:
        """Pick up the call ringing at `user` (UC-CALL-3, 000:1307-1329): the caller is answered
        and connected to the picker, the callee's devices stop ringing (a missed call for them,
        000:823). Not ringing in this worker -> 503: Kamailio tries the next worker, and after
        the last one answers the picker 480 (kamailio.cfg CORE_FAILOVER)."""
        target = dialled_number(user)
        if target is None:
            return self._refuse(leg_id, 404, f"{PICKUP_CODE}{user}: {user!r} is not an internal number")
        ringing = next(
            (
                s
                for s in self.sessions.values()
                if s.id != session.id
                and s.dialled == target
                and s.answered is None
                and self.legs[s.inbound].state != "ended"
                and any(self.legs[f].state in ("setup", "ringing") for f in s.forks)
            ),
            None,
        )
        if ringing is None:
            return self._refuse(leg_id, 503, f"{PICKUP_NOTHING} {target}")
        picker, caller = self.legs[leg_id], self.legs[ringing.inbound]
        del self.sessions[session.id]
        picker.session = ringing.id
        ringing.answered = leg_id
        actions: list[Action] = [Hangup(f) for f in ringing.forks if self.legs[f].state in ("setup", "ringing")]
        for leg in (picker, caller):
            leg.state = "answered"
            actions.append(Reply(leg.id, 200, "OK"))
        picker.peer, caller.peer = caller.id, picker.id
        return [*actions, Connect(caller.id, picker.id)]

    def _routed(self, session: Session, leg_id: str, route: Route) -> list[Action]:
        if isinstance(route, Refuse):
            return self._refuse(leg_id, route.code, route.reason)
        if isinstance(route, Service):
            return self._local(leg_id, route.name, route.device)
        if isinstance(route, Voicemail):
            return self._local(leg_id, "voicemail", route.owner)
        if self.free() < len(route.devices):
            return self._refuse(leg_id, 503, "call core worker full")
        session.dialled = route.number
        actions: list[Action] = []
        for device in route.devices:
            out_id = self.new_id("o")
            self.legs[out_id] = Leg(out_id, session.id, "out", device, route.number)
            session.forks.append(out_id)
            actions.append(Dial(out_id, device, session.caller))
        session.mailbox = route.voicemail_of
        if route.voicemail_of is not None and route.no_answer_s > 0 and not session.originated:
            session.voicemail_of = route.voicemail_of
            actions.append(StartTimer(session.id, route.no_answer_s))
        return actions

    def originate(self, user: str, via: str, target: str) -> tuple[str | None, list[Action]]:
        """CallMe outbound (UC-CALLME-2, 000:758-760): the system first calls `user` at the
        CallMe destination `via` (showing the number they asked for); once answered it calls
        `target` (routed as any call), showing `user`'s internal number (One Number Service),
        and connects the two. (session id or None, actions); None: why in the Reply reason."""
        devices = [d.sip_user for d in self.directory.devices_for_number(via)]
        if len(devices) != 1:
            return None, [Reply("", 404, f"the CallMe destination {via} is not one station")]
        if self.free() < 2:
            return None, [Reply("", 503, "call core worker full")]
        session_id, first = self.new_id("s"), self.new_id("c")
        self.legs[first] = Leg(first, session_id, "out", devices[0], via)
        self.sessions[session_id] = Session(session_id, target, user, first, as_dialled=target, originated=True)
        return session_id, [Dial(first, devices[0], target)]

    def _originated_answered(self, session: Session) -> list[Action]:
        """The CallMe destination answered: now the target (a call to a mailbox or a service
        is not placed: the user hears the call end)."""
        first = session.inbound
        route = self.router(session.dialled, None) if self.router is not None else None
        if route is None or isinstance(route, (Refuse, Voicemail, Service)):
            return [Hangup(first)]
        return self._routed(session, first, route)

    def _local(self, leg_id: str, service: str, owner: str | None) -> list[Action]:
        leg = self.legs[leg_id]
        leg.local = service
        leg.state = "answered"
        session = self.sessions[leg.session]
        session.answered = leg_id
        if service == "voicemail" and owner is not None:
            session.voicemail_of = owner
        return [AnswerLocal(leg_id, service, owner, session.caller)]

    def timeout(self, session_id: str) -> list[Action]:
        """The no-answer timer of a session fired: still unanswered -> the mailbox answers."""
        session = self.sessions.get(session_id)
        if session is None or session.answered is not None or session.voicemail_of is None:
            return []
        inbound = self.legs[session.inbound]
        if inbound.state == "ended":
            return []
        actions: list[Action] = []
        for fork in session.forks:
            if self.legs[fork].state in ("setup", "ringing"):
                actions.append(Hangup(fork))
        return actions + self._local(inbound.id, "voicemail", session.voicemail_of)

    def deflected(self, leg_id: str, target_user: str) -> list[Action]:
        """A ringing device answered 3xx to `target_user` (deflect, UC-CALL-1); the leg ends next."""
        leg = self.legs.get(leg_id)
        if leg is not None and leg.direction == "out" and leg.transfer_of is None:
            leg.deflect_to = target_user
        return []

    def _deflect(self, session: Session, leg: Leg) -> list[Action]:
        """The call goes where the device deflected it: the voicemail box number means the
        dialled user's mailbox (000:1076-1097 'deflect to voicemail'), another number is
        routed like a new call from the same caller."""
        actions: list[Action] = [
            Hangup(f) for f in session.forks if f != leg.id and self.legs[f].state in ("setup", "ringing")
        ]
        target = leg.deflect_to or ""
        for f in session.forks:
            self.legs[f].state = "ended"
        session.forks = []
        if self.router is None:
            return actions + self._refuse(session.inbound, 480, "no features: deflect not supported")
        route = self.router(target, None)
        box = self.voicemail_box() if self.voicemail_box is not None else None
        if isinstance(route, Voicemail) or target == box:
            owner = session.voicemail_of or (leg.number if leg.number else None)
            if owner is None:
                return actions + self._refuse(session.inbound, 480, f"{session.dialled} has no voicemail box")
            return actions + self._local(session.inbound, "voicemail", owner)
        return actions + self._routed(session, session.inbound, route)

    def _refuse(self, leg_id: str, code: int, reason: str) -> list[Action]:
        leg = self.legs[leg_id]
        leg.state = "ended"
        leg.code, leg.reason = code, reason
        self._forget_if_done(leg.session)
        return [Reply(leg_id, code, reason)]

    def ringing(self, leg_id: str) -> list[Action]:
        leg = self.legs.get(leg_id)
        if leg is None or leg.direction != "out" or leg.state != "setup":
            return []
        leg.state = "ringing"
        session = self.sessions[leg.session]
        if leg.transfer_of is not None or session.ringing_sent or session.answered or session.originated:
            return []
        session.ringing_sent = True
        return [Reply(session.inbound, 180, "Ringing", identity=reached(session))]

    def answered(self, leg_id: str) -> list[Action]:
        leg = self.legs.get(leg_id)
        if leg is None or leg.state in ("answered", "ended"):
            return []
        leg.state = "answered"
        if leg.direction == "in":
            return []
        if leg.transfer_of is not None:
            return self._transfer_answered(leg)
        session = self.sessions[leg.session]
        if session.originated and leg_id == session.inbound:
            return self._originated_answered(session)
        if session.answered is not None:
            return [Hangup(leg_id)]
        session.answered = leg_id
        inbound = self.legs[session.inbound]
        inbound.state = "answered"
        actions: list[Action] = [] if session.originated else [Reply(inbound.id, 200, "OK", identity=reached(session))]
        for other in session.forks:
            if other != leg_id and self.legs[other].state in ("setup", "ringing"):
                actions.append(Hangup(other))
        inbound.peer, leg.peer = leg_id, inbound.id
        actions.append(Connect(inbound.id, leg_id))
        return actions

    def confirmed(self, leg_id: str) -> list[Action]:
        """The inbound leg's 200 was ACKed (its state is now answered)."""
        leg = self.legs.get(leg_id)
        if leg is not None and leg.state != "ended":
            leg.state = "answered"
        return []

    def ended(self, leg_id: str, code: int = 0, reason: str = "") -> list[Action]:
        leg = self.legs.get(leg_id)
        if leg is None or leg.state == "ended":
            return []
        was = leg.state
        leg.state = "ended"
        leg.code, leg.reason = code, reason
        actions: list[Action] = []
        if leg.transfer_of is not None and was != "answered":
            actions += self._transfer_failed(leg)
        elif leg.direction == "out" and was != "answered":
            actions += self._fork_failed(leg)
        peer = self.legs.get(leg.peer) if leg.peer else None
        if peer is not None and peer.state != "ended":
            peer.peer = None
            actions.append(Hangup(peer.id))
        first_of_callme = (s := self.sessions.get(leg.session)) is not None and s.originated and s.inbound == leg.id
        if (leg.direction == "in" and was != "answered") or first_of_callme:
            session = self.sessions.get(leg.session)
            if session is not None and session.answered is None:
                for fork in session.forks:
                    if self.legs[fork].state in ("setup", "ringing"):
                        actions.append(Hangup(fork))
        self._forget_if_done(leg.session)
        return actions

    def _fork_failed(self, leg: Leg) -> list[Action]:
        session = self.sessions[leg.session]
        if session.answered is not None:
            return []
        # pjsua ends a redirected leg that the core stops following with 487, not the 3xx
        if leg.deflect_to and self.legs[session.inbound].state != "ended":
            return self._deflect(session, leg)
        forks = [self.legs[f] for f in session.forks]
        if any(f.state in ("setup", "ringing") for f in forks):
            return []
        inbound = self.legs[session.inbound]
        if inbound.state == "ended":
            return []
        code = best_failure([f.code for f in forks])
        if session.originated:
            return [Hangup(inbound.id)]
        if session.mailbox is not None and all(unreachable(f.code, f.reason) for f in forks):
            # LAB-UNREACHABLE-VOICEMAIL: none of the user's devices is registered
            return self._local(inbound.id, "voicemail", session.mailbox)
        return [Reply(inbound.id, code, next((f.reason for f in forks if f.code == code and f.reason), "Failed"))]

    def media(self, leg_id: str, status: Media) -> list[Action]:
        leg = self.legs.get(leg_id)
        if leg is None:
            return []
        before, leg.media = leg.media, status
        peer = self.peer_of(leg_id)
        if peer is None or peer.state != "answered":
            return []
        if status == "remote_hold" and before != "remote_hold" and not peer.held_for_peer:
            peer.held_for_peer = True
            return [Hold(peer.id)]
        if status == "active" and before == "remote_hold" and peer.held_for_peer:
            peer.held_for_peer = False
            return [Retrieve(peer.id)]
        return []

    def dtmf(self, leg_id: str, digit: str, method: DtmfMethod) -> list[Action]:
        peer = self.peer_of(leg_id) if leg_id in self.legs else None
        if peer is None or peer.state != "answered":
            return []
        return [SendDtmf(peer.id, digit, method)]

    def detach(self, leg_id: str) -> list[Action]:
        """`leg_id` leaves its two-party call for a phone-controlled conference (UC-CONF-1):
        no peer any more (its end ends nobody, holds and digits are not relayed), and a hold
        the core put on it for its peer is taken back."""
        leg = self.legs.get(leg_id)
        if leg is None or leg.state == "ended":
            return []
        actions: list[Action] = []
        peer = self.peer_of(leg_id)
        if peer is not None:
            peer.peer = None
            actions.append(Disconnect(leg_id, peer.id))
        leg.peer = None
        if leg.held_for_peer:
            leg.held_for_peer = False
            actions.append(Retrieve(leg_id))
        return actions

    # -- transfers -----------------------------------------------------------------------

    def transfer_requested(self, leg_id: str) -> tuple[int, str | None, list[Action]]:
        """REFER on `leg_id`: (status, new leg id, actions). 202 hands the leg's peer to a new leg."""
        leg = self.legs.get(leg_id)
        peer = self.peer_of(leg_id) if leg else None
        if leg is None or peer is None or leg.state != "answered" or peer.state != "answered":
            return 403, None, []
        if self.free() < 1:
            return 503, None, []
        out_id = self.new_id("t")
        self.legs[out_id] = Leg(out_id, leg.session, "out", None, None, transfer_of=leg_id)
        # the referrer leaves the call: its peer now waits (in silence) for the transfer leg
        leg.peer = None
        peer.peer = out_id
        return 202, out_id, [Disconnect(leg_id, peer.id)]

    def _transfer_answered(self, leg: Leg) -> list[Action]:
        waiting = next((p for p in self.legs.values() if p.peer == leg.id and p.state == "answered"), None)
        if waiting is None:
            return [Hangup(leg.id)]
        leg.peer = waiting.id
        actions: list[Action] = []
        if waiting.held_for_peer:
            waiting.held_for_peer = False
            actions.append(Retrieve(waiting.id))
        actions.append(Connect(waiting.id, leg.id))
        # the referrer leaves by itself after the final NOTIFY (RFC 5589); ending its leg
        # here would race with its own BYE
        return actions

    def _transfer_failed(self, leg: Leg) -> list[Action]:
        waiting = next((p for p in self.legs.values() if p.peer == leg.id and p.state != "ended"), None)
        leg.peer = None
        if waiting is None:
            return []
        referrer = self.legs.get(leg.transfer_of or "")
        if referrer is not None and referrer.state == "answered" and referrer.peer is None:
            referrer.peer, waiting.peer = waiting.id, referrer.id
            return [Connect(referrer.id, waiting.id)]
        waiting.peer = None
        return [Hangup(waiting.id)]

    def replaced(self, old_id: str, new_id: str, *, device: str | None = None) -> list[Action]:
        """An INVITE with Replaces made `new_id` take the place of `old_id` (already answered)."""
        old = self.legs.get(old_id)
        session_id = old.session if old else self.new_id("s")
        new = Leg(new_id, session_id, "in", device, state="answered")
        self.legs[new_id] = new
        if old is None:
            return []
        peer = self.peer_of(old_id)
        old.peer = None
        if peer is None or peer.state == "ended":
            return [Hangup(new_id)]
        peer.peer, new.peer = new_id, peer.id
        return [Disconnect(old_id, peer.id), Connect(peer.id, new_id)]

    # -- views ---------------------------------------------------------------------------

    def snapshot(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for session in self.sessions.values():
            legs = [self.legs[leg_id] for leg_id in self.legs if self.legs[leg_id].session == session.id]
            out.append(
                {
                    "session": session.id,
                    "caller": session.caller,
                    "dialled": session.dialled,
                    "answered": session.answered,
                    "legs": [
                        {
                            "id": leg.id,
                            "direction": leg.direction,
                            "device": leg.device,
                            "number": leg.number,
                            "state": leg.state,
                            "media": leg.media,
                            "peer": leg.peer,
                            "transport": leg.transport,
                        }
                        for leg in legs
                    ],
                }
            )
        return out
