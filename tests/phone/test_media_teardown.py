"""Media teardown under churn: short ICE calls ended while audio flows must not crash agents.

pjmedia 2.15.1's conference bridge applies a port removal asynchronously, in its clock
thread. (1) pjsua destroys the call's ICE media transport right after queueing the
stream's removal, so a tick still writing into the stream sends through the destroyed
transport (`pj_ice_strans_sendto2` with ice_st == NULL: "segfault at e80" in the thread
"clock"); `PjRuntime.release_stream` (every call's `onStreamDestroyed`) holds the teardown
for two ticks. (2) The bridge calls every port each tick until its removal is applied, so a
Python port (the call's ReceivedAudio) freed by Python is called half-destroyed;
`BridgePort.close()` destroys the C++ side first (simulators/pj/audio.py NOTE).
The churn: calls ended by either side during media, after hold and retrieve, after saving
audio, and a final agent shutdown with a call up. UCLAB_TEARDOWN_CALLS sets the default
run's count (40); the slow variant makes 200.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from simulators.lab import Lab
from simulators.phone.client import Call, Phone, PhoneError, connect

from .conftest import StartPhone


@dataclass
class Churn:
    calls: int = 0
    crashes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _dead(phone: Phone) -> bool:
    return phone.process is not None and phone.process.wait(0)


async def _one_call(a: Phone, b: Phone, i: int, rng: random.Random) -> None:
    x, y = await connect(a, b)
    await asyncio.sleep(rng.uniform(0.0, 0.06))  # RTP flowing through the bridge
    if i % 7 == 3:
        await x.hold()
        await x.retrieve()
    if i % 11 == 5 and a.run_dir is not None:
        await x.save_audio(a.run_dir / "media" / f"teardown-{i}.wav", 0.2)
    ender: Call = x if i % 2 == 0 else y
    other = y if ender is x else x
    await ender.hangup()
    await other.disconnected()


async def churn(lab: Lab, phones: StartPhone, n: int, *, seed: int = 7) -> Churn:
    """n short calls alice <-> bob (ICE on); an agent that dies is counted and restarted."""
    rng = random.Random(seed)
    result = Churn()

    async def start() -> tuple[Phone, Phone]:
        a, b = await asyncio.gather(phones(lab, "alice", ice=True), phones(lab, "bob", ice=True))
        return a, b

    alice, bob = await start()
    for i in range(n):
        pair = (alice, bob) if i % 3 else (bob, alice)
        try:
            await _one_call(*pair, i, rng)
            result.calls += 1
        except (PhoneError, AssertionError, TimeoutError) as exc:
            await asyncio.sleep(0.2)
            dead = [p.name for p in (alice, bob) if _dead(p)]
            if not dead:
                result.errors.append(f"call {i}: {exc}")
                continue
            result.crashes.append(f"call {i}: {', '.join(dead)} died ({exc})")
            for p in (alice, bob):
                await p.close(1.0)
            alice, bob = await start()
    # shutting down with a call up tears its media down during libDestroy's hangup
    await connect(alice, bob)
    for p in (alice, bob):
        await p.close()
        if p.process is not None and p.process.wait(2.0):
            pass
    return result


def _calls(default: int) -> int:
    return int(os.environ.get("UCLAB_TEARDOWN_CALLS", default))


@pytest.mark.rule("UC-CALL-1")
async def test_calls_ended_during_media_do_not_crash_agents(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097): ending calls while audio flows (either side, after
    hold/retrieve, after save_audio) never crashes a softphone agent."""
    r = await churn(lan_lab, phones, _calls(40))
    assert not r.crashes, f"agents crashed: {r.crashes}; other errors: {r.errors}"
    assert not r.errors, r.errors
    assert r.calls == _calls(40)


@pytest.mark.slow
@pytest.mark.rule("UC-CALL-1")
async def test_calls_ended_during_media_do_not_crash_agents_long(lan_lab: Lab, phones: StartPhone) -> None:
    """UC-CALL-1 (000:1076-1097): the same churn, 200 calls."""
    r = await churn(lan_lab, phones, 200, seed=11)
    assert not r.crashes, f"agents crashed: {r.crashes}; other errors: {r.errors}"
    assert not r.errors, r.errors


PORT_CHURN = """
import sys, time
import pjsua2 as pj
from simulators.pj.audio import ReceivedAudio
n = int(sys.argv[1])
ep = pj.Endpoint(); ep.libCreate()
ec = pj.EpConfig(); ec.uaConfig.threadCnt = 0; ec.uaConfig.mainThreadOnly = True
ec.logConfig.level = 0; ec.logConfig.consoleLevel = 0
ec.medConfig.clockRate = 16000; ec.medConfig.sndClockRate = 16000; ec.medConfig.sndAutoCloseTime = -1
ep.libInit(ec); ep.audDevManager().setNullDev(); ep.libStart()
ports = []
for i in range(n):
    ports.append(ReceivedAudio(f"p{i}", lambda changes: None))
    if len(ports) > 4:
        ports.pop(0)  # dropped by Python while the clock calls it (heart-beat frames)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.008:
        ep.libHandleEvents(2)
ports.clear()
ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
print("PORTS DONE", n, flush=True)
"""


def test_python_ports_dropped_while_the_clock_runs() -> None:
    """Python ports created and dropped under a running bridge clock (no network, one
    process): without BridgePort's destroy-first, 3 runs of 4 segfaulted."""
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, "-c", PORT_CHURN, "500"], cwd=root, capture_output=True, text=True, timeout=60
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "PORTS DONE 500" in out, out[-2000:]
    assert "has no attribute" not in out, out[-2000:]
