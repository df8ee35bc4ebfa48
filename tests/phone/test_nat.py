"""Softphones behind home NATs: ICE through a port-restricted cone, and the myPortal @work
"Check NAT type", "Check ICE status" and ICE servers list (RULES NAT-3, NAT-5)."""

from __future__ import annotations

import asyncio

import pytest

from simulators.lab import Lab
from simulators.phone.client import PhoneError, connect
from simulators.phone.media import expect_audio
from simulators.phone.voip import MSG_ADDED, MSG_FAILED, MSG_PRESENT

from .conftest import StartPhone


async def test_cone_nat_to_public_two_way_with_ice(homes_lab: Lab, phones: StartPhone) -> None:
    """004 section 1.5 (004:96-110): alice at home behind a port-restricted cone NAT calls
    bob on a public address with ICE and STUN: two-way audio; the media path is the ICE pair
    and bob receives from the NAT's public address."""
    alice, bob = await asyncio.gather(phones(homes_lab, "alice", ice=True), phones(homes_lab, "bob", ice=True))
    a, b = await connect(alice, bob)
    await expect_audio(a, b, "two-way")
    ra, rb = await a.report(), await b.report()
    assert ra.stream is not None and rb.stream is not None
    assert ra.stream.ice is not None and ra.stream.ice.ok, ra.stream.ice
    assert rb.stream.ice is not None and rb.stream.ice.ok, rb.stream.ice
    nat_public = homes_lab.address("cone_router", "wan")
    assert rb.stream.remote_rtp_seen.startswith(nat_public + ":"), rb.stream
    pair = rb.stream.ice.rtp
    assert pair is not None and pair.remote.startswith(nat_public + ":") and pair.remote_type in ("srflx", "prflx")
    assert ra.stream.remote_rtp_seen.startswith(homes_lab.address("bob") + ":")
    await a.hangup()


@pytest.mark.rule("NAT-3")
async def test_check_nat_type(homes_lab: Lab, phones: StartPhone) -> None:
    """NAT-3 (000:2138-2160): "Check NAT type" says simple behind a port-restricted cone NAT
    and on a public address (no NAT), Symmetric behind a symmetric NAT, and could not be
    detected when UDP to the STUN server is blocked."""
    alice, bob, carol, dave = await asyncio.gather(
        phones(homes_lab, "alice"), phones(homes_lab, "bob"), phones(homes_lab, "carol"), phones(homes_lab, "dave")
    )
    cone, public, symmetric, blocked = await asyncio.gather(
        alice.check_nat_type(), bob.check_nat_type(), carol.check_nat_type(), dave.check_nat_type()
    )
    assert (cone.outcome, cone.message) == ("simple", "NAT Type: simple"), cone
    assert cone.mapped is not None and cone.mapped.startswith(homes_lab.address("cone_router", "wan"))
    assert (public.outcome, public.mapped) == ("simple", public.local), public
    assert (symmetric.outcome, symmetric.message) == ("Symmetric", "NAT Type: Symmetric"), symmetric
    assert blocked.outcome == "could not be detected", blocked
    assert blocked.message == "NAT Type could not be detected."


@pytest.mark.rule("NAT-5")
async def test_check_ice_status(homes_lab: Lab, phones: StartPhone) -> None:
    """NAT-5 (000:2162-2197, 004:355-371): "Check ICE status" is available when the STUN
    server answers, not available behind a firewall that drops UDP."""
    alice, dave = await asyncio.gather(phones(homes_lab, "alice"), phones(homes_lab, "dave"))
    ok, blocked = await asyncio.gather(alice.check_ice_status(), dave.check_ice_status())
    assert ok.status == "available" and ok.server == "stun:192.0.2.10:3478", ok
    assert blocked.status == "not available" and blocked.server is None, blocked


@pytest.mark.rule("NAT-5")
async def test_add_ice_server_messages(homes_lab: Lab, phones: StartPhone) -> None:
    """NAT-5 (000:2162-2197): the default STUN server is not listed and cannot be removed;
    adding a valid server adds it, adding it again says "Server is already present",
    an unreachable or invalid one says "Failed to add the server. Please check your environment"."""
    alice = await phones(homes_lab, "alice")
    assert (await alice.status()).ice_servers == []
    added = await alice.add_ice_server("stun:192.0.2.11:3478")
    assert (added.outcome, added.message, added.servers) == ("added", MSG_ADDED, ["stun:192.0.2.11:3478"])
    again = await alice.add_ice_server("192.0.2.11")
    assert (again.outcome, again.message) == ("present", MSG_PRESENT)
    unreachable = await alice.add_ice_server("stun:192.0.2.99:3478")
    assert (unreachable.outcome, unreachable.message) == ("failed", MSG_FAILED), unreachable
    invalid = await alice.add_ice_server("stun:no such host!")
    assert (invalid.outcome, invalid.message) == ("failed", MSG_FAILED), invalid
    assert (await alice.status()).ice_servers == ["stun:192.0.2.11:3478"]
    with pytest.raises(PhoneError, match="default STUN server cannot be removed"):
        await alice.remove_ice_server("stun:192.0.2.10:3478")
