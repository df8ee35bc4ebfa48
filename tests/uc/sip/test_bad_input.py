"""Bad input: RFC 4475 torture cases and generated garbage leave the stub running and answering.

Every case of RFC 4475's list (torture.py, the lab's own messages) is sent to the system
over UDP 5060, TCP 5060 and TLS 8802 (through the front door), then hypothesis-generated
garbage (random bytes, and SIP-shaped messages with random parts) to UDP 5060 and to 8802.
Afterwards every stub process is alive, the stub answers SIP OPTIONS, a phone still
registers and calls with two-way audio, and the well-formed torture cases got an answer
(whatever its code): the stub did not just go deaf. Wrong credentials never register.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.lab import Lab
from simulators.peers import sipwire as wire
from simulators.peers.torture import CASES
from simulators.phone.media import expect_audio
from simulators.uc import backdoor
from simulators.uc.service import Stub

from .conftest import StartPhone, StartStub, desk_phone, never_registers, reg, registered, voip_client

SENDER = "desk_phone"
SENDER_IP = "192.168.1.60"
KAMAILIO_DROPS = {
    "wsinv": "Kamailio 5.6 cannot parse a CSeq folded across lines (parse_cseq: no method found)",
    "intmeth": "Kamailio 5.6 refuses header names with !%*+_`'~ (parse_sip_header_name) and cannot build a 400",
}
"""Well-formed RFC 4475 requests Kamailio 5.6's parser drops without an answer (the stub
survives them). Listed, not ignored: if Kamailio starts answering one, the test says so."""


async def still_serving(stub: Stub, lab: Lab, phones: StartPhone) -> None:
    """The stub's processes live, and it registers and connects a call with two-way audio."""
    assert all(stub.alive().values()), f"stub processes died: {stub.alive()}"
    alice = await phones(lab, "office_pc", **voip_client(stub, "200"))
    bob = await phones(lab, "office_pc2", **desk_phone(stub, "201"))
    await registered(alice)
    await registered(bob)
    out = await alice.dial(stub.door_uri("201"))
    inc = await bob.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    await expect_audio(out, inc, "two-way", within=3)
    await out.hangup()


def answered(messages: list[bytes], replies: list[bytes]) -> set[bytes]:
    ids = {wire.call_id(r) for r in replies if wire.status(r) is not None}
    return {cid for cid in (wire.call_id(m) for m in messages) if cid is not None and cid in ids}


@pytest.mark.rule("PORT-1")
async def test_rfc4475_torture_cases_over_udp_tcp_and_the_door(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """RFC 4475 section 3, all 49 cases, on every signalling entry of the system: the stub
    survives each, answers every well-formed request over each transport (but the two
    Kamailio's parser drops, KAMAILIO_DROPS), and keeps serving."""
    stub = await stubs(office_lab)
    host = stub.lan_ip
    requests = [c for c in CASES if not c.response]
    valid = [c for c in requests if c.valid]

    udp_msgs = [c.render(host, 5060) for c in CASES]
    replies = await asyncio.to_thread(
        wire.udp_exchange, office_lab, SENDER, (SENDER_IP, 5070), (host, 5060), udp_msgs, 1.5
    )
    by_name = dict(zip([c.name for c in CASES], udp_msgs, strict=True))
    got = answered([by_name[c.name] for c in valid], replies)
    missing = {c.name for c in valid if wire.call_id(by_name[c.name]) not in got}
    assert missing == set(KAMAILIO_DROPS), f"well-formed requests over UDP got no answer: {sorted(missing)}"

    for label, port, tls in (("TCP 5060", 5060, False), ("TLS 8802 (door)", 8802, True)):
        msgs = [c.render(host, port) for c in CASES]
        answers = await asyncio.to_thread(
            wire.stream_exchanges, office_lab, SENDER, (host, port), msgs, tls=tls, wait=1.0
        )
        silent = {
            c.name
            for c, answer in zip(CASES, answers, strict=True)
            if c.valid and not c.response and wire.status(answer) is None
        }
        assert silent == set(KAMAILIO_DROPS), f"well-formed requests over {label} got no answer: {sorted(silent)}"
    assert all(stub.alive().values()), stub.alive()
    await still_serving(stub, office_lab, phones)


SIP_METHODS = ["INVITE", "REGISTER", "OPTIONS", "BYE", "CANCEL", "ACK", "REFER", "INFO", "X" * 40, ""]
HEADERS = ["Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Max-Forwards", "Route", "X-UC-Device"]
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)


@st.composite
def sip_shaped(draw: st.DrawFn) -> bytes:
    """A SIP-looking message with random method, URI, header names/values and body."""
    method = draw(st.sampled_from(SIP_METHODS))
    uri = draw(st.one_of(st.just("sip:201@192.168.1.30"), text))
    lines = [f"{method} {uri} SIP/2.0"]
    for _ in range(draw(st.integers(0, 12))):
        name = draw(st.one_of(st.sampled_from(HEADERS), text))
        lines.append(f"{name}: {draw(text)}")
    body = draw(st.binary(max_size=300))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


garbage = st.one_of(st.binary(min_size=1, max_size=1500), sip_shaped())


@pytest.mark.rule("PORT-1")
async def test_generated_garbage_to_5060_and_8802(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """Hypothesis-generated garbage (random bytes and SIP-shaped nonsense) to UDP 5060 and
    through TLS to 8802 leaves every stub process running and the stub serving calls."""
    stub = await stubs(office_lab)
    target_udp = (stub.lan_ip, 5060)

    def fuzz() -> None:
        sock = office_lab.socket(SENDER)
        sock.bind((SENDER_IP, 0))

        @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(payload=garbage)
        def to_udp(payload: bytes) -> None:
            sock.sendto(payload, target_udp)

        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(payload=garbage)
        def to_door(payload: bytes) -> None:
            wire.stream_exchange(office_lab, SENDER, (stub.lan_ip, 8802), payload, tls=True, wait=0.2)

        try:
            to_udp()
            to_door()
        finally:
            sock.close()

    await asyncio.to_thread(fuzz)
    await still_serving(stub, office_lab, phones)


@pytest.mark.rule("NET-1.2")
async def test_wrong_credentials_never_register(office_lab: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """Wrong passwords (UDP and through the door), an unknown user and a right password for
    another device's name: none registers; Kamailio's location and the state stay empty."""
    stub = await stubs(office_lab)
    attempts = [
        ("udp", reg(f"{stub.lan_ip}:5060", "201", "udp", "sip200secret")),
        ("door", reg(stub.door, "200", "tls", "wrong-" + secrets.token_hex(4))),
        ("unknown", reg(f"{stub.lan_ip}:5060", "999", "udp", "whatever")),
    ]
    started = []
    for name, registration in attempts:
        transports = (
            [{"kind": "tls", "port": 0}] if registration["transport"] == "tls" else [{"kind": "udp", "port": 0}]
        )
        started.append(await phones(office_lab, "office_pc", name, transports=transports, registration=registration))
    for phone in started:
        await never_registers(phone)
    assert backdoor.kamailio_rpc(stub).registrations() == {}
    assert await backdoor.server(stub, "registrations") == []
