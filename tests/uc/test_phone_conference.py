"""Phone-controlled conferences (UC-CONF-1, 000:1489-1513, 000:1331-1339): the Conference
button's rules, the state's participants and mixer slots, the switch giving a leg up, and
the UC API's refusals (in UC Smart and UC Suite mode: no conference licence, no mode rule).
The media verdicts are in suites/telephony/test_conference_phone.py (real phones)."""

# ruff: noqa: F401, F811 (test_api.py's fixtures, imported under the names these tests use)

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from simulators.phone.ucapi import UcApiError
from simulators.uc.api.callcore_client import core_socket
from simulators.uc.callcore.switch import Disconnect, Hangup, Retrieve
from simulators.uc.control import serve
from simulators.uc.rules.conference_slots import Slot
from simulators.uc.rules.phone_conferences import DeviceCall, Plan, check_channels, decide
from simulators.uc.rules.verdict import Verdict
from simulators.uc.state.core import State
from simulators.uc.state.phone_conferences import PHONE_CONFERENCE_IDS, PhoneConferenceFull

from .api.test_api import Lab
from .api.test_api import lab as smart
from .api.test_api import suite_lab as suite
from .callcore.test_switch import connected, switch

POLICY = (
    "A phone-controlled conference joins the call you are talking in with the call you hold "
    "(000:1331-1339), with at most 8 participants (000:1513)."
)
NO_HELD = "You hold no call: put one party on hold and call the other, then press Conference. " + POLICY
NO_ACTIVE = "You are not talking to anyone: a conference needs an active call besides the held one. " + POLICY
FULL = "A phone-controlled conference has at most 8 participants"


def held(leg: str = "h", peer: str | None = "ph", worker: int = 0, **kw: Any) -> DeviceCall:
    return DeviceCall(worker, leg, True, peer=peer, **kw)


def active(leg: str = "a", peer: str | None = "pa", worker: int = 1, **kw: Any) -> DeviceCall:
    return DeviceCall(worker, leg, False, peer=peer, **kw)


def refusal(verdict: Plan | Verdict) -> tuple[str, ...]:
    assert isinstance(verdict, Verdict), verdict
    return (*verdict.codes, verdict.message)


# -- the rules --------------------------------------------------------------------------------


def test_consultation_extended_the_held_party_and_both_ends_of_the_active_call_join() -> None:
    plan = decide([held(), active()])
    assert isinstance(plan, Plan)
    assert (plan.conference, plan.joining, plan.parties) == (None, ((0, "ph"), (1, "a"), (1, "pa")), 3)
    assert plan.held.leg == "h" and plan.active.leg == "a"


def test_growing_the_new_party_joins_whichever_call_is_held() -> None:
    conf = PHONE_CONFERENCE_IDS + 1
    grow = decide([held(peer=None, conference=conf, parties=3), active()])
    assert isinstance(grow, Plan)
    assert (grow.conference, grow.joining, grow.parties) == (conf, ((1, "a"), (1, "pa")), 4)
    other_way = decide([held(), active(peer=None, conference=conf, parties=7)])
    assert isinstance(other_way, Plan)
    assert (other_way.conference, other_way.joining, other_way.parties) == (conf, ((0, "ph"),), 8)


def test_preconditions_and_the_ninth_participant_are_refused() -> None:
    conf = PHONE_CONFERENCE_IDS + 1
    assert refusal(decide([])) == ("no_held_call", NO_HELD)
    assert refusal(decide([active()])) == ("no_held_call", NO_HELD)
    assert refusal(decide([held()])) == ("no_active_call", NO_ACTIVE)
    assert refusal(decide([held(), held("h2")]))[0] == "no_active_call"
    assert refusal(decide([held(), held("h2"), active()]))[0] == "calls_ambiguous"
    assert refusal(decide([held(), active(), active("a2")]))[0] == "calls_ambiguous"
    assert refusal(decide([held(peer=None, conference=conf, parties=8), active()])) == ("conference_full", FULL)


def test_a_group_spanning_workers_needs_a_free_slot_for_its_uplink() -> None:
    """Consultation in worker 1 next to an unrelated call (no slot left), the held call in
    worker 0: the active call's group could not reach the mixer node, so it is refused; in
    one worker (or with a slot free) it fits. A released held leg frees its slot first."""
    plan = decide([held(), active()])
    assert isinstance(plan, Plan)
    no_channel = ("no_channel", "No conference channel is free; try again later.")
    assert refusal(check_channels(plan, (), {0: 0, 1: 0}, ())) == no_channel
    assert check_channels(plan, (), {0: 0, 1: 1}, ()).ok  # worker 0 gets the held leg's slot
    same_worker = decide([held(worker=1), active()])
    assert isinstance(same_worker, Plan) and check_channels(same_worker, (), {1: 0}, ()).ok
    conf = PHONE_CONFERENCE_IDS + 1
    grow = decide([held(peer=None, conference=conf, parties=3, worker=0), active(worker=2)])
    assert isinstance(grow, Plan)
    assert check_channels(grow, (0, 1), {0: 0, 1: 0, 2: 1}, (0, 1)).ok
    assert refusal(check_channels(grow, (0, 1), {0: 0, 1: 0, 2: 0}, (0, 1))) == no_channel
    # a conference held by worker 0 alone (no uplink yet) growing into worker 2
    assert check_channels(grow, (0,), {0: 0, 2: 1}, ()).ok  # the held leg's slot serves
    assert refusal(check_channels(grow, (0, 1), {0: 1, 1: 0, 2: 1}, (0,))) == no_channel


# -- the state --------------------------------------------------------------------------------


def slots(state: State, conference: int) -> list[Slot]:
    return [s for s in state.mix_slots() if s.conference == conference]


def test_one_worker_needs_no_mixer_slot_two_workers_one_uplink_slot_each(state: State) -> None:
    now = state.now()
    conf = state.phone_conference_join(None, "200", [(0, "w0.o2"), (0, "w0.i3"), (0, "w0.o4")], None, 2, now)
    assert conf.id == PHONE_CONFERENCE_IDS + 1
    assert (len(conf.parties), slots(state, conf.id)) == (3, [])
    conf = state.phone_conference_join(conf.id, "200", [(1, "w1.i1"), (1, "w1.o2")], (0, "w0.i3"), 2, now)
    assert sorted(conf.parties) == [(0, "w0.o2"), (0, "w0.o4"), (1, "w1.i1"), (1, "w1.o2")]
    assert [(s.role, s.ref) for s in slots(state, conf.id)] == [("participant", "1"), ("participant", "2")]
    # a MeetMe conference's view is untouched: phone-controlled ones are not listed there
    assert state.all_conferences() == [] and state.channels_in_use() == {}


def test_leaving_regroups_and_the_last_participant_ends_it(state: State) -> None:
    now = state.now()
    conf = state.phone_conference_join(None, "200", [(0, "b"), (1, "a"), (1, "c")], None, 2, now)
    assert len(slots(state, conf.id)) == 2
    left = state.phone_conference_left(conf.id, 0, "b", 2)
    assert left is not None and not left.ended
    assert slots(state, conf.id) == []  # one worker holds everyone: no node
    left = state.phone_conference_left(conf.id, 1, "c", 2)
    assert left is not None and left.ended and left.conference.parties == [(1, "a")]
    assert state.phone_conference(conf.id) is None and slots(state, conf.id) == []
    assert state.phone_conference_left(conf.id, 1, "a", 2) is None


def test_the_ninth_participant_changes_nothing(state: State) -> None:
    now = state.now()
    conf = state.phone_conference_join(None, "200", [(w, f"l{w}") for w in range(8)], None, 4, now)
    before = (state.phone_conference(conf.id), state.mix_slots())
    with pytest.raises(PhoneConferenceFull, match=f"^{FULL}$"):
        state.phone_conference_join(conf.id, "200", [(0, "l8")], None, 4, now)
    assert (state.phone_conference(conf.id), state.mix_slots()) == before


def test_a_restarted_worker_drops_the_legs_its_predecessor_held(state: State) -> None:
    """A worker that died took its calls with it: when its successor starts, the rows naming
    it go. A conference spread over workers 0 and 1 regroups onto worker 1 (no node needed);
    a conference whose other side is a single leg ends; other workers' rows are untouched."""
    now = state.now()
    spread = state.phone_conference_join(None, "200", [(0, "a"), (1, "b"), (1, "c")], None, 2, now)
    pair = state.phone_conference_join(None, "201", [(0, "d"), (0, "e"), (2, "f")], None, 2, now)
    assert len(slots(state, spread.id)) == 2 and len(slots(state, pair.id)) == 2
    left = state.phone_conference_worker_started(0, 2)
    assert [(x.conference.id, x.ended) for x in left] == [(spread.id, False), (pair.id, False), (pair.id, True)]
    kept = state.phone_conference(spread.id)
    assert kept is not None and sorted(kept.parties) == [(1, "b"), (1, "c")]
    assert slots(state, spread.id) == []  # worker 1 holds everyone
    assert state.phone_conference(pair.id) is None and slots(state, pair.id) == []
    assert state.phone_conference_worker_started(0, 2) == []  # nothing left to drop
    assert state.phone_conference_worker_started(3, 2) == []  # a worker that held nothing


# -- the switch -------------------------------------------------------------------------------


def test_a_detached_leg_is_retrieved_and_outlives_its_former_peer() -> None:
    sw = switch()
    a, b = connected(sw)
    assert sw.media(a, "remote_hold")  # the caller holds: the core held b for it
    assert sw.detach(b) == [Disconnect(b, a), Retrieve(b)]
    assert sw.ended(a) == []  # b is in the conference now, not hung up with a
    assert sw.leg(b).state == "answered" and sw.leg(b).peer is None
    assert sw.media(b, "remote_hold") == [] and sw.ended(b) == []
    assert Hangup(b) not in sw.ended(a)


# -- the UC API (a stand-in core answers `phone_calls`; the call core's part is the suite's) ---


@contextlib.asynccontextmanager
async def core(lab: Lab, calls: list[dict[str, Any]]) -> AsyncIterator[list[dict[str, Any]]]:
    asked: list[dict[str, Any]] = []

    async def phone_calls(req: dict[str, Any]) -> dict[str, Any]:
        asked.append(req)
        return {"calls": calls, "free": {"0": 2}, "uplinked": {"0": []}, "mixers": 2}

    server = await serve(core_socket(lab.state), {"phone_calls": phone_calls})
    try:
        yield asked
    finally:
        server.close()


def call(leg: str, held: bool, peer: str = "p") -> dict[str, Any]:
    return {"worker": 0, "leg": leg, "held": held, "conference": None, "peer": peer}


@pytest.mark.parametrize("mode", ["smart", "suite"])
async def test_api_refuses_without_a_held_or_an_active_call_in_both_modes(mode: str, smart: Lab, suite: Lab) -> None:
    """UC-CONF-1 (000:1331-1333, 000:1505): the Conference button needs a held and an active
    call; Anna (no conference licence) gets the same answers in UC Smart and UC Suite mode."""
    lab = smart if mode == "smart" else suite
    anna = await lab.user("200", "Start#200a" if mode == "smart" else "582014")
    for calls, message in (([], NO_HELD), ([call("i1", False)], NO_HELD), ([call("i1", True)], NO_ACTIVE)):
        async with core(lab, calls) as asked:
            with pytest.raises(UcApiError) as refused:
                await anna.conference()
        assert (refused.value.status, refused.value.message) == (409, message)
        assert asked[0]["devices"] == ["200"]
