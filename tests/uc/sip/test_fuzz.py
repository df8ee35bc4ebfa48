"""A seeded, bounded fuzzing campaign against the stub's SIP doors (simulators/robustness.fuzz).

From desk_phone: the RFC 4475 corpus on UDP 5060, TLS 5061 and the front door 8802, then
400 mutants of it and of the requests the stub serves (simulators/peers/mutator.py, seed
SEED; REGISTER and INVITE with a valid digest answer, so mutations reach the UC server's
registration decisions and the call core's SIP parser), 60 % over UDP, 25 % over TLS 5061,
15 % through the door. The stub runs with widened limits (FUZZ_LIMITS) so that mangled
credentials do not block the fuzzer's address. Afterwards: no stub process died (neither
the supervisor nor the call core restarted anything), no answer was a 5xx, and a
legitimate call connects with two-way audio. The robustness benchmark runs 10,000.
"""

from __future__ import annotations

import asyncio
import secrets

from simulators.lab import Lab
from simulators.peers import mutator, sipwire
from simulators.peers.mutator import Message
from simulators.robustness import FUZZ_LIMITS, FUZZER, deaths, fuzz, fuzz_credentials

from .conftest import StartPhone, StartStub

SEED, COUNT = 4475, 400


async def test_a_seeded_campaign_kills_nothing_and_a_call_still_has_two_way_audio(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    stub = await stubs(office_lab, auth_limits=FUZZ_LIMITS)
    fuzzed = await fuzz(office_lab, stub, phones, seed=SEED, count=COUNT)
    assert fuzzed.restarts == [], f"stub processes died: {fuzzed.restarts}"
    assert all(stub.alive().values()), stub.alive()
    assert fuzzed.server_errors == 0, [t for t in fuzzed.tallies if t.server_errors]
    assert fuzzed.messages >= COUNT * 0.95 + 3 * 45, fuzzed.tallies
    assert all(t.answered > 0 for t in fuzzed.tallies if "UDP" in t.transport), "the stub went deaf on UDP"
    assert fuzzed.legit.ok, fuzzed.legit.error


async def test_an_invite_with_a_content_type_of_hundreds_of_parameters_is_refused_at_the_edge(
    office_lab: Lab, stubs: StartStub
) -> None:
    """The campaign's first find: a signed INVITE whose Content-Type carries 400 parameters made
    a call-core worker abort inside pjsip (SIGABRT, its calls dropped). Kamailio now answers
    400 before the call core sees it, and no stub process dies."""
    stub = await stubs(office_lab, auth_limits=FUZZ_LIMITS)
    host, address, port = FUZZER
    credentials = await fuzz_credentials(office_lab, stub)
    make = dict(mutator.bases(stub.lan_ip, 5060, f"{address}:{port}", credentials=credentials))["invite"]
    invite = Message.parse(make(lambda: secrets.token_hex(6)))
    invite = invite.with_header("Content-Type", "application/sdp" + ";received=999.1.1.1" * 400)
    before = await deaths(stub)
    dialogue = sipwire.Dialogue(office_lab, host, (address, port), (stub.lan_ip, 5060), "UDP")
    try:
        reply = await asyncio.to_thread(dialogue.ask, invite.render())
    finally:
        dialogue.close()
    assert (sipwire.status(reply), sipwire.reason(reply)) == (400, "Bad Request: Content-Type too long"), reply[:200]
    assert await deaths(stub) == before
