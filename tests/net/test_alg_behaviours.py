"""The named faulty-ALG behaviours, on SIP messages shaped like the lab's pjsua2 clients send.

Each test pins the mechanism; the network suites show the symptom with real calls.
"""

from __future__ import annotations

from simulators.net.alg_behaviours import Packet, create
from simulators.net.sipmsg import SipMessage

SDP = (
    "v=0\r\no=- 3913 3913 IN IP4 192.168.178.20\r\ns=pjmedia\r\nc=IN IP4 192.168.178.20\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 8 0 101\r\na=rtcp:49171 IN IP4 192.168.178.20\r\na=ice-ufrag:2b6c\r\n"
    "a=ice-pwd:1c0f3b\r\na=candidate:H c0a8b214 1 UDP 2130706431 192.168.178.20 49170 typ host\r\n"
    "a=candidate:S cb007118 1 UDP 1694498815 203.0.113.24 49170 typ srflx raddr 192.168.178.20 rport 49170\r\n"
    "a=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
)


def sip(start: str, *headers: str, body: str = "") -> bytes:
    head = [start, *headers]
    if body:
        head += ["Content-Type: application/sdp", f"Content-Length: {len(body)}"]
    else:
        head.append("Content-Length: 0")
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


INVITE = sip(
    "INVITE sip:201@192.168.1.30 SIP/2.0",
    "Via: SIP/2.0/UDP 192.168.178.20:5060;rport;branch=z9hG4bKPj1",
    "From: <sip:202@192.168.1.30>;tag=f1",
    "To: <sip:201@192.168.1.30>",
    "Call-ID: c1",
    "CSeq: 1 INVITE",
    "Contact: <sip:202@192.168.178.20:5060;ob>",
    body=SDP,
)


def packet(payload: bytes, outbound: bool) -> Packet:
    return Packet("udp", "192.168.178.20", 5060, "192.0.2.50", 5060, payload, outbound)


def test_sdp_rewrite_no_pinhole_moves_media_where_nothing_listens() -> None:
    alg = create("sdp-rewrite-no-pinhole", {"public": "203.0.113.24"})
    decision = alg.handle(packet(INVITE, outbound=True))
    assert decision.payload is not None
    msg = SipMessage.parse(decision.payload)
    sdp = msg.sdp or ""
    assert "c=IN IP4 203.0.113.24\r\n" in sdp
    assert "o=- 3913 3913 IN IP4 203.0.113.24\r\n" in sdp
    assert "m=audio 59170 RTP/AVP 8 0 101\r\n" in sdp
    assert "a=candidate" not in sdp and "a=ice-" not in sdp
    assert msg.header("content-length") == str(len(sdp.encode()))
    assert msg.header("contact") == "<sip:202@192.168.178.20:5060;ob>"  # signalling untouched
    assert alg.handle(packet(INVITE, outbound=False)).payload is None  # inbound SDP is left alone


def test_drop_inbound_invite_only_drops_new_calls_from_outside() -> None:
    alg = create("drop-inbound-invite")
    assert alg.handle(packet(INVITE, outbound=False)).verdict == "drop"
    assert alg.handle(packet(INVITE, outbound=True)).verdict == "accept"
    reinvite = INVITE.replace(b"To: <sip:201@192.168.1.30>", b"To: <sip:201@192.168.1.30>;tag=t9")
    assert alg.handle(packet(reinvite, outbound=False)).verdict == "accept"


def test_drop_ack_drops_acks_both_ways() -> None:
    ack = sip("ACK sip:201@192.168.1.30 SIP/2.0", "Call-ID: c1", "CSeq: 1 ACK", "To: <sip:201@x>;tag=t")
    alg = create("drop-ack")
    assert alg.handle(packet(ack, outbound=True)).verdict == "drop"
    assert alg.handle(packet(ack, outbound=False)).verdict == "drop"
    assert alg.handle(packet(INVITE, outbound=True)).verdict == "accept"


def test_register_expires_mismatch_hides_its_shorter_lifetime() -> None:
    alg = create("register-expires-mismatch", {"expires": 20})
    register = sip(
        "REGISTER sip:192.168.1.30 SIP/2.0",
        "Call-ID: r1",
        "CSeq: 1 REGISTER",
        "Contact: <sip:202@192.168.178.20:5060;ob>",
        "Expires: 300",
    )
    out = alg.handle(packet(register, outbound=True))
    assert out.payload is not None and SipMessage.parse(out.payload).header("expires") == "20"
    ok = sip("SIP/2.0 200 OK", "Call-ID: r1", "CSeq: 1 REGISTER", "Contact: <sip:202@203.0.113.24:5060;ob>;expires=20")
    back = alg.handle(packet(ok, outbound=False))
    assert back.payload is not None
    assert SipMessage.parse(back.payload).header("contact") == "<sip:202@203.0.113.24:5060;ob>;expires=300"
    unregister = register.replace(b"Expires: 300", b"Expires: 0")
    assert alg.handle(packet(unregister, outbound=True)).payload is None


def test_non_sip_and_tcp_pass_untouched() -> None:
    for name in ("sdp-rewrite-no-pinhole", "drop-inbound-invite", "drop-ack", "register-expires-mismatch"):
        alg = create(name)
        assert alg.handle(packet(b"\x80\x08rtp-ish", outbound=True)).verdict == "accept"
        tcp = Packet("tcp", "192.168.178.20", 5060, "192.0.2.50", 5060, INVITE, False)
        assert alg.handle(tcp).verdict == "accept"


def test_sip_message_roundtrip_is_byte_identical() -> None:
    assert SipMessage.parse(INVITE).serialize() == INVITE


def test_media_pinholes_from_sdp_drops_inbound_rtp_it_saw_no_sdp_for() -> None:
    alg = create("media-pinholes-from-sdp")
    rtp = bytes([0x80, 0x08]) + bytes(10) + b"audio"
    inbound = Packet("udp", "192.0.2.50", 40000, "192.168.178.20", 49170, rtp, False)
    assert alg.handle(inbound).verdict == "drop"  # no SDP read yet (TLS signalling)
    stun = Packet("udp", "192.0.2.50", 40000, "192.168.178.20", 49170, b"\x00\x01" + bytes(18), False)
    assert alg.handle(stun).verdict == "accept"  # ICE checks pass
    assert alg.handle(Packet("udp", "192.168.178.20", 49170, "192.0.2.50", 40000, rtp, True)).verdict == "accept"
    assert alg.handle(packet(INVITE, outbound=True)).verdict == "accept"  # reads m=audio 49170
    assert alg.handle(inbound).verdict == "accept"
