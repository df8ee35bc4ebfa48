"""The stub under attack, load and faults in one run, summed up in one table.

    .venv/bin/python -m benchmarks.robustness [--fuzz 10000] [--seed 4475] [--flood-rate 300]

On office_lan, each part with a fresh stub (simulators/robustness.py, simulators/faults.py):

- attacks: svwar by REGISTER and INVITE, svcrack on device 200 (400 words, the password at
  390) and a UC login guesser, with the lab's limits (LAB-AUTH-LIMITS, authlimits.py);
- fuzzing: the RFC 4475 corpus and --fuzz seeded mutants over UDP 5060, TLS 5061 and the
  8802 door, then a legitimate call (stub with FUZZ_LIMITS);
- floods: SIPp at --flood-rate requests/s for 5 s (authenticated REGISTER, unauthenticated
  INVITE) with a legitimate call meanwhile; peak RSS of Kamailio, the UC server and the call
  core (with its workers);
- faults: kill -9 of every stub process in turn during a call (time scale 0.1, fault_config);
- TLS: sslyze against 8802 and 5061, judged by Mozilla's intermediate profile.

Every figure comes from this run; timers are the stub's compressed ones where it says so.
Exit status 0 when everything held, 1 when something did not.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

from simulators import faults, robustness
from simulators.lab import Lab
from simulators.peers import sipvicious as sv
from simulators.peers.tlsscan import scan
from simulators.phone.client import Phone
from simulators.phone.launch import start_phone
from simulators.phone.ucapi import UcApi
from simulators.uc.service import Stub, start_stub

Row = tuple[str, str, str, bool]
"""(part, what was tried, what happened, held)"""


class Phones:
    """start_phone with the phones it started remembered, to close them after a part."""

    def __init__(self) -> None:
        self.started: list[Phone] = []

    async def __call__(self, lab: Lab, host: str, **settings: Any) -> Phone:
        phone = await start_phone(lab, host, **settings)
        self.started.append(phone)
        return phone

    async def close(self) -> None:
        for phone in self.started:
            await phone.close()
        self.started.clear()


async def with_stub(lab: Lab, part: Callable[[Stub, Phones], Awaitable[list[Row]]], **options: Any) -> list[Row]:
    stub = await start_stub(lab, "system", kamailio_debug=1, **options)
    phones = Phones()
    try:
        return await part(stub, phones)
    finally:
        await phones.close()
        stub.stop()


def attacks(lab: Lab) -> Callable[[Stub, Phones], Awaitable[list[Row]]]:
    async def part(stub: Stub, phones: Phones) -> list[Row]:
        rows: list[Row] = []
        for method in ("REGISTER", "INVITE"):
            war = await asyncio.to_thread(sv.svwar, lab, "desk_phone", (stub.lan_ip, 5060), "200-260", method)
            rows.append(
                ("attack", f"svwar by {method}, 200-260", f"{len(war.extensions)} extensions found", not war.extensions)
            )
        words = sv.word_list("sip200secret", size=400, position=390)
        crack = await asyncio.to_thread(sv.svcrack, lab, "dect", (stub.lan_ip, 5060), "200", words, 8.0)
        found = "FOUND" if crack.password else "not found"
        rows.append(
            ("attack", "svcrack 200, 400 words", f"{crack.tried} tried, password {found}", crack.password is None)
        )
        api = UcApi(
            f"https://{stub.door}", verify=stub.ca_file, socket_factory=lambda: lab.socket("dect", socket.SOCK_STREAM)
        )
        async with api:
            words = sv.word_list("Start#200a", size=400, position=390)
            guess = await robustness.guess_uc_password(api, "200", words)
        rows.append(
            (
                "attack",
                "UC login guesser 200, 400 words",
                f"{guess.tried} tried, then {guess.refused} refused (429)",
                guess.found is None and guess.refused > 0,
            )
        )
        return rows

    return part


def fuzzing(lab: Lab, seed: int, count: int) -> Callable[[Stub, Phones], Awaitable[list[Row]]]:
    async def part(stub: Stub, phones: Phones) -> list[Row]:
        f = await robustness.fuzz(lab, stub, phones, seed=seed, count=count)
        crashes = len(f.restarts)
        legit = "connected, two-way audio" if f.legit.ok else f"FAILED: {f.legit.error}"
        return [
            (
                "fuzz",
                f"seed {seed}: {f.messages} messages (corpus + {count} mutants), UDP/TLS 5061/8802",
                f"{crashes} crashes, {f.server_errors} 5xx {sorted(set(f.server_error_lines))}; claims {f.depth.get('claims')}, "
                f"core calls {f.depth.get('core_calls')}; then a call {legit}",
                crashes == 0 and f.server_errors == 0 and f.legit.ok,
            )
        ]

    return part


def floods(lab: Lab, rate: int) -> Callable[[Stub, Phones], Awaitable[list[Row]]]:
    async def part(stub: Stub, phones: Phones) -> list[Row]:
        rows: list[Row] = []
        for method, authenticated in (("REGISTER", True), ("INVITE", False)):
            f = await robustness.flood(lab, stub, phones, method, rate, 5.0, authenticated=authenticated)
            peak = {name: p.rss_kb // 1024 for name, (_, p, _) in f.memory.items()}
            rss = ", ".join(f"{n} {peak[n]}" for n in ("kamailio", "uc-server", "uc-core") if n in peak)
            call = "call ok" if f.legit.ok else f"call FAILED ({f.legit.error})"
            rows.append(
                (
                    "flood",
                    f"SIPp {method}{' with digest' if authenticated else ''} {rate}/s x 5 s",
                    f"{f.completed}/{f.requests} answered as expected, {f.failed} failed; {call}; peak RSS MB: {rss}",
                    f.legit.ok and f.failed == 0,
                )
            )
        return rows

    return part


def fault(lab: Lab, target: str) -> Callable[[Stub, Phones], Awaitable[list[Row]]]:
    async def part(stub: Stub, phones: Phones) -> list[Row]:
        f = await faults.inject(lab, stub, phones, target)
        reach = f"{f.reachable_s:.1f} s" if f.reachable_s is not None else f"not within {faults.reach_s(stub):.0f} s"
        lost = "; ".join(f.lost) or "nothing"
        restarted = ", ".join(r.split(" (pid ")[0] for r in f.restarted) or "nothing"
        held = not f.error and bool(f.restarted) and not f.lost and f.reachable_s is not None
        return [
            (
                "fault",
                f"kill -9 {f.process} during a call",
                f"call {f.call}; 201 reachable after {reach}; restarted {restarted}; data lost: {lost} {f.error}".strip(),
                held,
            )
        ]

    return part


def tls(lab: Lab) -> Callable[[Stub, Phones], Awaitable[list[Row]]]:
    async def part(stub: Stub, phones: Phones) -> list[Row]:
        rows: list[Row] = []
        for port in (8802, 5061):
            r = await asyncio.to_thread(scan, lab, "office_pc", (stub.lan_ip, port), stub.ca_file)
            verdict = "compliant" if r.compliant else f"NOT compliant: {r.issues or r.error}"
            rows.append(
                ("tls", f"sslyze {port}, Mozilla intermediate", f"{verdict}; {', '.join(r.tls_versions)}", r.compliant)
            )
        return rows

    return part


def render(rows: list[Row], seconds: float) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
    line = "  ".join(["part".ljust(widths[0]), "tried".ljust(widths[1]), "outcome".ljust(widths[2]), "held"])
    out = [line, "-" * len(line)]
    out += [
        "  ".join([r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].ljust(widths[2]), "yes" if r[3] else "NO"])
        for r in rows
    ]
    out.append(f"{sum(r[3] for r in rows)}/{len(rows)} held in {seconds:.0f} s")
    return "\n".join(out)


async def run(lab: Lab, args: argparse.Namespace) -> list[Row]:
    rows = await with_stub(lab, attacks(lab))
    rows += await with_stub(lab, fuzzing(lab, args.seed, args.fuzz), auth_limits=robustness.FUZZ_LIMITS)
    rows += await with_stub(lab, floods(lab, args.flood_rate))
    for target in faults.TARGETS:
        rows += await with_stub(lab, fault(lab, target), config=faults.fault_config())
    rows += await with_stub(lab, tls(lab))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.robustness", description=__doc__.split("\n")[0])
    parser.add_argument("--fuzz", type=int, default=10_000, help="mutants to send (default 10000)")
    parser.add_argument("--seed", type=int, default=4475)
    parser.add_argument("--flood-rate", type=int, default=300, help="flood requests per second (default 300)")
    args = parser.parse_args(argv)
    if args.fuzz < 1 or args.flood_rate < 1:
        parser.error("--fuzz and --flood-rate must be at least 1")
    t0 = time.monotonic()
    lab = Lab("office_lan").up()
    try:
        rows = asyncio.run(run(lab, args))
    finally:
        lab.down()
    print(render(rows, time.monotonic() - t0))
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
