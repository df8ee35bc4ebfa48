"""Interop: SIPp (Debian sip-tester), not pjsua2, registers with digest and calls through the stub.

Proof the stub is not tuned to pjsua2: an independent SIP implementation
registers with digest authentication, is refused with wrong credentials, places an
authenticated call to a pjsua2 phone (whose tone detector hears the tone SIPp streams),
and answers a call from a phone while echoing its RTP back (the phone hears its own tone
come back through the anchor: audio both ways).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from simulators.lab import Lab
from simulators.peers import sipp_scenarios as scenarios
from simulators.peers.sipp import run_sipp, ulaw_tone_wav, wait_bound
from simulators.phone import protocol as p
from simulators.uc import backdoor

from .conftest import StartPhone, StartStub, desk_phone, registered, secret

SIPP_TONE = 1150
SIPP_HOST = "desk_phone"
SIPP_IP = "192.168.1.60"


def sipp_args(user: str, password: str, port: int, media_port: int) -> list[str]:
    return ["-s", user, "-au", user, "-ap", password, "-i", SIPP_IP, "-p", str(port), "-mi", SIPP_IP]


@pytest.mark.rule("NET-1.2")
async def test_sipp_registers_with_digest_and_wrong_credentials_never_register(
    office_lab: Lab, stubs: StartStub
) -> None:
    """Digest REGISTER from SIPp: 401 then 200 with the right password; with a wrong one the
    second REGISTER is challenged again and SIPp's scenario fails (no 200), and the stub
    records no registration for it."""
    stub = await stubs(office_lab)
    target = f"{stub.lan_ip}:5060"
    ok = await run_sipp(
        office_lab,
        SIPP_HOST,
        "reg-ok",
        scenarios.register("202", expires=60),
        target,
        sipp_args("202", secret("202"), 5062, 6000),
    )
    assert ok.code == 0, ok.log[-2000:]
    bad = await run_sipp(
        office_lab,
        SIPP_HOST,
        "reg-bad",
        scenarios.register("201", expires=60),
        target,
        [*sipp_args("201", "not-the-password", 5064, 6002), "-recv_timeout", "2s"],
        timeout=5,
    )
    assert bad.code != 0, "a REGISTER with a wrong password succeeded"
    users = {r["sip_user"] for r in await backdoor.server(stub, "registrations")}
    assert users == {"202"}, users
    assert set(backdoor.kamailio_rpc(stub).registrations()) == {"202"}


@pytest.mark.rule("NET-1.2", "UC-CALL-1")
async def test_sipp_calls_a_phone_and_answers_a_phone(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """SIPp as caller: INVITE answered 407, re-sent with digest, answered by the pjsua2 phone
    through the core; the phone hears SIPp's 1150 Hz stream. SIPp as callee (registered
    first): it answers the phone's call and echoes RTP; the phone hears its own tone back."""
    stub = await stubs(office_lab)
    bob = await phones(office_lab, "office_pc", "bob", auto_answer=200, **desk_phone(stub, "201"))
    await registered(bob)
    wav = ulaw_tone_wav(office_lab.dir / "sipp-tone.wav", SIPP_TONE)
    target = f"{stub.lan_ip}:5060"
    t0 = time.monotonic()
    result = await run_sipp(
        office_lab,
        SIPP_HOST,
        "uac",
        scenarios.call("202", stream=wav, talk_ms=2500),
        target,
        [*sipp_args("202", secret("202"), 5062, 6000), "-s", "201", "-mp", "6000"],
    )
    assert result.code == 0, result.log[-3000:]
    call = next(iter(bob.calls.values()))
    heard = call.timeline.heard_ms(SIPP_TONE, t0, time.monotonic())
    assert heard > 1000, f"bob heard SIPp's {SIPP_TONE} Hz for only {heard:.0f} ms"
    # SIPp answers (registered as 202 from the port it then listens on)
    reg = await run_sipp(
        office_lab,
        SIPP_HOST,
        "reg-uas",
        scenarios.register("202", expires=120),
        target,
        sipp_args("202", secret("202"), 5066, 6004),
    )
    assert reg.code == 0, reg.log[-2000:]
    uas = asyncio.ensure_future(
        run_sipp(
            office_lab,
            SIPP_HOST,
            "uas",
            scenarios.answer("202"),
            target,
            ["-i", SIPP_IP, "-p", "5066", "-mi", SIPP_IP, "-mp", "6004", "-rtp_echo"],
        )
    )
    await wait_bound(office_lab, SIPP_HOST, 5066)
    out = await bob.dial(stub.sip_uri("202"))
    await out.established(timeout=8)
    echo = await bob.wait_event(
        lambda e: isinstance(e, p.ToneEvent) and e.call == out.id and e.freq == bob.tone and e.on,
        3,
        0,
        "bob's own tone echoed by SIPp",
    )
    assert isinstance(echo, p.ToneEvent)
    await out.hangup()
    result = await uas
    assert result.code == 0, result.log[-3000:]
