"""UC stub start to ready (target: <= 1.5 s), fresh and on restart.

    .venv/bin/python -m benchmarks.stub_start [--n 5]

* fresh: `start_stub` in a new lab (a new state: the first open seeds it and hashes every
  initial UC password with scrypt) until every process printed its readiness line and
  Kamailio answered a SIP OPTIONS;
* restart: `stub.restart()` on the same state (what a test's restart costs);
* floor: Kamailio alone with the same generated configuration, to its readiness line
  (the SIP edge cannot start faster than that; the rest of the stub starts in parallel).

Prints a table and, last, one JSON line with medians, the per-process breakdown of the
last fresh start, and whether the target is met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from simulators.lab import Lab
from simulators.uc.edge import kamailio
from simulators.uc.service import Stub, start_stub

TARGET_MS = 1500.0


async def _fresh_and_restart(lab: Lab) -> tuple[Stub, dict[str, float], float]:
    stub = await start_stub(lab, "system", config="office")
    fresh = dict(stub.timings)
    t0 = time.perf_counter()
    await stub.restart()
    restart_ms = (time.perf_counter() - t0) * 1000
    stub.stop()
    return stub, fresh, restart_ms


def _floor(lab: Lab, stub: Stub) -> float:
    edge = stub.edge()
    t0 = time.perf_counter()
    proc = lab.spawn("system", kamailio.argv(edge), name="kamailio-floor", watch=True)
    try:
        proc.wait_for(r"UC kamailio-ready", 10)
        return (time.perf_counter() - t0) * 1000
    finally:
        proc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5, help="runs (medians are reported)")
    args = parser.parse_args()
    fresh: list[float] = []
    restart: list[float] = []
    floor: list[float] = []
    breakdown: dict[str, float] = {}
    for _ in range(args.n):
        lab = Lab("office_lan").up()
        try:
            stub, timings, restart_ms = asyncio.run(_fresh_and_restart(lab))
            fresh.append(timings["ready_ms"])
            breakdown = {k: round(v, 1) for k, v in timings.items()}
            restart.append(restart_ms)
            floor.append(_floor(lab, stub))
        finally:
            lab.down()
    result = {
        "fresh_ms": round(statistics.median(fresh), 1),
        "restart_ms": round(statistics.median(restart), 1),
        "kamailio_alone_ms": round(statistics.median(floor), 1),
        "ratio_fresh_vs_kamailio": round(statistics.median(fresh) / statistics.median(floor), 2),
        "target_ms": TARGET_MS,
        "target_met": statistics.median(fresh) <= TARGET_MS,
        "last_fresh_breakdown_ms": breakdown,
        "runs": args.n,
    }
    print(f"{'measure':<28}{'median ms':>12}")
    for key in ("fresh_ms", "restart_ms", "kamailio_alone_ms"):
        print(f"{key:<28}{result[key]:>12}")
    print(json.dumps(result))
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
