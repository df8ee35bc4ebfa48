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
"""

from __future__ import annotations

import ssl
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

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
    ) -> None:
        """`verify`: True (system CAs), a CA file path (the lab CA), an SSLContext, or False."""
        if isinstance(verify, str | Path):
            verify = tls_context(verify)
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

    async def request(self, method: str, path: str, json: Any = None, *, auth: bool = True) -> httpx.Response:
        """One request as sent (no status check); UcApiUnreachable when no answer comes."""
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        try:
            return await self._http.request(method, path, json=json, headers=headers)
        except (httpx.TimeoutException, httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            raise UcApiUnreachable(f"{type(exc).__name__}: {exc} ({self.base_url}{path})") from None

    async def _call(self, method: str, path: str, json: Any = None, *, auth: bool = True) -> Any:
        response = await self.request(method, path, json, auth=auth)
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

    async def _typed(self, model: type[M], method: str, path: str, json: Any = None, *, auth: bool = True) -> M:
        return _validated(TypeAdapter(model), await self._call(method, path, json, auth=auth), f"{method} {path}")

    async def _typed_list(self, model: type[M], path: str) -> list[M]:
        return _validated(TypeAdapter(list[model]), await self._call("GET", path), f"GET {path}")  # type: ignore[valid-type]

    async def _message(self, method: str, path: str, json: Any = None) -> str:
        body = await self._call(method, path, json)
        return str(body.get("message", "")) if isinstance(body, dict) else ""

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

    # ------------------------------------------------------------ voicemail PIN

    async def change_pin(self, old: str, new: str, *, repeat: str | None = None) -> str:
        body = {"old_pin": old, "new_pin": new, "repeat_pin": new if repeat is None else repeat}
        return await self._message("POST", "/api/v1/voicemail/pin", body)

    async def change_preassigned_pin(self, preassigned: str, new: str, *, repeat: str | None = None) -> str:
        body = {"preassigned_pin": preassigned, "new_pin": new, "repeat_pin": new if repeat is None else repeat}
        return await self._message("POST", "/api/v1/voicemail/preassigned-pin", body)

    # ------------------------------------------------------------ VoIP

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
