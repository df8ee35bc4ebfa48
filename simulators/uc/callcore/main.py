"""The call core process: a supervisor that forks pjsua2 workers and serves the control socket.

    python -m simulators.uc.callcore.main --settings '<CoreSettings JSON>'

Started by the lab in the system host (dies with the orchestrator). pjsua2-python 2.15.1
is built with PJSUA_MAX_CALLS = 4, so one process anchors two calls (four legs); the
supervisor imports everything once and forks `workers` processes (pjsua2 is only
imported before the fork, never initialised, so each worker starts clean in a few ms).
A worker that dies is replaced at once; its calls are lost, the other workers' are not.
Seen under heavy churn (the load benchmark, hundreds of zero-length calls): pjlib's select
ioqueue of this build holds 64 sockets and frees closed ones 500 ms later, and pjsua2
aborts on the assertion in pj_ioqueue_register_sock2 when it runs out; pjnath can abort in
pj_stun_sock_sendto when a call ends while its ICE transport still gathers.
Worker i listens for SIP on 127.0.0.1:base_port+i; Kamailio's dispatcher spreads new calls
over them and fails over on 503 (a full worker).

Prints `CORE READY workers=N ...` once every worker answers, or `CORE FAILED ...`.
Control: the supervisor's socket (`settings.control`) fans requests out to the workers'
sockets and merges the answers:

    status       workers, their SIP ports and free legs; crashed workers and restarts
    calls        every session with its legs (device, number, state, media, peer, codec,
                 RTP addresses seen, packets, ICE pair)
    hangup_all   end every call
    originate    {"user", "via", "target"}: CallMe outbound, placed by the first worker with
                 room (the UC API's POST /api/v1/callme/calls)
    set          {"latch_rtp": bool}: for media transports created from now on
    conference_cut  {"conference": id, "member": id | null}: hang up that participant's (or
                 every participant's) call of a MeetMe conference (the UC API's disconnect,
                 remove, end, delete)
    mixers       the conference mixer nodes (mixer.py): their legs and music on hold
    phone_calls  {"devices": [sip users]}: those devices' answered calls (held or not, far
                 party, phone-controlled conference), free call slots and uplinked
                 conferences by worker, and the number of mixer nodes
    phone_join   {"conference": id, "joins": {worker: {"legs": [...], "release": leg}}}: the
                 workers join those legs to the conference's groups and release the
                 initiator's held leg, then every worker syncs its mixer uplinks (UC-CONF-1,
                 phone_conferences.py)
    shutdown     stop the workers and exit

Besides the workers the supervisor forks `mixers` conference mixer nodes (mixer.py), each
a pjsua2 endpoint on 127.0.0.1:mixer_base_port+n; a dead one is replaced like a worker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import faulthandler
import logging
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...parent_death import die_with_parent
from ..control import ControlClient, ControlError, Handler, ask, serve
from .settings import MAX_LEGS_PER_WORKER, CoreSettings

OPEN_PATIENCE_S = 60.0
log = logging.getLogger("uclab.uc.core")


# -- worker ------------------------------------------------------------------------------


class LazyDirectory:
    """The state, opened in the background after the worker is up (the first open of a
    fresh state seeds it and hashes passwords, ~0.3 s, under a write lock: no worker waits
    for that before answering SIP). The first call waits for it if it is not open yet."""

    def __init__(self, opener: Any, on_open: Callable[[Any], None] | None = None) -> None:
        self._opener = opener
        self._on_open = on_open
        self._state: Any = None
        self._error: BaseException | None = None
        self._done = threading.Event()

    def open_soon(self) -> None:
        threading.Thread(target=self._open, name="state-open", daemon=True).start()

    def _open(self) -> None:
        try:
            state = self._open_when_free()
            if self._on_open is not None:
                try:
                    self._on_open(state)
                except Exception as exc:  # the state still serves calls
                    log.error("the call core's start-up clean-up failed: %s", exc)
            self._state = state
        except BaseException as exc:
            self._error = exc
            log.error("the call core cannot open the state: %s", exc)
        finally:
            self._done.set()

    def _open_when_free(self) -> Any:
        """Every worker opens the state as it starts; the first open seeds it under a write
        lock, and on a starved machine (dozens of workers at once) SQLite's own 10 s busy
        wait can run out: wait for the lock again rather than lose the worker's calls."""
        deadline = time.monotonic() + OPEN_PATIENCE_S
        while True:
            try:
                return self._opener()
            except Exception as exc:  # sqlite3.OperationalError, or StateError wrapping it
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                log.warning("state busy (%s); opening again", exc)
                time.sleep(0.05)

    def _get(self) -> Any:
        if not self._done.wait(OPEN_PATIENCE_S + 15.0) or self._state is None:
            raise RuntimeError(f"state not available: {self._error}")
        return self._state

    def state(self) -> Any:
        return self._get()

    @property
    def opened(self) -> bool:
        """The state is open and the start-up clean-up done (`status` reports it)."""
        return self._done.is_set() and self._state is not None

    def devices_for_number(self, number: str) -> Any:
        return self._get().devices_for_number(number)

    def number_of_device(self, username: str) -> str:
        return str(self._get().number_of_device(username))


def _worker_main(settings: CoreSettings, index: int, ready_fd: int, mixer: bool = False) -> int:
    """Worker `index`, or with `mixer` conference mixer node `index` (mixer.py): its
    pjsua2 endpoint on 127.0.0.1, then its control socket until stopped."""
    from simulators.pj.config import EndpointConfig, TransportSpec
    from simulators.pj.runtime import PjRuntime, describe

    from ..config import load_config
    from ..state.core import State
    from .mixer import MixerNode, serve_node
    from .state_access import Services, forget_predecessor
    from .worker import Worker, serve_worker

    t0 = time.perf_counter()
    stun: list[str] | None
    if mixer:
        port, rtp, codecs, stun = settings.mixer_port(index), settings.mixer_rtp(index), settings.mixer_codecs(), []
    else:
        port, rtp, codecs, stun = settings.worker_port(index), settings.worker_rtp(index), settings.codecs, None
    try:
        directory = LazyDirectory(
            lambda: State.open(settings.state_path, load_config(settings.config_path)),
            None if mixer else lambda state: forget_predecessor(state, index, settings.mixers),
        )
        rt = PjRuntime(
            EndpointConfig(
                bind="127.0.0.1",
                transports=[TransportSpec(kind="udp", port=port)],
                rtp_ports=rtp,
                stun_servers=settings.stun_servers if stun is None else stun,
                codecs=codecs,
                log_level=settings.log_level,
                user_agent=f"uclab-uc-core/{'m' if mixer else 'w'}{index}",
                max_calls=MAX_LEGS_PER_WORKER,
                clock_rate=settings.clock_rate,
            ),
            poll_ms=settings.poll_ms,
        )
        rt.start()
        if mixer:
            node = MixerNode(rt, settings, index, directory.state)
            directory.open_soon()
            rt.run(node.start)
        else:
            services = Services(directory.state, settings.state_path.parent / "voicemail")
            worker = Worker(rt, settings, index, directory, services)
            directory.open_soon()
            rt.run(worker.start)
    except Exception as exc:
        message = describe(exc) if hasattr(exc, "info") else f"{type(exc).__name__}: {exc}"
        os.write(ready_fd, f"failed {message}\n".encode())
        return 1
    if mixer:
        return asyncio.run(serve_node(settings, index, rt, node, ready_fd, t0))
    return asyncio.run(serve_worker(settings, index, rt, worker, ready_fd, t0))


def _exit_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def _fork_worker(settings: CoreSettings, index: int, mixer: bool = False) -> tuple[int, int]:
    """Fork worker `index` (or, with `mixer`, conference mixer node `index`, mixer.py)."""
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            os.close(read_fd)
            die_with_parent(signal.SIGKILL, parent)
            # a respawn forks from inside the supervisor's running event loop: leave it behind
            asyncio.events._set_running_loop(None)
            with contextlib.suppress(ValueError):
                signal.set_wakeup_fd(-1)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            tag = f"m{index}" if mixer else f"w{index}"
            logging.basicConfig(level=logging.INFO, format=f"[{tag}] %(name)s %(levelname)s %(message)s")
            faulthandler.enable(all_threads=True)  # a crash in pjsua2 leaves its Python stacks in the log
            code = _worker_main(settings, index, write_fd, mixer)
        except BaseException as exc:  # report, never return into the supervisor's code
            with contextlib.suppress(OSError):
                os.write(write_fd, f"failed {type(exc).__name__}: {exc}\n".encode())
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


# -- supervisor --------------------------------------------------------------------------


class Supervisor:
    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.pids: dict[int, int] = {}
        self.clients: dict[int, ControlClient] = {}
        self.deaths: list[str] = []
        self.restarts = 0
        self.mixer_pids: dict[int, int] = {}
        """conference mixer nodes (mixer.py), indexed from 0; in `pipes` below as -1-n"""
        self.done = asyncio.Event()
        """set by SIGTERM, SIGINT or the `shutdown` op: `serve` returns"""

    def start_workers(self, timeout: float = 15.0) -> list[str]:
        pipes: dict[int, int] = {}
        for i in range(self.settings.workers):
            pid, fd = _fork_worker(self.settings, i)
            self.pids[i], pipes[fd] = pid, i
        for n in range(self.settings.mixers):
            pid, fd = _fork_worker(self.settings, n, mixer=True)
            self.mixer_pids[n], pipes[fd] = pid, -1 - n
        answers: dict[int, str] = {}
        buffers: dict[int, bytes] = {fd: b"" for fd in pipes}
        deadline = time.monotonic() + timeout
        while len(answers) < len(pipes):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            readable, _, _ = select.select([fd for fd in pipes if pipes[fd] not in answers], [], [], left)
            for fd in readable:
                chunk = os.read(fd, 4096)
                buffers[fd] += chunk
                if b"\n" in buffers[fd] or not chunk:
                    answers[pipes[fd]] = buffers[fd].decode(errors="replace").strip() or "failed exited"
        for fd in pipes:
            os.close(fd)
        problems = []
        for i in [*range(self.settings.workers), *(-1 - n for n in range(self.settings.mixers))]:
            answer = answers.get(i, f"failed no answer within {timeout}s")
            if not answer.startswith("ready"):
                what = f"worker {i}" if i >= 0 else f"mixer node {-1 - i}"
                problems.append(f"{what}: {answer.removeprefix('failed ')}")
        return problems

    def dead_workers(self, mixers: bool = False) -> dict[int, str]:
        dead = {}
        what = "mixer node" if mixers else "worker"
        for i, pid in (self.mixer_pids if mixers else self.pids).items():
            with contextlib.suppress(ChildProcessError):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    dead[i] = f"{what} {i} (pid {pid}) ended: {_exit_text(status)}"
        return dead

    def respawn(self) -> None:
        """Replace dead workers (a crash in pjsua2 takes one worker and its calls, not the core)."""
        for n, death in self.dead_workers(mixers=True).items():
            self.deaths.append(death)
            log.error("%s; starting a new mixer node %d", death, n)
            pid, fd = _fork_worker(self.settings, n, mixer=True)
            self.mixer_pids[n] = pid
            self._await_restart(fd, f"mixer node {n}")
        for i, death in self.dead_workers().items():
            self.deaths.append(death)
            self.clients.pop(i, None)
            log.error("%s; starting a new worker %d", death, i)
            pid, fd = _fork_worker(self.settings, i)
            self.pids[i] = pid
            self._await_restart(fd, f"worker {i}")

    def _await_restart(self, fd: int, what: str) -> None:
        ready, _, _ = select.select([fd], [], [], 10.0)
        answer = os.read(fd, 4096).decode(errors="replace").strip() if ready else "no answer within 10s"
        os.close(fd)
        self.restarts += 1
        log.info("%s restarted: %s", what, answer)

    async def client(self, index: int) -> ControlClient:
        if index not in self.clients:
            self.clients[index] = await ControlClient.connect(self.settings.worker_control(index))
        return self.clients[index]

    async def fan_out(self, op: str, **params: Any) -> list[Any]:
        async def one(i: int) -> Any:
            try:
                return await (await self.client(i)).request(op, **params)
            except ControlError as exc:
                self.clients.pop(i, None)
                return {"worker": i, "error": str(exc)}

        return list(await asyncio.gather(*(one(i) for i in sorted(self.pids))))

    def stop_workers(self, timeout: float = 2.0) -> None:
        with contextlib.suppress(ValueError, RuntimeError):
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        pids = [*self.pids.values(), *self.mixer_pids.values()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for pid in pids:
            while time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    done, _ = os.waitpid(pid, os.WNOHANG)
                    if done:
                        break
                    time.sleep(0.01)
                    continue
                break
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    # -- the control socket: one handler per op ------------------------------------------

    def handlers(self) -> dict[str, Handler]:
        """The supervisor's control ops (the module docstring says what each does)."""
        return {
            "status": self.status,
            "calls": self.calls,
            "hangup_all": self.hangup_all,
            "originate": self.originate,
            "set": self.set_options,
            "conference_cut": self.conference_cut,
            "mixers": self.mixers,
            "phone_calls": self.phone_calls,
            "phone_join": self.phone_join,
            "shutdown": self.shutdown,
        }

    async def serve(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve the control socket until SIGTERM, SIGINT or `shutdown`; replace dead workers."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.done.set)
        loop.add_signal_handler(signal.SIGCHLD, lambda: None if self.done.is_set() else self.respawn())
        self.respawn()
        server = await serve(self.settings.control, self.handlers())
        if on_ready is not None:
            on_ready()
        await self.done.wait()
        server.close()
        for client in self.clients.values():
            await client.close()

    async def status(self, req: dict[str, Any]) -> dict[str, Any]:
        workers = await self.fan_out("status")
        return {"pid": os.getpid(), "workers": workers, "restarts": self.restarts, "deaths": self.deaths}

    async def calls(self, req: dict[str, Any]) -> list[Any]:
        sessions: list[Any] = []
        for answer in await self.fan_out("calls"):
            for session in answer.get("sessions", []):
                session["worker"] = answer.get("worker")
                sessions.append(session)
        return sessions

    async def hangup_all(self, req: dict[str, Any]) -> int:
        return sum(int(n) for n in await self.fan_out("hangup_all") if isinstance(n, int))

    async def set_options(self, req: dict[str, Any]) -> Any:
        params = {k: v for k, v in req.items() if k not in ("id", "op")}
        return (await self.fan_out("set", **params))[0]

    async def shutdown(self, req: dict[str, Any]) -> str:
        asyncio.get_running_loop().call_soon(self.done.set)
        return "bye"

    async def originate(self, req: dict[str, Any]) -> Any:
        """CallMe outbound: the first worker with room places the call (UC-CALLME-2)."""
        params: dict[str, Any] = {k: str(req[k]) for k in ("user", "via", "target")}
        last: Any = {"ok": False, "code": 503, "error": "no call core worker answered"}
        for i in sorted(self.pids):
            try:
                last = await (await self.client(i)).request("originate", **params)
            except ControlError as exc:
                self.clients.pop(i, None)
                last = {"ok": False, "code": 503, "error": str(exc)}
                continue
            if last.get("ok") or last.get("code") != 503:
                return last
        return last

    async def conference_cut(self, req: dict[str, Any]) -> int:
        member = req.get("member")
        answers = await self.fan_out("conference_cut", conference=int(req["conference"]), member=member)
        return sum(int(n) for n in answers if isinstance(n, int))

    async def phone_calls(self, req: dict[str, Any]) -> dict[str, Any]:
        """The devices' calls over every worker, each worker's free call slots and the
        conferences its groups have uplinks of (UC-CONF-1: the Conference button's input)."""
        found: list[Any] = []
        free: dict[int, int] = {}
        uplinked: dict[int, list[int]] = {}
        answers = await self.fan_out("phone_calls", devices=list(req["devices"]))
        for i, answer in zip(sorted(self.pids), answers, strict=True):
            if "error" in answer:
                raise ControlError(f"worker {i}: {answer['error']}")
            found += answer["calls"]
            free[i], uplinked[i] = answer["free"], answer["uplinked"]
        return {"calls": found, "free": free, "uplinked": uplinked, "mixers": self.settings.mixers}

    async def phone_join(self, req: dict[str, Any]) -> dict[str, Any]:
        """Each worker joins its legs (and releases the initiator's held leg), then every
        worker brings its uplink in line with the state's slots."""
        conference = int(req["conference"])
        groups = {}
        for worker, job in dict(req["joins"]).items():
            client = await self.client(int(worker))
            groups[worker] = await client.request(
                "phone_join", conference=conference, legs=list(job["legs"]), release=job.get("release")
            )
        uplinks = await self.fan_out("phone_sync", conference=conference)
        return {"groups": groups, "uplinks": uplinks}

    async def mixers(self, req: dict[str, Any]) -> list[Any]:
        async def one(n: int) -> Any:
            try:
                return await ask(self.settings.mixer_control(n), "status", timeout=5.0, connect_timeout=2.0)
            except (ControlError, OSError) as exc:
                return {"node": n, "error": str(exc)}

        return list(await asyncio.gather(*(one(n) for n in sorted(self.mixer_pids))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="uclab UC stub call core (pjsua2 B2BUA)")
    parser.add_argument("--settings", required=True, help="CoreSettings as JSON, or @file")
    args = parser.parse_args(argv)
    raw = Path(args.settings[1:]).read_text() if args.settings.startswith("@") else args.settings
    t0 = time.perf_counter()
    try:
        settings = CoreSettings.model_validate_json(raw)
    except ValueError as exc:
        print(f"CORE FAILED invalid settings: {exc}", flush=True)
        return 2
    logging.basicConfig(level=logging.INFO, format="[core] %(name)s %(levelname)s %(message)s")
    # import once here so every forked worker starts with pjsua2 and the state loaded

    sup = Supervisor(settings)
    problems = sup.start_workers()
    if problems:
        sup.stop_workers()
        print("CORE FAILED " + "; ".join(problems), flush=True)
        return 1
    ports = ",".join(str(settings.worker_port(i)) for i in range(settings.workers))
    ms = (time.perf_counter() - t0) * 1000
    line = (
        f"CORE READY workers={settings.workers} sip=127.0.0.1:{ports} mixers={settings.mixers} "
        f"control={settings.control} ms={ms:.0f}"
    )
    try:
        asyncio.run(sup.serve(on_ready=lambda: print(line, flush=True)))
    finally:
        sup.stop_workers()
    print("CORE STOPPED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
