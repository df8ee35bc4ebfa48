"""kill -9 of a stub process during a call, and what the users and the UC API saw afterwards.

    fault = await inject(lab, stub, phones, "kamailio")   # or uc-server, uc-core, coturn, worker, mixer
    fault.call, fault.reachable_s, fault.restarted, fault.lost

A myPortal @work VoIP client (200, through the 8802 door) is in a call with a desk phone
(201, UDP 5060), both re-registering every REGISTER_S (the shortest lifetime a phone asks
for), when the process is killed with SIGKILL. Only processes the lab started are signalled:
the stub's own (Stub.processes) and the call core's children as the call core reports them
(backdoor.core_pids); "worker" is the worker that anchors the call. Then:

- the call: "survived" (two-way audio again within 3 s), "dropped" (a phone saw it end) or
  "silent" (nobody ended it and no audio flows);
- reachable_s: from the kill until a new call from 200 to 201 was answered (None: not within
  reach_s: the registration interval and a restart);
- restarted: what the supervisor and the call core recorded as died and replaced;
- lost: what the UC API shows differently than before (the administrator's users, devices
  and conferences, a user's personal contacts and voicemails; the user's password still logs in).

Nothing here judges: the self-test and the benchmark assert on the Fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from dataclasses import dataclass
from typing import Any

from simulators.harness import StartPhone, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.media import expect_audio
from simulators.phone.ucapi import UcApi, UcApiError
from simulators.robustness import deaths
from simulators.uc import backdoor
from simulators.uc.config import SystemConfig
from simulators.uc.service import Stub, config_source

TARGETS = ("kamailio", "uc-server", "uc-core", "coturn", "worker", "mixer")
"""what `inject` can kill: a stub process by name, the call's worker, mixer node 0"""
REGISTER_S = 10
"""the registration lifetime the phones ask for (they refresh 5 s before it ends)"""
RESTART_S = 20.0
TIME_SCALE = 0.1
"""the stub's time scale in `fault_config`: its shortest granted lifetime (60 documented
seconds, a lab choice) becomes 6 s, so the phones' REGISTER_S is granted"""
CALLER, CALLEE = ("office_pc", "200", "Start#200a"), ("office_pc2", "201")
ADMIN_PASSWORD = "Admin#2026"
WITNESS = "Fault Witness"
"""a personal contact of the caller's, written before the kill"""


@dataclass(frozen=True)
class Fault:
    process: str
    pid: int
    call: str
    """survived, dropped or silent (see the module docstring)"""
    reachable_s: float | None
    restarted: list[str]
    lost: list[str]
    error: str = ""


def fault_config() -> SystemConfig:
    """The office example at TIME_SCALE (documented timers compressed tenfold)."""
    office = config_source("office")
    return office.model_copy(update={"system": office.system.model_copy(update={"time_scale": TIME_SCALE})})


def reach_s(stub: Stub) -> float:
    """How long after a kill the callee must be reachable again: its registration interval
    (what it asked for, or the stub's minimum if longer) and a restart."""
    return max(REGISTER_S, stub.edge().min_expires) + RESTART_S


def _api(lab: Lab, stub: Stub, host: str) -> UcApi:
    return UcApi(
        f"https://{stub.door}", verify=stub.ca_file, socket_factory=lambda: lab.socket(host, socket.SOCK_STREAM)
    )


async def uc_view(lab: Lab, stub: Stub) -> dict[str, Any]:
    """What the UC API shows the administrator and the caller (a fresh login of each)."""
    host, user, password = CALLER
    async with _api(lab, stub, host) as admin, _api(lab, stub, host) as me:
        await admin.admin_login(ADMIN_PASSWORD)
        await me.login(user, password)
        users = [u.model_dump(exclude={"presence"}) for u in await admin.admin_users()]
        return {
            "users": users,
            "devices": [d.model_dump() for d in await admin.admin_devices()],
            "conferences": [
                c.model_dump(exclude={"participants", "channels_in_use", "active"})
                for c in await admin.admin_conferences()
            ],
            "contacts": [c.model_dump() for c in (await me.contacts()).contacts],
            "voicemails": [v.model_dump() for v in await me.voice_messages()],
        }


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per part of the UC view that changed: what was lost or what appeared."""
    out = []
    for part, was in before.items():
        now = after.get(part)
        lost = [item for item in was if item not in (now or [])]
        new = [item for item in (now or []) if item not in was]
        if lost or new:
            out.append(f"{part}: {len(lost)} gone, {len(new)} changed or new (e.g. {(lost or new)[0]})")
    return out


async def _pid(stub: Stub, target: str) -> tuple[str, int]:
    if target in stub.processes:
        return target, stub.processes[target].pid
    children = await backdoor.core_pids(stub)
    if target == "mixer":
        return "mixer 0", children["mixer 0"]
    sessions = await backdoor.core(stub, "calls")
    worker = f"worker {sessions[0]['worker']}" if sessions else "worker 0"
    return worker, children[worker]


async def _replaced(stub: Stub, process: str, pid: int) -> bool:
    if process in stub.processes:
        return stub.processes[process].pid != pid and stub.processes[process].alive()
    try:
        return (await backdoor.core_pids(stub)).get(process, pid) != pid
    except (OSError, RuntimeError, KeyError):
        return False  # the call core itself is being replaced


async def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.1)
    return False


async def _outcome(out: Call, inc: Call) -> str:
    try:
        await expect_audio(out, inc, "two-way", within=3)
        return "survived"
    except AssertionError:
        pass
    for call in (out, inc):
        try:
            await call.disconnected(timeout=1.0)
            return "dropped"
        except PhoneError:
            continue
    return "silent"


async def _reach(stub: Stub, alice: Phone, bob: Phone, since: float) -> float | None:
    """Call 201 from 200 until it is answered; seconds since `since`, None after reach_s."""
    while time.monotonic() - since < reach_s(stub):
        out: Call | None = None
        try:
            out = await alice.dial(stub.door_uri(CALLEE[1]))
            inc = await bob.incoming(timeout=3.0)
            await inc.answer()
            await out.established(timeout=3.0)
        except PhoneError:
            await _hang_up(out)
            await asyncio.sleep(0.5)
            continue
        reached = time.monotonic() - since
        await out.hangup()
        return reached
    return None


async def inject(lab: Lab, stub: Stub, phones: StartPhone, target: str) -> Fault:
    """Kill `target` (one of TARGETS) during a call between 200 and 201; see the module docstring."""
    if target not in TARGETS:
        raise ValueError(f"unknown fault target {target!r}: use one of {', '.join(TARGETS)}")
    host, user, password = CALLER
    async with _api(lab, stub, host) as me:
        await me.login(user, password)
        if not any(c.name == WITNESS for c in (await me.contacts()).contacts):
            await me.add_contact(WITNESS, business="+49 89 7007")
    before = await uc_view(lab, stub)
    expires = {"expires": REGISTER_S, "refresh_margin_s": 5}
    alice = await phones(lab, host, **_with(voip_client(stub, user), expires))
    bob = await phones(lab, CALLEE[0], **_with(desk_phone(stub, CALLEE[1]), expires))
    try:
        await registered(alice, 10.0)
        await registered(bob, 10.0)
        out = await alice.dial(stub.door_uri(CALLEE[1]))
        inc = await bob.incoming(timeout=10.0)
        await inc.answer()
        await out.established(timeout=10.0)
        await expect_audio(out, inc, "two-way", within=3)
        restarted_before = await deaths(stub)
        process, pid = await _pid(stub, target)
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        if not await _until(lambda: _replaced(stub, process, pid), RESTART_S):
            return Fault(process, pid, "dropped", None, [], [], f"{process} was not replaced within {RESTART_S} s")
        call = await _outcome(out, inc)
        await _hang_up(out)
        await _hang_up(inc)
        reachable = await _reach(stub, alice, bob, killed)
        restarted = (await deaths(stub))[len(restarted_before) :]
        try:
            lost = differences(before, await uc_view(lab, stub))
        except UcApiError as exc:
            lost = [f"the UC API refused the view: {exc}"]
        return Fault(process, pid, call, reachable, restarted, lost)
    finally:
        await alice.close()
        await bob.close()


async def _hang_up(call: Call | None) -> None:
    """End a call that may have ended already (or never started)."""
    if call is not None:
        with contextlib.suppress(PhoneError):
            await call.hangup(timeout=2.0)


def _with(settings: dict[str, Any], registration: dict[str, Any]) -> dict[str, Any]:
    """Phone settings with these registration fields added."""
    return {**settings, "registration": {**settings["registration"], **registration}}
