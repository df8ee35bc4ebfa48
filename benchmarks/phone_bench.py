"""Softphone benchmarks: agent start to ready, and a LAN call + two-way verdict + teardown,
as medians, each against a floor measured in the same run (ratios, not absolute timings).

    .venv/bin/python -m benchmarks.phone_bench [--n 15]

* agent ready: `start_phone` (forked by the lab's warm zygote into the host, pjsua2 up,
  READY, control socket connected, status answered) vs. a bare pjsua2 process reaching
  READY in the same host; also reported: the same without the zygote (a fresh
  `python -m simulators.phone.agent`) and the first phone of a lab (which starts the zygote).
* call: `connect` (dial, incoming, answer, both confirmed) + `expect_audio(two-way)` +
  hangup awaited on both sides, through two agents, vs. the same call inside one bare
  pjsua2 process (simulators.pj.selfcall), both on one LAN.

Targets: agent ready <= 300 ms; call + verdict + teardown <= 1000 ms; agent
layer <= 1.3 x the floor. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.phone.client import connect
from simulators.phone.launch import ROOT, start_phone
from simulators.phone.media import expect_audio

TARGETS = {"ready_ms": 300.0, "call_ms": 1000.0, "ratio": 1.3}


def topology() -> Topology:
    return (
        TopologyBuilder("phone_bench")
        .segment("lan", "192.168.1.0/24")
        .host("alice", eth0=("lan", "192.168.1.10"))
        .host("bob", eth0=("lan", "192.168.1.11"))
        .host("floor", eth0=("lan", "192.168.1.12"))
        .build()
    )


def floor_ready(lab: Lab) -> float:
    t0 = time.perf_counter()
    proc = lab.spawn(
        "floor", [sys.executable, "-m", "benchmarks.phone_floor", "start"], name="floor-start", watch=True, cwd=ROOT
    )
    proc.wait_for("^READY", 10)
    ms = (time.perf_counter() - t0) * 1000
    proc.stop(timeout=2)
    return ms


async def agent_ready(lab: Lab, zygote: bool = True) -> float:
    t0 = time.perf_counter()
    phone = await start_phone(lab, "alice", zygote=zygote)
    ms = (time.perf_counter() - t0) * 1000
    await phone.close()
    return ms


async def agent_calls(lab: Lab, n: int) -> list[float]:
    alice, bob = await asyncio.gather(start_phone(lab, "alice"), start_phone(lab, "bob"))
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            a, b = await connect(alice, bob)
            await expect_audio(a, b, "two-way")
            await a.hangup()
            await b.disconnected()
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        await alice.close()
        await bob.close()
    return times


def floor_calls(lab: Lab, n: int) -> list[float]:
    out = lab.exec(
        "floor", [sys.executable, "-m", "benchmarks.phone_floor", "call", lab.address("floor"), str(n)], timeout=120
    )
    if out.returncode != 0:
        raise SystemExit(f"floor call failed: {out.stdout}\n{out.stderr}")
    times: list[float] = json.loads(out.stdout.strip().splitlines()[-1])["call_ms"]
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=15)
    args = ap.parse_args(argv)
    import os

    os.chdir(Path(ROOT))
    with Lab(topology()) as lab:
        floor_ready(lab)  # warm the page cache once for all
        t0 = time.perf_counter()
        asyncio.run(agent_ready(lab))  # the first phone of a lab also starts its zygote
        first_ms = (time.perf_counter() - t0) * 1000
        ready, ready_floor, ready_spawn = [], [], []
        for _ in range(args.n):  # alternate, so all see the same machine state
            ready_floor.append(floor_ready(lab))
            ready.append(asyncio.run(agent_ready(lab)))
            ready_spawn.append(asyncio.run(agent_ready(lab, zygote=False)))
        call_floor = floor_calls(lab, args.n + 1)[1:]
        call = asyncio.run(agent_calls(lab, args.n + 1))[1:]
    med = statistics.median
    result = {
        "n": args.n,
        "ready_ms": round(med(ready), 1),
        "ready_floor_ms": round(med(ready_floor), 1),
        "ready_ratio": round(med(ready) / med(ready_floor), 2),
        "first_phone_with_zygote_ms": round(first_ms, 1),
        "ready_without_zygote_ms": round(med(ready_spawn), 1),
        "call_ms": round(med(call), 1),
        "call_floor_ms": round(med(call_floor), 1),
        "call_ratio": round(med(call) / med(call_floor), 2),
    }
    print(f"{'measure':<34}{'median ms':>10}{'floor ms':>10}{'ratio':>8}  target")
    print(
        f"{'agent start -> ready':<34}{result['ready_ms']:>10}{result['ready_floor_ms']:>10}{result['ready_ratio']:>8}  <= 300 ms"
    )
    print(f"{'  without zygote (spawn)':<34}{result['ready_without_zygote_ms']:>10}{'':>10}{'':>8}")
    print(f"{'  first phone (+ zygote start)':<34}{result['first_phone_with_zygote_ms']:>10}")
    print(
        f"{'call + two-way verdict + teardown':<34}{result['call_ms']:>10}{result['call_floor_ms']:>10}{result['call_ratio']:>8}  <= 1000 ms, <= 1.3x"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
