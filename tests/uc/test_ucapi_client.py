"""The UC API client (simulators/phone/ucapi.py): TLS to the lab CA, timeouts, typed errors,
and its models kept in step with the published OpenAPI spec."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import uvicorn

from simulators.phone import ucapi
from simulators.phone.servers import ServerConnections
from simulators.phone.ucapi import UcApi, UcApiError, UcApiUnreachable, login_through
from simulators.uc.api.app import create_app
from simulators.uc.state.core import State


@pytest.fixture
async def tls_server(tmp_path: Path, state: State) -> AsyncIterator[tuple[str, Path]]:
    """The UC API over real TLS on 127.0.0.1 (uvicorn), certificate from a trustme lab CA."""
    async for served in serve_tls(tmp_path, state):
        yield served


@pytest.fixture
async def brief_server(tmp_path: Path, state: State) -> AsyncIterator[tuple[str, Path]]:
    """The same, closing a connection after 1 s without a request."""
    async for served in serve_tls(tmp_path, state, timeout_keep_alive=1):
        yield served


async def serve_tls(tmp_path: Path, state: State, **options: Any) -> AsyncIterator[tuple[str, Path]]:
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "server.pem"))
    config = uvicorn.Config(
        create_app(state),
        ssl_certfile=str(tmp_path / "server.pem"),
        ssl_keyfile=str(tmp_path / "server.pem"),
        log_level="warning",
        lifespan="off",
        **options,
    )
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config.load()
    server.lifespan = config.lifespan_class(config)  # what Server._serve does before startup()
    await server.startup(sockets=[sock])
    yield f"https://127.0.0.1:{sock.getsockname()[1]}", tmp_path / "ca.pem"
    await server.shutdown(sockets=[sock])


async def test_login_over_tls_verified_with_the_lab_ca(tls_server: tuple[str, Path]) -> None:
    url, ca = tls_server
    async with UcApi(url, verify=ca) as api:
        result = await api.login("200", "Start#200a")
        assert (result.user, result.mode, result.password_change_required) == ("200", "smart", False)
        me = await api.me()
        assert (me.number, me.client) == ("200", "myportal_at_work")
        sessions = (await api.connections()).uc_sessions
        assert [s.address for s in sessions] == ["127.0.0.1"], "the app saw the real client address"
        assert (await api.system()).release == "V3R2FR1"


async def test_a_foreign_certificate_is_not_trusted(tls_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = tls_server
    other = trustme.CA()
    other.cert_pem.write_to_path(str(tmp_path / "other.pem"))
    async with UcApi(url, verify=tmp_path / "other.pem") as api:
        with pytest.raises(UcApiUnreachable) as failed:
            await api.system()
    assert failed.value.message == "Connection Time out"
    assert "CERTIFICATE_VERIFY_FAILED" in failed.value.reason
    async with UcApi(url, verify=False) as insecure:
        assert (await insecure.system()).mode == "smart"


async def test_no_server_is_connection_time_out() -> None:
    """TRB-4 (000:361): nothing listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    async with UcApi(f"https://127.0.0.1:{port}", verify=False, timeout=2.0) as api:
        with pytest.raises(UcApiUnreachable) as failed:
            await api.login("200", "x")
    assert str(failed.value).startswith("Connection Time out (ConnectError")


async def test_every_call_has_a_timeout() -> None:
    """A server that accepts and never answers: the call ends after the client's timeout."""
    accepted = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        accepted.set()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with UcApi(f"http://127.0.0.1:{port}", timeout=0.3) as api:
            with pytest.raises(UcApiUnreachable) as failed:
                await api.system()
        assert accepted.is_set() and "ReadTimeout" in failed.value.reason
    finally:
        for w in writers:
            w.close()
        server.close()
        await server.wait_closed()


async def test_errors_carry_the_servers_message(tls_server: tuple[str, Path]) -> None:
    url, ca = tls_server
    async with UcApi(url, verify=ca) as api:
        with pytest.raises(UcApiError) as wrong:
            await api.login("200", "nope")
        assert (wrong.value.status, wrong.value.code, wrong.value.message, wrong.value.violations) == (
            401,
            "wrong_credentials",
            "Wrong user name or password.",
            (),
        )
        await api.login("200", "Start#200a")
        with pytest.raises(UcApiError) as rules:
            await api.change_password("short", old="Start#200a")
        assert rules.value.violations == ("too_short", "no_uppercase", "no_digit", "no_special")


def test_missing_ca_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"CA file .* does not exist; give the lab CA"):
        UcApi("https://x", verify=tmp_path / "nope.pem")


PAIRS = {
    "SystemInfo": "SystemInfo",
    "LoginResult": "LoginReply",
    "Me": "Me",
    "UcSession": "UcSessionView",
    "VoipRegistration": "RegistrationView",
    "RefusedRegistration": "RefusedRegistrationView",
    "Connections": "Connections",
    "Forwarding": "ForwardingView",
    "Presence": "PresenceView",
    "OthersPresence": "OthersPresence",
    "VoipAccount": "VoipAccount",
    "Device": "DeviceView",
    "AdminUser": "AdminUser",
    "AdminParticipant": "AdminParticipantView",
    "AdminConference": "AdminConferenceView",
    "PresenceOptions": "PresenceOptions",
    "Phone": "PhoneView",
    "DirectoryHit": "DirectoryHit",
    "DirectoryInfo": "DirectoryInfo",
    "SearchResult": "SearchReply",
    "PersonalContact": "PersonalContactView",
    "PersonalContacts": "PersonalContacts",
    "ImportResult": "ImportReply",
    "Favorite": "FavoriteView",
    "FavoriteGroup": "FavoriteGroupView",
    "Favorites": "Favorites",
    "PictureInfo": "PictureView",
}


def test_client_models_match_the_published_spec(state: State) -> None:
    spec: dict[str, Any] = create_app(state).openapi()
    schemas = spec["components"]["schemas"]
    assert {m.__name__ for m in ucapi.REPLY_MODELS} == set(PAIRS)
    for model in ucapi.REPLY_MODELS:
        published = schemas[PAIRS[model.__name__]]
        assert set(model.model_fields) == set(published["properties"]), model.__name__
        required = {name for name, f in model.model_fields.items() if f.is_required()}
        assert required <= set(published.get("required", [])), model.__name__


class Sockets:
    """A socket factory (as a lab host gives one) that keeps the sockets it made."""

    def __init__(self) -> None:
        self.made: list[socket.socket] = []

    def __call__(self) -> socket.socket:
        self.made.append(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        return self.made[-1]


async def test_sockets_from_a_factory_carry_tls(tls_server: tuple[str, Path]) -> None:
    """The transport for clients in lab hosts: every connection from the factory's sockets, TLS verified."""
    url, ca = tls_server
    sockets = Sockets()
    async with UcApi(url, verify=ca, socket_factory=sockets) as api:
        assert (await api.login("200", "Start#200a")).user == "200"
        assert (await api.me()).number == "200"
    assert len(sockets.made) >= 1


async def test_a_connection_the_server_closed_while_idle_is_not_reused(brief_server: tuple[str, Path]) -> None:
    """A client in a lab host that stays idle longer than the server keeps its connection
    (here 1 s) connects again for its next request, instead of failing it with "Server
    disconnected without sending a response" (seen after a 5-minute wait in a conference)."""
    url, ca = brief_server
    sockets = Sockets()
    async with UcApi(url, verify=ca, socket_factory=sockets) as api:
        await api.login("200", "Start#200a")
        assert (await api.me()).number == "200"
        await asyncio.sleep(1.5)  # the idle time is the scenario, not a wait for an event
        assert (await api.me()).number == "200"
    assert len(sockets.made) == 2


async def test_login_through_tries_lan_then_wan(tls_server: tuple[str, Path]) -> None:
    """UC-LOGIN-1 (004:125): the LAN address first; when it does not answer, the WAN address."""
    url, ca = tls_server
    port = int(url.rsplit(":", 1)[1])
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = closed.getsockname()[1]
    closed.close()
    conns = ServerConnections()
    conns.configure(1, "200", lan=f"127.0.0.1:{dead}", wan=f"127.0.0.1:{port}")
    conns.configure(2, "200", lan=f"127.0.0.1:{dead}")
    urls: list[str] = []

    def make(base: str) -> UcApi:
        urls.append(base)
        return UcApi(base, verify=ca, timeout=2.0)

    login = await login_through(conns, 1, "Start#200a", make)
    assert [(t.attempt.network, t.answered) for t in login.tried] == [("lan", False), ("wan", True)]
    assert urls == [f"https://127.0.0.1:{dead}", f"https://127.0.0.1:{port}"]
    assert (await login.api.me()).number == "200"
    await login.api.aclose()
    with pytest.raises(UcApiUnreachable) as none:
        await login_through(conns, 2, "Start#200a", make)
    assert none.value.message == "Connection Time out" and none.value.reason.startswith(f"LAN 127.0.0.1:{dead}: ")
