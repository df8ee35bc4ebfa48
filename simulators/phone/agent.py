"""The phone agent: one softphone process per device, controlled over a Unix socket.

    python -m simulators.phone.agent --control RUN/phone-alice.sock --settings '{"name": "alice", ...}'

Started by the lab inside the device's host (`lab.spawn(..., watch=True)`), so everything
it sends is that host sending. Prints one readiness line once SIP, media and the control
socket are up:

    PHONE READY name=alice pid=1234 control=/var/tmp/uclab/runs/ab12cd34/phone-alice.sock sip=udp:192.168.1.10:5060

Exits on SIGTERM/SIGINT or a `shutdown` request: calls and ports released, pjsua2
destroyed without network teardown (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from simulators.pj.runtime import PjRuntime, describe
from simulators.pj.stunprobe import binding

from . import protocol as p
from .device import Device, DeviceError
from .settings import PhoneSettings
from .voip import IceServer, IceServers, ice_status, nat_outcome

MAX_SOCKET_PATH = 107
REGISTER_PATIENCE_S = 40.0  # a REGISTER transaction ends within pjsip's 32 s timeout (Timer F)


class Agent:
    def __init__(self, settings: PhoneSettings, control: Path) -> None:
        self.settings = settings
        self.control = control
        self.loop = asyncio.get_running_loop()
        self.writers: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Future[None]] = set()
        self.done = asyncio.Event()
        self.stop_ms = 0.0
        self.ice = IceServers.of(settings.default_stun, settings.ice_servers)
        self.rt = PjRuntime(settings.endpoint())
        self.dev = Device(self.rt, settings, self.emit)
        self._nat_waiter: asyncio.Future[tuple[int, str, str]] | None = None
        self._stun_waiter: asyncio.Future[int] | None = None
        self.reg_answers: list[p.RegState] = []  # in the order the device counted them
        self._reg_waiters: list[tuple[int, asyncio.Future[p.RegState]]] = []
        self.handlers: dict[str, Callable[[Any], Awaitable[BaseModel | None]]] = {
            "status": self.op_status,
            "dial": self.op_dial,
            "answer": lambda r: self.on_pj(lambda: self.dev.answer(r.call, r.code)),
            "reject": lambda r: self.on_pj(lambda: self.dev.reject(r.call, r.code)),
            "deflect": lambda r: self.on_pj(lambda: self.dev.deflect(r.call, r.target)),
            "hangup": lambda r: self.on_pj(lambda: self.dev.hangup(r.call)),
            "hold": lambda r: self.on_pj(lambda: self.dev.hold(r.call)),
            "retrieve": lambda r: self.on_pj(lambda: self.dev.retrieve(r.call)),
            "mute": lambda r: self.on_pj(lambda: self.dev.mute(r.call, r.on)),
            "transfer": lambda r: self.on_pj(lambda: self.dev.transfer(r.call, r.target)),
            "transfer_attended": lambda r: self.on_pj(lambda: self.dev.transfer_attended(r.call, r.to)),
            "conference": lambda r: self.on_pj(lambda: self.dev.conference(r.calls)),
            "send_dtmf": lambda r: self.on_pj(lambda: self.dev.send_dtmf(r.call, r.digits, r.method)),
            "report": lambda r: self.on_pj(lambda: self.dev.report(r.call)),
            "save_audio": self.op_save_audio,
            "register": self.op_register,
            "check_nat_type": self.op_check_nat_type,
            "check_ice_status": self.op_check_ice_status,
            "add_ice_server": self.op_add_ice_server,
            "remove_ice_server": self.op_remove_ice_server,
            "set_codec_preselection": self.op_set_preselection,
            "shutdown": self.op_shutdown,
        }

    # -- plumbing ---------------------------------------------------------------------------

    def emit(self, event: p.Ev) -> None:
        """Thread-safe: queue an event for every connected client."""
        data = p.encode(event)
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._broadcast, data)
            if isinstance(event, p.RegState):
                self.loop.call_soon_threadsafe(self._reg_answered, event)

    def _broadcast(self, data: bytes) -> None:
        for w in list(self.writers):
            if w.is_closing():
                self.writers.discard(w)
                continue
            w.write(data)

    async def on_pj(self, fn: Callable[[], Any], timeout: float = 10.0) -> Any:
        return await asyncio.wait_for(asyncio.wrap_future(self.rt.submit(fn)), timeout)

    async def start(self) -> str:
        """Bring pjsua2 and the control socket up; returns the readiness line it printed."""
        t0 = time.perf_counter()
        await asyncio.to_thread(self.rt.start)
        self.rt.on("nat_detected", self._nat_detected)
        self.rt.on("stun_checked", self._stun_checked)
        await self.on_pj(self.dev.start)
        if len(str(self.control)) > MAX_SOCKET_PATH:
            raise SystemExit(
                f"control socket path {self.control} is longer than {MAX_SOCKET_PATH} bytes; use a shorter run dir"
            )
        with contextlib.suppress(FileNotFoundError):
            self.control.unlink()
        self.server = await asyncio.start_unix_server(self.serve, path=str(self.control))
        sip = ",".join(f"{k}:{t.address}:{t.port}" for k, t in self.rt.transports.items())
        ms = (time.perf_counter() - t0) * 1000
        line = f"PHONE READY name={self.settings.name} pid={os.getpid()} control={self.control} sip={sip} ms={ms:.0f}"
        print(line, flush=True)
        return line

    async def stop(self) -> None:
        self.server.close()
        for w in list(self.writers):
            w.close()
        await asyncio.to_thread(self.rt.stop)
        with contextlib.suppress(FileNotFoundError):
            self.control.unlink()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while line := await reader.readline():
                task = asyncio.ensure_future(self.handle(line, writer))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.writers.discard(writer)

    async def handle(self, line: bytes, writer: asyncio.StreamWriter) -> None:
        req_id = 0
        try:
            req = p.REQUEST.validate_json(line)
            req_id = req.id
            result = await self.handlers[req.op](req)
            resp = p.Response(id=req_id, ok=True, result=result.model_dump(mode="json") if result else {})
        except ValidationError as exc:
            resp = _error(req_id, "bad_request", f"invalid request: {exc.errors(include_url=False)}")
        except DeviceError as exc:
            resp = _error(req_id, exc.code, str(exc))
        except TimeoutError:
            resp = _error(req_id, "timeout", "the pjsua2 thread did not answer in time")
        except Exception as exc:
            resp = _error(req_id, "failed", describe(exc))
        if not writer.is_closing():
            writer.write(p.encode(resp))

    # -- operations -------------------------------------------------------------------------

    async def op_status(self, _: p.Status) -> BaseModel:
        result: BaseModel = await self.on_pj(lambda: self.dev.status(self.ice.visible()))
        return result

    async def op_dial(self, r: p.Dial) -> BaseModel:
        cid = await self.on_pj(lambda: self.dev.dial(r.uri, r.headers))
        return p.CallRef(call=cid)

    async def op_save_audio(self, r: p.SaveAudio) -> BaseModel:
        path = await self.on_pj(lambda: self.dev.save_audio(r.call, r.path, r.seconds))
        return p.CallRef(call=path)

    async def op_register(self, r: p.Register) -> BaseModel:
        """Register (or unregister) now; the result is the registrar's answer to this REGISTER.

        A REGISTER still in flight is waited for, then this one is sent: a user of the phone
        never sees pjsip's "one transaction at a time" (PJSIP_EBUSY).
        """
        deadline = self.loop.time() + REGISTER_PATIENCE_S
        while True:
            sent, before = await self.on_pj(lambda: self.dev.register(r.on))
            try:
                answer = await self._reg_answer(before + 1, deadline - self.loop.time())
            except TimeoutError:
                raise DeviceError(
                    "timeout", f"the registrar did not answer the REGISTER within {REGISTER_PATIENCE_S:.0f} s"
                ) from None
            if sent:
                return answer

    def _reg_answered(self, event: p.RegState) -> None:
        self.reg_answers.append(event)
        for n, fut in self._reg_waiters:
            if n <= len(self.reg_answers) and not fut.done():
                fut.set_result(self.reg_answers[n - 1])

    async def _reg_answer(self, n: int, timeout: float) -> p.RegState:
        """The device's n-th registrar answer (1-based), once it has come."""
        if n <= len(self.reg_answers):
            return self.reg_answers[n - 1]
        fut: asyncio.Future[p.RegState] = self.loop.create_future()
        entry = (n, fut)
        self._reg_waiters.append(entry)
        try:
            return await asyncio.wait_for(fut, max(timeout, 0.0))
        finally:
            self._reg_waiters.remove(entry)

    async def op_set_preselection(self, r: p.SetCodecPreselection) -> None:
        self.dev.preselection = r.on

    async def op_shutdown(self, _: p.Shutdown) -> None:
        print("PHONE SHUTDOWN requested", flush=True)
        self.loop.call_soon(self.done.set)

    async def _first_reachable(self, timeout: float) -> tuple[IceServer | None, Any]:
        for server in self.ice.all():
            res = await asyncio.to_thread(binding, self.settings.bind, (server.host, server.port), timeout)
            if res.reachable:
                return server, res
        return None, None

    async def op_check_ice_status(self, r: p.CheckIceStatus) -> BaseModel:
        server, _ = await self._first_reachable(r.timeout)
        return p.IceStatusResult(status=ice_status(server is not None).value, server=server.uri if server else None)

    def _resolve(self, waiter_attr: str, value: Any) -> None:
        waiter = getattr(self, waiter_attr)
        if waiter is not None:
            self.loop.call_soon_threadsafe(lambda: waiter.done() or waiter.set_result(value))

    def _nat_detected(self, prm: Any) -> None:
        self._resolve("_nat_waiter", (int(prm.status), str(prm.natTypeName), str(prm.reason)))

    def _stun_checked(self, prm: Any) -> None:
        self._resolve("_stun_waiter", int(prm.status))

    async def op_check_nat_type(self, r: p.CheckNatType) -> BaseModel:
        server, probe = await self._first_reachable(min(1.5, r.timeout))
        detected: str | None = None
        ok = True
        if probe is not None and probe.behind_nat:
            assert server is not None
            try:
                status, detected = await asyncio.wait_for(self._pjnath_detect(server), r.timeout)
                ok = status == 0
            except TimeoutError:
                ok = False
        check = nat_outcome(probe.local if probe else None, probe.mapped if probe else None, detected, ok)
        return p.NatTypeResult(
            outcome=check.outcome.value,
            message=check.outcome.message,
            reason=check.reason,
            local=":".join(map(str, check.local)) if check.local else None,
            mapped=":".join(map(str, check.mapped)) if check.mapped else None,
            detector=check.detector,
        )

    async def _pjnath_detect(self, server: IceServer) -> tuple[int, str]:
        """pjnath's RFC 3489 detection against `server` (made pjsua's first STUN server)."""
        self._stun_waiter = self.loop.create_future()
        self._nat_waiter = self.loop.create_future()
        try:
            servers = [server.hostport] + [s.hostport for s in self.ice.all() if s != server]
            await self.on_pj(lambda: self.rt.set_stun_servers(servers))
            await self._stun_waiter
            await self.on_pj(lambda: self.rt.ep.natDetectType())
            status, name, _ = await self._nat_waiter
            return status, name
        finally:
            self._stun_waiter = None
            self._nat_waiter = None

    async def op_add_ice_server(self, r: p.AddIceServer) -> BaseModel:
        def reachable(server: IceServer) -> bool:
            return binding(self.settings.bind, (server.host, server.port), r.timeout).reachable

        result = await asyncio.to_thread(self.ice.add, r.uri, reachable)
        if result.outcome == "added":
            await self.on_pj(lambda: self.rt.set_stun_servers([s.hostport for s in self.ice.all()]))
        return p.AddServerResult(
            outcome=result.outcome.value,
            message=result.message,
            detail=result.detail,
            servers=self.ice.visible(),
        )

    async def op_remove_ice_server(self, r: p.RemoveIceServer) -> BaseModel:
        try:
            self.ice.remove(r.uri)
        except ValueError as exc:
            raise DeviceError("ice_server", str(exc)) from exc
        await self.on_pj(lambda: self.rt.set_stun_servers([s.hostport for s in self.ice.all()]))
        return p.ServersResult(servers=self.ice.visible())


def _error(req_id: int, code: str, message: str) -> p.Response:
    return p.Response(id=req_id, ok=False, error=p.ErrorInfo(code=code, message=message))


ReadyHook = Callable[[str], None]


async def amain(settings: PhoneSettings, control: Path, on_ready: ReadyHook | None = None) -> int:
    agent = Agent(settings, control)
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        print(f"PHONE SIGNAL {sig.name}", flush=True)
        agent.done.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        line = await agent.start()
        if on_ready is not None:
            on_ready(line)
        await agent.done.wait()
    finally:
        t0 = time.perf_counter()
        await agent.stop()
        agent.stop_ms = (time.perf_counter() - t0) * 1000
    print(f"PHONE STOPPED name={settings.name} ms={agent.stop_ms:.0f}", flush=True)
    return 0


def run(raw_settings: str, control: Path, on_ready: ReadyHook | None = None) -> int:
    """Validate the settings, run the agent until told to stop; returns the exit code.

    Failures print a `PHONE FAILED <reason>` line (and reach `on_ready` the same way).
    """
    try:
        settings = PhoneSettings.model_validate_json(raw_settings)
    except ValidationError as exc:
        line = f"PHONE FAILED invalid settings: {exc}"
        print(line, flush=True)
        if on_ready is not None:
            on_ready(line)
        return 2
    try:
        return asyncio.run(amain(settings, control, on_ready))
    except BaseException as exc:
        line = f"PHONE FAILED {describe(exc)}"
        print(line, flush=True)
        if on_ready is not None:
            on_ready(line)
        return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulators.phone.agent", description="uclab softphone agent")
    ap.add_argument("--control", required=True, type=Path, help="Unix socket path (< 108 bytes)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--settings", help="PhoneSettings as JSON")
    src.add_argument("--settings-file", type=Path, help="PhoneSettings JSON file")
    args = ap.parse_args(argv)
    raw = args.settings if args.settings is not None else args.settings_file.read_text()
    code = run(raw, args.control)
    sys.stdout.flush()
    # pjsua2 is destroyed and every port released: skip the interpreter's slow finalisation
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
