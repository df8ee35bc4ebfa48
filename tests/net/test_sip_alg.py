"""SIP ALGs on the home router: the kernel's SIP helper, and the faulty-ALG hook.

A SIP INVITE with SDP goes from the home PC (UDP 5060) to a SIP listener on the public
side; the router's WAN capture shows what the router sent. With the kernel ALG, Via,
Contact and the SDP o=/c= lines carry the router's public address; without it, they keep
the private one.
"""

from __future__ import annotations

import select
import socket
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.inet import UDP
from scapy.utils import rdpcap

from simulators.lab import Lab
from simulators.net import loader
from simulators.net.builder import TopologyBuilder

HOME_PRIVATE, HOME_PUBLIC, SIP_SERVER = "192.168.178.20", "203.0.113.24", "192.0.2.10"


def invite() -> bytes:
    sdp = (
        "v=0\r\n"
        f"o=- 1 1 IN IP4 {HOME_PRIVATE}\r\n"
        "s=-\r\n"
        f"c=IN IP4 {HOME_PRIVATE}\r\n"
        "t=0 0\r\n"
        "m=audio 49170 RTP/AVP 0\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
    )
    head = (
        f"INVITE sip:200@{SIP_SERVER} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {HOME_PRIVATE}:5060;branch=z9hG4bK-uclab-1;rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:201@{SIP_SERVER}>;tag=a1\r\n"
        f"To: <sip:200@{SIP_SERVER}>\r\n"
        "Call-ID: uclab-alg-test@lab\r\n"
        "CSeq: 1 INVITE\r\n"
        f"Contact: <sip:201@{HOME_PRIVATE}:5060>\r\n"
        "Content-Type: application/sdp\r\n"
        f"Content-Length: {len(sdp)}\r\n\r\n"
    )
    return (head + sdp).encode()


def send_invite_and_capture(lab: Lab) -> tuple[str, str]:
    """(what the SIP server received, what the router's WAN capture shows)."""
    server = lab.socket("stun")
    server.bind((SIP_SERVER, 5060))
    client = lab.socket("home_pc")
    client.bind((HOME_PRIVATE, 5060))
    cap = lab.capture("home_router", "wan", bpf="udp port 5060", tag="sip")
    try:
        client.sendto(invite(), (SIP_SERVER, 5060))
        assert select.select([server], [], [], 3)[0], "the INVITE never arrived"
        received = server.recv(4096).decode()
    finally:
        client.close()
        server.close()
        pcap = cap.stop()
    return received, wire_payload(pcap)


def wire_payload(pcap: Path) -> str:
    packets = [p for p in rdpcap(str(pcap)) if UDP in p and p[UDP].dport == 5060]
    assert packets, f"nothing on the wire in {pcap}"
    return bytes(packets[0][UDP].payload).decode()


def sip_lines(message: str) -> dict[str, str]:
    out = {}
    for line in message.split("\r\n"):
        for key in ("Via:", "Contact:", "o=", "c="):
            if line.startswith(key):
                out[key] = line
    return out


@pytest.mark.rule("ALG-1")
def test_kernel_sip_alg_rewrites_via_contact_and_sdp(lab_factory: Any) -> None:
    """ALG-1 (004:379-387): a router with a SIP ALG rewrites the signalling that crosses it."""
    lab: Lab = lab_factory("home_internet_sip_alg")
    received, wire = send_invite_and_capture(lab)
    assert received == wire
    lines = sip_lines(wire)
    assert HOME_PUBLIC in lines["Via:"] and HOME_PRIVATE not in lines["Via:"]
    assert lines["Contact:"] == f"Contact: <sip:201@{HOME_PUBLIC}:5060>"
    assert lines["o="] == f"o=- 1 1 IN IP4 {HOME_PUBLIC}"
    assert lines["c="] == f"c=IN IP4 {HOME_PUBLIC}"


def test_without_alg_sip_crosses_untouched(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")
    received, wire = send_invite_and_capture(lab)
    assert wire == invite().decode()
    assert received == wire


def faulty(behaviour: str) -> Any:
    base = loader.load("home_internet")
    return (
        TopologyBuilder.from_topology(base)
        .named(f"alg_{behaviour.replace('-', '_')}")
        .set("routers.home_router.sip_alg", f"faulty:{behaviour}")
        .build()
    )


def test_faulty_alg_hook_rewrites_through_the_middlebox(lab_factory: Any) -> None:
    lab: Lab = lab_factory(faulty("mark-header"))
    received, wire = send_invite_and_capture(lab)
    assert "X-Uclab-Alg: home_router\r\n" in received
    assert received == wire
    log = (lab.dir / "logs" / "home_router.alg.log").read_text()
    assert '"action": "rewrite"' in log and "INVITE sip:200@192.0.2.10 SIP/2.0" in log


def test_passthrough_behaviour_sees_sip_and_changes_nothing(lab_factory: Any) -> None:
    lab: Lab = lab_factory(faulty("passthrough"))
    _, wire = send_invite_and_capture(lab)
    assert wire == invite().decode()
    counters = lab.exec("home_router", ["iptables-nft", "-t", "mangle", "-L", "FORWARD", "-v", "-n", "-x"]).stdout
    queued = [line for line in counters.splitlines() if "NFQUEUE" in line and "dpt:5060" in line and "udp" in line]
    assert queued and int(queued[0].split()[0]) >= 1, counters


def test_tcp_sip_on_8802_is_not_touched_by_the_kernel_alg(lab_factory: Any) -> None:
    """The kernel helper watches 5060 only: signalling on 8802 passes unchanged (it is TLS in the product)."""
    lab: Lab = lab_factory("home_internet_sip_alg")
    server = lab.socket("stun", socket.SOCK_STREAM)
    server.bind((SIP_SERVER, 8802))
    server.listen(1)
    client = lab.socket("home_pc", socket.SOCK_STREAM)
    try:
        client.settimeout(2)
        client.connect((SIP_SERVER, 8802))
        client.sendall(invite())
        conn, _ = server.accept()
        conn.settimeout(2)
        data = b""
        while len(data) < len(invite()):
            data += conn.recv(4096)
        conn.close()
    finally:
        client.close()
        server.close()
    assert data == invite()
