"""Calls through the stub on the office LAN: registration, routing, anchored media, call functions.

Two myPortal @work VoIP clients register through 8802 (TLS, the front door, PORT-1), a SIP
desk phone through UDP 5060; every call goes device -> Kamailio -> call core -> Kamailio ->
device, and its media through the core's conference bridge. Verdicts come from the tones
each device detects in what it receives (DESIGN.md section 6), and from the core's own
view of the call (both legs' RTP terminates on the system's LAN address).
"""

from __future__ import annotations

import asyncio

import pytest

from simulators.lab import Lab
from simulators.phone import protocol as p
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.media import audio_between, expect_audio
from simulators.uc import backdoor
from simulators.uc.service import Stub

from .conftest import StartPhone, StartStub, desk_phone, registered, voip_client
from .media import anchored_pair, assert_anchored


async def call(caller: Phone, callee: Phone, uri: str) -> tuple[Call, Call]:
    out = await caller.dial(uri)
    inc = await callee.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    return out, inc


async def office(lab: Lab, stubs: StartStub, phones: StartPhone) -> tuple[Stub, Phone, Phone, Phone]:
    stub = await stubs(lab)
    alice, bob, carol = await asyncio.gather(
        phones(lab, "office_pc", "alice", **voip_client(stub, "200")),
        phones(lab, "office_pc2", "bob", **voip_client(stub, "201")),
        phones(lab, "desk_phone", "carol", **desk_phone(stub, "202")),
    )
    for phone in (alice, bob, carol):
        await registered(phone)
    return stub, alice, bob, carol


@pytest.mark.rule("NET-1.2", "PORT-1", "UC-CALL-1")
async def test_voip_clients_and_desk_phone_call_each_other(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.2 (004:61-70): on the LAN, VoIP clients registered through LAN-IP:8802 and a desk
    phone call each other with two-way audio; PORT-1 (004:270-276): the clients' SIP runs
    over 8802, the port that also serves the UC API. Every call's media is anchored in the
    system (both legs terminate on 192.168.1.30)."""
    stub, alice, bob, carol = await office(office_lab, stubs, phones)
    addresses = {"200": "192.168.1.50", "201": "192.168.1.51", "202": "192.168.1.60"}
    pairs = [(alice, bob, "200", "201"), (bob, carol, "201", "202"), (carol, alice, "202", "200")]
    for caller, callee, from_dev, to_dev in pairs:
        uri = stub.door_uri(to_dev) if from_dev != "202" else stub.sip_uri(to_dev)
        out, inc = await call(caller, callee, uri)
        await expect_audio(out, inc, "two-way", within=3)
        a_leg, b_leg = anchored_pair(await stub.calls(), from_dev, to_dev)
        assert_anchored(stub, a_leg, addresses[from_dev])
        assert_anchored(stub, b_leg, addresses[to_dev])
        await out.hangup()
        await inc.disconnected(timeout=5)
    conns = await backdoor.server(stub, "connections")
    sip_over_door = [c for c in conns["open"] if c["kind"] == "sip" and c["tls"]]
    assert {c["client"].split(":")[0] for c in sip_over_door} == {"192.168.1.50", "192.168.1.51"}


@pytest.mark.rule("UC-CALL-1", "UC-CALL-4")
async def test_hold_retrieve_and_dtmf_are_relayed(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097): hold and retrieve are relayed through the core (re-INVITE
    to the other party, silence while held, audio again after); UC-CALL-4 (000:1361-1386):
    DTMF crosses the core both ways, as RFC 4733 events and as SIP INFO."""
    stub, alice, bob, _ = await office(office_lab, stubs, phones)
    a, b = await call(alice, bob, stub.door_uri("201"))
    await expect_audio(a, b, "two-way", within=3)
    for method, digits in (("rfc4733", "159#"), ("info", "*0D")):
        for sender, receiver in ((a, b), (b, a)):
            mark = receiver.phone.mark()
            await sender.send_dtmf(digits, method)
            got = await receiver.dtmf_received(len(digits), since=mark, timeout=5)
            assert "".join(d.digit for d in got) == digits
            assert {d.method for d in got} == {method}
    mark = bob.mark()
    await a.hold()
    held = await bob.wait_event(
        lambda e: isinstance(e, p.MediaState) and e.call == b.id and e.status != "active", 5, mark, "bob put on hold"
    )
    assert isinstance(held, p.MediaState) and held.status == "remote_hold"
    silent = await audio_between(a, b, within=1.0, since=held.t + 0.3)
    assert silent.kind == "none", silent.explain()
    mark = bob.mark()
    await a.retrieve()
    await bob.wait_event(
        lambda e: isinstance(e, p.MediaState) and e.call == b.id and e.status == "active", 5, mark, "bob retrieved"
    )
    await expect_audio(a, b, "two-way", within=3)


@pytest.mark.rule("UC-CALL-1", "UC-CALL-2")
async def test_blind_and_attended_transfer(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """UC-CALL-1 blind transfer (000:1076-1097) and UC-CALL-2 attended transfer after
    consultation (000:1270-1339), both by REFER to the system: the transferred party ends
    up talking to the target, with the media still anchored in the core."""
    stub, alice, bob, carol = await office(office_lab, stubs, phones)
    # blind: alice transfers bob to carol
    a, b = await call(alice, bob, stub.door_uri("201"))
    transfer = asyncio.ensure_future(a.transfer(stub.door_uri("202")))
    c = await carol.incoming(timeout=5)
    await c.answer()
    await transfer
    await expect_audio(b, c, "two-way", within=3)
    await c.hangup()
    await b.disconnected(timeout=5)
    # attended: alice calls bob, holds him, consults carol, transfers
    a1, b1 = await call(alice, bob, stub.door_uri("201"))
    await a1.hold()
    a2, c2 = await call(alice, carol, stub.door_uri("202"))
    await expect_audio(a2, c2, "two-way", within=3)
    await a1.transfer_attended(a2)
    await expect_audio(b1, c2, "two-way", within=3)
    assert a1.state == a2.state == "disconnected"


@pytest.mark.rule("UC-CALL-1")
async def test_codecs_are_negotiated_per_leg(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """PCMA, PCMU and G722: each leg negotiates its own codec with the core, which
    transcodes in its bridge; a G722-only client talks to a PCMU-only desk phone."""
    stub = await stubs(office_lab)
    wide = await phones(office_lab, "office_pc", "alice", codecs=["G722/16000"], **voip_client(stub, "200"))
    narrow = await phones(office_lab, "desk_phone", "carol", codecs=["PCMU/8000"], **desk_phone(stub, "202"))
    await registered(wide)
    await registered(narrow)
    out, inc = await call(wide, narrow, stub.door_uri("202"))
    await expect_audio(out, inc, "two-way", within=3)
    assert out.codec.startswith("G722") and inc.codec.startswith("PCMU"), (out.codec, inc.codec)
    a_leg, b_leg = anchored_pair(await stub.calls(), "200", "202")
    assert a_leg["stream"]["codec"].startswith("G722") and b_leg["stream"]["codec"].startswith("PCMU")


@pytest.mark.rule("NET-1.3")
async def test_mulap_members_ring_in_parallel(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """NET-1.3 (004:72-86): a call to the MULAP number 210 rings its members (DECT 211 and the
    VoIP client 212) in parallel; the first to answer gets the call, the other stops ringing."""
    stub = await stubs(office_lab)
    dect = await phones(office_lab, "dect", "dect", **desk_phone(stub, "211"))
    webrtc = await phones(office_lab, "office_pc2", "webrtc", **voip_client(stub, "212"))
    caller = await phones(office_lab, "office_pc", "alice", **voip_client(stub, "200"))
    for phone in (dect, webrtc, caller):
        await registered(phone)
    out = await caller.dial(stub.door_uri("210"))
    ring_dect, ring_webrtc = await asyncio.gather(dect.incoming(timeout=5), webrtc.incoming(timeout=5))
    await ring_webrtc.answer()
    await out.established(timeout=5)
    ended = await ring_dect.disconnected(timeout=5)
    assert ended.state == "disconnected"
    await expect_audio(out, ring_webrtc, "two-way", within=3)


@pytest.mark.rule("UC-CALL-1")
@pytest.mark.lab_choice("LAB-UNREACHABLE-VOICEMAIL")
async def test_unknown_and_unregistered_numbers_fail_cleanly(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """A call to a number nobody has is refused with 404, to a user none of whose devices is
    registered and who has no mailbox (210, the team desk) with 480 (LAB-UNREACHABLE-VOICEMAIL:
    with a mailbox, the box answers instead); the caller learns it at once and the stub keeps
    working."""
    stub = await stubs(office_lab)
    alice = await phones(office_lab, "office_pc", "alice", **voip_client(stub, "200"))
    await registered(alice)
    for number, code in (("999", 404), ("210", 480)):
        out = await alice.dial(stub.door_uri(number))
        ended = await out.disconnected(timeout=5)
        assert ended.code == code, f"call to {number}: {ended.code} {ended.reason}"
    with pytest.raises(PhoneError):
        await alice.call(stub.door_uri("999"), timeout=2)
