"""Floors for the softphone benchmarks, run inside a lab host (no agent layer).

    python -m benchmarks.phone_floor start          # bare pjsua2 process: import, init, READY
    python -m benchmarks.phone_floor call BIND N    # N one-process calls: setup + two-way + teardown

`start` prints READY once an Endpoint with a UDP transport on the null sound device has
started (what an agent does before it can take requests). `call` prints one JSON line
with the per-iteration times (ms) of a bare pjsua2 call between two accounts of one
process: dial, auto-answer, both tones detected both ways, hang up, both disconnected.
"""

from __future__ import annotations

import json
import sys
import time


def start() -> int:
    import pjsua2 as pj

    ep = pj.Endpoint()
    ep.libCreate()
    ec = pj.EpConfig()
    ec.uaConfig.threadCnt = 0
    ec.uaConfig.mainThreadOnly = True
    ec.logConfig.level = 0
    ec.logConfig.consoleLevel = 0
    ep.libInit(ec)
    ep.audDevManager().setNullDev()
    tc = pj.TransportConfig()
    tc.port = 0
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    print("READY", flush=True)
    ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
    return 0


def call(bind: str, n: int) -> int:
    from simulators.pj.selfcall import SelfCall

    harness = SelfCall(bind)
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            harness.call()
            if not harness.pump_until(harness.hears_each_other, 3.0):
                raise SystemExit("floor call: no two-way audio")
            harness.hangup()
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        harness.close()
    print(json.dumps({"call_ms": times}), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "start":
        sys.exit(start())
    sys.exit(call(sys.argv[2], int(sys.argv[3])))
