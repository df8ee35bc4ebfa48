"""A bare pjsua2 call inside one process: two accounts on two UDP ports of one address.

No runtime thread, no agent, no control socket: the floor the agent layer is measured
against (benchmarks/phone_floor.py), and the harness that validates the tone plan per
codec (tonecheck.py). Run it inside a lab host (its traffic stays in that namespace).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from .audio import ReceivedAudio, TonePlayer
from .runtime import apply_codecs
from .tones import Timeline, ToneChange


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, owner: SelfCall, side: int, acc: Any, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(acc, call_id)
        self.owner = owner
        self.side = side
        self.state = 0

    def onCallState(self, prm: Any) -> None:
        self.state = self.getInfo().state

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()  # keep the CallInfo alive while iterating its media vector
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                am = self.getAudioMedia(mi.index)
                self.owner.players[self.side].gen.startTransmit(am)
                am.startTransmit(self.owner.ears[self.side])


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, owner: SelfCall) -> None:
        super().__init__()
        self.owner = owner

    def onIncomingCall(self, prm: Any) -> None:
        call = _Call(self.owner, 1, self, prm.callId)
        self.owner.calls[1] = call
        op = pj.CallOpParam()
        op.statusCode = 200
        call.answer(op)


class SelfCall:
    PORTS = (5060, 5062)

    def __init__(self, bind: str, freqs: tuple[int, int] = (450, 550), codecs: list[str] | None = None) -> None:
        self.bind = bind
        self.freqs = freqs
        self.ep: Any = pj.Endpoint()
        ep = self.ep
        ep.libCreate()
        ec = pj.EpConfig()
        ec.uaConfig.threadCnt = 0
        ec.uaConfig.mainThreadOnly = True
        ec.logConfig.level = 0
        ec.logConfig.consoleLevel = 0
        ec.medConfig.clockRate = 16000
        ec.medConfig.sndAutoCloseTime = -1
        ep.libInit(ec)
        ep.audDevManager().setNullDev()
        self.accounts: list[Any] = []
        for i, port in enumerate(self.PORTS):
            tc = pj.TransportConfig()
            tc.port = port
            tc.boundAddress = bind
            tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
            acc = _Account(self)
            ac = pj.AccountConfig()
            ac.idUri = f"sip:side{i}@{bind}:{port}"
            ac.sipConfig.transportId = tid
            ac.mediaConfig.transportConfig.boundAddress = bind
            ac.mediaConfig.transportConfig.port = 49152 + 1000 * i
            acc.create(ac)
            self.accounts.append(acc)
        apply_codecs(ep, codecs or ["PCMA/8000", "PCMU/8000", "G722/16000"])
        ep.libStart()
        self.players = [TonePlayer(f) for f in freqs]
        self.timelines = [Timeline(), Timeline()]
        self.ears = [ReceivedAudio(f"ear{i}", self._sink(i)) for i in range(2)]
        self.calls: list[_Call | None] = [None, None]

    def _sink(self, side: int) -> Callable[[list[ToneChange]], None]:
        def apply(changes: list[ToneChange]) -> None:
            self.timelines[side].extend(changes)

        return apply

    def pump_until(self, done: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                return False
            self.ep.libHandleEvents(2)
        return True

    def call(self, timeout: float = 5.0) -> None:
        call = _Call(self, 0, self.accounts[0])
        self.calls[0] = call
        call.makeCall(f"sip:side1@{self.bind}:{self.PORTS[1]}", pj.CallOpParam(True))
        ok = self.pump_until(
            lambda: all(c is not None and c.state == pj.PJSIP_INV_STATE_CONFIRMED for c in self.calls), timeout
        )
        if not ok:
            raise TimeoutError("self call did not get confirmed")

    def hears_each_other(self) -> bool:
        a, b = self.freqs
        return b in self.ears[0].detector.heard and a in self.ears[1].detector.heard

    def hangup(self, timeout: float = 2.0) -> None:
        self.ep.hangupAllCalls()
        self.pump_until(
            lambda: all(c is None or c.state == pj.PJSIP_INV_STATE_DISCONNECTED for c in self.calls), timeout
        )
        for ear in self.ears:
            ear.finish()
        self.calls = [None, None]

    def codec(self) -> str:
        call = self.calls[0]
        if call is None:
            return ""
        info = call.getStreamInfo(0)
        return f"{info.codecName}/{info.codecClockRate}"

    def _release(self) -> None:
        for ear in self.ears:
            ear.closed = True
        for player in self.players:
            player.close()
        self.calls = [None, None]
        self.ears = []
        self.players = []
        self.accounts = []

    def close(self) -> None:
        # release in another frame: a loop variable here would keep a port alive
        self._release()
        gc.collect()
        self.ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
        self.ep = None
