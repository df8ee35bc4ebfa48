"""A conference mixer node: a pjsua2 endpoint whose bridge mixes up to 4 calls.

Forked by the call core's supervisor (main.py) like the workers. Node n listens for SIP on
127.0.0.1:mixer_base_port+n, without a proxy, and holds two kinds of legs
(rules/conference_slots.py decides where everything goes; the rows are in the state):

- participant legs, dialled by the worker that anchors the participant's call, to
  `conf<C>-p<member>`: accepted only when the state gives this node that participant's slot;
- links, dialled by the child node to its parent, to `conf<C>-l<child>-<parent>`.

Within a node every leg of a conference transmits to every other leg of it, so a link carries
its side's mix and the tree gives everyone everyone else exactly once. A participant's leg
brings its audio in at `conference_slots.INPUT_LEVEL` (`enter_at`), links at 1.0, so no sum
clips and no node scales. A conference with one participant plays music on hold
(`ivr.MUSIC_ON_HOLD_TONE`) to that participant's leg.

Control ops: `status` (legs, jitter buffers, counters) and `levels` (the plan tones each leg
brings into the bridge over a window, tone_levels: benchmarks/conference_bench.py --levels).

Reconciling (on every leg change and every `mixer_poll_ms`): a link row without a leg is
dialled, a leg without a row is hung up (a participant removed, a conference deleted, a link
pruned); a conference whose end time passed (the last moderator left, 000:1553-1555) has
its participant legs hung up, and the workers end the participants' calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import statistics
import threading
from array import array
from typing import Any

import pjsua2 as pj

from simulators.pj.audio import FRAME_US, BridgePort, TonePlayer
from simulators.pj.runtime import PjRuntime, describe
from simulators.pj.tones import TONE_PLAN, tone_shares

from ..control import Handler
from ..rules import conference_slots as mix
from .child import serve_until_stopped
from .ivr import MUSIC_ON_HOLD_TONE
from .settings import CoreSettings
from .worker import IncomingAccount, bridge_port, loopback_account

log = logging.getLogger("uclab.uc.mixer")


class MixLeg(pj.Call):  # type: ignore[misc]
    def __init__(self, node: MixerNode, key: mix.LegKey, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(node.account, call_id)
        self.node = node
        self.key = key
        self.med_idx = -1
        self.up = False
        node.calls[id(self)] = self

    def onCallState(self, prm: Any) -> None:
        state = self.getInfo().state
        if state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.up = True
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.node.ended(self)

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()  # alive while its media list is read
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.med_idx = int(mi.index)
        self.node.rt.call_soon(lambda: self.node.rewire(self.key[0]))

    def onStreamDestroyed(self, prm: Any) -> None:
        # the bridge must stop mixing into the stream before pjsua destroys it (PjRuntime NOTE)
        self.node.rt.release_stream(self, int(prm.streamIdx))

    def audio(self) -> Any:
        return bridge_port(self, self.med_idx)


class MixerNode:
    """Node `index`'s legs and bridge; every method runs on the runtime's thread."""

    def __init__(self, rt: PjRuntime, settings: CoreSettings, index: int, state: Any) -> None:
        self.rt = rt
        self.settings = settings
        self.index = index
        self._state = state
        self.account: Any = None
        self.legs: dict[mix.LegKey, MixLeg] = {}
        self.calls: dict[int, MixLeg] = {}
        """every pjsua2 call object until pjsua2 let go of it (refused ones too)"""
        self.moh: dict[int, tuple[TonePlayer, mix.LegKey]] = {}
        self.slots: list[mix.Slot] = []
        self.counters = {"accepted": 0, "refused": 0, "dialled": 0, "hungup": 0, "ended_conferences": 0}
        self._timer: threading.Timer | None = None
        self._stopped = False

    @property
    def state(self) -> Any:
        return self._state()

    def start(self) -> None:
        s = self.settings
        uri = f"sip:mixer{self.index}@127.0.0.1:{s.mixer_port(self.index)}"
        self.account = IncomingAccount(self)
        self.account.create(loopback_account(uri, self.rt.transports["udp"].id, s.mixer_rtp(self.index)), True)
        self.rt.add_cleanup(self._release)
        self._schedule()

    def _release(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
        self.moh.clear()
        with contextlib.suppress(Exception):
            self.rt.ep.hangupAllCalls()
        self.legs.clear()
        self.calls.clear()
        if self.account is not None:
            with contextlib.suppress(Exception):
                self.account.shutdown()
        self.account = None

    def _schedule(self) -> None:
        if self._stopped:
            return
        self._timer = threading.Timer(self.settings.mixer_poll_ms / 1000, lambda: self.rt.call_soon(self._tick))
        self._timer.daemon = True
        self._timer.start()

    def _tick(self) -> None:
        try:
            if self.legs:  # an idle node reads nothing: a participant's leg arriving reconciles
                self.reconcile()
                self._end_due()
        except Exception as exc:  # a locked or unavailable state: the next tick tries again
            log.warning("m%d reconcile failed: %s", self.index, exc)
        self._schedule()

    # -- legs ------------------------------------------------------------------------------

    def incoming(self, call_id: int, message: str) -> None:
        line = message.split("\r\n", 1)[0]
        user = line.split(" ")[1].removeprefix("sip:").split("@")[0] if " " in line else ""
        key = mix.parse_user(user)
        call = MixLeg(self, key or (-1, user), call_id)
        slots = self.state.mix_slots()
        code, reason = 200, "OK"
        if key is None:
            code, reason = 404, f"{user!r} names no conference leg"
        elif key not in mix.expected_legs(slots, self.index):
            code, reason = 404, f"node {self.index} has no slot for {user}"
        elif key in self.legs:
            code, reason = 486, f"{user} is already connected"
        prm = pj.CallOpParam()
        prm.statusCode, prm.reason = code, reason
        log.info("m%d incoming %s: %d %s", self.index, user, code, reason)
        if code == 200 and key is not None:
            self.counters["accepted"] += 1
            self.legs[key] = call
            call.answer(prm)
            self.reconcile(slots)
        else:
            self.counters["refused"] += 1
            call.hangup(prm)

    def ended(self, leg: MixLeg) -> None:
        if self.legs.get(leg.key) is leg:
            del self.legs[leg.key]
        log.info("m%d leg %s ended", self.index, leg.key)
        # freed a turn later, on the runtime's thread, once pjsua2 let go of it
        self.rt.call_soon(lambda: self._after_end(id(leg)))

    def _after_end(self, ident: int) -> None:
        self.calls.pop(ident, None)
        self.reconcile()

    def reconcile(self, slots: list[mix.Slot] | None = None) -> None:
        self.slots = self.state.mix_slots() if slots is None else slots
        todo = mix.reconcile(self.slots, self.index, self.legs)
        for key in todo.hangup:
            self._hangup(key)
        for key in todo.dial:
            self._dial(key)
        for conference in {c for c, _ in self.legs} | set(self.moh):
            self.rewire(conference)

    def _end_due(self) -> None:
        """Conferences whose end time passed (000:1554): their participants' legs are hung up."""
        mine = {c for c, _ in self.legs}
        if not mine:
            return
        state = self.state
        now = state.now()
        for conference in mine:
            conf = state.conference(conference)
            if conf is not None and conf.ends_at is not None and conf.ends_at <= now:
                log.info("m%d conference %d ends: the last moderator left", self.index, conference)
                self.counters["ended_conferences"] += 1
                for key in [k for k in self.legs if k[0] == conference and ">" not in k[1]]:
                    self._hangup(key)

    def _dial(self, key: mix.LegKey) -> None:
        conference, ref = key
        child, parent = mix.parse_link(ref)
        call = MixLeg(self, key)
        self.legs[key] = call
        uri = f"sip:{mix.link_user(conference, child, parent)}@127.0.0.1:{self.settings.mixer_port(parent)}"
        log.info("m%d dials its uplink %s", self.index, uri)
        try:
            call.makeCall(uri, pj.CallOpParam(True))
            self.counters["dialled"] += 1
        except pj.Error as exc:
            log.warning("m%d uplink %s: %s", self.index, uri, describe(exc))
            self.legs.pop(key, None)
            self.calls.pop(id(call), None)

    def _hangup(self, key: mix.LegKey) -> None:
        call = self.legs.get(key)
        if call is None:
            return
        self.counters["hungup"] += 1
        with contextlib.suppress(pj.Error):
            call.hangup(pj.CallOpParam(True))

    # -- the bridge ------------------------------------------------------------------------

    def rewire(self, conference: int) -> None:
        """Every leg of `conference` here hears every other; a lone participant hears music."""
        media = {k: am for k, leg in self.legs.items() if k[0] == conference and (am := leg.audio()) is not None}
        for key, am in media.items():
            if ">" not in key[1]:  # a participant: enters the tree at the input level, links at 1.0
                enter_at(am, mix.INPUT_LEVEL)
        for a, am in media.items():
            for b, bm in media.items():
                if a != b:
                    with contextlib.suppress(pj.Error):
                        am.startTransmit(bm)
        alone = [k for k in media if ">" not in k[1]] if mix.lone(self.slots, conference) else []
        playing = self.moh.get(conference)
        if playing is not None and (not alone or playing[1] != alone[0]):
            player, key = self.moh.pop(conference)
            if key in media:
                with contextlib.suppress(pj.Error):
                    player.gen.stopTransmit(media[key])
            player.close()
        if alone and conference not in self.moh:
            player = TonePlayer(MUSIC_ON_HOLD_TONE, self.settings.clock_rate)
            player.gen.startTransmit(media[alone[0]])
            self.moh[conference] = (player, alone[0])

    # -- measuring -------------------------------------------------------------------------

    def tap(self) -> dict[mix.LegKey, Tap]:
        """A listening port on every leg (op `levels`): what each leg brings into the bridge,
        after its entry level."""
        taps: dict[mix.LegKey, Tap] = {}
        for key, leg in self.legs.items():
            am = leg.audio()
            if am is None:
                continue
            ear = Tap(f"tap{key[0]}-{key[1]}", self.settings.clock_rate)
            with contextlib.suppress(pj.Error):
                am.startTransmit(ear)
            taps[key] = ear
        return taps

    def untap(self, taps: dict[mix.LegKey, Tap], seconds: float) -> dict[mix.LegKey, bytes]:
        """What each tapped leg brought in (up to `seconds`, the latest); the taps go."""
        out = {}
        for key, ear in taps.items():
            leg = self.legs.get(key)
            am = leg.audio() if leg is not None else None
            if am is not None:
                with contextlib.suppress(pj.Error):
                    am.stopTransmit(ear)
            ear.close()
            out[key] = b"".join(ear.frames[-int(seconds * 1_000_000 / FRAME_US) :])
        return out

    # -- views -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "node": self.index,
            "pid": os.getpid(),
            "sip": f"127.0.0.1:{self.settings.mixer_port(self.index)}",
            "legs": [
                {"conference": c, "ref": r, "up": leg.up, "media": leg.med_idx >= 0, **jitter_buffer(leg)}
                for (c, r), leg in sorted(self.legs.items())
            ],
            "music_on_hold": sorted(self.moh),
            "counters": dict(self.counters),
        }


def enter_at(audio: Any, level: float) -> None:
    """Scale what `audio` (a port on the bridge) sends into the bridge: its share of every mix.

    pjsua2 names levels from the port's side (pjproject #1741): AudioMedia.adjustTxLevel is
    the port's audio into the bridge (pjsua_conf_adjust_rx_level), adjustRxLevel the mix the
    bridge sends to the port. adjustRxLevel here left talkers at full level: every node's
    sum clipped and was scaled, and a far talker lost about a third of its amplitude per
    link (tests/uc/callcore/test_mixer_levels.py)."""
    with contextlib.suppress(pj.Error):
        audio.adjustTxLevel(level)


LEVEL_FLOOR = 0.002
"""tone_levels leaves out tones below this amplitude (full scale 1.0; a participant's tone
enters at about 0.047: the tone level 0.376 x INPUT_LEVEL)"""


def tone_levels(pcm: bytes, rate: int) -> dict[int, float]:
    """{plan tone: median amplitude over 20 ms frames, full scale 1.0} of 16-bit mono audio,
    tones at LEVEL_FLOOR or more. A frame's tone amplitude is sqrt(2 x share x mean power)."""
    samples = array("h", pcm[: len(pcm) // 2 * 2])
    n = rate // 50
    per_tone: dict[int, list[float]] = {f: [] for f in TONE_PLAN}
    for i in range(0, len(samples) - n + 1, n):
        level, shares = tone_shares(samples[i : i + n], TONE_PLAN, rate)
        power = 10.0 ** (level / 10.0) if level > -math.inf else 0.0
        for f, share in shares.items():
            per_tone[f].append(math.sqrt(2.0 * share * power))
    out = {}
    for f, amps in per_tone.items():
        median = statistics.median(amps) if amps else 0.0
        if median >= LEVEL_FLOOR:
            out[f] = round(median, 4)
    return out


class Tap(BridgePort):
    """A port that keeps the frames the bridge sends it: nothing else runs in the bridge's
    clock thread (a detector per frame in every node would slow the nodes measured)."""

    def __init__(self, name: str, clock_rate: int) -> None:
        super().__init__()
        self.frames: list[bytes] = []
        self.closed = False
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, clock_rate, 1, FRAME_US, 16)
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: Any) -> None:
        if not self.closed and frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            self.frames.append(bytes(frame.buf))


def jitter_buffer(leg: MixLeg) -> dict[str, int]:
    """What the leg's receive side lost: RTP packets (RTCP) and the jitter buffer's frames
    (lost, discarded, played empty): a starved process shows in the last three."""
    if leg.med_idx < 0:
        return {}
    try:
        stat = leg.getStreamStat(leg.med_idx)
    except pj.Error:
        return {}
    jb = stat.jbuf
    rx = stat.rtcp.rxStat
    return {
        "rx_packets": int(rx.pkt),
        "rx_lost": int(rx.loss),
        "jb_lost": int(jb.lost),
        "jb_discard": int(jb.discard),
        "jb_empty": int(jb.empty),
    }


# -- the process (forked by main.py) -------------------------------------------------------


async def serve_node(
    settings: CoreSettings, index: int, rt: PjRuntime, node: MixerNode, ready_fd: int, t0: float
) -> int:
    async def status(req: dict[str, Any]) -> Any:
        return await asyncio.wrap_future(rt.submit(node.snapshot))

    async def levels(req: dict[str, Any]) -> Any:
        """Each leg's plan tones as it brings them into the bridge, over `seconds` (default 1)."""
        seconds = float(req.get("seconds", 1.0))
        taps = await asyncio.wrap_future(rt.submit(node.tap))
        await asyncio.sleep(seconds + 0.1)  # the measuring window, not a wait for an event
        heard = await asyncio.wrap_future(rt.submit(lambda: node.untap(taps, seconds)))
        rate = settings.clock_rate
        legs = [{"conference": c, "ref": r, "tones": tone_levels(pcm, rate)} for (c, r), pcm in heard.items()]
        return {"node": index, "legs": legs}

    ops: dict[str, Handler] = {"status": status, "levels": levels}
    return await serve_until_stopped(settings.mixer_control(index), ops, rt, ready_fd, t0)
