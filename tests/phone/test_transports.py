"""SIP transports and registration: calls over TCP and TLS (verified with the lab CA, or
not verified), digest registration at a registrar, re-registration and UDP keep-alives.

The registrar is SIPp (an independent SIP implementation) running a digest-checking
UAS scenario (`sipp_scenarios.registrar`: realm "uclab", Expires 10) in its own lab host.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.peers import sipp_scenarios as scenarios
from simulators.phone import protocol as p
from simulators.phone.client import Phone, PhoneError, connect
from simulators.phone.media import expect_audio

from .conftest import StartPhone


def office_with_registrar() -> Topology:
    return (
        TopologyBuilder("phone_registrar", "a PC and a SIP registrar on one LAN")
        .segment("lan", "192.168.1.0/24")
        .host("alice", eth0=("lan", "192.168.1.10"))
        .host("registrar", eth0=("lan", "192.168.1.30"))
        .build()
    )


def _with_registrar(lab: Lab, answer_after_ms: int = 0) -> Lab:
    """Start SIPp as the digest registrar in the lab's registrar host."""
    scenario = lab.dir / "registrar.xml"
    scenario.write_text(scenarios.registrar("uclab", expires=10, answer_after_ms=answer_after_ms))
    argv = ["sipp", "-sf", str(scenario), "-i", lab.address("registrar"), "-p", "5060", "-nostdin"]
    lab.spawn("registrar", argv, name="sipp-registrar", watch=True)
    return lab


@pytest.fixture
def registrar_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return _with_registrar(lab_factory(office_with_registrar()))


@pytest.fixture
def slow_registrar_lab(lab_factory: Callable[..., Lab]) -> Lab:
    """A registrar that holds every round's first REGISTER for 1.5 s before challenging it."""
    return _with_registrar(lab_factory(office_with_registrar()), answer_after_ms=1500)


def tls_files(lab: Lab, host: str) -> dict[str, str]:
    """A lab CA and a certificate for `host`'s address (RSA: the wheel's OpenSSL is 1.0.2)."""
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    out = lab.dir / "tls"
    out.mkdir(exist_ok=True)
    ca.cert_pem.write_to_path(str(out / "ca.pem"))
    cert = ca.issue_cert(lab.address(host), key_type=trustme.KeyType.RSA)
    cert.cert_chain_pems[0].write_to_path(str(out / f"{host}.crt"))
    cert.private_key_pem.write_to_path(str(out / f"{host}.key"))
    return {"ca_file": str(out / "ca.pem"), "cert_file": str(out / f"{host}.crt"), "key_file": str(out / f"{host}.key")}


async def test_calls_over_tcp_and_tls(lan_lab: Lab, phones: StartPhone) -> None:
    """Direct calls over TCP and over TLS (alice verifies bob's certificate against the
    lab CA); both two-way. A TLS phone that verifies against a CA that did not sign the
    peer's certificate cannot call it."""
    files = tls_files(lan_lab, "bob")
    transports = [{"kind": "udp"}, {"kind": "tcp"}, {"kind": "tls"}]
    alice, bob, carol = await asyncio.gather(
        phones(lan_lab, "alice", transports=transports, tls={"verify_server": True, "ca_file": files["ca_file"]}),
        phones(
            lan_lab, "bob", transports=transports, tls={"cert_file": files["cert_file"], "key_file": files["key_file"]}
        ),
        phones(
            lan_lab, "carol", transports=transports, tls={"verify_server": True, "ca_file": str(_other_ca(lan_lab))}
        ),
    )
    for kind in ("tcp", "tls"):
        a, b = await connect(alice, bob, transport=kind)
        await expect_audio(a, b, "two-way")
        await a.hangup()
    refused = await carol.dial(bob.uri("tls"))
    ended = await refused.disconnected(timeout=5)
    assert ended.code >= 400, ended


def _other_ca(lab: Lab) -> Path:
    path = lab.dir / "tls" / "other-ca.pem"
    trustme.CA(key_type=trustme.KeyType.RSA).cert_pem.write_to_path(str(path))
    return path


async def test_digest_registration_refresh_and_keepalive(registrar_lab: Lab, phones: StartPhone) -> None:
    """Registration with digest credentials: challenged (401), then accepted with Expires 10
    for a REGISTER whose digest response is right for the password; the phone re-registers
    before expiry (pjsip refreshes 5 s after at the earliest) and sends UDP keep-alives."""
    cap = registrar_lab.capture("registrar", "eth0", bpf="udp port 5060", tag="reg")
    alice = await phones(
        registrar_lab,
        "alice",
        registration={
            "registrar": f"{registrar_lab.address('registrar')}:5060",
            "user": "alice",
            "password": "s3cret",
            "expires": 10,
            "refresh_margin_s": 8,
            "retry_s": 1,
            "keepalive_s": 2,
        },
    )
    first = await alice.registered(timeout=5)
    assert first.expires == 10 and first.active
    refresh = await alice.registered(timeout=8, since=alice.seq_of(first) + 1)
    assert refresh.code == 200 and refresh.t - first.t >= 1.5
    assert (await alice.status()).registered is True
    packets = _udp_payloads(cap.stop(), registrar_lab.address("alice"))
    authorized = [p.decode() for p in packets if p.startswith(b"REGISTER ") and b"Authorization: Digest" in p]
    assert len(authorized) >= 2, "expected the first registration and its refresh, both authorised"
    for message in authorized:
        assert _digest_ok(message, "alice", "s3cret"), message
    assert not _digest_ok(authorized[0], "alice", "wrong")
    assert any(p.strip() == b"" for p in packets), "no UDP keep-alive reached the registrar"


REGISTRATION = {"user": "alice", "password": "s3cret", "expires": 10, "refresh_margin_s": 8, "retry_s": 1}


async def test_register_while_a_registration_is_in_flight_is_answered_not_busy(
    slow_registrar_lab: Lab, phones: StartPhone
) -> None:
    """The phone's own first REGISTER is still waiting for the slow registrar when the user
    asks to register: pjsip allows one REGISTER transaction at a time (PJSIP_EBUSY), and the
    phone API must not pass that on. register() waits for the registration in flight, then
    sends its own and returns the registrar's answer to that one."""
    registrar = f"{slow_registrar_lab.address('registrar')}:5060"
    alice = await phones(slow_registrar_lab, "alice", registration={"registrar": registrar, **REGISTRATION})
    answer = await alice.register(timeout=10)
    assert answer.code == 200 and answer.expires == 10 and answer.active, answer
    answers = [e for e in alice.events if isinstance(e, p.RegState)]
    assert [e.code for e in answers[:2]] == [200, 200] and answer == answers[1], answers
    assert answer.t - answers[0].t >= 1.5, "the second REGISTER was not sent after the first was answered"


def _digest_ok(register: str, user: str, password: str) -> bool:
    """RFC 2617 (no qop): response = MD5(MD5(user:realm:password):nonce:MD5(REGISTER:uri))."""
    header = register.split("Authorization: Digest", 1)[1].split("\r\n")[0]
    fields: dict[str, str] = dict(re.findall(r'(\w+)="([^"]*)"', header))

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"{user}:{fields['realm']}:{password}")
    ha2 = md5(f"REGISTER:{fields['uri']}")
    return fields["username"] == user and fields["response"] == md5(f"{ha1}:{fields['nonce']}:{ha2}")


def _udp_payloads(pcap: Path, src: str) -> list[bytes]:
    from scapy.layers.inet import IP, UDP
    from scapy.utils import rdpcap

    return [bytes(p[UDP].payload) for p in rdpcap(str(pcap)) if UDP in p and p[IP].src == src]


async def test_phone_without_registration_cannot_register(lan_lab: Lab, phones: StartPhone) -> None:
    alice: Phone = await phones(lan_lab, "alice")
    with pytest.raises(PhoneError, match="no registration settings"):
        await alice.register()
