"""Concurrent anchored calls the stub carries on 2 cores, two-way audio verified on every call.

    .venv/bin/python -m benchmarks.stub_calls [--calls 50] [--hold 4]

Target: >= 50. A lab LAN with the system, a host of callers and a host of
callees; the system configuration is the office example plus one user and device per
caller and callee. Two device farms (benchmarks/stub_farm.py, one pjsua2 process per
device) register; each caller dials its own callee, staggered, and every call is held
until a common end time, so all of them are up together for `--hold` seconds. Each
device sends its own tone (300 Hz + 25 Hz steps, all different) and measures the dominant
frequency of what it received in the last second: a call passes when each side heard
exactly the other's tone (two-way audio, no crossed calls). In the middle of the hold
the call core is asked how many connected sessions (two answered legs, media anchored)
it carries. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml

from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.uc import backdoor
from simulators.uc.config import SystemConfig, validate_config
from simulators.uc.service import ROOT, start_stub

EXAMPLE = ROOT / "simulators" / "uc" / "examples" / "office.yaml"
TARGET = 50
CALLERS, CALLEES = ("callers", "192.168.1.70"), ("callees", "192.168.1.80")


def topology() -> Topology:
    return (
        TopologyBuilder("uc_stub_calls", "the system, a host of calling devices and a host of called devices")
        .segment("lan", "192.168.1.0/24")
        .host("system", eth0=("lan", "192.168.1.30"))
        .host(CALLERS[0], eth0=("lan", CALLERS[1]))
        .host(CALLEES[0], eth0=("lan", CALLEES[1]))
        .build()
    )


def config(n: int) -> SystemConfig:
    data = yaml.safe_load(EXAMPLE.read_text())
    for i in range(n):
        for base in (4000, 6000):
            number = str(base + i)
            data["users"].append({"number": number, "name": f"Bench {number}", "password": "Bench#2026x"})
            data["devices"].append(
                {
                    "id": f"bench_{number}",
                    "kind": "voip_client",
                    "number": number,
                    "sip_user": number,
                    "sip_password": f"sip{number}secret",
                }
            )
    return validate_config(data, "office.yaml + benchmark devices")


def tone(i: int, callee: bool) -> int:
    return 300 + 25 * (2 * i + (1 if callee else 0))


def farm_spec(n: int, callee: bool, bind: str, **extra: Any) -> dict[str, Any]:
    devices = []
    for i in range(n):
        entry: dict[str, Any] = {"user": str((6000 if callee else 4000) + i), "freq": tone(i, callee)}
        if not callee:
            entry["target"] = str(6000 + i)
        devices.append(entry)
    return {
        "registrar": "192.168.1.30:5060",
        "password_format": "sip{user}secret",
        "bind": bind,
        "rtp_base": 20000,
        "devices": devices,
        **extra,
    }


def results(log: str) -> dict[str, dict[str, Any]]:
    out = {}
    for line in log.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            out[r["device"]] = r
    return out


async def run(lab: Lab, n: int, hold: float, stagger: float) -> dict[str, Any]:
    workers = math.ceil(n / 2) + 2
    t0 = time.perf_counter()
    stub = await start_stub(
        lab,
        "system",
        config=config(n),
        workers=workers,
        kamailio_debug=1,
        core_log_level=0,
        start_timeout=60,
        core_clock_rate=8000,
        core_poll_ms=10,
    )
    start_ms = (time.perf_counter() - t0) * 1000
    py = str(Path(ROOT) / ".venv" / "bin" / "python")
    schedule = lab.dir / "farm-schedule.json"
    callee_spec = farm_spec(n, True, CALLEES[1], timeout_s=120, schedule_file=str(schedule))
    callees = lab.spawn(
        CALLEES[0],
        [py, "-m", "benchmarks.stub_farm", "--role", "callee", "--spec", json.dumps(callee_spec)],
        name="farm-callees",
        watch=True,
        cwd=ROOT,
    )
    line = await asyncio.to_thread(callees.wait_for, r"^FARM (READY|FAILED)", 60)
    if "FAILED" in line:
        raise RuntimeError(f"callee farm: {line}")
    start_at = time.monotonic() + 4.0
    end_at = start_at + n * stagger + hold
    schedule.write_text(json.dumps({"start_at": start_at, "end_at": end_at}))
    caller_spec = farm_spec(n, False, CALLERS[1], start_at=start_at, end_at=end_at, stagger_s=stagger)
    callers = lab.spawn(
        CALLERS[0],
        [py, "-m", "benchmarks.stub_farm", "--role", "caller", "--spec", json.dumps(caller_spec)],
        name="farm-callers",
        watch=True,
        cwd=ROOT,
    )
    line = await asyncio.to_thread(callers.wait_for, r"^FARM (READY|FAILED)", 60)
    if "FAILED" in line:
        raise RuntimeError(f"caller farm: {line}")
    ready_margin = start_at - time.monotonic()
    await asyncio.sleep(max(0.0, start_at + n * stagger + hold / 2 - time.monotonic()))
    sessions = await stub.calls()
    connected = sum(
        1 for s in sessions if sum(1 for leg in s["legs"] if leg["state"] == "answered" and leg["peer"]) == 2
    )
    load = Path("/proc/loadavg").read_text().split()[0]
    top = await asyncio.to_thread(
        subprocess.run, ["top", "-b", "-n", "1", "-d", "1", "-o", "%CPU", "-w", "200"], capture_output=True, text=True
    )
    (lab.dir / "top-mid-hold.txt").write_text(top.stdout)
    await asyncio.sleep(max(0.0, end_at - time.monotonic()))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got_caller, got_callee = results(callers.log_text()), results(callees.log_text())
        if len(got_caller) == len(got_callee) == n:
            break
        await asyncio.sleep(0.2)
    status = await backdoor.core(stub, "status", timeout=15)
    unresponsive = [w for w in status["workers"] if "error" in w]
    (lab.dir / "core-status-end.json").write_text(json.dumps(status, indent=1))
    callers.stop()
    callees.stop()
    stub.stop()
    verified, problems = 0, []
    for i in range(n):
        c, e = got_caller.get(str(4000 + i)), got_callee.get(str(6000 + i))
        ok = (
            c is not None
            and e is not None
            and abs(c["heard_hz"] - tone(i, True)) <= 5
            and c["share"] >= 0.5
            and abs(e["heard_hz"] - tone(i, False)) <= 5
            and e["share"] >= 0.5
        )
        verified += ok
        if not ok:
            problems.append({"call": i, "caller": c, "callee": e})
    return {
        "calls": n,
        "two_way_verified": verified,
        "connected_in_core_mid_hold": connected,
        "core_workers": workers,
        "core_worker_restarts": status["restarts"],
        "core_workers_unresponsive": len(unresponsive),
        "loadavg_1min_mid_hold": float(load),
        "stub_start_ms": round(start_ms),
        "caller_farm_ready_margin_s": round(ready_margin, 2),
        "target": TARGET,
        "target_met": verified == n == connected and n >= TARGET,
        "problems": problems[:5],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=TARGET)
    parser.add_argument("--hold", type=float, default=4.0, help="seconds every call is up together")
    parser.add_argument("--stagger", type=float, default=0.04, help="seconds between call attempts")
    args = parser.parse_args()
    lab = Lab(topology()).up()
    try:
        result = asyncio.run(run(lab, args.calls, args.hold, args.stagger))
    finally:
        lab.down()
    for key in (
        "calls",
        "two_way_verified",
        "connected_in_core_mid_hold",
        "core_workers",
        "core_worker_restarts",
        "loadavg_1min_mid_hold",
    ):
        print(f"{key:<32}{result[key]:>8}")
    print(json.dumps(result))
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
