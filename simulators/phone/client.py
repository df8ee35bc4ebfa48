"""Phone and Call: the typed asyncio client of one agent.

Every request has a timeout; results that complete later (call confirmed, hold done,
transfer accepted, DTMF received) are awaited as events, never polled. Events are kept
in order with a sequence number, so a wait that starts after the event still sees it:

    call = await alice.call(bob)                 # dials and awaits CONFIRMED (bob answers)
    inc = await bob.incoming(timeout=2)          # the IncomingCall event, as a Call
    await inc.answer()
    await call.hold(); await call.retrieve()
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from simulators.pj.tones import Timeline, ToneChange

from . import protocol as p

T = TypeVar("T", bound=BaseModel)
E = TypeVar("E", bound=p.Ev)
DEFAULT_TIMEOUT = 5.0


class PhoneError(RuntimeError):
    """A request failed or an awaited outcome did not come; the message says which and why."""

    def __init__(self, message: str, code: str = "failed") -> None:
        super().__init__(message)
        self.code = code


class Call:
    """One call of one phone, as the client sees it (state from events)."""

    def __init__(self, phone: Phone, call_id: str, direction: str, remote_uri: str = "") -> None:
        self.phone = phone
        self.id = call_id
        self.direction = direction
        self.remote_uri = remote_uri
        self.state = "null"
        self.code = 0
        self.reason = ""
        self.media = "none"
        self.codec = ""
        self.timeline = Timeline()
        self.confirmed_at: float | None = None

    def __repr__(self) -> str:
        return f"<Call {self.phone.name}/{self.id} {self.direction} {self.state} media={self.media}>"

    @property
    def identity(self) -> str:
        """Whom the call reached as the phone was told (the last P-Asserted-Identity of a
        response to it; '' when none carried one)."""
        found = [
            e.identity for e in self.phone.events if isinstance(e, p.CallState) and e.call == self.id and e.identity
        ]
        return found[-1] if found else ""

    def _ev(self, kind: type[E], pred: Callable[[E], bool] = lambda e: True) -> Callable[[p.Ev], bool]:
        return lambda e: isinstance(e, kind) and getattr(e, "call", None) == self.id and pred(e)

    async def _until_state(self, wanted: str, since: int, timeout: float, what: str) -> None:
        ev = await self.phone.wait_event(
            self._ev(p.CallState, lambda e: e.state in (wanted, "disconnected")), timeout, since, what
        )
        assert isinstance(ev, p.CallState)
        if ev.state != wanted:
            raise PhoneError(f"{self.phone.name} call {self.id}: {what} failed, call ended ({ev.code} {ev.reason})")

    async def established(self, timeout: float = DEFAULT_TIMEOUT) -> Call:
        await self._until_state("confirmed", 0, timeout, "waiting for the call to be established")
        return self

    async def disconnected(self, timeout: float = DEFAULT_TIMEOUT) -> p.CallState:
        ev = await self.phone.wait_event(
            self._ev(p.CallState, lambda e: e.state == "disconnected"), timeout, 0, "waiting for the call to end"
        )
        assert isinstance(ev, p.CallState)
        return ev

    async def answer(self, code: int = 200, timeout: float = DEFAULT_TIMEOUT) -> Call:
        mark = self.phone.mark()
        await self.phone.request(p.Answer(call=self.id, code=code), timeout)
        if 200 <= code < 300:
            await self._until_state("confirmed", mark, timeout, f"answering with {code}")
        return self

    async def reject(self, code: int = 486, timeout: float = DEFAULT_TIMEOUT) -> None:
        await self.phone.request(p.Reject(call=self.id, code=code), timeout)
        await self.disconnected(timeout)

    async def deflect(self, target: str | Phone, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Redirect the ringing call (302) to another party (UC-CALL-1 "Deflect")."""
        await self.phone.request(p.Deflect(call=self.id, target=_uri(target)), timeout)
        await self.disconnected(timeout)

    async def hangup(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        if self.state == "disconnected":
            return
        await self.phone.request(p.Hangup(call=self.id), timeout)
        await self.disconnected(timeout)

    async def _media_change(self, req: p.Req, wanted: str, timeout: float, what: str) -> Call:
        mark = self.phone.mark()
        await self.phone.request(req, timeout)
        await self.phone.wait_event(self._ev(p.MediaState, lambda e: e.status == wanted), timeout, mark, what)
        return self

    async def hold(self, timeout: float = DEFAULT_TIMEOUT) -> Call:
        return await self._media_change(p.Hold(call=self.id), "local_hold", timeout, "putting the call on hold")

    async def retrieve(self, timeout: float = DEFAULT_TIMEOUT) -> Call:
        return await self._media_change(p.Retrieve(call=self.id), "active", timeout, "retrieving the call")

    async def mute(self, on: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        await self.phone.request(p.Mute(call=self.id, on=on), timeout)

    async def _transfer_done(self, mark: int, timeout: float) -> None:
        ev = await self.phone.wait_event(
            self._ev(p.TransferStatus, lambda e: e.final), timeout, mark, "waiting for the transfer's final NOTIFY"
        )
        assert isinstance(ev, p.TransferStatus)
        if not 200 <= ev.code < 300:
            raise PhoneError(f"{self.phone.name} call {self.id}: transfer failed: {ev.code} {ev.reason}")
        await self.hangup(timeout)

    async def transfer(self, target: str | Phone, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Blind transfer: REFER the peer to `target`, await success, then leave the call."""
        mark = self.phone.mark()
        await self.phone.request(p.Transfer(call=self.id, target=_uri(target)), timeout)
        await self._transfer_done(mark, timeout)

    async def transfer_attended(self, to: Call, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Attended transfer after consultation: this call's peer replaces `to`'s peer's call."""
        mark = self.phone.mark()
        await self.phone.request(p.TransferAttended(call=self.id, to=to.id), timeout)
        await self._transfer_done(mark, timeout)
        await to.disconnected(timeout)

    async def send_dtmf(self, digits: str, method: str = "rfc4733", timeout: float = DEFAULT_TIMEOUT) -> None:
        await self.phone.request(p.SendDtmf(call=self.id, digits=digits, method=method), timeout)

    async def dtmf_received(self, count: int, timeout: float = DEFAULT_TIMEOUT, since: int = 0) -> list[p.DtmfEvent]:
        """The first `count` DTMF digits received on this call (after event `since`)."""
        got: list[p.DtmfEvent] = []
        pos = since
        while len(got) < count:
            ev = await self.phone.wait_event(
                self._ev(p.DtmfEvent), timeout, pos, f"waiting for DTMF digit {len(got) + 1}"
            )
            assert isinstance(ev, p.DtmfEvent)
            got.append(ev)
            pos = self.phone.seq_of(ev) + 1
        return got

    async def report(self, timeout: float = DEFAULT_TIMEOUT) -> p.CallReport:
        return await self.phone.request_as(p.Report(call=self.id), p.CallReport, timeout)

    async def save_audio(self, path: Path, seconds: float = 4.0, timeout: float = DEFAULT_TIMEOUT) -> Path:
        ref = await self.phone.request_as(
            p.SaveAudio(call=self.id, path=str(path), seconds=seconds), p.CallRef, timeout
        )
        return Path(ref.call)


def _uri(target: str | Phone) -> str:
    return target.uri() if isinstance(target, Phone) else target


class AgentProcess(Protocol):
    """The agent's process as the client sees it: spawned by the lab or forked by a zygote."""

    pid: int

    def wait(self, timeout: float) -> bool:
        """True once the process has exited (within `timeout`)."""
        ...

    def kill(self) -> None: ...


class Phone:
    """The client of one running agent."""

    def __init__(
        self,
        name: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        run_dir: Path | None = None,
        owners: dict[int, str] | None = None,
        process: AgentProcess | None = None,
    ) -> None:
        self.name = name
        self.reader = reader
        self.writer = writer
        self.run_dir = run_dir
        self.owners = owners if owners is not None else {}
        self.process = process
        self.info: p.StatusResult | None = None
        self.calls: dict[str, Call] = {}
        self.events: list[p.Ev] = []
        self._seq: dict[int, int] = {}
        self._waiters: list[tuple[Callable[[p.Ev], bool], int, asyncio.Future[p.Ev]]] = []
        self._pending: dict[int, asyncio.Future[p.Response]] = {}
        self._next_id = 0
        self._claimed: set[str] = set()
        self._closed: str | None = None
        self.ready_line = ""
        self._reader_task = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, path: Path, name: str, timeout: float = DEFAULT_TIMEOUT, **kw: Any) -> Phone:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path), limit=1 << 20), timeout)
        phone = cls(name, reader, writer, **kw)
        phone.info = await phone.status(timeout)
        phone.owners.setdefault(phone.info.tone, name)
        return phone

    def __repr__(self) -> str:
        return f"<Phone {self.name}>"

    # -- transport ------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            while line := await self.reader.readline():
                msg = p.decode_from_agent(line)
                if isinstance(msg, p.Response):
                    fut = self._pending.pop(msg.id, None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                else:
                    self._dispatch(msg)
        except (ConnectionError, p.ProtocolError) as exc:
            self._closed = f"connection to agent {self.name} broke: {exc}"
        finally:
            self._closed = self._closed or f"agent {self.name} closed its control connection"
            err = PhoneError(self._closed, "agent_gone")
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(err)
            for _, _, fut2 in self._waiters:
                if not fut2.done():
                    fut2.set_exception(err)

    async def request(self, req: p.Req, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        if self._closed:
            raise PhoneError(self._closed, "agent_gone")
        self._next_id += 1
        req.id = self._next_id
        fut: asyncio.Future[p.Response] = asyncio.get_running_loop().create_future()
        self._pending[req.id] = fut
        self.writer.write(p.encode(req))
        try:
            resp = await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            self._pending.pop(req.id, None)
            op = getattr(req, "op", "?")
            raise PhoneError(f"{self.name}: {op} got no answer within {timeout}s", "timeout") from None
        if not resp.ok:
            assert resp.error is not None
            raise PhoneError(f"{self.name}: {resp.error.message}", resp.error.code)
        return resp.result or {}

    async def request_as(self, req: p.Req, model: type[T], timeout: float = DEFAULT_TIMEOUT) -> T:
        return model.model_validate(await self.request(req, timeout))

    # -- events ---------------------------------------------------------------------------

    def _dispatch(self, ev: p.Ev) -> None:
        if isinstance(ev, p.IncomingCall):
            self.calls.setdefault(ev.call, Call(self, ev.call, "in", ev.remote_uri))
        elif isinstance(ev, p.CallCreated):
            self.calls.setdefault(ev.call, Call(self, ev.call, ev.cause, ev.target))
        call = self.calls.get(getattr(ev, "call", ""))
        if call is not None:
            if isinstance(ev, p.CallState):
                call.state, call.code, call.reason = ev.state, ev.code, ev.reason
                if ev.state == "confirmed" and call.confirmed_at is None:
                    call.confirmed_at = ev.t
            elif isinstance(ev, p.MediaState):
                call.media, call.codec = ev.status, ev.codec
            elif isinstance(ev, p.ToneEvent):
                call.timeline.apply(ToneChange(ev.freq, ev.on, ev.t))
        self._seq[id(ev)] = len(self.events)
        self.events.append(ev)
        for waiter in list(self._waiters):
            pred, since, fut = waiter
            if not fut.done() and self._seq[id(ev)] >= since and pred(ev):
                fut.set_result(ev)
                self._waiters.remove(waiter)

    def mark(self) -> int:
        """The sequence number the next event will get (wait for events after now)."""
        return len(self.events)

    def seq_of(self, ev: p.Ev) -> int:
        return self._seq[id(ev)]

    async def wait_event(
        self, pred: Callable[[p.Ev], bool], timeout: float, since: int = 0, what: str = "waiting for an event"
    ) -> p.Ev:
        """The first event at or after `since` matching `pred` (already seen or still to come)."""
        for ev in self.events[since:]:
            if pred(ev):
                return ev
        if self._closed:
            raise PhoneError(self._closed, "agent_gone")
        fut: asyncio.Future[p.Ev] = asyncio.get_running_loop().create_future()
        waiter = (pred, since, fut)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise PhoneError(f"{self.name}: {what}: nothing within {timeout}s", "timeout") from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    # -- the device -----------------------------------------------------------------------

    @property
    def tone(self) -> int:
        assert self.info is not None
        return self.info.tone

    def uri(self, transport: str = "udp") -> str:
        assert self.info is not None
        if transport not in self.info.uris:
            raise PhoneError(
                f"{self.name} has no {transport} transport; it has {sorted(self.info.uris)}", "bad_request"
            )
        return self.info.uris[transport]

    async def status(self, timeout: float = DEFAULT_TIMEOUT) -> p.StatusResult:
        return await self.request_as(p.Status(), p.StatusResult, timeout)

    async def dial(
        self,
        target: str | Phone,
        headers: dict[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: str = "udp",
    ) -> Call:
        """Send the INVITE (to a URI, or to a phone over `transport`); the Call is returned
        while it is still being set up."""
        uri = target.uri(transport) if isinstance(target, Phone) else target
        ref = await self.request_as(p.Dial(uri=uri, headers=headers or {}), p.CallRef, timeout)
        return self.calls.setdefault(ref.call, Call(self, ref.call, "out", uri))

    async def call(self, target: str | Phone, timeout: float = DEFAULT_TIMEOUT, **kw: Any) -> Call:
        """Dial and await the call being established (someone must answer)."""
        call = await self.dial(target, timeout=timeout, **kw)
        return await call.established(timeout)

    async def incoming(self, timeout: float = DEFAULT_TIMEOUT) -> Call:
        """The next incoming call not yet taken by an earlier `incoming()`."""
        ev = await self.wait_event(
            lambda e: isinstance(e, p.IncomingCall) and e.call not in self._claimed,
            timeout,
            0,
            "waiting for an incoming call",
        )
        assert isinstance(ev, p.IncomingCall)
        self._claimed.add(ev.call)
        return self.calls[ev.call]

    async def created_call(self, cause: str, timeout: float = DEFAULT_TIMEOUT) -> Call:
        """A call the stack created by itself (cause 'transfer' or 'replace')."""
        ev = await self.wait_event(
            lambda e: isinstance(e, p.CallCreated) and e.cause == cause and e.call not in self._claimed,
            timeout,
            0,
            f"waiting for a call created by {cause}",
        )
        assert isinstance(ev, p.CallCreated)
        self._claimed.add(ev.call)
        return self.calls[ev.call]

    def active_calls(self) -> list[Call]:
        return [c for c in self.calls.values() if c.state != "disconnected"]

    def heard(self) -> Timeline:
        """Everything this device heard on any of its calls."""
        out = Timeline()
        for c in self.calls.values():
            out = out.merged(c.timeline)
        return out

    async def conference(self, *calls: Call, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Local three-party conference: join the calls (held ones are retrieved)."""
        mark = self.mark()
        await self.request(p.Conference(calls=[c.id for c in calls]), timeout)
        for c in calls:
            if c.media != "active":
                await self.wait_event(
                    c._ev(p.MediaState, lambda e: e.status == "active"), timeout, mark, "joining the conference"
                )

    async def consult(self, held: Call, target: str | Phone, timeout: float = DEFAULT_TIMEOUT) -> Call:
        """Consultation: hold the current call, call another party (UC-CALL-2)."""
        await held.hold(timeout)
        return await self.call(target, timeout)

    async def toggle(self, active: Call, held: Call, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Alternate: hold the active party, retrieve the held one."""
        await active.hold(timeout)
        await held.retrieve(timeout)

    async def register(self, timeout: float = DEFAULT_TIMEOUT) -> p.RegState:
        """(Re-)register now; returns the registrar's answer to this REGISTER.

        A registration already in flight (the phone's own refresh or retry) is waited for
        first, inside `timeout`.
        """
        return await self.request_as(p.Register(on=True), p.RegState, timeout)

    async def registered(self, timeout: float = DEFAULT_TIMEOUT, since: int = 0) -> p.RegState:
        ev = await self.wait_event(
            lambda e: isinstance(e, p.RegState) and 200 <= e.code < 300 and e.expires > 0,
            timeout,
            since,
            "waiting for registration",
        )
        assert isinstance(ev, p.RegState)
        return ev

    async def unregister(self, timeout: float = DEFAULT_TIMEOUT) -> p.RegState:
        """Unregister now; returns the registrar's answer to this un-REGISTER."""
        return await self.request_as(p.Register(on=False), p.RegState, timeout)

    async def check_nat_type(self, timeout: float = 15.0) -> p.NatTypeResult:
        return await self.request_as(p.CheckNatType(timeout=timeout), p.NatTypeResult, timeout + 2)

    async def check_ice_status(self, timeout: float = 3.0) -> p.IceStatusResult:
        return await self.request_as(p.CheckIceStatus(timeout=min(timeout, 1.5)), p.IceStatusResult, timeout * 4 + 2)

    async def add_ice_server(self, uri: str, timeout: float = 3.0) -> p.AddServerResult:
        return await self.request_as(p.AddIceServer(uri=uri, timeout=min(timeout, 1.5)), p.AddServerResult, timeout + 2)

    async def remove_ice_server(self, uri: str, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
        """Remove a listed server; returns the list. The default server cannot be removed."""
        return (await self.request_as(p.RemoveIceServer(uri=uri), p.ServersResult, timeout)).servers

    async def set_codec_preselection(self, on: bool, timeout: float = DEFAULT_TIMEOUT) -> None:
        await self.request(p.SetCodecPreselection(on=on), timeout)

    async def close(self, timeout: float = 3.0) -> float:
        """Shut the agent down; returns how long it took (ms). Kills it if it hangs."""
        t0 = time.perf_counter()
        if not self._closed:
            with contextlib.suppress(PhoneError, ConnectionError):
                await self.request(p.Shutdown(), timeout)
        proc = self.process
        if proc is not None and not await asyncio.to_thread(proc.wait, timeout):
            await asyncio.to_thread(proc.kill)
        self.writer.close()
        with contextlib.suppress(Exception):
            await self._reader_task
        return (time.perf_counter() - t0) * 1000


async def connect(caller: Phone, callee: Phone, timeout: float = DEFAULT_TIMEOUT, **dial: Any) -> tuple[Call, Call]:
    """caller dials callee, callee answers: (caller's call, callee's call), both established."""
    out = await caller.dial(callee, timeout=timeout, **dial)
    inc = await callee.incoming(timeout)
    await inc.answer(timeout=timeout)
    await out.established(timeout)
    return out, inc
