"""A call core worker that dies is replaced (callcore/main.py), and its successor forgets the
conference legs the dead one held (callcore/services.forget_predecessor): the state's
participants are the calls that exist. UC-CONF-1's count of 8 and "one left ends it", and
UC-CONF-2/4's 16, channels in use and participant states (000:1513-1517, 000:1548-1555)
rely on that."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

import pytest

import simulators.uc.service as uc_service
from simulators.lab import Lab

from .test_service import office_with_stub

PATIENCE_S = 15.0


async def states_open(stub: uc_service.Stub) -> dict[int, int]:
    """Every worker has opened its state, and so done its start-up clean-up (a worker answers
    SIP and `status` before that; rows naming it written earlier would be taken for its
    predecessor's). The workers' pids."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        workers = (await stub.core("status"))["workers"]
        if all(w.get("state_open") for w in workers) or time.monotonic() > deadline:
            assert all(w.get("state_open") for w in workers), workers
            return {w["worker"]: w["pid"] for w in workers}
        await asyncio.sleep(0.05)  # no event tells a test that a background open finished


async def restarted(stub: uc_service.Stub, worker: int, pid: int) -> None:
    """Worker `worker` runs under a new pid (the supervisor answers `status` throughout)."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        status = await stub.core("status")
        pids = {w["worker"]: w["pid"] for w in status["workers"] if isinstance(w, dict) and "pid" in w}
        if pids.get(worker, pid) != pid:
            return
        await asyncio.sleep(0.05)  # no event tells a test that a fork finished
    raise AssertionError(f"worker {worker} was not replaced within {PATIENCE_S} s: {status}")


async def state_settles(done: Callable[[], bool]) -> None:
    """The new worker answers before its state is open (it opens in the background, and
    forgets its predecessor's legs then): wait for that, bounded."""
    deadline = time.monotonic() + PATIENCE_S
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


@pytest.mark.rule("UC-CONF-1", "UC-CONF-4")
async def test_a_replaced_worker_drops_the_conference_legs_it_held(lab_factory: Callable[..., Lab]) -> None:
    """Worker 0 dies holding one leg of a three-party conference spread over workers 0 and 1:
    its successor removes that leg, worker 1's group is left holding everyone (no mixer slot);
    a two-party one with a leg on worker 0 ends, since one participant is no conference. In a
    MeetMe conference the member whose call worker 0 anchored turns Inactive and frees its
    channel; the member on worker 1 stays connected (Waiting: alone now)."""
    lab = lab_factory(office_with_stub({"config": "office", "workers": 2}))
    stub = uc_service.stub_of(lab, "system")
    pids = await states_open(stub)
    state = stub.state()
    now = state.now()
    three = state.phone_conference_join(None, "200", [(0, "dead.a"), (1, "live.b"), (1, "live.c")], None, 2, now)
    two = state.phone_conference_join(None, "201", [(0, "dead.d"), (1, "live.e")], None, 2, now)
    meetme = state.create_conference("201", "Ben", "X", True, now)
    anna = state.add_member(meetme.id, lambda c: None, number="200", name="Anna")
    ben = meetme.members[0]
    for member, worker in ((ben, 1), (anna, 0)):
        _, joined = state.dial_in(member.pin, 2, state.now(), member.number, worker=worker)
        assert joined is not None
        state.member_connected(meetme.id, member.id, state.now())
    assert {s.conference for s in state.mix_slots()} == {three.id, two.id, meetme.id}
    assert state.channels_in_use() == {meetme.id: 2}
    pid = pids[0]

    os.kill(pid, signal.SIGKILL)
    await restarted(stub, 0, pid)
    await state_settles(lambda: state.phone_conference(two.id) is None)

    kept = state.phone_conference(three.id)
    assert kept is not None and sorted(kept.parties) == [(1, "live.b"), (1, "live.c")]
    assert state.phone_conference(two.id) is None
    assert [s for s in state.mix_slots() if s.conference in (three.id, two.id)] == []
    after = state.conference(meetme.id)
    assert after is not None and [(m.number, m.state.value) for m in after.members] == [
        ("201", "waiting"),
        ("200", "inactive"),
    ]
    assert state.channels_in_use() == {meetme.id: 1}
    assert any("worker 0" in death and "SIGKILL" in death for death in (await stub.core("status"))["deaths"])
