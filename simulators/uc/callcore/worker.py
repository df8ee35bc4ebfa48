"""One call core worker: a pjsua2 endpoint that anchors up to two calls (four legs).

Runs on the PjRuntime thread (simulators.pj): every pjsua2 callback turns into a `Switch`
event and the returned actions are carried out here. Media of every leg is bound to the
system's LAN address (ICE with the system's STUN servers unless the WAN misconfiguration
is on); the conference bridge connects the two legs of each answered call.

SIP: one UDP transport on 127.0.0.1:<port>, one account whose outbound proxy is Kamailio's
internal socket. Legs to devices are sent to `sip:<device>@127.0.0.1:<kamailio>;ucdev=1`
(Kamailio looks the device up); a transfer leg goes wherever the Refer-To says and
Kamailio routes it back into the core as a new call.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import pjsua2 as pj

from simulators.pj.runtime import PjRuntime, describe
from simulators.pj.stats import read_stream

from ..control import Handler
from ..rules.conference_slots import participant_user
from . import latching, sipmsg
from .child import serve_until_stopped
from .ivr import Collect, IvrAction
from .local import LocalLeg, when_written
from .phone_conferences import PhoneConferences
from .settings import MAX_LEGS_PER_WORKER, CoreSettings
from .state_access import Services
from .switch import (
    Action,
    AnswerLocal,
    Connect,
    Dial,
    Directory,
    Disconnect,
    DtmfMethod,
    Hangup,
    Hold,
    Media,
    Reply,
    Retrieve,
    SendDtmf,
    StartTimer,
    Switch,
)

log = logging.getLogger("uclab.uc.core")

MEDIA: dict[int, Media] = {
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}
DTMF: dict[int, DtmfMethod] = {pj.PJSUA_DTMF_METHOD_RFC2833: "rfc4733", pj.PJSUA_DTMF_METHOD_SIP_INFO: "info"}


@cache
def _pjsua() -> Any:
    lib = ctypes.CDLL(pj._pjsua2.__file__)
    lib.pjsua_call_get_count.restype = ctypes.c_uint
    lib.pjsua_call_get_max_count.restype = ctypes.c_uint
    return lib


def pjsua_slots_free() -> int:
    """Free pjsua call slots (a call keeps its slot until pjsua released it, after DISCONNECTED)."""
    lib = _pjsua()
    return int(lib.pjsua_call_get_max_count()) - int(lib.pjsua_call_get_count())


class CoreLeg(pj.Call):  # type: ignore[misc]
    def __init__(self, worker: Worker, leg_id: str, call_id: int = pj.PJSUA_INVALID_ID, account: Any = None) -> None:
        super().__init__(account or worker.account, call_id)
        self.worker = worker
        self.leg_id = leg_id
        self.med_idx = -1
        self.latch_disabled: bool | None = None
        self.info_queue: deque[str] = deque()
        self.info_busy = False
        worker.calls[leg_id] = self

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        state = info.state
        sw = self.worker.switch
        if state == pj.PJSIP_INV_STATE_EARLY and info.role == pj.PJSIP_ROLE_UAC:
            self.worker.apply(sw.ringing(self.leg_id))
        elif state == pj.PJSIP_INV_STATE_CONFIRMED:
            leg = sw.legs.get(self.leg_id)
            if leg is not None and leg.direction == "in":
                self.worker.apply(sw.confirmed(self.leg_id))
            else:
                self.worker.apply(sw.answered(self.leg_id))
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            code, reason = int(info.lastStatusCode), str(info.lastReason)
            local = self.worker.local.pop(self.leg_id, None)
            if local is not None:
                local.hungup()
            self.worker.apply(sw.ended(self.leg_id, code, reason))
            self.worker.conference_leg_ended(self.leg_id)
            self.worker.forget(self)

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()
        status: Media = "none"
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO:
                self.med_idx = int(mi.index)
                status = MEDIA.get(mi.status, "none")
                break
        self.worker.rewire(self.leg_id)
        local = self.worker.local.get(self.leg_id)
        if local is not None and status == "active":
            local.media_ready()
        self.worker.apply(self.worker.switch.media(self.leg_id, status))

    def onStreamDestroyed(self, prm: Any) -> None:
        # before pjsua destroys the stream and its ICE transport, the bridge must no longer
        # write a bridged leg, tone or recorder through it (PjRuntime NOTE, media teardown)
        self.worker.rt.release_stream(self, int(prm.streamIdx))

    def onCallTsxState(self, prm: Any) -> None:
        e = prm.e
        if e.type != pj.PJSIP_EVENT_TSX_STATE or not self.info_busy:
            return
        tsx = e.body.tsxState.tsx
        if str(tsx.method) == "INFO" and tsx.role == pj.PJSIP_ROLE_UAC and tsx.state >= pj.PJSIP_TSX_STATE_COMPLETED:
            self.worker.rt.call_soon(lambda: self.worker.next_info(self))

    def onDtmfDigit(self, prm: Any) -> None:
        local = self.worker.local.get(self.leg_id)
        if local is not None:
            local.digit(str(prm.digit))
            return
        method = DTMF.get(int(prm.method))
        if method is not None:
            self.worker.apply(self.worker.switch.dtmf(self.leg_id, str(prm.digit), method))

    def onCallTransferRequest(self, prm: Any) -> None:
        status, new_id, actions = self.worker.switch.transfer_requested(self.leg_id)
        prm.statusCode = status
        if new_id is not None:
            prm.newCall = CoreLeg(self.worker, new_id)
            self.worker.apply(actions)
            log.info("leg %s: REFER to %s accepted as leg %s", self.leg_id, prm.dstUri, new_id)
        else:
            log.info("leg %s: REFER to %s refused with %s", self.leg_id, prm.dstUri, status)

    def onCallRedirected(self, prm: Any) -> int:
        """A device deflected the call (3xx): the switch re-routes it (UC-CALL-1)."""
        target = sipmsg.uri_user(str(prm.targetUri)) or ""
        log.info("leg %s deflected to %s", self.leg_id, target)
        self.worker.apply(self.worker.switch.deflected(self.leg_id, target))
        return int(pj.PJSIP_REDIRECT_STOP)

    def onCallTransferStatus(self, prm: Any) -> None:
        prm.cont = True

    def onCallReplaced(self, prm: Any) -> None:
        new_id = self.worker.switch.new_id("r")
        new = CoreLeg(self.worker, new_id, prm.newCallId)
        prm.newCall = new
        self.worker.apply(self.worker.switch.replaced(self.leg_id, new_id))

    def onCreateMediaTransport(self, prm: Any) -> None:
        if self.worker.settings.latch_rtp or prm.mediaTp is None:
            return
        try:
            latching.disable(int(prm.mediaTp))
            self.latch_disabled = True
        except (latching.LayoutMismatch, TypeError, ValueError) as exc:
            self.latch_disabled = False
            log.error("leg %s: could not turn RTP latching off: %s", self.leg_id, exc)

    def audio(self) -> Any:
        return bridge_port(self, self.med_idx)


class MixerLeg(CoreLeg):
    """A participant's leg from this worker into its conference mixer node (mixer.py),
    bridged with the participant's own leg; the switch does not know it."""

    def __init__(self, worker: Worker, leg_id: str) -> None:
        super().__init__(worker, leg_id, account=worker.direct_account)

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.worker.conference_mixer_up(self.leg_id)
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.worker.conference_leg_ended(self.leg_id, int(info.lastStatusCode), str(info.lastReason))
            self.worker.forget(self)

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()  # alive while its media list is read
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO:
                self.med_idx = int(mi.index)
                break
        self.worker.rewire(self.leg_id)

    def onDtmfDigit(self, prm: Any) -> None:
        return

    def onCreateMediaTransport(self, prm: Any) -> None:
        return


@dataclass
class ConferenceJoin:
    """A participant's call in this worker: its own leg and the leg into its mixer node."""

    conference: int
    member: int
    node: int
    caller_leg: str
    mixer_leg: str
    connected: bool = False
    left: bool = False


class _Incoming(Protocol):
    def incoming(self, call_id: int, message: str) -> None: ...


class IncomingAccount(pj.Account):  # type: ignore[misc]
    """An account that hands every new INVITE to its owner (a worker or a mixer node)."""

    def __init__(self, owner: _Incoming) -> None:
        super().__init__()
        self.owner = owner

    def onIncomingCall(self, prm: Any) -> None:
        self.owner.incoming(prm.callId, str(prm.rdata.wholeMsg))


_Account = IncomingAccount


def loopback_account(uri: str, transport_id: int, rtp: tuple[int, int]) -> Any:
    """An AccountConfig for SIP between the core's own processes on 127.0.0.1 (worker to
    mixer node, node to node): no proxy, no ICE or STUN, no session timers."""
    ac = pj.AccountConfig()
    ac.idUri = uri
    ac.sipConfig.transportId = transport_id
    ac.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    ac.mediaConfig.transportConfig.port = rtp[0]
    ac.mediaConfig.transportConfig.portRange = rtp[1] - rtp[0]
    ac.natConfig.iceEnabled = False
    ac.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    ac.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    ac.callConfig.timerUse = pj.PJSUA_SIP_TIMER_INACTIVE
    return ac


def bridge_port(call: Any, med_idx: int) -> Any:
    """A call's audio on the bridge (AudioMedia), or None before media or after it ended."""
    if med_idx < 0:
        return None
    try:
        return call.getAudioMedia(med_idx)
    except pj.Error:
        return None


class Worker:
    """The switch and its pjsua2 legs; every method runs on the runtime's thread."""

    def __init__(
        self, rt: PjRuntime, settings: CoreSettings, index: int, directory: Directory, services: Services | None = None
    ) -> None:
        self.rt = rt
        self.settings = settings
        self.index = index
        self.services = services
        self.directory = directory
        self.switch = Switch(
            directory,
            capacity=MAX_LEGS_PER_WORKER,
            prefix=f"w{index}.",
            slots_free=pjsua_slots_free,
            router=services.route if services is not None else None,
            voicemail_box=services.box_number if services is not None else None,
            journal=services.journal if services is not None else None,
        )
        self.local: dict[str, LocalLeg] = {}
        """legs the core answered itself, with their dialogue (ivr.py)"""
        self.calls: dict[str, CoreLeg] = {}
        self.bridges: set[frozenset[str]] = set()
        self.account: Any = None
        self.direct_account: Any = None
        """SIP straight to the conference mixer nodes on 127.0.0.1, without Kamailio"""
        self.joins: dict[str, ConferenceJoin] = {}
        """conference participants' calls by both their legs' ids"""
        self.counters = {"calls": 0, "refused": 0, "answered": 0, "transfers": 0}
        self.phone = PhoneConferences(self)
        """phone-controlled conferences' groups of legs here (UC-CONF-1, phone_conferences.py)"""

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        s = self.settings
        ac = pj.AccountConfig()
        port = s.worker_port(self.index)
        ac.idUri = f"sip:core@127.0.0.1:{port}"
        ac.sipConfig.proxies.append(f"sip:127.0.0.1:{s.kamailio_port};lr")
        ac.sipConfig.transportId = self.rt.transports["udp"].id
        lo, hi = s.worker_rtp(self.index)
        ac.mediaConfig.transportConfig.boundAddress = s.lan_ip
        ac.mediaConfig.transportConfig.port = lo
        ac.mediaConfig.transportConfig.portRange = hi - lo
        if s.wan_address is not None:
            # the misconfiguration of 004:104-106: the system believes it sits on its WAN
            # interface and advertises that public address for its media, without ICE
            ac.mediaConfig.transportConfig.publicAddress = s.wan_address
            ac.natConfig.iceEnabled = False
            ac.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
        else:
            ac.natConfig.iceEnabled = s.ice
            ac.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DEFAULT if s.stun_servers else pj.PJSUA_STUN_USE_DISABLED
        ac.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
        ac.natConfig.contactRewriteUse = 0
        ac.natConfig.viaRewriteUse = 0
        ac.natConfig.sdpNatRewriteUse = 0
        ac.callConfig.timerUse = pj.PJSUA_SIP_TIMER_INACTIVE
        self.account = _Account(self)
        self.account.create(ac, True)
        self.direct_account = pj.Account()
        self.direct_account.create(
            loopback_account(f"sip:core-w{self.index}@127.0.0.1:{port}", self.rt.transports["udp"].id, (lo, hi)), False
        )
        self.rt.add_cleanup(self._release)

    def _release(self) -> None:
        with contextlib.suppress(Exception):
            self.rt.ep.hangupAllCalls()
        self.calls.clear()
        for account in (self.account, self.direct_account):
            if account is not None:
                with contextlib.suppress(Exception):
                    account.shutdown()
        self.account = self.direct_account = None

    def forget(self, call: CoreLeg) -> None:
        self.bridges = {b for b in self.bridges if call.leg_id not in b}
        self.rt.call_soon(lambda: self.calls.pop(call.leg_id, None))
        self.rt.call_soon(self.phone.retry)  # its call slot is free now

    # -- events from pjsua2 ---------------------------------------------------------------

    def incoming(self, call_id: int, message: str) -> None:
        leg_id = self.switch.new_id("i")
        call = CoreLeg(self, leg_id, call_id)
        self.counters["calls"] += 1
        try:
            req = sipmsg.parse(message)
        except ValueError as exc:
            log.warning("incoming call %s: %s", leg_id, exc)
            self._reply(call, 400, "Bad Request")
            return
        device = req.header("x-uc-device")
        looped = req.header("x-uc-loop") == "1"
        caller = sipmsg.uri_user(req.header("referred-by")) if looped else None
        if device is None and not looped:
            self._reply(call, 403, "Not from the SIP edge")
            self.calls.pop(leg_id, None)
            return
        log.info(
            "w%d incoming %s: %s from device %s (%s)", self.index, leg_id, req.uri, device, req.header("x-uc-transport")
        )
        actions = self.switch.incoming(
            leg_id,
            user=req.uri_user,
            device=device,
            transport=req.header("x-uc-transport") or ("core" if looped else ""),
            caller=caller,
        )
        if actions and isinstance(actions[0], Reply) and actions[0].code >= 300:
            self.counters["refused"] += 1
        self.apply(actions)

    # -- actions --------------------------------------------------------------------------

    def apply(self, actions: Iterable[Action]) -> None:
        """Carry the switch's actions out at the runtime's next turn, outside pjsua2 callbacks:
        hanging up one call inside another call's DISCONNECTED callback crashes pjsua2 2.15.1
        (seen as SIGSEGV under load)."""
        todo = list(actions)
        if todo:
            self.rt.call_soon(lambda: self.apply_now(todo))

    def apply_now(self, actions: list[Action]) -> None:
        for action in actions:
            log.info("w%d %s", self.index, action)
            try:
                self._do(action)
            except pj.Error as exc:
                log.warning("action %s failed: %s", action, describe(exc))

    def _do(self, action: Action) -> None:
        if isinstance(action, Dial):
            self._dial(action)
            return
        if isinstance(action, StartTimer):
            session = action.session
            timer = threading.Timer(
                action.seconds, lambda: self.rt.call_soon(lambda: self.apply(self.switch.timeout(session)))
            )
            timer.daemon = True
            timer.start()
            return
        if isinstance(action, Connect):
            self.bridges.add(frozenset((action.a, action.b)))
            self.counters["answered"] += 1
            self.rewire(action.a)
            return
        if isinstance(action, Disconnect):
            self.bridges.discard(frozenset((action.a, action.b)))
            a, b = self.calls.get(action.a), self.calls.get(action.b)
            am, bm = (a.audio() if a else None), (b.audio() if b else None)
            if am is not None and bm is not None:
                with contextlib.suppress(pj.Error):
                    am.stopTransmit(bm)
                    bm.stopTransmit(am)
            return
        call = self.calls.get(action.leg)
        if call is None:
            return
        if isinstance(action, Reply):
            self._reply(call, action.code, action.reason, action.identity)
        elif isinstance(action, Hangup):
            # take the leg off the bridge first and end it a turn later: pjnath 2.15.1 can
            # assert (pj_stun_sock_sendto) when the bridge still sends into an ICE transport
            # that the hangup is destroying
            self._unbridge(call)
            self.rt.call_soon(lambda: self._hangup(action))
        elif isinstance(action, Hold):
            call.setHold(pj.CallOpParam(True))
        elif isinstance(action, Retrieve):
            prm = pj.CallOpParam(True)
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
            call.reinvite(prm)
        elif isinstance(action, SendDtmf):
            self._dtmf(call, action)
        elif isinstance(action, AnswerLocal):
            self._answer_local(call, action)

    # -- legs the core answers itself (ivr.py, local.py, state_access.py) ----------------------

    def _answer_local(self, call: CoreLeg, action: AnswerLocal) -> None:
        services = self.services
        if services is None:
            self._reply(call, 501, "No features in this core")
            return
        leg_id = action.leg

        def hangup(reason: str) -> None:
            log.info("w%d local %s ends: %s", self.index, leg_id, reason)
            self.apply([Hangup(leg_id)])

        if action.service == "conference" and pjsua_slots_free() < 1:
            # the participant's leg into its mixer needs a second call slot here: let
            # Kamailio's dispatcher try the next worker
            self._reply(call, 503, "call core worker full")
            return
        if action.service in ("deskshare", "conference"):
            device = action.owner or ""

            def deskshare(local: LocalLeg, values: tuple[str, ...]) -> list[IvrAction]:
                assert isinstance(local.dialogue, Collect)
                decision = services.deskshare(device, values[0], values[1] if len(values) > 1 else "")
                log.info("w%d deskshare %s: %s", self.index, device, decision.message)
                return (
                    local.dialogue.accept(decision.message) if decision.ok else local.dialogue.refuse(decision.message)
                )

            conference = action.service == "conference"
            local = LocalLeg(
                self.rt,
                leg_id,
                services.conference_dialogue() if conference else services.deskshare_dialogue(),
                call.audio,
                hangup,
                clock_rate=self.settings.clock_rate,
                on_collected=self._conference_pin(leg_id, action.caller) if conference else deskshare,
            )
        else:
            owner, caller = action.owner or "", action.caller

            def filed(local: LocalLeg) -> None:
                """The message is listed once its WAV is closed, so a listed message can be played."""
                path, seconds = local.recorded_path, float(getattr(local.dialogue, "recorded", 0.0))
                if path is None or seconds <= 0:
                    return

                def file(written: bool) -> None:
                    if not written:
                        log.warning(
                            "w%d voicemail %s: the recorder did not close the file; filed as it is", self.index, path
                        )
                    self.rt.call_soon(lambda: services.file_message(owner, caller, path, seconds))

                when_written(path, file)

            local = LocalLeg(
                self.rt,
                leg_id,
                services.greeting(owner, caller),
                call.audio,
                hangup,
                clock_rate=self.settings.clock_rate,
                record_to=services.recording_path(owner),
                on_end=filed,
            )
        self.local[leg_id] = local
        self._reply(call, 200, "OK")
        local.start()

    # -- MeetMe dial-in (UC-CONF-2..4): PIN dialogue, then the leg into the mixer node -------

    def _conference_pin(self, leg_id: str, caller: str) -> Callable[[LocalLeg, tuple[str, ...]], list[IvrAction]]:
        """What the PIN dialogue does with the keyed PIN: refuse (the call ends) or hand the
        caller's leg over to its mixer node."""
        services = self.services
        assert services is not None

        def collected(local: LocalLeg, values: tuple[str, ...]) -> list[IvrAction]:
            assert isinstance(local.dialogue, Collect)
            decision, joined = services.conference_dial_in(values[0], caller, self.settings.mixers, self.index)
            log.info("w%d conference dial-in %s by %s: %s", self.index, leg_id, caller, decision.text)
            if joined is None:
                return local.dialogue.refuse(decision.code)
            self._dial_mixer(leg_id, joined.conference.id, joined.member.id, joined.placement.node)
            return local.dialogue.handover(f"conference {joined.conference.id} as participant {joined.member.id}")

        return collected

    def _dial_mixer(self, caller_leg: str, conference: int, member: int, node: int) -> None:
        mixer_id = self.switch.new_id("m")
        join = ConferenceJoin(conference, member, node, caller_leg, mixer_id)
        self.joins[caller_leg] = self.joins[mixer_id] = join
        self.bridges.add(frozenset((caller_leg, mixer_id)))
        if self.mixer_call(conference, member, node, mixer_id) is None:
            self.conference_leg_ended(mixer_id, 503, "mixer leg failed")

    def mixer_call(self, conference: int, member: int, node: int, leg_id: str | None = None) -> str | None:
        """Dial `member`'s slot of `conference` in mixer `node` (a MixerLeg); its leg id, or
        None when pjsua2 refused to place it (no free call slot)."""
        leg_id = leg_id or self.switch.new_id("m")
        leg = MixerLeg(self, leg_id)
        uri = f"sip:{participant_user(conference, member)}@127.0.0.1:{self.settings.mixer_port(node)}"
        try:
            leg.makeCall(uri, pj.CallOpParam(True))
        except pj.Error as exc:
            log.warning("w%d leg %s into mixer %s: %s", self.index, leg_id, uri, describe(exc))
            self.calls.pop(leg_id, None)
            return None
        return leg_id

    def conference_mixer_up(self, mixer_leg: str) -> None:
        join = self.joins.get(mixer_leg)
        if join is None or join.connected or join.left or self.services is None:
            return
        join.connected = True
        self.services.conference_connected(join.conference, join.member)
        self.rewire(mixer_leg)

    def conference_leg_ended(self, leg_id: str, code: int = 0, reason: str = "") -> None:
        """Either leg of a participant's call ended: end the other, and the member left."""
        if leg_id in self.phone.of_leg or leg_id in self.phone.of_uplink:
            self.rt.call_soon(lambda: self.phone.ended(leg_id))
            return
        join = self.joins.get(leg_id)
        if join is None or join.left:
            return
        join.left = True
        other = join.mixer_leg if leg_id == join.caller_leg else join.caller_leg
        log.info(
            "w%d conference %d participant %d left (%s ended %s)",
            self.index,
            join.conference,
            join.member,
            leg_id,
            code,
        )
        self.apply([Hangup(other)])
        if self.services is not None:
            try:
                self.services.conference_left(join.conference, join.member)
            except Exception as exc:  # the conference was deleted meanwhile
                log.info("w%d conference %d: %s", self.index, join.conference, exc)
        self.rt.call_soon(lambda: [self.joins.pop(x, None) for x in (join.caller_leg, join.mixer_leg)])

    def conference_cut(self, conference: int, member: int | None) -> int:
        """Hang up the calls of `conference` (one `member`'s, or all) held in this worker."""
        cut = [
            j.caller_leg
            for key, j in self.joins.items()
            if key == j.caller_leg and j.conference == conference and member in (None, j.member) and not j.left
        ]
        self.apply([Hangup(leg) for leg in cut])
        return len(cut)

    def _unbridge(self, call: CoreLeg) -> None:
        am = call.audio()
        for pair in [p for p in self.bridges if call.leg_id in p]:
            self.bridges.discard(pair)
            other = self.calls.get(next(x for x in pair if x != call.leg_id))
            om = other.audio() if other is not None else None
            if am is not None and om is not None:
                with contextlib.suppress(pj.Error):
                    om.stopTransmit(am)
                    am.stopTransmit(om)

    def _hangup(self, action: Hangup) -> None:
        call = self.calls.get(action.leg)
        if call is None:
            return
        prm = pj.CallOpParam()
        if action.code:
            prm.statusCode = action.code
            prm.reason = action.reason
        try:
            call.hangup(prm)
        except pj.Error as exc:
            log.warning("hangup of %s failed: %s", action.leg, describe(exc))

    def _reply(self, call: CoreLeg, code: int, reason: str, identity: str = "") -> None:
        prm = pj.CallOpParam()
        prm.statusCode = code
        prm.reason = reason
        if identity:
            header = pj.SipHeader()
            header.hName = "P-Asserted-Identity"
            header.hValue = f"<sip:{identity}@{self.settings.realm}>"
            prm.txOption.headers.append(header)
        if code < 300:
            call.answer(prm)
        else:
            call.hangup(prm)

    def _dial(self, action: Dial) -> None:
        call = CoreLeg(self, action.leg)
        prm = pj.CallOpParam(True)
        caller = action.caller_number
        prm.txOption.localUri = f'"{action.caller_name or caller}" <sip:{caller}@{self.settings.realm}>'
        uri = f"sip:{action.device}@127.0.0.1:{self.settings.kamailio_port};ucdev=1"
        try:
            call.makeCall(uri, prm)
        except pj.Error as exc:
            log.warning("leg %s to %s: %s", action.leg, action.device, describe(exc))
            self.calls.pop(action.leg, None)
            self.apply(self.switch.ended(action.leg, 503, "call core worker full"))

    def _dtmf(self, call: CoreLeg, action: SendDtmf) -> None:
        if action.method == "rfc4733":
            call.dialDtmf(action.digits)
            return
        # one INFO at a time per leg: back-to-back INFOs can overtake each other in
        # Kamailio's UDP workers and the device then refuses the older CSeq (digit lost)
        call.info_queue.extend(action.digits)
        if not call.info_busy:
            self.next_info(call)

    def next_info(self, call: CoreLeg) -> None:
        if not call.info_queue:
            call.info_busy = False
            return
        call.info_busy = True
        prm = pj.CallSendDtmfParam()
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = call.info_queue.popleft()
        prm.duration = 160
        try:
            call.sendDtmf(prm)
        except pj.Error as exc:
            call.info_busy = False
            log.warning("DTMF INFO on %s failed: %s", call.leg_id, describe(exc))

    def rewire(self, leg_id: str) -> None:
        """(Re)connect the bridge for every answered pair `leg_id` belongs to."""
        for pair in list(self.bridges):
            if leg_id not in pair:
                continue
            a, b = (self.calls.get(x) for x in pair)
            if a is None or b is None:
                continue
            am, bm = a.audio(), b.audio()
            if am is None or bm is None:
                continue
            with contextlib.suppress(pj.Error):
                am.startTransmit(bm)
                bm.startTransmit(am)
        call = self.calls.get(leg_id)
        audio = call.audio() if call is not None else None
        if audio is not None:
            self.phone.levels(leg_id, audio)

    # -- views ----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        sessions = self.switch.snapshot()
        for session in sessions:
            legs: list[dict[str, Any]] = session["legs"]  # type: ignore[assignment]
            for leg in legs:
                call = self.calls.get(str(leg["id"]))
                leg["latch_disabled"] = None if call is None else call.latch_disabled
                if call is None or call.audio() is None:
                    continue
                with contextlib.suppress(pj.Error):
                    leg["stream"] = read_stream(call, call.med_idx).model_dump()
                with contextlib.suppress(pj.Error):
                    leg["call_id"] = str(call.getInfo().callIdString)
        return {
            "worker": self.index,
            "pid": os.getpid(),
            "state_open": bool(getattr(self.directory, "opened", True)),
            "sip": f"127.0.0.1:{self.settings.worker_port(self.index)}",
            "legs": self.switch.live_legs(),
            "free": self.switch.free(),
            "counters": dict(self.counters),
            "sessions": sessions,
            "phone_conferences": self.phone.snapshot(),
        }

    def originate(self, user: str, via: str, target: str) -> dict[str, Any]:
        """CallMe outbound (control op `originate`, UC-CALLME-2): the system calls `user` at the
        CallMe destination `via` first, then `target` (switch.Switch.originate)."""
        session, actions = self.switch.originate(user, via, target)
        if session is None:
            reply = next(a for a in actions if isinstance(a, Reply))
            return {"ok": False, "code": reply.code, "error": reply.reason, "worker": self.index}
        self.counters["calls"] += 1
        self.apply(actions)
        return {"ok": True, "session": session, "worker": self.index}

    def hangup_all(self) -> int:
        n = len(self.calls)
        self.rt.ep.hangupAllCalls()
        return n


def on_thread(rt: PjRuntime, fn: Callable[[], Any], timeout: float = 5.0) -> Any:
    return rt.run(fn, timeout)


# -- the process (forked by main.py) -------------------------------------------------------


async def serve_worker(
    settings: CoreSettings, index: int, rt: PjRuntime, worker: Worker, ready_fd: int, t0: float
) -> int:
    """Worker `index`'s control ops (main.py lists them), each carried out on the pjsua2 thread."""

    async def on_pj(fn: Any) -> Any:
        return await asyncio.wrap_future(rt.submit(fn))

    async def set_options(req: dict[str, Any]) -> dict[str, Any]:
        if "latch_rtp" in req:
            settings.latch_rtp = bool(req["latch_rtp"])
        return {"latch_rtp": settings.latch_rtp}

    handlers: dict[str, Handler] = {
        "status": lambda r: on_pj(lambda: {k: v for k, v in worker.snapshot().items() if k != "sessions"}),
        "calls": lambda r: on_pj(worker.snapshot),
        "hangup_all": lambda r: on_pj(worker.hangup_all),
        "originate": lambda r: on_pj(lambda: worker.originate(str(r["user"]), str(r["via"]), str(r["target"]))),
        "conference_cut": lambda r: on_pj(lambda: worker.conference_cut(int(r["conference"]), r.get("member"))),
        "phone_calls": lambda r: on_pj(lambda: worker.phone.calls([str(d) for d in r["devices"]])),
        "phone_join": lambda r: on_pj(
            lambda: worker.phone.join(int(r["conference"]), [str(x) for x in r["legs"]], r.get("release"))
        ),
        "phone_sync": lambda r: on_pj(lambda: worker.phone.sync(int(r["conference"]))),
        "set": set_options,
    }
    return await serve_until_stopped(settings.worker_control(index), handlers, rt, ready_fd, t0)
