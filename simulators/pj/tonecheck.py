"""Validate the tone plan per codec over a real pjsua2 call, and record the result.

    python -m simulators.pj.tonecheck --bind 192.168.1.10 [--codec PCMA ...] [--record]

Run inside a lab host. For each codec, a call between two accounts of one process carries
each plan tone in turn; the receiver measures, over 20 ms frames: the tone's share of
the frame energy (purity), the largest share of any *other* plan tone (cross-talk), and
whether the live detector reported it heard. A tone is clean when purity >= 0.9,
cross-talk < 0.05 (the detector's threshold is 0.12) and the detector heard it.
Prints one JSON document; with --record also writes tone_validation.json.

With --mix, each codec also carries a conference's mix: the 15 tones a listener of a
16-party conference hears (the first 16 plan tones less one, the listener's own), summed
on the bridge as a mixer does. Measured: the smallest share of a mixed tone, the largest
share of an absent plan tone (intermodulation and codec noise landing on a plan
frequency), and what the conference detector (tones.conference_detection) hears.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from array import array
from statistics import mean
from typing import Any

from .audio import TonePlayer
from .codecs import VALIDATION_FILE
from .selfcall import SelfCall
from .tones import TONE_PLAN, Timeline, ToneDetector, conference_detection, tone_shares

MIN_PURITY = 0.9
MAX_CROSSTALK = 0.05


def _quiet_caller(call: SelfCall) -> Any:
    """The caller's audio with nothing transmitting into it yet."""
    caller = call.calls[0]
    assert caller is not None
    am = caller.getAudioMedia(-1)
    for p in call.players:
        p.gen.stopTransmit(am)
    return am


def measure(call: SelfCall, freq: int, settle: float = 0.15, span: float = 0.3) -> dict[str, Any]:
    am = _quiet_caller(call)
    player = TonePlayer(freq)
    player.gen.startTransmit(am)
    call.players.append(player)
    t0 = time.monotonic()
    call.pump_until(lambda: time.monotonic() - t0 > settle + span, settle + span + 1)
    heard = freq in call.ears[1].detector.heard
    data = array("h", call.ears[1].recent(span))
    n = 320
    purity: list[float] = []
    cross: list[float] = []
    for i in range(0, len(data) - n + 1, n):
        _, shares = tone_shares(data[i : i + n], TONE_PLAN, 16000)
        purity.append(shares[freq])
        cross.append(max(v for f, v in shares.items() if f != freq))
    result = {
        "freq": freq,
        "purity": round(mean(purity), 4) if purity else 0.0,
        "crosstalk": round(max(cross), 4) if cross else 1.0,
        "detected": heard,
    }
    result["clean"] = bool(
        result["detected"] and result["purity"] >= MIN_PURITY and result["crosstalk"] < MAX_CROSSTALK
    )
    player.gen.stopTransmit(am)
    return result


CONFERENCE_PARTIES = 16
MIX_MIN_LEVEL = -30.0
"""dBFS: the 15-tone mix arrives at about -13 dBFS (the bridge keeps the sum below clipping)"""


def measure_mix(call: SelfCall, left_out: int, settle: float = 0.5, span: float = 1.0) -> dict[str, Any]:
    """The mix a listener with tone `left_out` hears in a 16-party conference, through the call."""
    am = _quiet_caller(call)
    mixed = [f for f in TONE_PLAN[:CONFERENCE_PARTIES] if f != left_out]
    players = [TonePlayer(f) for f in mixed]
    for player in players:
        player.gen.startTransmit(am)
    t0 = time.monotonic()
    call.pump_until(lambda: time.monotonic() - t0 > settle + span, settle + span + 1)
    data = array("h", call.ears[1].recent(span))
    for player in players:
        player.gen.stopTransmit(am)
        player.close()
    players.clear()  # the bridge holds 254 ports; 45 more generators per codec need not wait for the end
    n = 320
    present: list[float] = []
    absent: list[float] = []
    detector = ToneDetector(TONE_PLAN, conference_detection(16000))
    timeline = Timeline()
    t = 0.0
    for i in range(0, len(data) - n + 1, n):
        frame = data[i : i + n]
        level, shares = tone_shares(frame, TONE_PLAN, 16000)
        if level >= MIX_MIN_LEVEL:  # a frame the stream lost (late under load) is no measure of the mix
            present.append(min(shares[f] for f in mixed))
            absent.append(max(v for f, v in shares.items() if f not in mixed))
        timeline.extend(detector.feed(frame, t))
        t += 0.02
    heard = {f for f in TONE_PLAN if timeline.heard_ms(f, 0.0, t) > 0}
    return {
        "left_out": left_out,
        "tones": len(mixed),
        "frames": len(present),
        "min_present_share": round(min(present), 4) if present else 0.0,
        "max_absent_share": round(max(absent), 4) if absent else 1.0,
        "detected_all": heard == set(mixed),
        "false_onsets": sorted(heard - set(mixed)),
        "missed": sorted(set(mixed) - heard),
    }


def check_codec(bind: str, codec: str, mix: bool = False) -> dict[str, Any]:
    call = SelfCall(bind, codecs=[codec])
    try:
        call.call()
        negotiated = call.codec()
        results = [measure(call, f) for f in TONE_PLAN]
        call.hangup()
    finally:
        call.close()
    mixes = []
    if mix:  # a fresh call: the single-tone generators above stay on the bridge until the end
        call = SelfCall(bind, codecs=[codec])
        try:
            call.call()
            mixes = [measure_mix(call, f) for f in (TONE_PLAN[0], TONE_PLAN[8], TONE_PLAN[15])]
            call.hangup()
        finally:
            call.close()
    out: dict[str, Any] = {
        "negotiated": negotiated,
        "clean": [r["freq"] for r in results if r["clean"]],
        "tones": results,
    }
    if mix:
        out["conference_mix"] = mixes
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", required=True)
    ap.add_argument("--codec", action="append", default=[])
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--mix", action="store_true", help="also measure a 16-party conference's mix per codec")
    args = ap.parse_args(argv)
    codecs = args.codec or ["PCMA", "PCMU", "G722"]
    out: dict[str, Any] = {
        "plan": list(TONE_PLAN),
        "criteria": {"min_purity": MIN_PURITY, "max_crosstalk": MAX_CROSSTALK},
        "pjsua2": "2.15.1",
        "measured": time.strftime("%Y-%m-%d"),
        "codecs": {c: check_codec(args.bind, c, args.mix) for c in codecs},
    }
    doc = json.dumps(out, indent=2)
    print(doc)
    if args.record:
        VALIDATION_FILE.write_text(doc + "\n")
    mixes_ok = all(m["detected_all"] for v in out["codecs"].values() for m in v.get("conference_mix", []))
    return 0 if mixes_ok and all(len(v["clean"]) == len(TONE_PLAN) for v in out["codecs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
