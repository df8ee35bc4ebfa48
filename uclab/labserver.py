"""The control socket of a lab served by `uclab up`: the process that owns the lab answers the
`uclab phone`, `uclab audio` and `uclab router` commands through it.

The socket is a Unix socket in the run's socket directory
(`/run/uclab/sockets/<run>/control.sock`), never the simulated
network. One JSON request a line, one JSON answer a line:

    {"op": "phone_start", "name": "home", "host": "home_pc", "user": "200", "client": "myportal_voip", "server": "LAN"}
    {"op": "phone", "name": "home", "action": "dial", "arg": "202"}
    {"op": "audio", "a": "home", "b": "desk", "expect": "two-way"}
    {"op": "router", "name": "home_router", "changes": {"nat": "symmetric"}}
    -> {"ok": true, "code": 0, "text": "what a user sees"}   (code 1: could not, 2: bad input)

`serve` runs in the serving process's asyncio loop beside the session; `request` is the
commands' side (blocking, one connection per request).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from simulators.net import runs
from simulators.net.errors import LabError

from .session import LabSession, SessionError

CONTROL = "control.sock"
REQUEST_TIMEOUT = 60.0
"""the longest answer: a dial waits for ICE gathering, Check NAT type for pjnath (~17 s)"""
PHONE_ACTIONS = (
    "dial",
    "answer",
    "hangup",
    "hold",
    "retrieve",
    "transfer",
    "dtmf",
    "status",
    "check-nat",
    "check-ice",
    "register",
    "unregister",
)
NEEDS_ARG = {"dial": "a number to call", "transfer": "a number to transfer to", "dtmf": "the digits to send"}


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ok: bool
    code: int = 0
    text: str


def control_path(run_id: str) -> Path:
    """The control socket of live run `run_id` (in the run's short socket directory)."""
    return runs.socket_dir(run_id) / CONTROL


# -- the serving side -------------------------------------------------------------------------


async def _phone(session: LabSession, req: dict[str, Any]) -> str:
    name, action, arg = str(req.get("name", "")), str(req.get("action", "")), req.get("arg")
    if action not in PHONE_ACTIONS:
        raise SessionError(f"unknown phone action {action!r}; one of: {', '.join(PHONE_ACTIONS)}", 2)
    if action in NEEDS_ARG and not arg:
        raise SessionError(f"{action} needs {NEEDS_ARG[action]}, e.g. uclab phone RUN {name} {action} 202", 2)
    if action not in NEEDS_ARG and arg:
        raise SessionError(f"{action} takes no argument (got {arg!r})", 2)
    simple: dict[str, Callable[[str], Awaitable[str]]] = {
        "answer": session.answer,
        "hangup": session.hangup,
        "hold": session.hold,
        "retrieve": session.retrieve,
        "status": session.status,
        "register": session.register,
        "unregister": session.unregister,
    }
    if action in simple:
        return await simple[action](name)
    if action == "dial":
        return await session.dial(name, str(arg))
    if action == "transfer":
        return await session.transfer(name, str(arg))
    if action == "dtmf":
        return await session.dtmf(name, str(arg))
    if action == "check-nat":
        return (await session.check_nat(name))[1]
    return (await session.check_ice(name))[1]


async def handle(session: LabSession, req: dict[str, Any]) -> Answer:
    """One request against the session."""
    op = req.get("op")
    try:
        if op == "phone_start":
            text = await session.start_phone(
                str(req["name"]),
                str(req["host"]),
                str(req["user"]),
                str(req.get("client") or "myportal_voip"),
                str(req.get("server") or "LAN"),
            )
            return Answer(ok="NOT registered" not in text, code=0 if "NOT registered" not in text else 1, text=text)
        if op == "phone":
            return Answer(ok=True, text=await _phone(session, req))
        if op == "audio":
            ok, _, text = await session.audio(str(req["a"]), str(req["b"]), str(req.get("expect") or "two-way"))
            return Answer(ok=ok, code=0 if ok else 1, text=text)
        if op == "router":
            return Answer(ok=True, text=session.router(str(req["name"]), **dict(req.get("changes") or {})))
        raise SessionError(f"unknown request {op!r}", 2)
    except SessionError as exc:
        return Answer(ok=False, code=exc.code, text=str(exc))
    except KeyError as exc:
        return Answer(ok=False, code=2, text=f"request {op} lacks {exc}")


async def serve(session: LabSession, path: Path) -> asyncio.Server:
    """Answer requests on `path` until the returned server is closed."""
    lock = asyncio.Lock()  # one action at a time, as one user at one keyboard

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            try:
                req = json.loads(line)
                if not isinstance(req, dict):
                    raise ValueError("not an object")
            except ValueError as exc:
                answer = Answer(ok=False, code=2, text=f"malformed request: {exc}")
            else:
                async with lock:
                    answer = await handle(session, req)
            writer.write(answer.model_dump_json().encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()

    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return await asyncio.start_unix_server(on_client, str(path))


# -- the commands' side -----------------------------------------------------------------------


def request(run_id: str, payload: dict[str, Any], timeout: float = REQUEST_TIMEOUT) -> Answer:
    """Send one request to the process serving live run `run_id`; LabError when there is none."""
    from .cli.common import find_run

    find_run(run_id)
    if not runs.is_alive(run_id):
        raise LabError(f"run {run_id} is not live (torn down or crashed); `uclab clean` removes leftovers")
    sock_path = control_path(run_id)
    if not sock_path.exists():
        raise LabError(f"run {run_id} has no control socket: it was not brought up by `uclab up`")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(sock_path))
            sock.sendall(json.dumps(payload).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            raise LabError(f"run {run_id} did not answer within {timeout:.0f} s") from None
        except OSError as exc:
            raise LabError(f"run {run_id}'s control socket refused the request: {exc}") from None
    try:
        return Answer.model_validate_json(data)
    except ValidationError:
        raise LabError(f"run {run_id} answered something unreadable: {data[:200]!r}") from None
