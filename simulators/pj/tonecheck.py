"""Validate the tone plan per codec over a real pjsua2 call, and record the result.

    python -m simulators.pj.tonecheck --bind 192.168.1.10 [--codec PCMA ...] [--record]

Run inside a lab host. For each codec, a call between two accounts of one process carries
each plan tone in turn; the receiver measures, over 20 ms frames: the tone's share of
the frame energy (purity), the largest share of any *other* plan tone (cross-talk), and
whether the live detector reported it heard. A tone is clean when purity >= 0.9,
cross-talk < 0.05 (the detector's threshold is 0.12) and the detector heard it.
Prints one JSON document; with --record also writes tone_validation.json.
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
from .tones import TONE_PLAN, tone_shares

MIN_PURITY = 0.9
MAX_CROSSTALK = 0.05


def measure(call: SelfCall, freq: int, settle: float = 0.15, span: float = 0.3) -> dict[str, Any]:
    caller = call.calls[0]
    assert caller is not None
    am = caller.getAudioMedia(-1)
    for p in call.players:
        p.gen.stopTransmit(am)
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


def check_codec(bind: str, codec: str) -> dict[str, Any]:
    call = SelfCall(bind, codecs=[codec])
    try:
        call.call()
        negotiated = call.codec()
        results = [measure(call, f) for f in TONE_PLAN]
        call.hangup()
    finally:
        call.close()
    return {
        "negotiated": negotiated,
        "clean": [r["freq"] for r in results if r["clean"]],
        "tones": results,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", required=True)
    ap.add_argument("--codec", action="append", default=[])
    ap.add_argument("--record", action="store_true")
    args = ap.parse_args(argv)
    codecs = args.codec or ["PCMA", "PCMU", "G722"]
    out: dict[str, Any] = {
        "plan": list(TONE_PLAN),
        "criteria": {"min_purity": MIN_PURITY, "max_crosstalk": MAX_CROSSTALK},
        "pjsua2": "2.15.1",
        "measured": time.strftime("%Y-%m-%d"),
        "codecs": {c: check_codec(args.bind, c) for c in codecs},
    }
    doc = json.dumps(out, indent=2)
    print(doc)
    if args.record:
        VALIDATION_FILE.write_text(doc + "\n")
    return 0 if all(len(v["clean"]) == len(TONE_PLAN) for v in out["codecs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
