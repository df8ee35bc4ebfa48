"""The media verdicts can fail: RTP dropped by a firewall rule in one direction, in both,
and released late, between two LANs joined by a router (DESIGN.md section 6).

These are the negative tests of the two-way verdict: break the path, watch the verdict
change to the one that names what broke.
"""

from __future__ import annotations

import asyncio
import time
import wave

import pytest

from simulators.lab import Lab
from simulators.phone.client import Call, connect
from simulators.phone.media import audio_between, expect_audio, stops_hearing

from .conftest import StartPhone
from .netctl import allow_all, drop_udp


async def _call(lab: Lab, phones: StartPhone) -> tuple[Call, Call]:
    alice, bob = await asyncio.gather(phones(lab, "alice"), phones(lab, "bob"))
    return await connect(alice, bob)


async def test_rtp_dropped_one_way_names_the_direction(routed_lab: Lab, phones: StartPhone) -> None:
    """RTP from alice to bob dropped at the router: bob hears nothing, alice hears bob,
    so the verdict is one-way "bob -> alice"; the other direction likewise."""
    a, b = await _call(routed_lab, phones)
    await expect_audio(a, b, "two-way")
    alice_ip, bob_ip = routed_lab.address("alice"), routed_lab.address("bob")
    drop_udp(routed_lab, "router", alice_ip, bob_ip)
    cut = await stops_hearing(b, a)
    await expect_audio(a, b, "one-way", direction="bob -> alice", since=cut, within=0.8)
    allow_all(routed_lab, "router")
    drop_udp(routed_lab, "router", bob_ip, alice_ip)
    cut = await stops_hearing(a, b)
    await expect_audio(a, b, "one-way", direction="alice -> bob", since=cut, within=0.8)


async def test_rtp_dropped_both_ways_is_none(routed_lab: Lab, phones: StartPhone) -> None:
    """RTP dropped in both directions: the call stays up (SIP is untouched) but the verdict is none."""
    a, b = await _call(routed_lab, phones)
    await expect_audio(a, b, "two-way")
    alice_ip, bob_ip = routed_lab.address("alice"), routed_lab.address("bob")
    drop_udp(routed_lab, "router", alice_ip, bob_ip)
    drop_udp(routed_lab, "router", bob_ip, alice_ip)
    cut = max(await stops_hearing(b, a), await stops_hearing(a, b))
    v = await expect_audio(a, b, "none", since=cut, within=0.8)
    assert a.state == b.state == "confirmed", v.explain()
    report = await b.report()
    assert report.stream is not None


async def test_audio_released_late_is_late(routed_lab: Lab, phones: StartPhone) -> None:
    """Audio that only starts flowing 600 ms after the call was answered reads as late."""
    alice, bob = await asyncio.gather(phones(routed_lab, "alice"), phones(routed_lab, "bob"))
    alice_ip, bob_ip = routed_lab.address("alice"), routed_lab.address("bob")
    drop_udp(routed_lab, "router", alice_ip, bob_ip)
    drop_udp(routed_lab, "router", bob_ip, alice_ip)
    a, b = await connect(alice, bob)
    answered = b.confirmed_at or time.monotonic()
    await asyncio.sleep(0.6)  # the fault being simulated: a path that opens 600 ms late
    allow_all(routed_lab, "router")
    v = await audio_between(a, b, since=answered, within=2.0, reference=answered, late_after_ms=300)
    assert v.kind == "late", v.explain()
    assert min(d.delay_ms or 0 for d in (v.a_to_b, v.b_to_a)) >= 500, v.explain()


async def test_failed_two_way_verdict_saves_audio(routed_lab: Lab, phones: StartPhone) -> None:
    """Expecting two-way while RTP to bob is dropped fails, naming one-way, and leaves WAVs
    of what each side received in the run directory."""
    a, b = await _call(routed_lab, phones)
    await expect_audio(a, b, "two-way")
    drop_udp(routed_lab, "router", routed_lab.address("alice"), routed_lab.address("bob"))
    cut = await stops_hearing(b, a)
    with pytest.raises(AssertionError, match=r"expected two-way, got one-way \(bob -> alice\)") as failure:
        await expect_audio(a, b, "two-way", since=cut, within=0.8)
    wavs = sorted((routed_lab.dir / "media").glob("*.wav"))
    assert len(wavs) == 2 and all(str(w) in str(failure.value) for w in wavs)
    with wave.open(str(wavs[0])) as w:
        assert w.getframerate() == 16000 and w.getnframes() >= 16000
