"""The features' access to the stub's state from a call core worker (I/O glue, no SIP).

`Services(state)` binds routing.route to the state for the switch, decides a deskshare
login from what was keyed (routing.deskshare_login) and stores it, and files a recorded
voice message in its owner's mailbox. `state` is a callable so that the worker's lazily
opened State (main.LazyDirectory) is only waited for on the first call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import DeviceKind
from ..rules import presence as presence_rules
from ..rules.conferences import PIN_DIGITS, DialIn
from ..state.conferences import Joined
from ..state.journal import Entry, Record, journal_entries
from ..timescale import TIMERS, Timer
from . import routing
from .ivr import Collect, Greeting, announcement_tones

log = logging.getLogger("uclab.uc.core")

END_AFTER_LAST_MODERATOR = TIMERS[Timer.CONFERENCE_END_AFTER_LAST_MODERATOR].seconds
"""000:1553-1555: documented seconds from the last moderator leaving to the conference's end"""


def forget_predecessor(state: Any, worker: int, nodes: int) -> None:
    """A call core worker starts with no call: the conference legs the state still gives
    worker `worker` died with its predecessor (a crash, or a stub stopped mid-call). Their
    participants leave as if they had hung up: MeetMe members (slot released, so the mixer
    node hangs up its leg) and phone-controlled conference legs (groups regroup, a conference
    left with one participant ends)."""
    for conference, member in state.meetme_worker_started(worker, state.now(), END_AFTER_LAST_MODERATOR):
        log.warning("w%d: conference %d participant %d left with this worker's predecessor", worker, conference, member)
    for left in state.phone_conference_worker_started(worker, nodes):
        log.warning(
            "w%d: conference %d lost the legs this worker's predecessor held%s",
            worker,
            left.conference.id,
            "; it ended" if left.ended else "",
        )


class Services:
    def __init__(self, state: Callable[[], Any], voicemail_dir: Path) -> None:
        self._state = state
        self.voicemail_dir = voicemail_dir

    @property
    def state(self) -> Any:
        return self._state()

    def route(self, user: str, device: str | None) -> routing.Route:
        return routing.route(self.state, user, device)

    def box_number(self) -> str:
        return str(self.state.config.voicemail.box_number)

    # -- deskshare (NET-1.8) ---------------------------------------------------------------

    def deskshare_dialogue(self) -> Collect:
        return Collect(("number", "pin"), empty_first_ends=True)

    def deskshare(self, device: str, number: str, pin: str) -> routing.DeskshareDecision:
        state = self.state
        decision = routing.deskshare_login(_DeskshareView(state), number, pin)
        if decision.ok:
            dev = state.device_by_sip_user(device)
            if number == "":
                login = state.deskshare_login_of_device(dev.id)
                if login is not None:
                    state.deskshare_log_out(login.number)
            else:
                state.deskshare_log_in(dev.id, number, state.now())
        return decision

    # -- conferences (UC-CONF-2..4; the mixer nodes are callcore/mixer.py) -----------------

    def conference_dialogue(self) -> Collect:
        return Collect(("pin",), max_len=PIN_DIGITS, full_ends_field=True)

    def conference_dial_in(self, pin: str, caller: str, nodes: int, worker: int) -> tuple[DialIn, Joined | None]:
        state = self.state
        return state.dial_in(pin, nodes, state.now(), caller, worker)  # type: ignore[no-any-return]

    def conference_connected(self, conference: int, member: int) -> None:
        state = self.state
        state.member_connected(conference, member, state.now())

    def conference_left(self, conference: int, member: int) -> None:
        """000:1553-1555: after the last moderator the others are told and the conference ends
        about 5 documented minutes later (the state's clock runs time-scaled)."""
        state = self.state
        state.member_left(conference, member, state.now(), END_AFTER_LAST_MODERATOR)

    # -- voicemail -------------------------------------------------------------------------

    def greeting(self, owner: str, caller: str) -> Greeting:
        """The box of `owner` answering `caller` (a number, "anonymous" when unknown): with
        the announcement of the owner's absence the caller may hear (UC-PRES-2, UC-PRES-3).
        The owner calling the own box hears none. Every caller the lab's system lets call is
        an internal subscriber: it has no trunk, so no external caller."""
        state = self.state
        if caller == owner:
            return Greeting()
        internal = state.user(caller) is not None or bool(state.devices_for_number(caller))
        p = state.presence(owner)
        told = presence_rules.announcement(p.status, p.visibility, p.return_time, internal, state.now())
        return Greeting(announcement=announcement_tones(told))

    def recording_path(self, owner: str) -> Path:
        return self.voicemail_dir / owner / f"{time.time_ns()}.wav"

    def file_message(self, owner: str, caller: str, path: Path, seconds: float) -> None:
        state = self.state
        message = state.add_voice_message(owner, caller, str(path), seconds, state.now())
        state.add_journal([Entry(owner, caller, "voicemail", "in", "voicemail", message_id=message.id)], state.now())

    # -- the call journal (Conversations, UC-CONV-1) ---------------------------------------

    def journal(self, record: Record) -> None:
        state = self.state
        state.add_journal(journal_entries(record), state.now())


class _DeskshareView:
    def __init__(self, state: Any) -> None:
        self.state = state

    def user(self, number: str) -> Any:
        return self.state.user(number)

    def verify_pin(self, number: str, pin: str) -> bool:
        return bool(self.state.verify_pin(number, pin))

    def registered_voip_client(self, number: str) -> bool:
        own = self.state.device_by_number(number)
        if own is None or own.kind is not DeviceKind.VOIP_CLIENT:
            return False
        return any(r.device_id == own.id for r in self.state.registrations())
