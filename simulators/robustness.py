"""The stub under attack, load and faults: what its robustness self-tests and benchmark share.

Each piece acts as a party of the lab would and reports what that party saw, so a test
asserts on it and the benchmark (benchmarks/robustness.py) counts it:

    guess = await guess_uc_password(api, "200", words)     # an attacker at the UC API login
    seen = await legit_call(lab, stub, phones)              # a user elsewhere: registers, calls, hears
    hit = await flood(lab, stub, phones, "INVITE", 300, 5.0) # SIPp from dect, a legitimate call meanwhile
    fuzzed = await fuzz(lab, stub, phones, seed=7, count=300)  # the corpus and 300 mutants, then a call

`phones` is the pytest plugin's fixture or anything with its signature (the benchmark
passes `simulators.phone.launch.start_phone` wrapped to stop its phones afterwards).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from simulators.harness import StartPhone, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.peers import mutator, sipauth, sipfuzz, sipp, sipp_scenarios, sipwire, torture
from simulators.peers.mutator import Credentials
from simulators.peers.sipfuzz import Tally
from simulators.phone.client import Phone, PhoneError
from simulators.phone.media import expect_audio
from simulators.phone.ucapi import UcApi, UcApiError
from simulators.uc import backdoor
from simulators.uc.authlimits import AuthLimits
from simulators.uc.backdoor import Resident
from simulators.uc.service import Stub

LEGIT = (("office_pc", "200"), ("office_pc2", "201"))
"""the legitimate users' hosts and devices of office_lan (a VoIP client and a desk phone)"""


@dataclass(frozen=True)
class Guessing:
    """An attacker guessing a UC API login password."""

    tried: int
    """passwords sent before the first refusal (or all of them)"""
    refused: int
    """further attempts refused by the limits (429)"""
    found: str | None
    refusal: str = ""
    """the first refusal's message"""


async def guess_uc_password(api: UcApi, user: str, words: list[str], after_refusal: int = 3) -> Guessing:
    """Log in as `user` with each word until one works; after the first 429, try
    `after_refusal` more words (an attacker checking whether the block holds) and stop."""
    tried = refused = 0
    refusal = ""
    for word in words:
        try:
            await api.login(user, word)
        except UcApiError as exc:
            if exc.status == 429:
                refused += 1
                refusal = refusal or exc.message
                if refused > after_refusal:
                    break
            elif exc.status == 401 and not refused:
                tried += 1
            elif exc.status != 401:
                raise
            continue
        return Guessing(tried + 1, refused, word, refusal)
    return Guessing(tried, refused, None, refusal)


@dataclass(frozen=True)
class LegitCall:
    """What two legitimate users on other hosts saw: registration, call, audio both ways."""

    registered_s: float
    """from the phones' start to both registered"""
    connected: bool
    two_way: bool
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.connected and self.two_way


async def legit_call(lab: Lab, stub: Stub, phones: StartPhone, timeout: float = 10.0) -> LegitCall:
    """A myPortal @work VoIP client (8802) calls a desk phone (UDP 5060) through the stub;
    their tones must be heard both ways within 3 s of the answer. Both phones are closed
    afterwards (so the exercise can be repeated in one lab)."""
    (caller_host, caller), (callee_host, callee) = LEGIT
    t0 = time.monotonic()
    alice = await phones(lab, caller_host, **voip_client(stub, caller))
    bob = await phones(lab, callee_host, **desk_phone(stub, callee))
    try:
        return await _call(stub, alice, bob, callee, t0, timeout)
    finally:
        await alice.close()
        await bob.close()


async def _call(stub: Stub, alice: Phone, bob: Phone, callee: str, t0: float, timeout: float) -> LegitCall:
    try:
        await registered(alice, timeout)
        await registered(bob, timeout)
    except PhoneError as exc:
        return LegitCall(time.monotonic() - t0, False, False, f"registration: {exc}")
    registered_s = time.monotonic() - t0
    try:
        out = await alice.dial(stub.door_uri(callee))
        inc = await bob.incoming(timeout=timeout)
        await inc.answer()
        await out.established(timeout=timeout)
    except PhoneError as exc:
        return LegitCall(registered_s, False, False, f"call: {exc}")
    try:
        await expect_audio(out, inc, "two-way", within=3)
        two_way, error = True, ""
    except AssertionError as exc:
        two_way, error = False, f"audio: {exc}"
    await out.hangup()
    return LegitCall(registered_s, True, two_way, error)


FLOODER = ("dect", "192.168.1.61")
"""the flooding host of office_lan (no legitimate phone runs there)"""
FLOOD_USER = "202"
"""the device whose credentials an authenticated flood uses (a compromised desk phone)"""
SAMPLE_S = 0.2


@dataclass(frozen=True)
class Flood:
    """A SIPp flood from FLOODER and what a legitimate user saw meanwhile."""

    method: str
    authenticated: bool
    offered_per_s: int
    """requests per second SIPp was asked to send"""
    requests: int
    """requests of the scenarios that completed or failed (a REGISTER round is two)"""
    completed: int
    """scenarios that got the answers they expect (a 200 after digest, or the challenge)"""
    failed: int
    seconds: float
    legit: LegitCall
    during: bool
    """the legitimate call was over before the flood ended"""
    memory: dict[str, tuple[Resident, Resident, Resident]]
    """{stub process: (before, peak during, after)} (backdoor.memory)"""
    sipp_log: str = field(default="", repr=False)

    def growth_kb(self, field: str = "pss_kb") -> dict[str, int]:
        """{stub process: peak minus before} of `field` (pss_kb or rss_kb)"""
        return {name: getattr(peak, field) - getattr(before, field) for name, (before, peak, _) in self.memory.items()}


def _peak(a: Resident, b: Resident) -> Resident:
    return Resident(max(a.rss_kb, b.rss_kb), max(a.pss_kb, b.pss_kb), max(a.processes, b.processes))


def _flood_scenario(stub: Stub, method: str, authenticated: bool) -> tuple[str, int, list[str]]:
    """(scenario, requests per scenario, SIPp arguments) of a flood."""
    if method == "REGISTER" and authenticated:
        password = next(d.sip_password for d in stub.config.devices if d.sip_user == FLOOD_USER)
        creds = ["-s", FLOOD_USER, "-au", FLOOD_USER, "-ap", password]
        return sipp_scenarios.register(FLOOD_USER, expires=60), 2, creds
    if authenticated:
        raise ValueError("an authenticated flood sends REGISTER (calls with credentials are the load benchmark's)")
    return sipp_scenarios.challenged(method, FLOOD_USER, callee=LEGIT[1][1]), 1, []


async def flood(
    lab: Lab, stub: Stub, phones: StartPhone, method: str, per_s: int, seconds: float, authenticated: bool = False
) -> Flood:
    """`per_s` requests per second for `seconds` from FLOODER to UDP 5060 (SIPp, bounded in
    count and time), a legitimate call meanwhile (legit_call), the stub's memory sampled
    before, every SAMPLE_S during, and after."""
    scenario, per_round, creds = _flood_scenario(stub, method, authenticated)
    rate = max(1, per_s // per_round)
    rounds = max(1, int(rate * seconds))
    args = [*creds, "-i", FLOODER[1], "-p", "5072", "-r", str(rate), "-l", str(max(10, rate))]
    before = backdoor.memory(stub)
    peak = dict(before)
    t0 = time.monotonic()
    proc = sipp.start_sipp(
        lab, FLOODER[0], f"flood-{method.lower()}", scenario, f"{stub.lan_ip}:5060", args, seconds + 15, rounds
    )

    async def sample() -> None:
        while proc.alive():
            for name, now in backdoor.memory(stub).items():
                peak[name] = _peak(peak[name], now) if name in peak else now
            await asyncio.sleep(SAMPLE_S)  # a sampling period, not a wait for an event

    sampler = asyncio.create_task(sample())
    legit = await legit_call(lab, stub, phones)
    during = proc.alive()
    result = await sipp.wait_sipp(proc, seconds + 20)
    seconds_taken = time.monotonic() - t0
    await sampler
    after = backdoor.memory(stub)
    completed, failed = result.counts(rounds)
    memory = {name: (before[name], _peak(peak[name], after[name]), after[name]) for name in before}
    return Flood(
        method,
        authenticated,
        per_s,
        (completed + failed) * per_round,
        completed,
        failed,
        seconds_taken,
        legit,
        during,
        memory,
        result.log,
    )


KAMAILIO_SHM_MB = 64
KAMAILIO_PKG_MB = 8
"""Kamailio's memory pools (its defaults: the stub passes no -m / -M): one shared pool and a
private one per process, allocated at start; whatever the load, its heap stays inside them."""


def kamailio_pools_kb(processes: int) -> int:
    """What Kamailio's pools hold at most, kB: the shared pool plus every process's private one."""
    return (KAMAILIO_SHM_MB + processes * KAMAILIO_PKG_MB) * 1024


FUZZER = ("desk_phone", "192.168.1.60", 5070)
"""the fuzzing host, address and UDP port of office_lan (the torture corpus's Via names them)"""
FUZZ_LIMITS = AuthLimits(source_failures=1000, account_failures=100, window_s=1, block_s=1)
"""a fuzzing stub's limits: wide, so that the campaign's mangled credentials do not get its
address blocked (every later message would stop at the 403); the limits' code still runs"""
FUZZ_SHARE = (("UDP", 5060, 0.6), ("TLS", 5061, 0.25), ("TLS", 8802, 0.15))
"""how a campaign is spread over the stub's doors: UDP 5060, Kamailio's TLS 5061, the front door"""


@dataclass(frozen=True)
class Fuzzing:
    """A seeded fuzzing campaign against the stub and what was left standing after it."""

    seed: int
    tallies: list[Tally]
    """the RFC 4475 corpus and the mutants, per door"""
    restarts: list[str]
    """stub processes that died and were restarted (the supervisor's and the call core's own)"""
    legit: LegitCall
    """a legitimate call afterwards"""
    depth: dict[str, int] = field(default_factory=dict)
    """how far the campaign got: REGISTER claims the UC server decided, calls the call core took"""

    @property
    def messages(self) -> int:
        return sum(t.sent for t in self.tallies)

    @property
    def server_errors(self) -> int:
        return sum(t.server_errors for t in self.tallies)

    @property
    def server_error_lines(self) -> list[str]:
        """the status lines of the first 5xx answers, per door"""
        return [line for t in self.tallies for line in t.server_error_lines]


async def fuzz_credentials(lab: Lab, stub: Stub) -> Credentials:
    """Device FLOOD_USER registered from the fuzzer and a challenge of the stub for it."""
    host, address, _ = FUZZER
    target = (stub.lan_ip, 5060)
    password = next(d.sip_password for d in stub.config.devices if d.sip_user == FLOOD_USER)
    answer = await asyncio.to_thread(
        sipwire.register_with_password, lab, host, address, target, "UDP", FLOOD_USER, password
    )
    if answer[0] != 200:
        raise RuntimeError(f"the fuzzer's device {FLOOD_USER} did not register: {answer}")
    dialogue = sipwire.Dialogue(lab, host, (address, 0), target, "UDP")
    try:
        reg = sipauth.Registration(FLOOD_USER, target, dialogue.local, "UDP", "fuzz-challenge")
        challenge = sipauth.Challenge.parse(await asyncio.to_thread(dialogue.ask, reg.message(1)))
    finally:
        dialogue.close()
    if challenge is None:
        raise RuntimeError("the stub did not challenge the fuzzer's REGISTER")
    return Credentials(FLOOD_USER, password, challenge)


async def deaths(stub: Stub) -> list[str]:
    """Every stub process death so far: the supervisor's restarts and the call core's own."""
    out = [f"{r.name} (pid {r.old_pid}, status {r.exit_status})" for r in stub.restarts]
    if stub.supervisor is not None:
        out += [f"{r.name} (pid {r.old_pid}, status {r.exit_status})" for r in stub.supervisor.restarts]
    try:
        return out + list((await backdoor.core(stub, "status"))["deaths"])
    except (OSError, RuntimeError):  # the call core itself is being replaced: only the supervisor's
        return out


async def fuzz(lab: Lab, stub: Stub, phones: StartPhone, seed: int, count: int, per_s: float = 1500.0) -> Fuzzing:
    """The RFC 4475 corpus on every door, then `count` mutants (mutator.campaign(seed)) spread
    over the doors by FUZZ_SHARE, from FUZZER; then a legitimate call. Start the stub with
    FUZZ_LIMITS."""
    host, address, port = FUZZER
    credentials = await fuzz_credentials(lab, stub)
    before = await deaths(stub)
    reached = await _depth(stub)
    tallies = []
    for n, (transport, door, share) in enumerate(FUZZ_SHARE):
        target = (stub.lan_ip, door)
        corpus = [case.render(stub.lan_ip, door) for case in torture.CASES]
        mutants = (
            m.data
            for m in mutator.campaign(
                seed + n, max(1, int(count * share)), stub.lan_ip, door, f"{address}:{port}", transport, credentials
            )
        )
        for label, messages in (("corpus", corpus), ("mutants", mutants)):
            if transport == "UDP":
                tally = await asyncio.to_thread(sipfuzz.send_udp, lab, host, (address, port), target, messages, per_s)
            else:
                every = 200 if door == 5061 else 8
                tally = await asyncio.to_thread(
                    sipfuzz.send_stream, lab, host, target, messages, tls=True, per_connection=every, per_s=per_s
                )
            tally.transport = f"{tally.transport} {door} {label}"
            tallies.append(tally)
    died = (await deaths(stub))[len(before) :]
    depth = {k: v - reached[k] for k, v in (await _depth(stub)).items()}
    return Fuzzing(seed, tallies, died, await legit_call(lab, stub, phones), depth)


async def _depth(stub: Stub) -> dict[str, int]:
    """REGISTER claims the UC server decided and calls the call core's workers took, so far."""
    server = await backdoor.server(stub, "status")
    workers = (await backdoor.core(stub, "status"))["workers"]
    calls = sum(int(w.get("counters", {}).get("calls", 0)) for w in workers if isinstance(w, dict))
    return {"claims": int(server["stats"]["claims"]), "core_calls": calls}
