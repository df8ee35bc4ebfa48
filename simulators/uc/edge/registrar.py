"""Registration events between Kamailio and the stub state (TRB-2), over evapi.

Kamailio suspends every REGISTER (with expires > 0) that passed digest authentication and
sends a `claim` event (device, Contact, source, transport, Call-ID, expires) over evapi (netstring-framed JSON on 127.0.0.1 inside the system
host); the UC server asks the state (`State.claim_registration`: the first registration
holds the station, rules/registrations.py) and answers; Kamailio resumes the
transaction and either saves the contact or refuses with the decision's code, reason and
Retry-After. Un-REGISTERs, expiries and closed front-door connections release the station.
+sip.instance is not used: every pjsua2 agent of a lab machine sends the same one (pjsua
derives it from the host), so it would make two clients look like one.

Registrations do not survive a restart of the stub: Kamailio keeps its location in memory,
so the UC server drops the state's registrations when it starts and devices register
again (users, passwords, PINs and presence do persist in the state).

`decide` / `release` are pure mappings (event dict -> state call -> reply dict), unit-tested
with a stand-in state; `EvapiLink` is the asyncio connection to Kamailio.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("uclab.uc.registrar")
MAX_NETSTRING = 1 << 20


class Decision(Protocol):
    @property
    def accepted(self) -> bool: ...

    @property
    def sip_code(self) -> int: ...

    @property
    def sip_reason(self) -> str: ...

    @property
    def retry_after_s(self) -> float: ...


class RegistrationState(Protocol):
    def claim_registration(
        self,
        device_username: str,
        contact: str,
        source_address: str,
        transport: str,
        *,
        expires_s: float | None = None,
        call_id: str | None = None,
    ) -> Decision: ...

    def release_registration(
        self,
        device_username: str,
        contact: str | None = None,
        *,
        source_address: str | None = None,
        transport: str | None = None,
        call_id: str | None = None,
    ) -> bool: ...


def wire_transport(kamailio_transport: str) -> str:
    """What the device speaks: the front door's clients speak TLS (Kamailio sees TCP)."""
    t = kamailio_transport.lower()
    return "tls" if t == "door" else t


def granted_expires(requested: str | None, min_s: int, max_s: int) -> int:
    try:
        value = int(str(requested or "").strip())
    except ValueError:
        return max_s
    return max(min_s, min(max_s, value))


def decide(state: RegistrationState, event: dict[str, Any], min_s: int, max_s: int) -> dict[str, Any]:
    """The answer to a `claim` event: accept, or reject with code, reason and Retry-After."""
    base = {"tindex": event.get("tindex"), "tlabel": event.get("tlabel")}
    try:
        decision = state.claim_registration(
            str(event["device"]),
            str(event.get("contact", "")),
            str(event.get("source", "")),
            wire_transport(str(event.get("transport", ""))),
            expires_s=granted_expires(event.get("expires"), min_s, max_s),
            call_id=str(event.get("call_id") or "") or None,
        )
    except KeyError as exc:
        return {**base, "action": "reject", "code": 400, "reason": f"Bad claim: no {exc.args[0]}"}
    except Exception as exc:
        log.warning("claim %s refused: %s", event.get("device"), exc)
        return {**base, "action": "reject", "code": 403, "reason": "Unknown device"}
    if decision.accepted:
        return {**base, "action": "accept"}
    return {
        **base,
        "action": "reject",
        "code": decision.sip_code,
        "reason": decision.sip_reason.replace("\r", " ").replace("\n", " "),
        "retry_after": max(1, round(decision.retry_after_s)),
    }


def release(state: RegistrationState, event: dict[str, Any]) -> bool:
    """An `unregister` (the holder's own, checked by the state) or `expired` event."""
    device = str(event.get("device", ""))
    if not device:
        return False
    try:
        if event.get("event") == "expired":
            return state.release_registration(device)
        return state.release_registration(
            device,
            str(event.get("contact", "")) or None,
            source_address=str(event.get("source", "")) or None,
            transport=wire_transport(str(event.get("transport", ""))),
            call_id=str(event.get("call_id") or "") or None,
        )
    except Exception as exc:
        log.warning("release of %s failed: %s", device, exc)
        return False


def netstring(payload: bytes) -> bytes:
    return str(len(payload)).encode() + b":" + payload + b","


class NetstringReader:
    """Incremental netstring decoder (evapi's framing)."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        out: list[bytes] = []
        while True:
            colon = self.buffer.find(b":")
            if colon < 0:
                if len(self.buffer) > 12:
                    raise ValueError("evapi: netstring length missing")
                return out
            try:
                size = int(self.buffer[:colon])
            except ValueError:
                raise ValueError(f"evapi: bad netstring length {self.buffer[:colon][:20]!r}") from None
            if size < 0 or size > MAX_NETSTRING:
                raise ValueError(f"evapi: netstring of {size} bytes")
            end = colon + 1 + size
            if len(self.buffer) < end + 1:
                return out
            if self.buffer[end : end + 1] != b",":
                raise ValueError("evapi: netstring not terminated by ','")
            out.append(self.buffer[colon + 1 : end])
            self.buffer = self.buffer[end + 1 :]


class EvapiLink:
    """The UC server's connection to Kamailio's evapi socket."""

    def __init__(
        self,
        host: str,
        port: int,
        handle: Callable[[dict[str, Any]], dict[str, Any] | None],
    ) -> None:
        self.host = host
        self.port = port
        self.handle = handle
        self.writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.Event()
        self.reader_task: asyncio.Future[None] | None = None
        self.events = 0

    async def connect(self, timeout: float = 10.0, retry_s: float = 0.02) -> None:
        """Connect, retrying while Kamailio (started at the same time) is not listening yet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                reader, self.writer = await asyncio.open_connection(self.host, self.port)
                break
            except OSError as exc:
                if loop.time() > deadline:
                    raise ConnectionError(f"Kamailio evapi {self.host}:{self.port} not reachable: {exc}") from exc
                await asyncio.sleep(retry_s)
        self.connected.set()
        self.reader_task = asyncio.ensure_future(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        frames = NetstringReader()
        try:
            while data := await reader.read(65536):
                for raw in frames.feed(data):
                    self.events += 1
                    try:
                        event = json.loads(raw)
                    except ValueError:
                        log.warning("evapi: not JSON: %r", raw[:200])
                        continue
                    answer = await asyncio.to_thread(self.handle, event)
                    if answer is not None and self.writer is not None:
                        self.writer.write(netstring(json.dumps(answer).encode()))
        except (ConnectionError, ValueError) as exc:
            log.error("evapi link broken: %s", exc)
        finally:
            self.connected.clear()
            log.warning("evapi link to Kamailio closed")

    async def wait_closed(self) -> None:
        """Until the link to Kamailio is gone (Kamailio stopped or died)."""
        if self.reader_task is not None:
            await asyncio.shield(self.reader_task)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
