"""Phone-controlled conferences in a call core worker (UC-CONF-1, 000:1489-1513, 000:1331-1339).

The UC API's Conference button (api/phone_conferences.py) asks the call core for the user's
calls (`phone_calls`), decides (rules/phone_conferences.py), records the participants in the
state (state/phone_conferences.py) and asks the workers that anchor the legs to join them
(`phone_join`), then every worker to bring its mixer uplinks in line (`phone_sync`).

In a worker the conference's legs form a *group*: each leg leaves its two-party call
(Switch.detach: no peer, a hold relayed for the peer is taken back) and every member of the
group transmits to every other through the worker's bridge. A conference spread over several
workers gets, per group, one leg into a mixer node (the *uplink*, a MixerLeg to
`conf<C>-p<worker+1>`, mixer.py), so the nodes mix groups as they mix MeetMe participants;
a conference held by one worker needs no node. The initiator's released leg is hung up
here (`phone_join`'s `release`).

Levels (pjsua2 2.15.1 names them from the port's side: AudioMedia.adjustTxLevel scales what
the port sends into the bridge, adjustRxLevel what the bridge sends to the port): members
enter the group at INPUT_LEVEL like MeetMe participants; the uplink sends the group's sum
at UPLINK_GAIN (the node takes a participant slot into its bridge at INPUT_LEVEL again), so
a far talker arrives at 6/64 of its level, a near one at 8/64, and three near talkers sent
up together stay below full scale.

Leaving: a member's leg ends -> the state drops it; one participant left -> the conference
ends, this worker hangs up its remaining legs, and the nodes hang up the other groups'
uplinks (their slots are gone), whose workers then find the conference gone and hang up
their members. A group that empties hangs up its uplink; when one worker is left holding
everyone, the slots go and the node hangs the last uplink up (the group talks on locally).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pjsua2 as pj

from simulators.pj.runtime import PjRuntime

from ..rules.conference_slots import INPUT_LEVEL
from ..state.phone_conferences import group_member
from .settings import CoreSettings
from .state_access import Services
from .switch import Action, Hangup, Switch

log = logging.getLogger("uclab.uc.core")

UPLINK_GAIN = 6.0
"""what a group sends to its mixer node, relative to its members' INPUT_LEVEL sum: 8 would
give far talkers the level of near ones, but three near talkers at the tone level would
then clip (3 x 0.376 peak); 6 keeps them at 0.85 peak and far talkers at 3/4 of near ones"""

RETRY_S = 0.05
"""how soon a pending uplink is tried again (a call slot frees a turn after its call ended)"""
RETRIES = 100
"""then it gives up (the group keeps talking locally) until the next sync"""
REDIALS = 3
"""an uplink the node ended while the slot is still ours (a node restarted) is dialled again
this often, not for ever (a node that keeps refusing would loop)"""


@dataclass
class Group:
    conference: int
    legs: set[str] = field(default_factory=set)
    uplink: str | None = None
    pending: bool = False
    """an uplink is due but the worker had no free call slot: dialled when one frees"""
    redials: int = 0
    """uplinks that ended while the conference still gave this group its slot"""


class ConferenceWorker(Protocol):
    """What a call core worker offers its phone-controlled conferences (worker.Worker is one):
    its switch and bridge pairs, carrying out the switch's actions, dialling a mixer node."""

    rt: PjRuntime
    settings: CoreSettings
    index: int
    services: Services | None
    switch: Switch
    bridges: set[frozenset[str]]

    def apply(self, actions: Iterable[Action]) -> None: ...

    def apply_now(self, actions: list[Action]) -> None: ...

    def mixer_call(self, conference: int, member: int, node: int, leg_id: str | None = None) -> str | None: ...

    def rewire(self, leg_id: str) -> None: ...


class PhoneConferences:
    """One worker's share of phone-controlled conferences; runs on the runtime's thread."""

    def __init__(self, worker: ConferenceWorker) -> None:
        self.worker = worker
        self.groups: dict[int, Group] = {}
        self.of_leg: dict[str, int] = {}
        self.of_uplink: dict[str, int] = {}
        self._retries = 0
        self._timer: threading.Timer | None = None

    @property
    def state(self) -> Any:
        services = self.worker.services
        assert services is not None, "phone-controlled conferences need the state"
        return services.state

    # -- control ops -----------------------------------------------------------------------

    def calls(self, devices: list[str]) -> dict[str, Any]:
        """The answered calls of `devices` here (the device's own leg, held or not, its far
        party's leg, or the conference it is the device's way into: rules.DeviceCall), the
        free call slots, and the conferences whose group here has its uplink."""
        sw = self.worker.switch
        uplinked = [c for c, g in self.groups.items() if g.uplink is not None or g.pending]
        return {"calls": self._calls(devices), "free": sw.free(), "uplinked": uplinked}

    def _calls(self, devices: list[str]) -> list[dict[str, Any]]:
        sw = self.worker.switch
        out: list[dict[str, Any]] = []
        for leg in sw.legs.values():
            if leg.device not in devices or leg.state != "answered":
                continue
            conference = self.of_leg.get(leg.id)
            peer = sw.peer_of(leg.id)
            if conference is None and (peer is None or peer.state != "answered"):
                continue
            out.append(
                {
                    "worker": self.worker.index,
                    "leg": leg.id,
                    "held": leg.media == "remote_hold",
                    "conference": conference,
                    "peer": None if conference is not None or peer is None else peer.id,
                }
            )
        return out

    def join(self, conference: int, legs: list[str], release: str | None) -> dict[str, Any]:
        """`legs` join `conference`'s group here; the `release`d leg (the initiator's held
        leg) leaves it and is hung up."""
        sw = self.worker.switch
        group = self.groups.setdefault(conference, Group(conference))
        for leg in legs:
            self.worker.apply_now(sw.detach(leg))
            group.legs.add(leg)
            self.of_leg[leg] = conference
        if release is not None:
            was = self.of_leg.pop(release, None)
            if was is not None and was in self.groups:
                self.groups[was].legs.discard(release)
            self.worker.apply_now(sw.detach(release))
            self.worker.apply([Hangup(release)])
        if not group.legs:  # the initiator was this group's last member: its uplink goes too
            self._end_group(group)
            return {"worker": self.worker.index, "group": []}
        self._wire(group)
        log.info("w%d phone conference %d: group %s", self.worker.index, conference, sorted(group.legs))
        gone = [leg for leg in legs if (live := sw.legs.get(leg)) is None or live.state == "ended"]
        for leg in gone:  # it ended after the button was pressed: it leaves right away
            self.ended(leg)
        return {"worker": self.worker.index, "group": sorted(group.legs)}

    def sync(self, conference: int, redial: bool = False) -> bool:
        """Dial this group's uplink when the state gives it a mixer slot, hang it up when not;
        True when an uplink is (being) dialled. `redial`: the uplink ended while the slot is
        still there (at most REDIALS times)."""
        group = self.groups.get(conference)
        if group is None:
            return False
        member = str(group_member(self.worker.index))
        slot = next(
            (
                s
                for s in self.state.mix_slots()
                if s.conference == conference and s.role == "participant" and s.ref == member
            ),
            None,
        )
        if slot is None or not group.legs:
            group.pending = False
            if group.uplink is not None:
                self.worker.apply([Hangup(group.uplink)])
            return False
        if group.uplink is not None:
            return True
        if redial:
            if group.redials >= REDIALS:
                log.error("w%d phone conference %d: the uplink keeps ending", self.worker.index, conference)
                return False
            group.redials += 1
        leg_id = self.worker.mixer_call(conference, group_member(self.worker.index), slot.node)
        group.pending = leg_id is None
        if group.pending:
            self._retry_later()
        if leg_id is not None:
            self._retries = 0
            group.uplink = leg_id
            self.of_uplink[leg_id] = conference
            self._wire(group)
        return leg_id is not None

    def retry(self) -> None:
        """A call slot freed (or the retry timer fired): dial the uplinks that waited for one."""
        self._timer = None
        for conference in [c for c, g in self.groups.items() if g.pending]:
            self.sync(conference)

    def _retry_later(self) -> None:
        if self._timer is not None or self._retries >= RETRIES:
            return
        self._retries += 1
        rt = self.worker.rt
        self._timer = threading.Timer(RETRY_S, lambda: rt.call_soon(self.retry))
        self._timer.daemon = True
        self._timer.start()

    # -- legs ending -----------------------------------------------------------------------

    def ended(self, leg_id: str) -> bool:
        """A member's leg or an uplink ended (True: it was one of ours)."""
        conference = self.of_leg.pop(leg_id, None)
        if conference is not None:
            self._member_left(conference, leg_id)
            return True
        conference = self.of_uplink.pop(leg_id, None)
        if conference is None:
            return False
        group = self.groups.get(conference)
        if group is not None and group.uplink == leg_id:
            group.uplink = None
            if self.state.phone_conference(conference) is None:
                log.info("w%d phone conference %d ended elsewhere", self.worker.index, conference)
                self._end_group(group)
            else:
                self.sync(conference, redial=True)
        return True

    def _member_left(self, conference: int, leg_id: str) -> None:
        group = self.groups.get(conference)
        if group is not None:
            group.legs.discard(leg_id)
        left = self.state.phone_conference_left(conference, self.worker.index, leg_id, self.worker.settings.mixers)
        log.info(
            "w%d phone conference %d: %s left (%s)",
            self.worker.index,
            conference,
            leg_id,
            "gone" if left is None else "ends" if left.ended else f"{len(left.conference.parties)} remain",
        )
        if group is None:
            return
        if left is None or left.ended or not group.legs:
            self._end_group(group)
        else:
            self.sync(conference)

    def _end_group(self, group: Group) -> None:
        self.groups.pop(group.conference, None)
        todo = [*group.legs, *([group.uplink] if group.uplink else [])]
        for leg in group.legs:
            self.of_leg.pop(leg, None)
        group.legs.clear()
        self.worker.apply([Hangup(leg) for leg in todo])

    # -- the bridge ------------------------------------------------------------------------

    def _wire(self, group: Group) -> None:
        members = [*group.legs, *([group.uplink] if group.uplink else [])]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                self.worker.bridges.add(frozenset((a, b)))
        for leg in members:
            self.worker.rewire(leg)

    def levels(self, leg_id: str, audio: Any) -> None:
        """A member enters the group at INPUT_LEVEL; an uplink carries the group at UPLINK_GAIN."""
        with contextlib.suppress(pj.Error):
            if leg_id in self.of_leg:
                audio.adjustTxLevel(INPUT_LEVEL)
            elif leg_id in self.of_uplink:
                audio.adjustRxLevel(UPLINK_GAIN)

    def snapshot(self) -> list[dict[str, Any]]:
        return [
            {"conference": g.conference, "legs": sorted(g.legs), "uplink": g.uplink, "pending": g.pending}
            for g in self.groups.values()
        ]
