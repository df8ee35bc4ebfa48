"""The stub under attack, load and faults: what its robustness self-tests and benchmark share.

Each piece acts as a party of the lab would and reports what that party saw, so a test
asserts on it and the benchmark (benchmarks/robustness.py) counts it:

    guess = await guess_uc_password(api, "200", words)     # an attacker at the UC API login
    seen = await legit_call(lab, stub, phones)              # a user elsewhere: registers, calls, hears

`phones` is the pytest plugin's fixture or anything with its signature (the benchmark
passes `simulators.phone.launch.start_phone` wrapped to stop its phones afterwards).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from simulators.harness import StartPhone, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.phone.client import Phone, PhoneError
from simulators.phone.media import expect_audio
from simulators.phone.ucapi import UcApi, UcApiError
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
