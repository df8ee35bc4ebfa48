"""Control sockets of the stub's processes: newline-delimited JSON over Unix stream sockets.

    request   {"id": 3, "op": "calls"}
    response  {"id": 3, "ok": true, "result": {...}}
              {"id": 3, "ok": false, "error": "unknown op 'dance'; ops: calls, status, ..."}

Control never crosses the simulated network: the sockets live in the run directory.
`serve(path, handlers)` runs a server in the current event loop; `ControlClient` is the
asyncio client (`ask` for one request on a connection of its own) (the UC API's call core client, the call core's supervisor, the stub's
harness) with a timeout on every request. A malformed request gets an error answer
(`ControlRefused` at the client); the server keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("uclab.uc.control")
Handler = Callable[[dict[str, Any]], Awaitable[Any]]
MAX_SOCKET_PATH = 107
LIMIT = 8 << 20


CORE_SOCKET = "core.sock"
"""the call core's control socket, in the stub's run directory next to its state file"""


class ControlError(RuntimeError):
    """A control request failed or got no answer; the message says which and why."""


class ControlRefused(ControlError):
    """The process answered, with an error: it was reached but could not carry the request out."""

    def __init__(self, message: str, error: str) -> None:
        super().__init__(message)
        self.error = error
        """the process's own words"""


def check_path(path: Path) -> Path:
    if len(str(path)) > MAX_SOCKET_PATH:
        raise ControlError(f"control socket path {path} exceeds {MAX_SOCKET_PATH} bytes; use a shorter directory")
    return path


async def serve(path: Path, handlers: dict[str, Handler]) -> asyncio.AbstractServer:
    check_path(path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                writer.write(await _answer(line, handlers))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    return await asyncio.start_unix_server(client, str(path), limit=LIMIT)


async def _answer(line: bytes, handlers: dict[str, Handler]) -> bytes:
    rid: Any = None
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            raise ValueError("a request is a JSON object")
        rid = req.get("id")
        op = req.get("op")
        handler = handlers.get(str(op))
        if handler is None:
            raise ValueError(f"unknown op {op!r}; ops: {', '.join(sorted(handlers))}")
        result = await handler(req)
        reply: dict[str, Any] = {"id": rid, "ok": True, "result": result}
    except Exception as exc:
        reply = {"id": rid, "ok": False, "error": str(exc) or type(exc).__name__}
    return (json.dumps(reply, default=str) + "\n").encode()


class ControlClient:
    def __init__(self, path: Path, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.path = path
        self.reader = reader
        self.writer = writer
        self._next = 0
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: Path, timeout: float = 5.0) -> ControlClient:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path), limit=LIMIT), timeout)
        except (OSError, TimeoutError) as exc:
            raise ControlError(f"cannot connect to control socket {path}: {exc}") from exc
        return cls(path, reader, writer)

    async def request(self, op: str, timeout: float = 5.0, **params: Any) -> Any:
        async with self._lock:
            self._next += 1
            rid = self._next
            self.writer.write((json.dumps({"id": rid, "op": op, **params}) + "\n").encode())
            try:
                await self.writer.drain()
                line = await asyncio.wait_for(self.reader.readline(), timeout)
            except (OSError, TimeoutError) as exc:
                raise ControlError(f"{self.path.name}: {op} got no answer within {timeout}s ({exc!r})") from exc
        if not line:
            raise ControlError(f"{self.path.name}: connection closed during {op}")
        reply = json.loads(line)
        if not reply.get("ok"):
            error = str(reply.get("error"))
            raise ControlRefused(f"{self.path.name}: {op}: {error}", error)
        return reply.get("result")

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


async def ask(path: Path, op: str, timeout: float = 5.0, connect_timeout: float = 5.0, **params: Any) -> Any:
    """One request on a connection of its own, closed after the answer."""
    client = await ControlClient.connect(path, connect_timeout)
    try:
        return await client.request(op, timeout, **params)
    finally:
        await client.close()
