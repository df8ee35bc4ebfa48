"""A 16-party MeetMe conference on 2 cores: all 240 directed pairs verified.

    .venv/bin/python -m benchmarks.conference_bench [--parties 16] [--clock-rate 8000] [--levels]

A lab LAN with the system and a host of 17 desk phones (stations 230.., suites/telephony/
conferencing.py). Each phone sends its own plan tone and runs the conference detector.

* floor: the same phones in 8 direct 2-party calls through the stub (anchored in the call
  core's workers, no mixer): time from the last call answered to every call's two-way
  verdict (16 directed pairs), and the CPU the machine spends per second while they run;
* conference: the 16 dial in (prompt, PIN by DTMF) to one conference mixed by 7 mixer
  nodes (a tree with 6 links); time to verdict = from the 16th participant Active to every
  one of the 240 directed pairs heard (expect_group), then CPU per second in the steady mix;
* the 17th caller (guest PIN, guest dial-in allowed) is refused: 16 is the maximum
  (UC-CONF-2, 000:1513).

--levels: after the verdict every mixer node measures, on each of its legs, the plan tones
that leg brings into its bridge (control op `levels`, 1 s); the table `levels_by_links` gives
each talker's tone amplitude (full scale 1.0) by the number of links it crossed: 0 is the
participant's own leg after its entry level (conference_mix.INPUT_LEVEL), d a link whose far
side holds the talker d-1 links further. Equal medians mean no loss per link.

CPU: busy jiffies of the whole machine from /proc/stat over a steady window (2 cores = 2.0;
other work on the machine counts too, so the floor is measured in the same run), and the
call core's own processes (supervisor, workers, mixer nodes) from /proc/<pid>/stat.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulators.harness import desk_phone, registered
from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.conference import Conferences
from simulators.phone.launch import start_phone
from simulators.phone.media import audio_between, expect_group
from simulators.phone.verdict import Party as VParty
from simulators.phone.verdict import group_hearing
from simulators.pj.tones import TONE_PLAN
from simulators.uc import backdoor
from simulators.uc.control import ControlClient
from simulators.uc.rules import conference_slots as mix
from simulators.uc.rules.conferences import MEETME_MAX
from simulators.uc.service import Stub, start_stub
from suites.telephony.common import uc_login
from suites.telephony.conferencing import (
    FIRST_STATION,
    Party,
    conference_config,
    dial_in,
    everyone_hears_everyone,
    member_states,
    members,
)

HOST = ("parties", "192.168.1.70")
VERDICT_WITHIN = 30.0
"""seconds the 240 pairs get to be heard"""
STEADY = 3.0
"""seconds of steady media over which CPU is sampled"""
LEVEL_WINDOW = 1.0
"""seconds over which the mixer nodes measure their legs' tones (--levels)"""


def topology() -> Topology:
    return (
        TopologyBuilder("conference_bench", "the system and a host of conference phones")
        .segment("lan", "192.168.1.0/24")
        .host("system", eth0=("lan", "192.168.1.30"))
        .host(HOST[0], eth0=("lan", HOST[1]))
        .host("office_pc", eth0=("lan", "192.168.1.40"))
        .build()
    )


def mixer_tree(stub: Stub, conference: int) -> tuple[dict[str, int], Callable[[int, int], int]]:
    """({member id: its node}, links between two nodes) of the conference's mixer tree."""
    with backdoor.open_state(stub) as state:
        slots = state.mix_slots()
    node = {str(s.ref): s.node for s in slots if s.conference == conference and s.role == "participant"}
    up = dict(mix.parse_link(s.ref) for s in slots if s.conference == conference and s.role == "up")

    def path(n: int) -> list[int]:
        out = [n]
        while out[-1] in up and len(out) <= len(up):
            out.append(up[out[-1]])
        return out

    def links(a: int, b: int) -> int:
        pa, pb = path(a), path(b)
        common = next(x for x in pa if x in pb)
        return pa.index(common) + pb.index(common)

    return node, links


def heard_by_links(
    stub: Stub, conference: int, parties: list[Party], expected: dict[str, set[str]], heard: dict[str, set[str]]
) -> dict[int, str]:
    """{links between talker and listener: "heard/expected"} over the mixer tree."""
    node, links = mixer_tree(stub, conference)
    where = {p.name: node.get(str(p.member), -1) for p in parties}
    out: dict[int, list[int]] = {}
    for listener, talkers in expected.items():
        for talker in talkers:
            d = links(where[listener], where[talker])
            counts = out.setdefault(d, [0, 0])
            counts[0] += talker in heard.get(listener, set())
            counts[1] += 1
    return {d: f"{a}/{b}" for d, (a, b) in sorted(out.items())}


async def levels_by_links(stub: Stub, conference: int, parties: list[Party]) -> dict[int, str]:
    """{links a talker's tone crossed: "median min (n)" amplitude, full scale 1.0} on the
    mixer nodes' legs (their control op `levels`: what each leg brings into its node's
    bridge). 0 links: a participant's leg after its entry level; d links: a link leg whose
    far side holds the talker d-1 links further. Equal columns = no loss per link."""
    settings = stub.core_settings()
    node, links = mixer_tree(stub, conference)
    talkers = {str(p.phone.tone): (str(p.member), node[str(p.member)]) for p in parties}

    async def ask(n: int) -> Any:
        client = await ControlClient.connect(settings.mixer_control(n))
        try:
            return await client.request("levels", timeout=10.0, seconds=LEVEL_WINDOW)
        finally:
            await client.close()

    amps: dict[int, list[float]] = {}
    for report in await asyncio.gather(*(ask(n) for n in range(settings.mixers))):
        here = int(report["node"])
        for leg in report["legs"]:
            if leg["conference"] != conference:
                continue
            ref, tones = str(leg["ref"]), leg["tones"]
            if ">" not in ref:
                tone = next(t for t, (member, _) in talkers.items() if member == ref)
                amps.setdefault(0, []).append(float(tones.get(tone, 0.0)))
                continue
            child, parent = mix.parse_link(ref)
            far = parent if here == child else child
            for tone, (_, at) in talkers.items():
                if links(at, far) + 1 == links(at, here):  # the talker is on the link's far side
                    amps.setdefault(links(at, here), []).append(float(tones.get(tone, 0.0)))
    return {d: f"{statistics.median(v):.4f} {min(v):.4f} ({len(v)})" for d, v in sorted(amps.items())}


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def core_pids(stub: Stub) -> list[int]:
    """The call core's processes: the supervisor and its forks share its command line."""
    mark = str(stub.core_control).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def process_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


async def cpu_over(stub: Stub, seconds: float) -> dict[str, float]:
    """Cores busy (machine) and cores used by the call core, over `seconds` of steady media."""
    pids = core_pids(stub)
    hz = os.sysconf("SC_CLK_TCK")
    busy0, total0 = machine_jiffies()
    core0, t0 = process_ticks(pids), time.monotonic()
    await asyncio.sleep(seconds)  # a sampling window, not a wait for an event
    busy1, total1 = machine_jiffies()
    core1, t1 = process_ticks(pids), time.monotonic()
    cores = os.cpu_count() or 1
    return {
        "machine_cores_busy": round(cores * (busy1 - busy0) / max(1, total1 - total0), 2),
        "call_core_cores": round((core1 - core0) / hz / (t1 - t0), 2),
        "call_core_processes": len(pids),
    }


async def floor(lab: Lab, stub: Stub, phones: list[Phone]) -> dict[str, Any]:
    """8 direct 2-party calls between the same phones: time to every two-way verdict, CPU."""
    half = len(phones) // 2
    callers, callees = phones[:half], phones[half : 2 * half]

    async def call(a: Phone, b: Phone) -> tuple[Call, Call]:
        out = await a.dial(stub.sip_uri(b.name.removeprefix("p")))
        inc = await b.incoming(timeout=10)
        await inc.answer()
        await out.established(timeout=10)
        return out, inc

    pairs = await asyncio.gather(*(call(a, b) for a, b in zip(callers, callees, strict=True)))
    t0 = time.monotonic()
    verdicts = await asyncio.gather(*(audio_between(a, b, within=15.0, since=t0) for a, b in pairs))
    took = time.monotonic() - t0
    two_way = sum(1 for v in verdicts if v.kind == "two-way")
    cpu = await cpu_over(stub, STEADY)
    await asyncio.gather(*(a.hangup() for a, _ in pairs))
    return {"pairs_verified": 2 * two_way, "verdict_s": round(took, 3), **cpu}


async def run(lab: Lab, n: int, clock_rate: int = 8000, levels: bool = False) -> dict[str, Any]:
    nodes = 7 if n > 12 else max(2, (n + 2) // 2)
    t0 = time.perf_counter()
    stub = await start_stub(
        lab, "system", config=conference_config(n + 1), workers=n // 2 + 2, mixers=nodes, core_log_level=0,
        kamailio_debug=1, start_timeout=60, core_clock_rate=clock_rate, core_poll_ms=10,
    )  # fmt: skip
    start_s = time.perf_counter() - t0
    started = await asyncio.gather(
        *(
            start_phone(
                lab,
                HOST[0],
                f"p{FIRST_STATION + i}",
                tone=TONE_PLAN[i],
                detection="conference",
                transports=[{"kind": "udp", "port": 0}],
                **desk_phone(stub, str(FIRST_STATION + i)),
            )
            for i in range(n + 1)
        )
    )
    phones = list(started)
    api = await uc_login(lab, stub, "office_pc", "201")
    try:
        await asyncio.gather(*(registered(p, timeout=15) for p in phones))
        base = await floor(lab, stub, phones[:n])
        ben = Conferences(api)
        conf = await ben.create("Benchmark", guest_pin_allowed=True)
        # Ben (the moderator) is one of the 16 listed (000:1513): he dials in from the first station
        listed = [conf["participants"][0]] + [
            await ben.add(conf["id"], name=f"Station {FIRST_STATION + i}", phone=str(FIRST_STATION + i))
            for i in range(1, n)
        ]
        parties = [Party(p, m["personal_pin"], m["id"]) for p, m in zip(phones[:n], listed, strict=True)]
        t_join = time.monotonic()
        await asyncio.gather(*(dial_in(p, stub, timeout=20) for p in parties))
        states = await member_states(ben, conf["id"], [p.member or 0 for p in parties], {"active"}, 30)
        joined_s = time.monotonic() - t_join
        assert states == ["active"] * n, states
        t_mix = time.monotonic()
        expected = everyone_hears_everyone(parties)
        try:
            heard = await expect_group(members(parties), expected, within=VERDICT_WITHIN, since=t_mix + 0.2)
        except AssertionError as exc:  # report what was heard, by the links between the pair
            print(str(exc)[:300], "...")
            heard = group_hearing(
                [VParty(p.name, p.phone.tone, p.call.timeline) for p in parties if p.call is not None],
                (t_mix + 0.2, time.monotonic()),
                60.0,
            )
        verdict_s = time.monotonic() - t_mix
        pairs = sum(len(v) for v in heard.values())
        by_links = heard_by_links(stub, conf["id"], parties, expected, heard)
        cpu = await cpu_over(stub, STEADY)
        by_level = await levels_by_links(stub, conf["id"], parties) if levels else None
        refused: bool | None = None
        if n == MEETME_MAX:
            extra = Party(phones[n], conf["guest_pin"])  # the moderator's view carries it
            call = await dial_in(extra, stub, timeout=20)
            try:
                refused = (await call.disconnected(timeout=10)).state == "disconnected"
            except PhoneError:  # still connected: admitted as a 17th
                refused = False
        mixers = [m for m in await backdoor.core(stub, "mixers") if m.get("legs")]
        receive = {
            k: sum(int(leg.get(k, 0)) for m in mixers for leg in m["legs"])
            for k in ("rx_packets", "rx_lost", "jb_lost", "jb_discard", "jb_empty")
        }
        links = sum(1 for m in mixers for leg in m["legs"] if ">" in leg["ref"]) // 2
    finally:
        await api.aclose()
        for p in phones:
            await p.close()
        stub.stop()
    return {
        "parties": n,
        "core_clock_rate": clock_rate,
        "stub_start_s": round(start_s, 2),
        "join_all_s": round(joined_s, 2),
        "pairs_verified": pairs,
        "pairs_expected": n * (n - 1),
        "verdict_s": round(verdict_s, 3),
        "heard_by_links": by_links,
        **({"levels_by_links": by_level} if by_level is not None else {}),
        **{f"conference_{k}": v for k, v in cpu.items()},
        "mixer_nodes_used": len(mixers),
        "links": links,
        "mixer_receive": receive,
        "seventeenth_refused": refused,
        "floor": base,
        "verdict_ratio": round(verdict_s / max(base["verdict_s"], 1e-3), 2),
        "call_core_cpu_ratio": round(cpu["call_core_cores"] / max(base["call_core_cores"], 1e-3), 2),
        "loadavg_1min": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=16)
    parser.add_argument("--clock-rate", type=int, default=8000, help="the call core's bridges (8000: G.711 inside)")
    parser.add_argument(
        "--levels", action="store_true", help="also measure each talker's tone on the mixer legs by links crossed"
    )
    args = parser.parse_args()
    lab = Lab(topology()).up()
    try:
        result = asyncio.run(run(lab, args.parties, args.clock_rate, args.levels))
    finally:
        lab.down()
    for key, value in result.items():
        if key != "floor":
            print(f"{key:<34}{value!s:>10}")
    for key, value in result["floor"].items():
        print(f"floor {key:<28}{value!s:>10}")
    print(json.dumps(result))
    return (
        0 if result["pairs_verified"] == result["pairs_expected"] and result["seventeenth_refused"] is not False else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
