"""The call core's switching rules (simulators/uc/callcore/switch.py), without pjsua2."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from simulators.uc.callcore.switch import (
    Connect,
    Dial,
    Disconnect,
    Hangup,
    Hold,
    Reply,
    Retrieve,
    SendDtmf,
    Switch,
    best_failure,
    dialled_number,
)


@dataclass(frozen=True)
class Dev:
    sip_user: str
    kind: str = "voip_client"


class Directory:
    """Stations 200, 201, 202; MULAP 210 = devices 211 + 212; nobody on 999."""

    def devices_for_number(self, number: str) -> list[Dev]:
        if number == "210":
            return [Dev("211", "dect"), Dev("212")]
        return [Dev(number)] if number in ("200", "201", "202", "211", "212") else []

    def number_of_device(self, username: str) -> str:
        return "210" if username in ("211", "212") else username


def switch(capacity: int = 4) -> Switch:
    return Switch(Directory(), capacity)


def connected(sw: Switch, caller: str = "200", callee: str = "201") -> tuple[str, str]:
    actions = sw.incoming("i1", user=callee, device=caller)
    (dial,) = actions
    assert isinstance(dial, Dial) and dial.device == callee and dial.caller_number == caller
    sw.answered(dial.leg)
    sw.confirmed("i1")
    return "i1", dial.leg


def test_dialled_number_accepts_internal_numbers_with_separators() -> None:
    assert dialled_number("201") == "201"
    assert dialled_number("2 01") == "201"
    assert dialled_number("(20)-1") == "201"
    assert dialled_number("+4989201") is None
    assert dialled_number("alice") is None
    assert dialled_number("1" * 17) is None


def test_call_rings_then_connects_and_bridges() -> None:
    sw = switch()
    (dial,) = sw.incoming("i1", user="201", device="200")
    assert isinstance(dial, Dial)
    assert sw.ringing(dial.leg) == [Reply("i1", 180, "Ringing", identity="201")]
    assert sw.ringing(dial.leg) == []
    actions = sw.answered(dial.leg)
    assert actions == [Reply("i1", 200, "OK", identity="201"), Connect("i1", dial.leg)]
    assert sw.leg("i1").peer == dial.leg and sw.leg(dial.leg).peer == "i1"


def test_unknown_number_404_and_self_call_486_and_full_worker_503() -> None:
    sw = switch()
    assert sw.incoming("i1", user="999", device="200") == [Reply("i1", 404, "no station 999")]
    assert sw.incoming("i2", user="200", device="200") == [Reply("i2", 486, "200 is calling itself")]
    assert isinstance(sw.incoming("i3", user="alice", device="200")[0], Reply)
    small = switch(capacity=2)
    (refused,) = small.incoming("i4", user="210", device="200")
    assert refused == Reply("i4", 503, "call core worker full")
    assert small.live_legs() == 0


def test_mulap_rings_all_members_first_answer_wins() -> None:
    sw = switch()
    dials = sw.incoming("i1", user="210", device="200")
    assert [d.device for d in dials if isinstance(d, Dial)] == ["211", "212"]
    legs = [d.leg for d in dials if isinstance(d, Dial)]
    actions = sw.answered(legs[1])
    assert actions == [Reply("i1", 200, "OK", identity="210"), Hangup(legs[0]), Connect("i1", legs[1])]
    assert sw.ended(legs[0], 487, "Request Terminated") == []


def test_all_forks_fail_gives_the_best_failure() -> None:
    sw = switch()
    dials = [d.leg for d in sw.incoming("i1", user="210", device="200") if isinstance(d, Dial)]
    assert sw.ended(dials[0], 480, "Not Registered") == []
    assert sw.ended(dials[1], 486, "Busy Here") == [Reply("i1", 486, "Busy Here")]
    assert best_failure([480, 408]) == 480
    assert best_failure([500]) == 500
    assert best_failure([]) == 480


def test_caller_hangs_up_while_ringing_cancels_forks() -> None:
    sw = switch()
    dials = [d.leg for d in sw.incoming("i1", user="210", device="200") if isinstance(d, Dial)]
    assert sw.ended("i1", 487) == [Hangup(dials[0]), Hangup(dials[1])]


def test_hangup_of_either_side_hangs_up_the_other_and_forgets_the_session() -> None:
    sw = switch()
    a, b = connected(sw)
    assert sw.ended(b, 200, "Normal") == [Hangup(a)]
    assert sw.ended(a) == []
    assert sw.sessions == {} and sw.legs == {}


def test_hold_and_retrieve_are_relayed_once() -> None:
    sw = switch()
    a, b = connected(sw)
    assert sw.media(a, "active") == []
    assert sw.media(a, "remote_hold") == [Hold(b)]
    assert sw.media(a, "remote_hold") == []
    assert sw.media(b, "local_hold") == []
    assert sw.media(a, "active") == [Retrieve(b)]
    assert sw.media(a, "active") == []


def test_dtmf_goes_to_the_peer_with_the_same_method() -> None:
    sw = switch()
    a, b = connected(sw)
    assert sw.dtmf(a, "5", "rfc4733") == [SendDtmf(b, "5", "rfc4733")]
    assert sw.dtmf(b, "#", "info") == [SendDtmf(a, "#", "info")]
    assert sw.dtmf("nonexistent", "1", "info") == []


def test_blind_transfer_hands_the_peer_to_the_transfer_leg() -> None:
    sw = switch()
    a, b = connected(sw)
    status, t, actions = sw.transfer_requested(a)
    assert status == 202 and t is not None and actions == [Disconnect(a, b)]
    assert sw.leg(b).peer == t and sw.leg(a).peer is None
    assert sw.ringing(t) == []
    assert sw.answered(t) == [Connect(b, t)]
    assert sw.ended(a) == []


def test_failed_transfer_gives_the_peer_back_or_ends_it() -> None:
    sw = switch()
    a, b = connected(sw)
    _, t, _ = sw.transfer_requested(a)
    assert t is not None
    assert sw.ended(t, 486, "Busy") == [Connect(a, b)]
    assert sw.leg(a).peer == b
    _, t2, _ = sw.transfer_requested(a)
    assert t2 is not None
    sw.ended(a)
    assert sw.ended(t2, 480) == [Hangup(b)]


def test_transfer_refused_without_an_answered_peer() -> None:
    sw = switch()
    sw.incoming("i1", user="201", device="200")
    assert sw.transfer_requested("i1") == (403, None, [])


def test_replaces_moves_the_peer_to_the_new_leg() -> None:
    sw = switch()
    a, b = connected(sw)
    assert sw.replaced(a, "r1") == [Disconnect(a, b), Connect(b, "r1")]
    assert sw.leg(b).peer == "r1"
    assert sw.ended(a) == []
    assert sw.replaced("gone", "r2") == []


def test_snapshot_lists_sessions_and_legs() -> None:
    sw = switch()
    a, b = connected(sw)
    (session,) = sw.snapshot()
    assert session["caller"] == "200" and session["dialled"] == "201"
    legs = {leg["id"]: leg for leg in session["legs"]}  # type: ignore[attr-defined]
    assert legs[a]["peer"] == b and legs[b]["device"] == "201"


@pytest.mark.parametrize("capacity", [2, 3, 4])
def test_capacity_counts_live_legs(capacity: int) -> None:
    sw = switch(capacity)
    connected(sw)
    assert sw.free() == capacity - 2


def test_pickup_answers_the_ringing_caller_and_cancels_the_callee() -> None:
    """UC-CALL-3 (000:1307-1329, 000:823): *59 and the ringing number connects the picker to
    the caller; the callee's device is cancelled; a later answer there is too late."""
    sw = switch(capacity=6)
    (dial,) = sw.incoming("i1", user="202", device="200")
    assert isinstance(dial, Dial)
    sw.ringing(dial.leg)
    actions = sw.incoming("i2", user="*59202", device="201")
    assert actions == [Hangup(dial.leg), Reply("i2", 200, "OK"), Reply("i1", 200, "OK"), Connect("i1", "i2")]
    assert sw.peer_of("i1") is sw.leg("i2") and sw.peer_of("i2") is sw.leg("i1")
    assert sw.answered(dial.leg) == [Hangup(dial.leg)]
    assert sw.ended(dial.leg, 487, "Request Terminated") == []
    assert sw.ended("i2") == [Hangup("i1")]


def test_pickup_with_nothing_ringing_is_refused_with_the_reason() -> None:
    sw = switch(capacity=6)
    (reply,) = sw.incoming("i1", user="*59202", device="201")
    assert isinstance(reply, Reply) and reply.code == 503 and reply.reason == "No call to pick up at 202"
    (dial,) = sw.incoming("i2", user="202", device="200")
    assert isinstance(dial, Dial)
    assert Connect("i2", dial.leg) in sw.answered(dial.leg)
    (reply,) = sw.incoming("i3", user="*59202", device="201")
    assert isinstance(reply, Reply) and reply.code == 503, "an answered call cannot be picked up"
    (reply,) = sw.incoming("i4", user="*59abc", device="201")
    assert isinstance(reply, Reply) and reply.code == 404


def test_callme_outbound_calls_the_destination_first_then_the_target() -> None:
    """UC-CALLME-2 (000:758-760): the CallMe destination rings first (showing the target);
    once answered the target rings showing the user's internal number; then both connect."""
    from simulators.uc.callcore.routing import Ring

    sw = Switch(Directory(), 6, router=lambda user, dev: Ring(user, (user,)))
    session, actions = sw.originate("200", "202", "201")
    assert session is not None and actions == [Dial("c2", "202", "201")]
    assert sw.ringing("c2") == []
    (to_target,) = sw.answered("c2")
    assert isinstance(to_target, Dial) and (to_target.device, to_target.caller_number) == ("201", "200")
    assert sw.ringing(to_target.leg) == []
    assert sw.answered(to_target.leg) == [Connect("c2", to_target.leg)]
    # the CallMe destination hangs up before the target answers: the target stops ringing
    _, actions = sw.originate("200", "202", "201")
    (first,) = actions
    assert isinstance(first, Dial)
    (fork,) = sw.answered(first.leg)
    assert isinstance(fork, Dial)
    assert sw.ended(first.leg) == [Hangup(fork.leg)]
    assert sw.originate("200", "210", "201")[0] is None, "a group is not one station"


def test_a_user_with_no_registered_device_goes_to_the_mailbox_at_once() -> None:
    """LAB-UNREACHABLE-VOICEMAIL: every fork answered 480 Not Registered -> the mailbox answers;
    a busy device (486) or a user without a mailbox keeps the failure."""
    from simulators.uc.callcore.routing import Ring
    from simulators.uc.callcore.switch import AnswerLocal

    sw = Switch(Directory(), 6, router=lambda user, dev: Ring(user, (user,), voicemail_of=user, no_answer_s=3.0))
    dial = next(a for a in sw.incoming("i1", user="201", device="200") if isinstance(a, Dial))
    (box,) = sw.ended(dial.leg, 480, "Not Registered")
    assert isinstance(box, AnswerLocal) and (box.leg, box.service, box.owner) == ("i1", "voicemail", "201")
    dial = next(a for a in sw.incoming("i2", user="201", device="200") if isinstance(a, Dial))
    (busy,) = sw.ended(dial.leg, 486, "Busy Here")
    assert isinstance(busy, Reply) and busy.code == 486
    plain = Switch(Directory(), 6, router=lambda user, dev: Ring(user, (user,)))
    (only,) = plain.incoming("i3", user="201", device="200")
    assert isinstance(only, Dial)
    (failed,) = plain.ended(only.leg, 480, "Not Registered")
    assert isinstance(failed, Reply) and (failed.code, failed.reason) == (480, "Not Registered")


def test_a_canonical_number_of_the_system_names_its_internal_number() -> None:
    """UC-CALL-5 (000:1037): + country code, area code, the system's number and the station,
    with blanks and + ( ) / - : ; between, is the internal station; another prefix is external."""
    from simulators.uc.callcore.routing import canonical_internal

    assert canonical_internal("+49 (89) 7007-201", "+49897007") == "201"
    assert canonical_internal("+49897007201", "+49897007") == "201"
    assert canonical_internal("+49 30 1234-201", "+49897007") is None
    assert canonical_internal("201", "+49897007") is None
    assert canonical_internal("+49897007201", None) is None


def test_the_caller_is_told_the_number_it_dialled_also_when_another_station_rings() -> None:
    """LAB-CONNECTED-IDENTITY (000:756): CallMe rings the destination 202 for a call to 20-0;
    the caller's 180 and 200 assert 200, the number dialled, not 202."""
    from simulators.uc.callcore.routing import Ring

    sw = Switch(Directory(), 6, router=lambda user, dev: Ring("202", ("202",), why="CallMe of 200"))
    (dial,) = sw.incoming("i1", user="20-0", device="201")
    assert isinstance(dial, Dial) and dial.device == "202"
    assert sw.ringing(dial.leg) == [Reply("i1", 180, "Ringing", identity="200")]
    assert sw.answered(dial.leg)[0] == Reply("i1", 200, "OK", identity="200")
