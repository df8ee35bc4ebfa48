"""The client side of the UC API: what myPortal @work and the suites send to the system on 8802.

An async httpx client with a timeout on every call, TLS verified against the lab CA (or
not verified, by setting), typed results and typed errors carrying the server's message.
It knows the UC API only by its published spec (GET /openapi.json), never by importing the
stub, so the same code can talk to another target.

    async with UcApi("https://192.168.1.30:8802", verify="/run/lab/ca.pem") as api:
        me = await api.login("200", "Start#200a")
        await api.change_password("New#pass8", old="Start#200a")
        await api.set_presence("vacation", return_time=when, info_text="back Monday")

A server that does not answer in time (or refuses the connection) gives
`UcApiUnreachable` with the client's own message "Connection Time out" (000:361, TRB-4).

Server connections (UC-LOGIN-1): `login_through(connections, index, password, make_api)`
logs in as the client does with one of its four connections (servers.py): the LAN
address first, then the WAN address; the first server that answers decides.

A client in a lab host: `UcApi(url, socket_factory=lambda: lab.socket("home_pc",
socket.SOCK_STREAM))` opens its TCP connections inside that host's network namespace; with
`resolve=` it logs in at a server name, resolved through a lab DNS server (never the machine's).
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
import anyio.abc
import httpcore
import httpx
from anyio.abc import SocketAttribute
from anyio.streams.tls import TLSAttribute, TLSStream
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from .servers import Attempt, ServerConnections

DEFAULT_TIMEOUT_S = 5.0
AT_WORK = "myportal_at_work"
CONNECTION_TIME_OUT = "Connection Time out"

M = TypeVar("M", bound=BaseModel)


class UcApiError(Exception):
    """The server refused a request: HTTP status, its error code, its message, the violated rules."""

    def __init__(self, status: int, code: str, message: str, violations: tuple[str, ...] = ()) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.violations = violations


class UcApiUnreachable(UcApiError):
    """No answer from the server (timeout, refused, TLS failure): what the client shows as
    "Connection Time out" (000:361). `reason` says what happened underneath."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, "connection_time_out", CONNECTION_TIME_OUT)
        self.reason = reason

    def __str__(self) -> str:
        return f"{CONNECTION_TIME_OUT} ({self.reason})"


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SystemInfo(Reply):
    name: str
    mode: str
    release: str
    time_scale: float
    now: datetime
    sip_domain: str


class LoginResult(Reply):
    token: str
    session_id: str
    user: str
    name: str
    mode: str
    release: str
    password_change_required: bool


class Me(Reply):
    number: str
    name: str
    licences: list[str]
    mode: str
    release: str
    is_mulap: bool
    must_change_password: bool
    voip_enabled: bool
    controlled_device: str | None
    client: str
    session_id: str


class UcSession(Reply):
    session_id: str
    user: str
    client: str
    address: str
    since: datetime
    last_seen: datetime


class VoipRegistration(Reply):
    user: str
    station: str
    sip_user: str
    device_kind: str
    contact: str
    source: str
    transport: str
    since: datetime
    expires_at: datetime


class RefusedRegistration(Reply):
    station: str
    sip_user: str
    contact: str
    source: str
    transport: str
    at: datetime
    reason: str


class Connections(Reply):
    uc_sessions: list[UcSession]
    voip_registrations: list[VoipRegistration]
    refused_registrations: list[RefusedRegistration]


class Forwarding(Reply):
    target: str
    external_number: str | None


class Presence(Reply):
    status: str
    return_time: datetime | None
    return_time_announced: bool
    info_text: str
    visibility: str
    forwarding: dict[str, Forwarding]
    callme_active: bool


class OthersPresence(Reply):
    user: str
    name: str
    visible: bool
    status: str | None
    return_time: datetime | None
    info_text: str | None


class VoipAccount(Reply):
    number: str
    station: str
    sip_user: str
    realm: str
    ha1: str
    sip_domain: str


class Device(Reply):
    id: str
    kind: str
    station: str
    sip_user: str
    mulap: str | None


class PresenceOptions(Reply):
    statuses: list[str]
    forwarding_targets: list[str]
    visibilities: list[str]
    callme_available: bool
    callme_active: bool


class Phone(Reply):
    kind: str
    number: str


class DirectoryHit(Reply):
    directory: str
    id: str
    name: str
    phones: list[Phone]
    email: str | None
    presence: OthersPresence | None
    has_picture: bool

    def phone(self, kind: str) -> str | None:
        return next((p.number for p in self.phones if p.kind == kind), None)


class DirectoryInfo(Reply):
    directory: str
    label: str
    entries: int
    editable: bool


class SearchResult(Reply):
    query: str
    match: str
    directory: str | None
    total: int
    hits: list[DirectoryHit]
    truncated: bool


class PersonalContact(Reply):
    id: str
    name: str
    business: str | None
    mobile: str | None
    private: str | None
    email: str | None
    origin: str
    created_at: datetime
    updated_at: datetime


class OwnContact(Reply):
    number: str
    name: str
    mobile: str | None
    home: str | None
    email: str | None
    set_by_you: list[str]


class PersonalContacts(Reply):
    contacts: list[PersonalContact]
    count: int
    limit: int


class ImportResult(Reply):
    message: str
    added: int
    updated: int
    removed: int
    kept: int
    total: int


class Favorite(Reply):
    favorite_id: int
    contact: DirectoryHit
    added_at: datetime


class FavoriteGroup(Reply):
    id: int
    name: str
    entries: list[Favorite]


class Favorites(Reply):
    groups: list[FavoriteGroup]

    def group(self, name: str) -> FavoriteGroup | None:
        return next((g for g in self.groups if g.name == name), None)


class PictureInfo(Reply):
    media_type: str
    width: int
    height: int
    bytes: int
    original_format: str
    original_width: int
    original_height: int
    original_bytes: int
    updated_at: datetime


class VoiceMessage(Reply):
    id: int
    caller: str
    seconds: float
    received_at: datetime
    played: bool


class CallMe(Reply):
    active: bool
    destination: str | None


class CtiCalling(Reply):
    ringing: str
    then: str


class CallMeCalling(Reply):
    calling: str
    then: str


class PhoneConference(Reply):
    conference: int
    participants: int
    message: str


class ConversationEntry(Reply):
    id: int
    kind: str
    direction: str
    outcome: str
    at: datetime
    unread: bool
    text: str | None
    title: str | None
    message_id: int | None
    played: bool | None


class Conversation(Reply):
    party: str
    unread: int
    entries: list[ConversationEntry]


class ConversationList(Reply):
    conversations: list[Conversation]
    unread_conversations: int
    missed_calls: int
    new_voice_messages: int


class Deleted(Reply):
    message: str
    deleted: int


class AdminUser(Reply):
    number: str
    name: str
    licences: list[str]
    is_mulap: bool
    must_change_password: bool
    pin_is_preset: bool
    voip_enabled: bool
    controlled_device: str | None
    presence: str
    devices: list[Device]


class AdminParticipant(Reply):
    id: int
    number: str | None
    name: str
    phone: str | None
    external: bool
    guest: bool
    moderator: bool
    state: str


class AdminConference(Reply):
    id: int
    name: str
    active: bool
    channels_in_use: int
    info: str | None
    ends_at: datetime | None
    participants: list[AdminParticipant]

    def participant(self, member: int) -> AdminParticipant | None:
        return next((p for p in self.participants if p.id == member), None)


REPLY_MODELS: tuple[type[Reply], ...] = (
    SystemInfo,
    LoginResult,
    Me,
    UcSession,
    VoipRegistration,
    RefusedRegistration,
    Connections,
    Forwarding,
    Presence,
    OthersPresence,
    VoipAccount,
    Device,
    AdminUser,
    AdminParticipant,
    AdminConference,
    PresenceOptions,
    Phone,
    DirectoryHit,
    DirectoryInfo,
    SearchResult,
    PersonalContact,
    PersonalContacts,
    ImportResult,
    Favorite,
    FavoriteGroup,
    Favorites,
    PictureInfo,
)


T = TypeVar("T")


def _validated(adapter: TypeAdapter[T], body: Any, what: str) -> T:
    try:
        return adapter.validate_python(body)
    except ValidationError as exc:
        raise UcApiError(200, "bad_reply", f"{what}: unexpected reply ({exc.error_count()} problems)") from None


def tls_context(ca_file: str | Path | None) -> ssl.SSLContext | bool:
    """Verification against the lab CA file; None turns verification off (lab only)."""
    if ca_file is None:
        return False
    path = Path(ca_file)
    if not path.is_file():
        raise FileNotFoundError(f"CA file {path} does not exist; give the lab CA (PEM) or verify=False")
    ctx = ssl.create_default_context(cafile=str(path))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


SocketFactory = Callable[[], socket.socket]
Resolver = Callable[[str], Awaitable[str]]
"""host name -> IPv4 address, as a lab host's resolver answers it (simulators/net/dns.py)"""


def _is_address(host: str) -> bool:
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return host.count(".") == 3


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's view of an anyio byte stream (plain TCP or TLS over it)."""

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            with anyio.fail_after(timeout):
                return await self._stream.receive(max_bytes)
        except anyio.EndOfStream:
            return b""
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except (OSError, anyio.BrokenResourceError, ssl.SSLError) as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            with anyio.fail_after(timeout):
                await self._stream.send(buffer)
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except (OSError, anyio.BrokenResourceError, ssl.SSLError) as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                tls = await TLSStream.wrap(
                    self._stream, hostname=server_hostname, ssl_context=ssl_context, standard_compatible=False
                )
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, anyio.BrokenResourceError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        return _Stream(tls)

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._stream.extra(TLSAttribute.ssl_object, None)
        if info == "is_readable":
            # httpcore asks before it reuses an idle connection: readable while idle means
            # the server closed it (or sent what nobody asked for), so it is not reused
            sock = self._stream.extra(SocketAttribute.raw_socket, None)
            return sock is not None and bool(select.select([sock], [], [], 0)[0])
        return None


class _FactoryBackend(httpcore.AsyncNetworkBackend):
    """TCP connections from sockets the factory makes (e.g. inside a lab host's namespace)."""

    def __init__(self, factory: SocketFactory, resolve: Resolver | None = None) -> None:
        self._factory = factory
        self._resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        if not _is_address(host):
            if self._resolve is None:
                raise httpcore.ConnectError(f"{host}: a lab host's client resolves names only through a lab DNS server")
            try:
                host = await self._resolve(host)
            except Exception as exc:  # the resolver's own message says what the server answered
                raise httpcore.ConnectError(f"{host}: {exc}") from exc
        sock = self._factory()
        sock.setblocking(False)
        try:
            async with asyncio.timeout(timeout):
                await asyncio.get_running_loop().sock_connect(sock, (host, port))
        except TimeoutError as exc:
            sock.close()
            raise httpcore.ConnectTimeout(f"no answer from {host}:{port} within {timeout} s") from exc
        except OSError as exc:
            sock.close()
            raise httpcore.ConnectError(f"{host}:{port}: {exc.strerror or exc}") from exc
        return _Stream(await anyio.abc.SocketStream.from_socket(sock))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("a lab host's client connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _FactoryTransport(httpx.AsyncHTTPTransport):
    def __init__(self, verify: bool | ssl.SSLContext, factory: SocketFactory, resolve: Resolver | None = None) -> None:
        super().__init__(verify=verify, trust_env=False)
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        # httpx 0.28 builds its pool without a way to pass a network backend; replace it, with
        # httpx's limits: httpcore's own default keeps idle connections forever, and one the
        # server closed meanwhile (UC API keep-alive 30 s, asgi.py) failed the next request
        # with "Server disconnected without sending a response"
        limits = httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            network_backend=_FactoryBackend(factory, resolve),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )


class UcApi:
    """One UC client's connection to the system's UC API (one session at a time)."""

    def __init__(
        self,
        base_url: str,
        *,
        verify: bool | str | Path | ssl.SSLContext = True,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: httpx.AsyncBaseTransport | None = None,
        client: str = AT_WORK,
        socket_factory: SocketFactory | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        """`verify`: True (system CAs), a CA file path (the lab CA), an SSLContext, or False.
        `socket_factory`: make every TCP connection from its sockets (a client in a lab host);
        `resolve`: how that client turns a server name into an address (a lab DNS server)."""
        if isinstance(verify, str | Path):
            verify = tls_context(verify)
        if socket_factory is not None:
            transport = _FactoryTransport(verify, socket_factory, resolve)
        self.base_url = base_url.rstrip("/")
        self.client_kind = client
        self.token: str | None = None
        self._http = httpx.AsyncClient(
            base_url=self.base_url, verify=verify, timeout=httpx.Timeout(timeout), transport=transport
        )

    async def __aenter__(self) -> UcApi:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------ plumbing

    async def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        auth: bool = True,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        media_type: str | None = None,
    ) -> httpx.Response:
        """One request as sent (no status check); UcApiUnreachable when no answer comes.
        `content` sends raw bytes (a file) as `media_type` instead of `json`."""
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        if media_type is not None:
            headers["Content-Type"] = media_type
        try:
            return await self._http.request(method, path, json=json, headers=headers, params=params, content=content)
        except (httpx.TimeoutException, httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            raise UcApiUnreachable(f"{type(exc).__name__}: {exc} ({self.base_url}{path})") from None

    async def _call(self, method: str, path: str, json: Any = None, *, auth: bool = True, **kw: Any) -> Any:
        response = await self.request(method, path, json, auth=auth, **kw)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            if isinstance(body, dict) and "error" in body and "message" in body:
                raise UcApiError(
                    response.status_code,
                    str(body["error"]),
                    str(body["message"]),
                    tuple(str(v) for v in body.get("violations", [])),
                )
            raise UcApiError(response.status_code, "http_error", response.text[:500] or response.reason_phrase)
        if body is None:
            raise UcApiError(response.status_code, "bad_reply", f"{method} {path}: the reply is not JSON")
        return body

    async def _typed(
        self, model: type[M], method: str, path: str, json: Any = None, *, auth: bool = True, **kw: Any
    ) -> M:
        return _validated(TypeAdapter(model), await self._call(method, path, json, auth=auth, **kw), f"{method} {path}")

    async def _typed_list(self, model: type[M], path: str) -> list[M]:
        return _validated(TypeAdapter(list[model]), await self._call("GET", path), f"GET {path}")  # type: ignore[valid-type]

    async def _message(self, method: str, path: str, json: Any = None) -> str:
        body = await self._call(method, path, json)
        return str(body.get("message", "")) if isinstance(body, dict) else ""

    async def _bytes(self, path: str) -> tuple[str, bytes]:
        """(media type, body) of a GET that answers with a file."""
        response = await self.request("GET", path)
        if response.status_code >= 400:
            await self._call("GET", path)  # raises with the server's error
        return response.headers.get("content-type", ""), response.content

    # ------------------------------------------------------------ system and session

    async def system(self) -> SystemInfo:
        return await self._typed(SystemInfo, "GET", "/api/v1/system", auth=False)

    async def login(self, user: str, password: str, *, client: str | None = None) -> LoginResult:
        """Log in with the internal number (000:326); keeps the session token."""
        result = await self._typed(
            LoginResult,
            "POST",
            "/api/v1/login",
            {"user": user, "password": password, "client": client or self.client_kind},
            auth=False,
        )
        self.token = result.token
        return result

    async def logout(self) -> None:
        await self._call("POST", "/api/v1/logout")
        self.token = None

    async def me(self) -> Me:
        return await self._typed(Me, "GET", "/api/v1/me")

    async def change_password(self, new: str, *, repeat: str | None = None, old: str | None = None) -> str:
        """UC Smart: pass `old`; UC Suite: leave it out (000:1864-1882). Returns the server's message."""
        body: dict[str, Any] = {"new_password": new, "repeat_password": new if repeat is None else repeat}
        if old is not None:
            body["old_password"] = old
        return await self._message("POST", "/api/v1/password", body)

    async def connections(self) -> Connections:
        return await self._typed(Connections, "GET", "/api/v1/connections")

    # ------------------------------------------------------------ presence

    async def presence(self) -> Presence:
        return await self._typed(Presence, "GET", "/api/v1/presence")

    async def set_presence(
        self,
        status: str,
        *,
        return_time: datetime | None = None,
        info_text: str | None = None,
        forward_to: str | None = None,
        external_number: str | None = None,
    ) -> Presence:
        body: dict[str, Any] = {"status": status}
        if return_time is not None:
            body["return_time"] = return_time.isoformat()
        if info_text is not None:
            body["info_text"] = info_text
        if forward_to is not None:
            body["forward_to"] = forward_to
        if external_number is not None:
            body["external_number"] = external_number
        return await self._typed(Presence, "PUT", "/api/v1/presence", body)

    async def set_visibility(self, visibility: str) -> Presence:
        return await self._typed(Presence, "PUT", "/api/v1/presence/visibility", {"visibility": visibility})

    async def presence_of(self, number: str) -> OthersPresence:
        return await self._typed(OthersPresence, "GET", f"/api/v1/users/{number}/presence")

    async def presence_options(self) -> PresenceOptions:
        return await self._typed(PresenceOptions, "GET", "/api/v1/presence/options")

    # ------------------------------------------------------------ directories and personal contacts

    async def directories(self) -> list[DirectoryInfo]:
        return await self._typed_list(DirectoryInfo, "/api/v1/directories")

    async def search(self, q: str, *, directory: str | None = None, limit: int | None = None) -> SearchResult:
        """Search the directories by name or initial letters (000:558-575)."""
        params: dict[str, Any] = {"q": q}
        if directory is not None:
            params["directory"] = directory
        if limit is not None:
            params["limit"] = limit
        return await self._typed(SearchResult, "GET", "/api/v1/directories/search", params=params)

    async def dial_search(self, q: str, *, limit: int | None = None) -> SearchResult:
        """Call by name: the entries the Search/Dial field lists (000:1144-1152, REL-SEARCH)."""
        params: dict[str, Any] = {"q": q} if limit is None else {"q": q, "limit": limit}
        return await self._typed(SearchResult, "GET", "/api/v1/dial/search", params=params)

    async def contacts(self) -> PersonalContacts:
        return await self._typed(PersonalContacts, "GET", "/api/v1/contacts")

    async def contact(self, contact_id: str) -> PersonalContact:
        return await self._typed(PersonalContact, "GET", f"/api/v1/contacts/{contact_id}")

    async def add_contact(self, name: str, **fields: str | None) -> PersonalContact:
        """fields: business, mobile, private, email."""
        return await self._typed(PersonalContact, "POST", "/api/v1/contacts", {"name": name, **fields})

    async def update_contact(self, contact_id: str, name: str, **fields: str | None) -> PersonalContact:
        return await self._typed(PersonalContact, "PUT", f"/api/v1/contacts/{contact_id}", {"name": name, **fields})

    async def delete_contact(self, contact_id: str) -> str:
        return await self._message("DELETE", f"/api/v1/contacts/{contact_id}")

    async def import_contacts(self, data: bytes, format: str, *, encoding: str | None = None) -> ImportResult:
        """Import a CSV or XML file (000:1950-1963); `encoding` utf-8 (default) or windows-1252."""
        params = {"format": format} if encoding is None else {"format": format, "encoding": encoding}
        media = "text/csv" if format == "csv" else "application/xml"
        return await self._typed(
            ImportResult, "POST", "/api/v1/contacts/import", params=params, content=data, media_type=media
        )

    # ------------------------------------------------------------ favorites

    async def favorites(self) -> Favorites:
        return await self._typed(Favorites, "GET", "/api/v1/favorites")

    async def create_group(self, name: str) -> FavoriteGroup:
        return await self._typed(FavoriteGroup, "POST", "/api/v1/favorites/groups", {"name": name})

    async def rename_group(self, group_id: int, name: str) -> FavoriteGroup:
        return await self._typed(FavoriteGroup, "PUT", f"/api/v1/favorites/groups/{group_id}", {"name": name})

    async def delete_group(self, group_id: int) -> str:
        return await self._message("DELETE", f"/api/v1/favorites/groups/{group_id}")

    async def add_favorite(self, group_id: int, directory: str, contact_id: str) -> Favorite:
        body = {"directory": directory, "contact_id": contact_id}
        return await self._typed(Favorite, "POST", f"/api/v1/favorites/groups/{group_id}/entries", body)

    async def remove_favorite(self, group_id: int, favorite_id: int) -> str:
        return await self._message("DELETE", f"/api/v1/favorites/groups/{group_id}/entries/{favorite_id}")

    # ------------------------------------------------------------ own contact data

    async def own_contact(self) -> OwnContact:
        """Your contact data as others see it (000:1726)."""
        return await self._typed(OwnContact, "GET", "/api/v1/me/contact")

    async def change_own_contact(self, **fields: str | None) -> OwnContact:
        """Change (a value) or delete ("" or None) mobile, home, email (000:1733)."""
        return await self._typed(OwnContact, "PATCH", "/api/v1/me/contact", fields)

    # ------------------------------------------------------------ own picture

    async def upload_picture(self, data: bytes, media_type: str = "image/png") -> PictureInfo:
        return await self._typed(PictureInfo, "PUT", "/api/v1/picture", content=data, media_type=media_type)

    async def picture(self) -> tuple[str, bytes]:
        """(media type, bytes) of your stored picture."""
        return await self._bytes("/api/v1/picture")

    async def picture_of(self, number: str) -> tuple[str, bytes]:
        return await self._bytes(f"/api/v1/users/{number}/picture")

    async def delete_picture(self) -> str:
        return await self._message("DELETE", "/api/v1/picture")

    # ------------------------------------------------------------ voicemail PIN

    async def change_pin(self, old: str, new: str, *, repeat: str | None = None) -> str:
        body = {"old_pin": old, "new_pin": new, "repeat_pin": new if repeat is None else repeat}
        return await self._message("POST", "/api/v1/voicemail/pin", body)

    async def change_preassigned_pin(self, preassigned: str, new: str, *, repeat: str | None = None) -> str:
        body = {"preassigned_pin": preassigned, "new_pin": new, "repeat_pin": new if repeat is None else repeat}
        return await self._message("POST", "/api/v1/voicemail/preassigned-pin", body)

    # ------------------------------------------------------------ VoIP

    async def voice_messages(self) -> list[VoiceMessage]:
        body = await self._call("GET", "/api/v1/voicemail/messages")
        return _validated(TypeAdapter(list[VoiceMessage]), body["messages"], "GET /api/v1/voicemail/messages")

    async def voice_message_audio(self, message_id: int) -> bytes:
        """The recording as WAV (fetching it plays it: it is then deleted after the retention)."""
        return (await self._bytes(f"/api/v1/voicemail/messages/{message_id}/audio"))[1]

    async def make_call(self, to: str) -> CtiCalling:
        """Dial `to` from the associated desk phone (CTI, NET-1.1): the system rings it first."""
        return await self._typed(CtiCalling, "POST", "/api/v1/calls", {"to": to})

    async def redial(self) -> list[str]:
        """The 10 last dialled numbers, newest first (UC-CALL-5, 000:1253)."""
        body = await self._call("GET", "/api/v1/redial")
        return _validated(TypeAdapter(list[str]), body["numbers"], "GET /api/v1/redial")

    async def conversations(self) -> list[Conversation]:
        """Your conversations, newest first (UC-CONV-1)."""
        return (await self.conversation_list()).conversations

    async def conversation_list(self) -> ConversationList:
        """Your conversations with the unread counters (UC-CONV-4, 000:378, 000:900, 000:417)."""
        return await self._typed(ConversationList, "GET", "/api/v1/conversations")

    async def mark_conversations_read(self) -> int:
        """Select the conversations: their notifications are marked as read (000:415); how many were unread."""
        return int((await self._call("POST", "/api/v1/conversations/read"))["marked"])

    async def delete_conversations(self) -> Deleted:
        """Delete all conversations (000:942)."""
        return await self._typed(Deleted, "DELETE", "/api/v1/conversations")

    async def delete_conversation(self, party: str) -> Deleted:
        """Delete the whole conversation with `party` (000:953)."""
        return await self._typed(Deleted, "DELETE", f"/api/v1/conversations/{quote(party, safe='')}")

    async def delete_conversation_entry(self, entry_id: int) -> Deleted:
        """Delete one entry: a call, a chat message or a voice message (000:965)."""
        return await self._typed(Deleted, "DELETE", f"/api/v1/conversations/entries/{entry_id}")

    async def save_entry_as_contact(self, entry_id: int, name: str, **fields: str) -> PersonalContact:
        """Add to Personal Contacts from a conversation entry (000:924-925): `name` and the other
        fields completed in the window (business, mobile, private, email); business defaults to the party."""
        return await self._typed(
            PersonalContact, "POST", f"/api/v1/conversations/entries/{entry_id}/contact", {"name": name, **fields}
        )

    async def send_message(self, to: str, text: str) -> ConversationEntry:
        """Send an instant message to the UC user `to` (000:985-986): your chat entry."""
        return await self._typed(ConversationEntry, "POST", "/api/v1/messages", {"to": to, "text": text})

    async def callme(self) -> CallMe:
        return await self._typed(CallMe, "GET", "/api/v1/callme")

    async def set_callme(self, destination: str) -> CallMe:
        return await self._typed(CallMe, "PUT", "/api/v1/callme", {"destination": destination})

    async def callme_call(self, to: str) -> CallMeCalling:
        """CallMe outbound: the system calls you at the CallMe destination, then `to` (UC-CALLME-2)."""
        return await self._typed(CallMeCalling, "POST", "/api/v1/callme/calls", {"to": to})

    async def delete_callme(self) -> CallMe:
        return await self._typed(CallMe, "DELETE", "/api/v1/callme")

    async def conference(self) -> PhoneConference:
        """The Call window's Conference button: your held and your active call become one
        phone-controlled conference, or the other party joins it (UC-CONF-1, 000:1331-1339)."""
        return await self._typed(PhoneConference, "POST", "/api/v1/calls/conference")

    async def enable_voip(self, controlled_device: str | None = None) -> VoipAccount:
        body = {} if controlled_device is None else {"controlled_device": controlled_device}
        return await self._typed(VoipAccount, "POST", "/api/v1/voip/enable", body)

    async def disable_voip(self) -> str:
        return await self._message("POST", "/api/v1/voip/disable")

    # ------------------------------------------------------------ administrator (read-only)

    async def admin_login(self, password: str) -> None:
        body = await self._call("POST", "/api/v1/admin/login", {"password": password}, auth=False)
        self.token = str(body["token"])

    async def admin_users(self) -> list[AdminUser]:
        return await self._typed_list(AdminUser, "/api/v1/admin/users")

    async def admin_devices(self) -> list[Device]:
        return await self._typed_list(Device, "/api/v1/admin/devices")

    async def admin_connections(self) -> Connections:
        return await self._typed(Connections, "GET", "/api/v1/admin/connections")

    async def admin_conferences(self) -> list[AdminConference]:
        return await self._typed_list(AdminConference, "/api/v1/admin/conferences")

    async def admin_conference(self, conference: int) -> AdminConference:
        """One MeetMe conference as the administrator sees it (LookupError if there is none)."""
        found = [c for c in await self.admin_conferences() if c.id == conference]
        if not found:
            raise LookupError(f"the administrator sees no conference {conference}")
        return found[0]


# -------------------------------------------------------------------- server connections (UC-LOGIN-1)


@dataclass(frozen=True)
class Tried:
    attempt: Attempt
    answered: bool
    reason: str = ""


@dataclass
class ServerLogin:
    """A login through a server connection: the client, its session and what was tried."""

    api: UcApi
    result: LoginResult
    attempt: Attempt
    tried: list[Tried] = field(default_factory=list)


async def login_through(
    connections: ServerConnections,
    index: int,
    password: str,
    make_api: Callable[[str], UcApi],
) -> ServerLogin:
    """Log in with server connection `index` as myPortal @work does: its LAN address, then its WAN
    address (004:125); the first server that answers decides, so a refusal (e.g. a wrong password)
    is raised, not retried elsewhere. When no address answers: UcApiUnreachable, whose message is
    the client's "Connection Time out" (000:361, TRB-4). `make_api(base_url)` builds the client."""
    conn = connections.get(index)
    tried: list[Tried] = []
    for attempt in connections.attempts(index):
        api = make_api(f"https://{attempt.address}")
        try:
            result = await api.login(conn.user, password)
        except UcApiUnreachable as exc:
            tried.append(Tried(attempt, False, exc.reason))
            await api.aclose()
            continue
        except BaseException:
            await api.aclose()
            raise
        tried.append(Tried(attempt, True))
        return ServerLogin(api, result, attempt, tried)
    raise UcApiUnreachable("; ".join(f"{t.attempt.network.upper()} {t.attempt.address}: {t.reason}" for t in tried))
