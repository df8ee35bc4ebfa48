"""The softphone itself, living on the pjsua2 thread: account, calls, media wiring.

Every method here runs on the runtime's thread (the agent hands it work). Callbacks turn
into protocol events through `emit`, which must be thread-safe (tone changes come from
pjmedia's clock thread).

Media wiring, per call with audio: received audio -> the call's ReceivedAudio (detector
and WAV ring); the device's tone -> the call, unless the call is muted or held by us
(the held party hears silence); calls in a local conference also feed each other.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj

from simulators.pj.audio import ReceivedAudio, TonePlayer
from simulators.pj.codecs import answer_with_all_codecs
from simulators.pj.runtime import PjRuntime, describe
from simulators.pj.stats import read_stream
from simulators.pj.tones import Timeline, ToneChange, conference_detection

from . import protocol as p
from .settings import PhoneSettings

STATES: dict[int, str] = {
    pj.PJSIP_INV_STATE_NULL: "null",
    pj.PJSIP_INV_STATE_CALLING: "calling",
    pj.PJSIP_INV_STATE_INCOMING: "incoming",
    pj.PJSIP_INV_STATE_EARLY: "early",
    pj.PJSIP_INV_STATE_CONNECTING: "connecting",
    pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
    pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
}
MEDIA: dict[int, str] = {
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}
DTMF_METHODS: dict[int, str] = {pj.PJSUA_DTMF_METHOD_RFC2833: "rfc4733", pj.PJSUA_DTMF_METHOD_SIP_INFO: "info"}
# pjsip/sip_errno.h: PJSIP_ERRNO_START_PJSIP + 1, "Object is busy": the account's REGISTER
# client has a transaction pending (pjsip sends one REGISTER at a time; pjsua's own
# refreshes and retries go through the same client). pjsua2 does not export the constant.
PJSIP_EBUSY = 171001
Emit = Callable[[p.Ev], None]


class DeviceError(Exception):
    """A request the device cannot carry out; `code` is machine-readable, the text says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _now() -> float:
    return time.monotonic()


def _weak_tones(call: DevCall) -> Callable[[list[ToneChange]], None]:
    ref = weakref.WeakMethod(call._tones)

    def forward(changes: list[ToneChange]) -> None:
        method = ref()
        if method is not None:
            method(changes)

    return forward


class DevCall(pj.Call):  # type: ignore[misc]
    def __init__(self, dev: Device, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(dev.account, call_id)
        self.dev = dev
        self.cid = f"c{next(dev.ids)}"
        self.state = "null"
        self.media = "none"
        self.med_idx = -1
        self.codec = ""
        self.remote_uri = ""
        self.muted = False
        self.held = False
        self.conf: set[str] = set()
        self.invite_tsx: Any = None
        self.timeline = Timeline()
        # a weak callback: no DevCall <-> port cycle, so the call and its port are freed by
        # reference counting on the pjsua2 thread, never by the cyclic GC on another thread
        # (pjsua2 destructors off a pjlib thread abort the process)
        detector = conference_detection() if dev.settings.detection == "conference" else None
        self.ear = ReceivedAudio(f"{dev.settings.name}-{self.cid}", _weak_tones(self), detector=detector)
        dev.calls[self.cid] = self

    # -- callbacks (pjsua2 thread, tones: clock thread) -------------------------------------

    def _tones(self, changes: list[ToneChange]) -> None:
        self.timeline.extend(changes)
        for c in changes:
            self.dev.emit(p.ToneEvent(t=c.t, call=self.cid, freq=c.freq, on=c.on))

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        self.state = STATES.get(info.state, "null")
        self.remote_uri = str(info.remoteUri)
        self.dev.emit(
            p.CallState(
                t=_now(),
                call=self.cid,
                state=self.state,
                code=int(info.lastStatusCode),
                reason=str(info.lastReason),
                identity=_received_identity(prm),
            )
        )
        if self.state == "disconnected":
            self.ear.finish()
            self.dev.forget(self)

    def onCallMediaState(self, prm: Any) -> None:
        self.dev.wire(self)

    def onStreamDestroyed(self, prm: Any) -> None:
        # before pjsua destroys the stream and its (ICE) transport, the bridge must no longer
        # write our tone into it nor the stream into `ear` (freed with this call): PjRuntime NOTE
        self.dev.rt.release_stream(self, int(prm.streamIdx))

    def onCallTsxState(self, prm: Any) -> None:
        e = prm.e
        if e.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        tsx = e.body.tsxState.tsx
        if str(tsx.method) == "INVITE" and tsx.role == pj.PJSIP_ROLE_UAS:
            self.invite_tsx = tsx.pjTransaction
            self.dev.apply_preselection(self)

    def onDtmfDigit(self, prm: Any) -> None:
        method = DTMF_METHODS.get(int(prm.method), "other")
        self.dev.emit(p.DtmfEvent(t=_now(), call=self.cid, digit=str(prm.digit), method=method))

    def onCallTransferRequest(self, prm: Any) -> None:
        new = DevCall(self.dev)
        prm.newCall = new
        self.dev.emit(p.CallCreated(t=_now(), call=new.cid, cause="transfer", target=str(prm.dstUri)))

    def onCallTransferStatus(self, prm: Any) -> None:
        self.dev.emit(
            p.TransferStatus(
                t=_now(), call=self.cid, code=int(prm.statusCode), reason=str(prm.reason), final=bool(prm.finalNotify)
            )
        )
        prm.cont = True

    def onCallReplaced(self, prm: Any) -> None:
        new = DevCall(self.dev, prm.newCallId)
        prm.newCall = new
        self.dev.emit(p.CallCreated(t=_now(), call=new.cid, cause="replace", replaces=self.cid))

    def onCallRedirected(self, prm: Any) -> int:
        self.dev.emit(p.Redirected(t=_now(), call=self.cid, target=str(prm.targetUri)))
        return int(pj.PJSIP_REDIRECT_ACCEPT_REPLACE if self.dev.settings.follow_redirects else pj.PJSIP_REDIRECT_REJECT)

    def audio(self) -> Any:
        if self.med_idx < 0 or self.media not in ("active", "local_hold", "remote_hold"):
            return None
        try:
            return self.getAudioMedia(self.med_idx)
        except pj.Error:
            return None


def _received_identity(prm: Any) -> str:
    """The P-Asserted-Identity (RFC 3325) of the SIP message that changed a call's state, if it
    was a received one ('' otherwise): what the phone shows as the party it reached."""
    try:
        e = prm.e
        if e.type != pj.PJSIP_EVENT_TSX_STATE or e.body.tsxState.type != pj.PJSIP_EVENT_RX_MSG:
            return ""
        return asserted_identity(str(e.body.tsxState.src.rdata.wholeMsg))
    except (AttributeError, pj.Error):
        return ""


def asserted_identity(message: str) -> str:
    """The P-Asserted-Identity header's value of a SIP message's head ('' without one)."""
    head = message.split("\r\n\r\n", 1)[0]
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "p-asserted-identity":
            return value.strip()
    return ""


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, dev: Device) -> None:
        super().__init__()
        self.dev = dev

    def onIncomingCall(self, prm: Any) -> None:
        self.dev.incoming(prm.callId)

    def onRegState(self, prm: Any) -> None:
        self.dev.reg_answers += 1
        info = self.getInfo()
        self.dev.emit(
            p.RegState(
                t=_now(),
                code=int(prm.code),
                reason=str(prm.reason),
                expires=int(prm.expiration),
                active=bool(info.regIsActive),
            )
        )


class Device:
    def __init__(self, rt: PjRuntime, settings: PhoneSettings, emit: Emit) -> None:
        self.rt = rt
        self.settings = settings
        self.emit = emit
        self.preselection = settings.codec_preselection
        self.ids = itertools.count(1)
        self.calls: dict[str, DevCall] = {}
        self.account: Any = None
        self.tone: TonePlayer | None = None
        self.reg_answers = 0  # registrar answers so far (RegState events emitted)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        s = self.settings
        self.tone = TonePlayer(s.tone)
        ac = pj.AccountConfig()
        reg = s.registration
        if reg is None:
            ac.idUri = f"sip:{s.sip_user}@{self.rt.published or s.bind}"
        else:
            ac.idUri = reg.aor()
            ac.regConfig.registrarUri = reg.registrar_uri()
            ac.regConfig.timeoutSec = reg.expires
            ac.regConfig.retryIntervalSec = reg.retry_s
            ac.regConfig.delayBeforeRefreshSec = reg.refresh_margin_s
            ac.regConfig.registerOnAdd = True
            ac.sipConfig.authCreds.append(pj.AuthCredInfo("digest", reg.realm, reg.user, 0, reg.password))
            ac.natConfig.udpKaIntervalSec = reg.keepalive_s
        lo, hi = s.rtp_ports
        ac.mediaConfig.transportConfig.boundAddress = s.bind
        if self.rt.published:
            ac.mediaConfig.transportConfig.publicAddress = self.rt.published
        ac.mediaConfig.transportConfig.port = lo
        ac.mediaConfig.transportConfig.portRange = hi - lo
        ac.natConfig.iceEnabled = s.ice
        ac.natConfig.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
        ac.natConfig.mediaStunUse = pj.PJSUA_STUN_USE_DEFAULT if s.ice else pj.PJSUA_STUN_USE_DISABLED
        self.account = _Account(self)
        self.account.create(ac, True)
        self.rt.add_cleanup(self._release)

    def _release(self) -> None:
        with contextlib.suppress(Exception):
            self.rt.ep.hangupAllCalls()
        for call in self.calls.values():
            call.ear.close()  # see forget
        self.calls.clear()
        self.tone = None
        if self.account is not None:
            with contextlib.suppress(Exception):
                self.account.shutdown()
        self.account = None

    def forget(self, call: DevCall) -> None:
        """Drop a finished call at the next turn (not inside its own callback).

        Its ear leaves the bridge now, while the Python object is intact (audio.py NOTE:
        the clock thread calls every port until its removal is applied).
        Queued work names calls by id, never holds them: a DevCall must die on this
        thread before libDestroy, and a closure in the queue could outlive both."""
        cid = call.cid
        call.ear.close()
        self.rt.call_soon(lambda: self.calls.pop(cid, None))

    # -- facts ----------------------------------------------------------------------------

    def uris(self) -> dict[str, str]:
        user = self.settings.sip_user
        return {
            kind: f"sip:{user}@{t.address}:{t.port}" + ("" if kind == "udp" else f";transport={kind}")
            for kind, t in self.rt.transports.items()
        }

    def status(self, ice_servers: list[str]) -> p.StatusResult:
        registered = None
        if self.settings.registration is not None and self.account is not None:
            registered = bool(self.account.getInfo().regIsActive)
        return p.StatusResult(
            name=self.settings.name,
            pid=os.getpid(),
            tone=self.settings.tone,
            uris=self.uris(),
            calls=sorted(self.calls),
            ice_servers=ice_servers,
            codec_preselection=self.preselection,
            registered=registered,
        )

    def call(self, cid: str) -> DevCall:
        call = self.calls.get(cid)
        if call is None:
            raise DeviceError("no_call", f"{self.settings.name} has no call {cid!r}; its calls: {sorted(self.calls)}")
        return call

    def _need(self, call: DevCall, states: tuple[str, ...], what: str) -> None:
        if call.state not in states:
            raise DeviceError(
                "bad_state", f"cannot {what} call {call.cid}: it is {call.state}, needs {' or '.join(states)}"
            )

    # -- media ----------------------------------------------------------------------------

    def wire(self, call: DevCall) -> None:
        info = call.getInfo()  # keep alive while iterating its media vector
        status = pj.PJSUA_CALL_MEDIA_NONE
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO:
                call.med_idx = int(mi.index)
                status = mi.status
                break
        call.media = MEDIA.get(status, "none")
        am = call.audio()
        if am is not None:
            am.startTransmit(call.ear)
            self.apply_tone(call, am)
            for other in self._conf_peers(call):
                om = other.audio()
                if om is not None:
                    am.startTransmit(om)
                    om.startTransmit(am)
            with contextlib.suppress(pj.Error):
                si = call.getStreamInfo(call.med_idx)
                call.codec = f"{si.codecName}/{si.codecClockRate}"
        else:
            call.ear.finish()
        self.emit(p.MediaState(t=_now(), call=call.cid, status=call.media, codec=call.codec))

    def _conf_peers(self, call: DevCall) -> list[DevCall]:
        return [self.calls[c] for c in call.conf if c in self.calls]

    def apply_tone(self, call: DevCall, am: Any = None) -> None:
        am = am if am is not None else call.audio()
        if am is None or self.tone is None:
            return
        want = call.media in ("active", "remote_hold") and not call.muted and not call.held
        with contextlib.suppress(pj.Error):
            if want:
                self.tone.gen.startTransmit(am)
            else:
                self.tone.gen.stopTransmit(am)

    def apply_preselection(self, call: DevCall) -> None:
        """Codec Preselection off: answer with every shared codec, as a WebRTC client does."""
        if not self.preselection and call.invite_tsx is not None:
            answer_with_all_codecs(call.invite_tsx)

    # -- calls ----------------------------------------------------------------------------

    def incoming(self, call_id: int) -> None:
        call = DevCall(self, call_id)
        info = call.getInfo()
        call.state = STATES.get(info.state, "incoming")
        call.remote_uri = str(info.remoteUri)
        self.emit(p.IncomingCall(t=_now(), call=call.cid, remote_uri=call.remote_uri))
        code = self.settings.auto_answer
        cid = call.cid
        # ring first; answer (if automatic) at the next turn, after the INVITE's tsx events
        self.rt.call_soon(lambda: self._ring_then_answer(cid, code))

    def _ring_then_answer(self, cid: str, code: int | None) -> None:
        call = self.calls.get(cid)
        if call is None or call.state not in ("incoming", "early"):
            return
        self.apply_preselection(call)
        with contextlib.suppress(pj.Error):
            prm = pj.CallOpParam()
            prm.statusCode = 180
            call.answer(prm)
        if code is not None and code != 180:
            self.rt.call_soon(lambda: self._answer_now(cid, code))

    def _answer_now(self, cid: str, code: int) -> None:
        call = self.calls.get(cid)
        if call is not None and call.state in ("incoming", "early"):
            self.answer(cid, code)

    def dial(self, uri: str, headers: dict[str, str]) -> str:
        if self.rt.ep.utilVerifySipUri(uri) != 0:
            raise DeviceError("bad_uri", f"{uri!r} is not a SIP URI; write sip:user@host[:port][;transport=tcp]")
        call = DevCall(self)
        prm = pj.CallOpParam(True)
        for name, value in headers.items():
            h = pj.SipHeader()
            h.hName = name
            h.hValue = value
            prm.txOption.headers.append(h)
        try:
            call.makeCall(uri, prm)
        except pj.Error as exc:
            self.calls.pop(call.cid, None)
            raise DeviceError("dial_failed", f"dialling {uri} failed: {describe(exc)}") from exc
        return call.cid

    def answer(self, cid: str, code: int) -> None:
        call = self.call(cid)
        self._need(call, ("incoming", "early"), "answer")
        self.apply_preselection(call)
        prm = pj.CallOpParam()
        prm.statusCode = code
        call.answer(prm)

    def reject(self, cid: str, code: int) -> None:
        call = self.call(cid)
        self._need(call, ("incoming", "early"), "reject")
        prm = pj.CallOpParam()
        prm.statusCode = code
        call.hangup(prm)

    def deflect(self, cid: str, target: str) -> None:
        call = self.call(cid)
        self._need(call, ("incoming", "early"), "deflect")
        if self.rt.ep.utilVerifySipUri(target) != 0:
            raise DeviceError("bad_uri", f"deflect target {target!r} is not a SIP URI; write sip:user@host[:port]")
        prm = pj.CallOpParam()
        prm.statusCode = 302
        h = pj.SipHeader()
        h.hName = "Contact"
        h.hValue = f"<{target}>"
        prm.txOption.headers.append(h)
        call.answer(prm)

    def hangup(self, cid: str) -> None:
        call = self.call(cid)
        if call.state == "disconnected":
            return
        call.hangup(pj.CallOpParam())

    def hold(self, cid: str) -> None:
        call = self.call(cid)
        self._need(call, ("confirmed",), "hold")
        if call.held:
            return
        call.held = True
        self.apply_tone(call)
        call.setHold(pj.CallOpParam(True))

    def retrieve(self, cid: str) -> None:
        call = self.call(cid)
        self._need(call, ("confirmed",), "retrieve")
        call.held = False
        prm = pj.CallOpParam(True)
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        call.reinvite(prm)

    def mute(self, cid: str, on: bool) -> None:
        call = self.call(cid)
        call.muted = on
        self.apply_tone(call)

    def transfer(self, cid: str, target: str) -> None:
        call = self.call(cid)
        self._need(call, ("confirmed",), "transfer")
        if self.rt.ep.utilVerifySipUri(target) != 0:
            raise DeviceError("bad_uri", f"transfer target {target!r} is not a SIP URI; write sip:user@host[:port]")
        call.xfer(target, pj.CallOpParam(True))

    def transfer_attended(self, cid: str, to: str) -> None:
        call, other = self.call(cid), self.call(to)
        self._need(call, ("confirmed",), "transfer")
        self._need(other, ("confirmed",), "transfer to")
        call.xferReplaces(other, pj.CallOpParam(True))

    def conference(self, cids: list[str]) -> None:
        calls = [self.call(c) for c in cids]
        for call in calls:
            self._need(call, ("confirmed",), "conference")
        for call in calls:
            call.conf = {c.cid for c in calls if c is not call}
        for call in calls:
            if call.held:
                self.retrieve(call.cid)
            else:
                self.wire(call)

    def send_dtmf(self, cid: str, digits: str, method: str) -> None:
        call = self.call(cid)
        self._need(call, ("confirmed",), "send DTMF on")
        if method == "rfc4733":
            if call.media != "active":
                raise DeviceError("no_media", f"RFC 4733 DTMF needs active media; call {cid} media is {call.media}")
            call.dialDtmf(digits)
        else:
            prm = pj.CallSendDtmfParam()
            prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
            prm.digits = digits
            prm.duration = 160
            call.sendDtmf(prm)

    def report(self, cid: str) -> p.CallReport:
        call = self.call(cid)
        stream = None
        if call.audio() is not None:
            with contextlib.suppress(pj.Error):
                stream = read_stream(call, call.med_idx)
        return p.CallReport(
            call=cid,
            state=call.state,
            media=call.media,
            remote_uri=call.remote_uri,
            heard=call.timeline.heard_at(_now()),
            stream=stream,
        )

    def save_audio(self, cid: str, path: str, seconds: float) -> str:
        return str(self.call(cid).ear.save_wav(Path(path), seconds))

    def register(self, on: bool) -> tuple[bool, int]:
        """Send a REGISTER (with `on` false: an un-REGISTER) unless one is in flight.

        Returns (sent, answers before): when sent, the registrar's next answer is the answer
        to it; when a REGISTER transaction is still pending (the phone's own first
        registration, refresh or retry), nothing is sent and the caller tries again once that
        one is answered.
        """
        if self.settings.registration is None:
            raise DeviceError("no_registrar", "this phone has no registration settings; start it with registration=...")
        before = self.reg_answers
        try:
            self.account.setRegistration(on)
        except pj.Error as exc:
            if exc.status == PJSIP_EBUSY:
                return False, before
            raise
        return True, before
