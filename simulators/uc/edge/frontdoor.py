"""The front door on TCP 8802: TLS, then HTTP to the UC API or SIP to Kamailio (RULES PORT-1).

One port carries UC and VoIP signalling (004:270-276), and it is the only port the office
router forwards for Internet users (004:236-250). After the TLS handshake (TLS 1.2+, lab
CA) the door reads the first request line (`sniff.classify`):

- HTTP: the connection is handed to an HTTP protocol (uvicorn's, serving the UC API in the
  same event loop; `asgi.HttpHandoff`). The app sees scheme "https" and the real client
  address in the ASGI scope.
- SIP: the door opens TCP to Kamailio's internal listener (127.0.0.1:5090), writes a PROXY
  v1 header naming the client's real address and the local 8802 address, then what it has
  read, and splices both ways. Kamailio records the client's (public) address and sends
  replies and INVITEs back down the same connection, so a client behind NAT with only 8802
  forwarded can register and be called (004:236-250).
- Anything else: closed, with a log line.

Every connection is recorded in `ConnectionRegistry` (client, kind, TLS version, first
line, bytes, open/close times) for the UC API's open-connections view (TRB-2).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import sniff

log = logging.getLogger("uclab.uc.door")
FIRST_LINE_TIMEOUT_S = 10.0
MAX_PENDING_BYTES = 1 << 20


@dataclass
class DoorConnection:
    id: int
    client: tuple[str, int]
    local: tuple[str, int]
    port: int
    tls: str | None
    opened: float
    kind: str = "pending"
    first_line: str = ""
    bytes_in: int = 0
    bytes_out: int = 0
    closed: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client": f"{self.client[0]}:{self.client[1]}",
            "local": f"{self.local[0]}:{self.local[1]}",
            "tls": self.tls,
            "kind": self.kind,
            "first_line": self.first_line,
            "opened": self.opened,
            "closed": self.closed,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "note": self.note,
        }


@dataclass
class ConnectionRegistry:
    """Open (and recently closed) connections of the front door."""

    keep_closed: int = 200
    clock: Callable[[], float] = time.time
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _open: dict[int, DoorConnection] = field(default_factory=dict)
    _closed: list[DoorConnection] = field(default_factory=list)
    on_close: list[Callable[[DoorConnection], None]] = field(default_factory=list)

    def open(self, client: tuple[str, int], local: tuple[str, int], tls: str | None) -> DoorConnection:
        conn = DoorConnection(next(self._ids), client, local, local[1], tls, self.clock())
        self._open[conn.id] = conn
        return conn

    def close(self, conn: DoorConnection) -> None:
        if self._open.pop(conn.id, None) is None:
            return
        conn.closed = self.clock()
        self._closed.append(conn)
        del self._closed[: -self.keep_closed]
        for fn in list(self.on_close):
            try:
                fn(conn)
            except Exception:
                log.exception("on_close handler failed for connection %s", conn.id)

    def current(self) -> list[DoorConnection]:
        return list(self._open.values())

    def recent(self) -> list[DoorConnection]:
        return list(self._closed)

    def by_client(self, host: str, port: int) -> DoorConnection | None:
        return next((c for c in self._open.values() if c.client == (host, port)), None)


class HttpHandoff(Protocol):
    def protocol(self) -> asyncio.Protocol: ...


def _peer(transport: asyncio.BaseTransport, name: str) -> tuple[str, int]:
    info = transport.get_extra_info(name)
    if isinstance(info, tuple) and len(info) >= 2:
        return str(info[0]), int(info[1])
    return ("0.0.0.0", 0)


class _Upstream(asyncio.Protocol):
    """The TCP connection to Kamailio's door listener, for one client."""

    def __init__(self, door: _Door) -> None:
        self.door = door
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.door.conn.bytes_out += len(data)
        self.door.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.door.conn.note = self.door.conn.note or "closed by Kamailio"
        self.door.transport.close()

    def pause_writing(self) -> None:
        self.door.transport.pause_reading()

    def resume_writing(self) -> None:
        self.door.transport.resume_reading()


class _Door(asyncio.Protocol):
    """One accepted (TLS) connection on 8802 until its first line is known."""

    def __init__(self, front: FrontDoor) -> None:
        self.front = front
        self.buffer = b""
        self.mode = "sniff"
        self.upstream: _Upstream | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.connecting: asyncio.Future[None] | None = None
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.conn: DoorConnection = None  # type: ignore[assignment]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        ssl_obj = transport.get_extra_info("ssl_object")
        version = ssl_obj.version() if isinstance(ssl_obj, ssl.SSLObject) else None
        self.conn = self.front.registry.open(_peer(transport, "peername"), _peer(transport, "sockname"), version)
        loop = asyncio.get_running_loop()
        self.timer = loop.call_later(self.front.first_line_timeout, self._first_line_timeout)

    def _first_line_timeout(self) -> None:
        if self.mode == "sniff":
            self.conn.note = f"no request line within {self.front.first_line_timeout:g}s"
            log.info("door conn %s from %s: %s", self.conn.id, self.conn.client, self.conn.note)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self.conn.bytes_in += len(data)
        if self.mode == "sip":
            if self.upstream is not None and self.upstream.transport is not None:
                self.upstream.transport.write(data)
            else:
                self._hold(data)
            return
        self.buffer += data
        first = sniff.classify(self.buffer)
        if first.kind == "incomplete":
            return
        if self.timer is not None:
            self.timer.cancel()
        self.conn.kind = first.kind
        self.conn.first_line = first.line
        if first.kind == "http" and self.front.http is not None:
            self._to_http()
        elif first.kind == "sip":
            self._to_sip()
        else:
            what = "HTTP, but no UC API is served" if first.kind == "http" else "neither HTTP nor SIP"
            self.conn.kind = "refused"
            self.conn.note = f"first line is {what}: {first.line[:80]!r}"
            log.info("door conn %s from %s refused: %s", self.conn.id, self.conn.client, self.conn.note)
            self.transport.close()

    def _hold(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > MAX_PENDING_BYTES:
            self.conn.note = "client sent more than 1 MiB before Kamailio answered"
            self.transport.close()

    def _to_http(self) -> None:
        assert self.front.http is not None
        proto = self.front.http.protocol()
        self.mode = "http"
        self.transport.set_protocol(proto)
        proto.connection_made(self.transport)
        data, self.buffer = self.buffer, b""
        proto.data_received(data)

    def _to_sip(self) -> None:
        self.mode = "sip"
        header = sniff.proxy_v1(self.conn.client, self.conn.local)
        self.buffer = header + self.buffer
        self.connecting = asyncio.ensure_future(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        host, port = self.front.kamailio
        try:
            _, proto = await loop.create_connection(lambda: _Upstream(self), host, port)
        except OSError as exc:
            self.conn.note = f"Kamailio door listener {host}:{port} unreachable: {exc}"
            log.warning("door conn %s: %s", self.conn.id, self.conn.note)
            self.transport.close()
            return
        if self.transport.is_closing():
            if proto.transport is not None:
                proto.transport.close()
            return
        self.upstream = proto
        assert proto.transport is not None
        data, self.buffer = self.buffer, b""
        proto.transport.write(data)

    def pause_writing(self) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.resume_reading()

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.close()
        if exc is not None and not self.conn.note:
            self.conn.note = f"{type(exc).__name__}: {exc}"
        self.front.registry.close(self.conn)


class FrontDoor:
    def __init__(
        self,
        *,
        kamailio: tuple[str, int],
        http: HttpHandoff | None,
        registry: ConnectionRegistry | None = None,
        first_line_timeout: float = FIRST_LINE_TIMEOUT_S,
    ) -> None:
        self.kamailio = kamailio
        self.http = http
        self.registry = registry or ConnectionRegistry()
        self.first_line_timeout = first_line_timeout
        self.servers: list[asyncio.Server] = []

    async def listen(self, host: str, port: int, ssl_context: ssl.SSLContext | None) -> asyncio.Server:
        """Serve `host:port`; with an SSL context TLS first (8802), without plain (8801)."""
        loop = asyncio.get_running_loop()
        if ssl_context is None:  # asyncio refuses a handshake timeout without TLS
            server = await loop.create_server(lambda: _Door(self), host, port, reuse_address=True)
        else:
            server = await loop.create_server(
                lambda: _Door(self), host, port, ssl=ssl_context, reuse_address=True, ssl_handshake_timeout=10.0
            )
        self.servers.append(server)
        return server

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)
