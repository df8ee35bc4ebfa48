"""start_phone: run an agent inside a lab host and connect to it.

    alice = await start_phone(lab, "alice")                      # tone picked from the plan
    bob = await start_phone(lab, "bob", transports=[{"kind": "tcp"}], ice=True)

Settings are validated here first, so a wrong one fails in the test with a clear message
before any process starts. By default agents are forked by the lab's zygote (one per
lab, started on first use: simulators.phone.zygote), which saves the ~200 ms of Python
and pjsua2 imports per agent; `zygote=False` spawns `python -m simulators.phone.agent`
instead. Either way the agent runs in the host's namespace, dies with the orchestrator,
and is stopped by `phone.close()` or when the lab goes down. The control socket lives in
the run directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

from simulators.net import netns
from simulators.net.process import LabProcess, ProcessFailed
from simulators.pj.tones import TONE_PLAN

from .agent import MAX_SOCKET_PATH
from .client import Phone, PhoneError
from .settings import PhoneSettings

ROOT = Path(__file__).resolve().parents[2]
STUN_PORT = 3478
_owners: weakref.WeakKeyDictionary[Any, dict[int, str]] = weakref.WeakKeyDictionary()
_zygotes: weakref.WeakKeyDictionary[Any, LabProcess] = weakref.WeakKeyDictionary()
_zygote_lock: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def tone_owners(lab: Any) -> dict[int, str]:
    """{tone: device name} of the phones started in this lab (shared by their verdicts)."""
    return _owners.setdefault(lab, {})


def _pick_tone(lab: Any, name: str) -> int:
    owners = tone_owners(lab)
    for tone, owner in owners.items():
        if owner == name:
            return tone
    for tone in TONE_PLAN:
        if tone not in owners:
            return tone
    raise PhoneError(f"all {len(TONE_PLAN)} plan tones are taken in this lab; pass tone= explicitly to share one")


def default_stun(lab: Any) -> str | None:
    servers = lab.stun_servers()
    return f"stun:{servers[0][1][0]}:{STUN_PORT}" if servers else None


def run_path(lab: Any, name: str) -> Path:
    path = Path(lab.socket_path(name))
    if len(str(path)) > MAX_SOCKET_PATH:
        raise PhoneError(f"socket path {path} exceeds {MAX_SOCKET_PATH} bytes")
    return path


class SpawnedAgent:
    """An agent started with `lab.spawn`."""

    def __init__(self, proc: LabProcess) -> None:
        self.proc = proc
        self.pid = proc.pid

    def wait(self, timeout: float) -> bool:
        try:
            self.proc.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self) -> None:
        self.proc.stop(timeout=1.0)


class ForkedAgent:
    """An agent forked by the zygote (not our child: watched through a pidfd)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)

    def wait(self, timeout: float) -> bool:
        if self.pidfd < 0:  # already reaped (a phone closed twice: by the test, then the fixture)
            return True
        ready, _, _ = select.select([self.pidfd], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):
                os.close(self.pidfd)
            self.pidfd = -1
        return bool(ready)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.wait(1.0)


async def _zygote(lab: Any, host: str, timeout: float) -> Path:
    lock = _zygote_lock.setdefault(lab, asyncio.Lock())
    async with lock:
        control = run_path(lab, "phone-zygote.sock")
        proc = _zygotes.get(lab)
        if proc is not None and proc.alive():
            return control
        argv = [sys.executable, "-m", "simulators.phone.zygote", "--control", str(control)]
        # spawned from this (the orchestrator's) thread: it dies when that thread does
        proc = lab.spawn(host, argv, name="phone-zygote", watch=True, cwd=ROOT)
        try:
            await asyncio.to_thread(proc.wait_for, r"^ZYGOTE READY", timeout)
        except ProcessFailed as exc:
            proc.stop(timeout=1.0)
            raise PhoneError(f"the phone zygote did not start: {exc}", "start_failed") from exc
        _zygotes[lab] = proc
        return control


async def _fork(
    lab: Any, host: str, name: str, control: Path, settings: PhoneSettings, timeout: float
) -> tuple[str, ForkedAgent]:
    zygote = await _zygote(lab, host, timeout)
    log = Path(lab.dir) / "logs" / f"{host}.phone-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    request = {
        "netns": str(netns.path(lab.ns(host))),
        "control": str(control),
        "settings": settings.model_dump_json(),
        "log": str(log),
    }
    reader, writer = await asyncio.open_unix_connection(str(zygote))
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        line = (await asyncio.wait_for(reader.readline(), timeout)).decode().strip()
    except TimeoutError:
        raise PhoneError(f"phone {name} in {host} was not ready within {timeout}s; see {log}", "start_failed") from None
    finally:
        writer.close()
    if not line.startswith("PHONE READY"):
        raise PhoneError(f"phone {name} in {host}: {line or 'the forked agent died'}; see {log}", "start_failed")
    pid = int(line.split("pid=")[1].split()[0])
    return line, ForkedAgent(pid)


async def _spawn(
    lab: Any, host: str, name: str, control: Path, settings: PhoneSettings, timeout: float
) -> tuple[str, SpawnedAgent]:
    argv = [
        sys.executable,
        "-m",
        "simulators.phone.agent",
        "--control",
        str(control),
        "--settings",
        settings.model_dump_json(),
    ]
    # spawned from this (the orchestrator's) thread: the agent dies when that thread does
    proc = lab.spawn(host, argv, name=f"phone-{name}", watch=True, cwd=ROOT)
    try:
        line: str = await asyncio.to_thread(proc.wait_for, r"^PHONE (READY|FAILED)", timeout)
    except ProcessFailed as exc:
        proc.stop(timeout=1.0)
        raise PhoneError(f"phone {name} in {host} did not start: {exc}", "start_failed") from exc
    if "FAILED" in line:
        proc.stop(timeout=1.0)
        raise PhoneError(f"phone {name} in {host}: {line}", "start_failed")
    return line, SpawnedAgent(proc)


async def start_phone(
    lab: Any, host: str, name: str | None = None, *, timeout: float = 10.0, zygote: bool = True, **settings: Any
) -> Phone:
    """Start a softphone agent in `host` and return its client. It binds to any address, as
    the application does (the host's routes pick the source); `bind=ADDRESS` binds to one."""
    name = name or host
    owners = tone_owners(lab)
    tone = settings.pop("tone", None) or _pick_tone(lab, name)
    if "default_stun" not in settings:
        settings["default_stun"] = default_stun(lab)
    try:
        ps = PhoneSettings(name=name, tone=tone, **settings)
    except ValueError as exc:
        raise PhoneError(f"phone {name}: invalid settings: {exc}", "bad_settings") from exc
    owners[tone] = name
    control = run_path(lab, f"phone-{name}.sock")
    start = _fork if zygote else _spawn
    line, process = await start(lab, host, name, control, ps, timeout)
    phone = await Phone.connect(control, name, timeout, run_dir=Path(lab.dir), owners=owners, process=process)
    phone.ready_line = line
    return phone
