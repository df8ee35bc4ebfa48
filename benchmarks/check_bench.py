"""`uclab check` time (target: a three-site customer without unknowns in <= 60 s on 2 cores),
as a ratio against a floor measured in the same run, and how it grows with sites and unknowns.

    .venv/bin/python -m benchmarks.check_bench [--sites 1 2 3 6] [--unknowns]

* check: `runner.run` on a generated customer (sites in turn office, Internet, VPN; every one
  documented, so nothing fails and no remedy runs);
* floor: the same network by hand with the lab API: `Lab(topology).up()`, the stub, then per
  site concurrently one client that logs in, registers, is called (two-way audio) and calls
  (two-way audio after the NAT binding timeout): the waits no check of those steps can skip;
* unknowns: the three-site customer with the Internet site's NAT `unknown` (four networks).

Prints one line per run and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from simulators.lab import Lab
from simulators.netcheck import audio, call, client, uc_login
from simulators.phone.launch import start_phone
from simulators.uc.service import start_stub
from uclab.check import build, expand, model, runner
from uclab.check.measure import stub_options

KINDS = ("office", "internet", "vpn")


def customer(sites: int, unknown: bool = False) -> model.Customer:
    listed = []
    for i in range(sites):
        access = KINDS[i % 3]
        site: dict[str, Any] = {"name": f"site {i + 1}", "access": access}
        if access == "internet" and unknown and i == 1:
            site["router"] = {"nat": "unknown"}
        listed.append(site)
    data = {
        "customer": f"bench {sites} sites",
        "system": {"lan": "192.168.10.0/24", "address": "192.168.10.30"},
        "office_router": {"public": {"name": "pbx.bench.example"}},
        "sites": listed,
    }
    return model.validate(data, "bench")


async def floor(c: model.Customer, out: Path) -> float:
    t0 = time.monotonic()
    built = build.build(expand.concrete(c), 8)
    lab = await asyncio.to_thread(lambda: Lab(built.topology, run_root=out).up())
    try:
        stub = await start_stub(lab, "system", **stub_options(built))
        phones = []

        async def starter(*args: Any, **kw: Any) -> Any:
            phone = await start_phone(*args, **kw)
            phones.append(phone)
            return phone

        async def one(plan: build.SitePlan, station: str) -> None:
            login = plan.login if plan.login_name is None else f"{build.OFFICE_PUBLIC}:8802"
            api = await uc_login(
                lab, stub, plan.clients[0].host, login, station, build.password(c.system.mode, station)
            )
            await api.aclose()
            peer = await client(starter, lab, stub, plan.peer_host, f"{plan.key}_peer", plan.peer_station, desk=True)
            extra: dict[str, Any] = {"bind": "0.0.0.0"} if plan.bind_any else {}
            me = await client(starter, lab, stub, plan.clients[0].host, f"{plan.key}_c", station, login, **extra)
            out_call, inc = await call(lab, peer, me, stub.sip_uri(station))
            await audio(lab, out_call, inc)
            await out_call.hangup()
            out_call, inc = await call(lab, me, peer, stub.door_uri(plan.peer_station, login))
            await audio(lab, out_call, inc, since=time.monotonic() + build.BINDING_TIMEOUT_S + 0.5)
            await out_call.hangup()

        stations, _ = build.station_pools(8)
        await asyncio.gather(*(one(p, stations[i]) for i, p in enumerate(built.sites.values())))
        for phone in phones:
            await phone.close()
        stub.stop()
    finally:
        await asyncio.to_thread(lab.down)
    return time.monotonic() - t0


async def checked(c: model.Customer, out: Path) -> tuple[float, bool]:
    t0 = time.monotonic()
    result = await runner.run(c, out, lambda line: None)
    return time.monotonic() - t0, result.ok


async def main(sites: list[int], unknowns: bool, out: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"check_s": {}, "floor_s": {}, "ratio": {}, "ok": {}}
    for n in sites:
        c = customer(n)
        f = await floor(c, out)
        t, ok = await checked(c, out)
        figures["check_s"][n], figures["floor_s"][n], figures["ratio"][n], figures["ok"][n] = (
            round(t, 1),
            round(f, 1),
            round(t / f, 2),
            ok,
        )
        print(f"{n} sites: check {t:.1f} s (all ready: {ok}), floor {f:.1f} s, ratio {t / f:.2f}", flush=True)
    if unknowns:
        t, ok = await checked(customer(3, unknown=True), out)
        figures["unknown_nat_3_sites_s"] = round(t, 1)
        print(f"3 sites, one NAT unknown (4 networks): check {t:.1f} s", flush=True)
    three = figures["check_s"].get(3)
    figures["target_60s_met"] = None if three is None else three <= 60
    return figures


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, nargs="*", default=[3])
    ap.add_argument("--unknowns", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("/var/tmp/uclab/check-bench"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(asyncio.run(main(args.sites, args.unknowns, args.out))))
