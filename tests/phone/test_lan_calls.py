"""Direct calls between softphones on one LAN: audio, DTMF, hold, transfers, conference.

Each test runs real pjsua2 agents in lab hosts; verdicts come from the tones each device
detects on what it receives (DESIGN.md section 6).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from simulators.lab import Lab
from simulators.phone.client import PhoneError, connect
from simulators.phone.media import expect_audio, expect_group
from simulators.phone.protocol import Hold, MediaState

from .conftest import StartPhone

SETTLE = 0.25  # audio still in flight (jitter buffer + detector release) after a change


@pytest.mark.rule("UC-CALL-1", "UC-CALL-4")
async def test_two_way_call_and_dtmf_both_ways(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097), UC-CALL-4 (000:1361-1386): alice calls bob on the LAN;
    both hear each other; DTMF goes both ways, as RFC 4733 events and as SIP INFO. Media
    uses each device's RTP port range (default 49152-65535, 004 section 3.4; bob's narrowed)."""
    alice, bob = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob", rtp_ports=(40000, 40099)))
    a, b = await connect(alice, bob)
    v = await expect_audio(a, b, "two-way")
    assert v.a_to_b.heard and v.b_to_a.heard
    for method, digits in (("rfc4733", "159#"), ("info", "*0D")):
        for sender, receiver in ((a, b), (b, a)):
            mark = receiver.phone.mark()
            await sender.send_dtmf(digits, method)
            got = await receiver.dtmf_received(len(digits), since=mark)
            assert "".join(d.digit for d in got) == digits
            assert {d.method for d in got} == {method}
    report = await a.report()
    assert report.stream is not None and report.stream.rx_packets > 0
    assert report.stream.remote_rtp_seen.startswith(lan_lab.address("bob"))
    assert 49152 <= int(report.stream.local_rtp.rsplit(":", 1)[1]) <= 65535
    assert 40000 <= int(report.stream.remote_rtp_seen.rsplit(":", 1)[1]) <= 40099
    assert report.stream.mos > 4.0 and report.stream.rx_loss_pct == 0
    await a.hangup()
    await b.disconnected()


@pytest.mark.rule("UC-CALL-1")
async def test_hold_silences_and_retrieve_restores(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097): hold/retrieve change the verdict: while alice holds,
    neither side hears the other (the held side is silent); after retrieve, two-way again."""
    alice, bob = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"))
    a, b = await connect(alice, bob)
    await expect_audio(a, b, "two-way")
    await a.hold()
    await bob.wait_event(lambda e: isinstance(e, MediaState) and e.status == "remote_hold", 2.0)
    await expect_audio(a, b, "none", since=time.monotonic() + SETTLE, within=0.8)
    await a.retrieve()
    await expect_audio(a, b, "two-way")
    await a.hangup()


@pytest.mark.rule("UC-CALL-1")
async def test_mute_is_one_way(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097): mute (VoIP only): bob stops hearing alice, alice still hears bob."""
    alice, bob = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"))
    a, b = await connect(alice, bob)
    await expect_audio(a, b, "two-way")
    await a.mute(True)
    await expect_audio(a, b, "one-way", direction="bob -> alice", since=time.monotonic() + SETTLE, within=0.8)
    await a.mute(False)
    await expect_audio(a, b, "two-way")


@pytest.mark.rule("UC-CALL-1")
async def test_blind_transfer(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097), 5.6.2.14 (000:1300-1305): bob, talking to alice, blind
    transfers her to carol: alice and carol hear each other, bob has no call left."""
    alice, bob, carol = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"), phones(lan_lab, "carol"))
    ab, ba = await connect(alice, bob)
    transfer = asyncio.ensure_future(ba.transfer(carol))
    ca = await carol.incoming()
    await ca.answer()
    await transfer
    ac = await alice.created_call("transfer")
    await ac.established()
    await ab.disconnected()
    await expect_audio(ac, ca, "two-way")
    assert bob.active_calls() == []


@pytest.mark.rule("UC-CALL-2")
async def test_attended_transfer_after_consultation(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-2 (000:1270-1339): alice calls bob; bob consults carol (alice on hold), talks
    to her, then transfers attended: alice and carol end up hearing each other."""
    alice, bob, carol = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"), phones(lan_lab, "carol"))
    ab, ba = await connect(alice, bob)
    consult = asyncio.ensure_future(bob.consult(ba, carol))
    cb = await carol.incoming()
    await cb.answer()
    bc = await consult
    await expect_audio(bc, cb, "two-way")
    await ba.transfer_attended(bc)
    ac = await alice.created_call("transfer")
    ca = await carol.created_call("replace")
    await ac.established()
    await ca.established()
    await ab.disconnected()
    await cb.disconnected()
    await expect_audio(ac, ca, "two-way")
    assert bob.active_calls() == []


@pytest.mark.rule("UC-CALL-2")
async def test_toggle_and_local_conference(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-2 (000:1270-1339): bob talks to alice, consults carol, toggles back and forth,
    then joins both into a local three-party conference where everyone hears everyone
    (and the alice-bob pair alone reads as crossed: a third party's audio on it)."""
    alice, bob, carol = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"), phones(lan_lab, "carol"))
    ab, ba = await connect(alice, bob)
    consult = asyncio.ensure_future(bob.consult(ba, carol))
    cb = await carol.incoming()
    await cb.answer()
    bc = await consult
    await bob.toggle(bc, ba)
    await expect_audio(ab, ba, "two-way")
    await expect_audio(bc, cb, "none", since=time.monotonic() + SETTLE, within=0.6)
    await bob.conference(ba, bc)
    await expect_group(
        {"alice": [ab], "bob": [ba, bc], "carol": [cb]},
        {"alice": {"bob", "carol"}, "bob": {"alice", "carol"}, "carol": {"alice", "bob"}},
        since=time.monotonic() + SETTLE,
    )
    # seen as a two-party call, alice <-> bob is now "crossed": alice also hears carol
    crossed = await expect_audio(ab, ba, "crossed", within=0.6)
    assert crossed.strangers == {"alice": ["carol"]}, crossed.explain()


@pytest.mark.rule("UC-CALL-1")
async def test_deflect_and_reject(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097): a ringing call deflected by bob reaches carol (302);
    a call rejected by carol ends at the caller with the rejection code."""
    alice, bob, carol = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"), phones(lan_lab, "carol"))
    out = await alice.dial(bob)
    await (await bob.incoming()).deflect(carol)
    ca = await carol.incoming()
    await ca.answer()
    await out.established()
    await expect_audio(out, ca, "two-way")
    await out.hangup()
    out2 = await alice.dial(carol)
    await (await carol.incoming()).reject(486)
    ended = await out2.disconnected()
    assert ended.code == 486


async def test_bad_requests_get_clear_errors(lan_lab: Lab, phones: StartPhone) -> None:
    """Requests the device cannot honour fail at once with the reason and the fix."""
    alice = await phones(lan_lab, "alice")
    with pytest.raises(PhoneError, match="is not a SIP URI"):
        await alice.dial("bob at the office")
    with pytest.raises(PhoneError, match="has no call"):
        await alice.request(Hold(call="c99"))
    with pytest.raises(PhoneError, match="not in the validated tone plan"):
        await phones(lan_lab, "bob", tone=1234)


@pytest.mark.slow
async def test_soak_many_calls_in_a_row(lan_lab: Lab, phones: StartPhone) -> None:
    """Soak (--uclab-slow): 50 calls in a row between the same two agents, each two-way,
    each torn down on both sides; the agents neither leak calls nor slow down."""
    alice, bob = await asyncio.gather(phones(lan_lab, "alice"), phones(lan_lab, "bob"))
    for _ in range(50):
        a, b = await connect(alice, bob)
        await expect_audio(a, b, "two-way")
        await a.hangup()
        await b.disconnected()
    assert (await alice.status()).calls == [] and (await bob.status()).calls == []
