"""A call core worker that dies is replaced (callcore/main.py), and its successor forgets the
conference legs the dead one held (callcore/services.forget_predecessor): the state's
participants are the calls that exist. UC-CONF-1's count of 8 and "one left ends it", and
UC-CONF-2/4's 16, channels in use and participant states (000:1513-1517, 000:1548-1555)
rely on that."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import simulators.uc.service as uc_service
from simulators.harness import until
from simulators.lab import Lab
from simulators.uc import backdoor

from .test_service import office_with_stub

PATIENCE_S = 15.0


async def workers(stub: uc_service.Stub) -> dict[int, dict[str, Any]]:
    """The call core's workers by index, as its `status` shows them."""
    # a worker being replaced may answer with an error instead of its status
    return {
        w["worker"]: w
        for w in (await backdoor.core(stub, "status"))["workers"]
        if isinstance(w, dict) and "worker" in w
    }


async def test_a_replaced_worker_drops_the_conference_legs_it_held(lab_factory: Callable[..., Lab]) -> None:
    """Worker 0 dies holding one leg of a three-party conference spread over workers 0 and 1:
    its successor removes that leg, worker 1's group is left holding everyone (no mixer slot);
    a two-party one with a leg on worker 0 ends, since one participant is no conference. In a
    MeetMe conference the member whose call worker 0 anchored turns Inactive and frees its
    channel; the member on worker 1 stays connected (Waiting: alone now).

    A self-test of the stub's crash recovery, not a conformance verdict: the worker really
    dies (SIGKILL) and is really replaced, but the conference rows are written by hand so
    that both workers hold known legs; UC-CONF-1/4's verdicts with phones are the suites'."""
    lab = lab_factory(office_with_stub({"config": "office", "workers": 2}))
    stub = uc_service.stub_of(lab, "system")

    async def all_open() -> bool:  # a worker answers `status` before its state is open, and
        # its start-up clean-up would take rows written before then for its predecessor's
        return all(w.get("state_open") for w in (await workers(stub)).values())

    await until(all_open, PATIENCE_S, "every worker's state open")
    with backdoor.open_state(stub) as state:
        now = state.now()
        three = state.phone_conference_join(None, "200", [(0, "dead.a"), (1, "live.b"), (1, "live.c")], None, 2, now)
        two = state.phone_conference_join(None, "201", [(0, "dead.d"), (1, "live.e")], None, 2, now)
        meetme = state.create_conference("201", "Ben", "X", True, now)
        anna = state.add_member(meetme.id, lambda c: None, number="200", name="Anna")
        ben = meetme.members[0]
        for member, worker in ((ben, 1), (anna, 0)):
            assert member.pin is not None and member.number is not None
            _, joined = state.dial_in(member.pin, 2, state.now(), member.number, worker=worker)
            assert joined is not None
            state.member_connected(meetme.id, member.id, state.now())
        assert {s.conference for s in state.mix_slots()} == {three.id, two.id, meetme.id}
        assert state.channels_in_use() == {meetme.id: 2}
        pid = (await workers(stub))[0]["pid"]

        os.kill(pid, signal.SIGKILL)

        async def replaced() -> bool:
            return bool((await workers(stub)).get(0, {}).get("pid", pid) != pid)

        async def forgotten() -> bool:  # the successor's state opens in the background
            return state.phone_conference(two.id) is None

        await until(replaced, PATIENCE_S, "a new worker 0")
        await until(forgotten, PATIENCE_S, "the two-party conference's end")

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
    assert any("worker 0" in death and "SIGKILL" in death for death in (await backdoor.core(stub, "status"))["deaths"])
