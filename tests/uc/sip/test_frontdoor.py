"""The front door on 8802: TLS 1.2+ with the lab CA, HTTP to the UC API, SIP to Kamailio (PORT-1)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import pytest

from simulators.lab import Lab
from simulators.peers import sipwire as wire
from simulators.uc import backdoor
from simulators.uc.tls import LabTls

from . import https
from .conftest import StartStub

CLIENT = "office_pc"


@pytest.mark.rule("PORT-1", "UC-LOGIN-1")
async def test_https_api_and_sip_share_8802(office_lab: Lab, stubs: StartStub) -> None:
    """PORT-1 (004:270-276): one port for UC and VoIP signalling. The UC API answers over
    TLS on 8802 with a certificate of the lab CA naming the system's address, sees the
    client's real address, and SIP on the same port reaches Kamailio (OPTIONS -> 200)."""
    stub = await stubs(office_lab)
    health = await asyncio.to_thread(
        https.request, office_lab, CLIENT, stub.lan_ip, 8802, "GET", "/health", ca_file=stub.ca_file
    )
    assert health.status == 200, health.body
    login = await asyncio.to_thread(
        https.request,
        office_lab,
        CLIENT,
        stub.lan_ip,
        8802,
        "POST",
        "/api/v1/login",
        body={"user": "201", "password": "Start#201b"},
        ca_file=stub.ca_file,
    )
    assert login.status == 200, login.body
    with backdoor.open_state(stub) as state:
        sessions = state.sessions("201")
    assert sessions and sessions[0].address == "192.168.1.50", sessions
    options = (
        f"OPTIONS sip:{stub.lan_ip}:8802;transport=tls SIP/2.0\r\n"
        "Via: SIP/2.0/TLS 192.168.1.50:5061;branch=z9hG4bKdoor1;rport\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:probe@x>;tag=1\r\nTo: <sip:x>\r\n"
        "Call-ID: door-options-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()
    answer = await asyncio.to_thread(
        wire.stream_exchange, office_lab, CLIENT, (stub.lan_ip, 8802), options, tls=True, wait=2.0
    )
    assert wire.status(answer) == 200, answer[:200]
    conns = await backdoor.server(stub, "connections")
    kinds = {c["kind"] for c in conns["open"] + conns["closed"] if c["client"].startswith("192.168.1.50:")}
    assert {"http", "sip"} <= kinds, conns


def handshake(lab: Lab, address: str, *, max_version: ssl.TLSVersion | None = None) -> str:
    sock = lab.socket(CLIENT, socket.SOCK_STREAM)
    sock.settimeout(3)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if max_version is not None:
        ctx.maximum_version = max_version
    try:
        sock.connect((address, 8802))
        with ctx.wrap_socket(sock) as tls:
            return str(tls.version())
    except (ssl.SSLError, OSError) as exc:
        return f"refused: {type(exc).__name__}"
    finally:
        sock.close()


def test_server_context_refuses_anything_older_than_tls_12(tmp_path: Path) -> None:
    """The door's TLS context has TLS 1.2 as its floor (the lab's choice for 8802; this
    host's OpenSSL would not offer TLS 1.0/1.1 anyway, so a handshake cannot show it)."""
    ctx = LabTls.ensure(tmp_path, ["192.168.1.30"]).server_context()
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2


@pytest.mark.rule("PORT-1")
async def test_tls_12_and_13_clients_and_no_plain_http(office_lab: Lab, stubs: StartStub) -> None:
    """8802 speaks TLS: a TLS 1.2-only client and a TLS 1.3 client both get through; a
    plain-text HTTP request gets no HTTP answer (the UC API is https only, 000:1857)."""
    stub = await stubs(office_lab)
    assert (await asyncio.to_thread(handshake, office_lab, stub.lan_ip)) == "TLSv1.3"
    tls12 = await asyncio.to_thread(handshake, office_lab, stub.lan_ip, max_version=ssl.TLSVersion.TLSv1_2)
    assert tls12 == "TLSv1.2", tls12
    with pytest.raises((OSError, ValueError, IndexError)):
        await asyncio.to_thread(
            https.request, office_lab, CLIENT, stub.lan_ip, 8802, "GET", "/health", tls=False, timeout=2
        )
    assert all(stub.alive().values())


@pytest.mark.rule("PORT-1")
async def test_neither_http_nor_sip_is_closed_and_recorded(office_lab: Lab, stubs: StartStub) -> None:
    """A first line that is neither HTTP nor SIP closes the connection; the door records it
    (kind refused, with the reason) and keeps serving."""
    stub = await stubs(office_lab)
    answer = await asyncio.to_thread(
        wire.stream_exchange, office_lab, CLIENT, (stub.lan_ip, 8802), b"HELO lab\r\n\r\n", tls=True, wait=2.0
    )
    assert answer == b""
    conns = await backdoor.server(stub, "connections")
    refused = [c for c in conns["closed"] if c["kind"] == "refused"]
    assert refused and "neither HTTP nor SIP" in refused[-1]["note"], conns
    health = await asyncio.to_thread(https.request, office_lab, CLIENT, stub.lan_ip, 8802, "GET", "/health")
    assert health.status == 200
