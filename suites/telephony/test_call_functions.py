"""Call functions through the system (UC-CALL-1..3, 000:1076-1097, 000:1270-1339, 000:816-824),
with Ben's myPortal @work client on the LAN and at home over the Internet (004:236-250).

Anna (200, VoIP client in the office), Ben (201, the user whose call functions are used)
and Clara (202, SIP desk phone in the office). Every call runs device -> system -> device;
each verdict is what the parties hear (their tones through the system's bridge), plus the
SIP outcome where a function is refused.

Call pickup from the Favorites (UC-CALL-3): the client's green button is, in the lab, the
directed pickup code *59 and the ringing number dialled from Ben's client (the lab defines the
code, docs/RULES-INTERPRETATION.md "Call pickup").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.phone.client import Phone, PhoneError
from simulators.phone.media import expect_audio, stops_hearing
from simulators.uc.service import Stub

from .common import (
    CALLER_HOST,
    DESK_HOST,
    PLACEMENTS,
    Placement,
    answered,
    conversation_with,
    dial_uri,
    feature_stub,
    held_by_system,
    home_client,
    uc_login,
)

REMOTE = [pl for pl in PLACEMENTS if pl.name in ("lan", "internet")]
"""the LAN and the farthest way in (the Internet through the router's forwarded 8802)"""


async def office(
    placement: Placement, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> tuple[Lab, Stub, Phone, Phone, Phone]:
    lab = lab_factory(placement.topology)
    stub = await feature_stub(lab, stubs)
    anna, ben, clara = await asyncio.gather(
        phones(lab, CALLER_HOST[placement.topology], "anna", **voip_client(stub, "200")),
        phones(lab, placement.host, "ben", **home_client(stub, placement, "201")),
        phones(lab, DESK_HOST[placement.topology], "clara", **desk_phone(stub, "202")),
    )
    for phone in (anna, ben, clara):
        await registered(phone, timeout=10)
    return lab, stub, anna, ben, clara


@pytest.mark.parametrize("placement", REMOTE, ids=str)
@pytest.mark.clause(
    "UC-CALL-1/answer-disconnect",
    "UC-CALL-1/consultation",
    "UC-CALL-2/consultation",
    "UC-CALL-2/toggle",
    "UC-CALL-2/attended-transfer",
    how="wire",
)
async def test_consultation_toggle_and_attended_transfer(
    placement: Placement, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CALL-1 consultation/alternate and retrieve (000:1076-1097), UC-CALL-2 (000:1270-1305):
    Anna calls Ben; Ben consults Clara (Anna held: she hears nothing of Ben), toggles back to
    Anna and again to Clara, then transfers the held Anna to Clara (attended): Anna and Clara
    talk, both of Ben's calls are gone."""
    _, stub, anna, ben, clara = await office(placement, lab_factory, stubs, phones)
    a1 = await anna.dial(stub.door_uri("201"))
    b1 = await answered(a1, ben)
    await expect_audio(a1, b1, "two-way", within=5)

    await b1.hold()
    held = await held_by_system(a1)
    b2 = await ben.dial(dial_uri(stub, placement, "202"))
    c2 = await answered(b2, clara)
    await expect_audio(b2, c2, "two-way", within=5)
    await expect_audio(a1, b1, "none", within=1.0, since=max(held, time.monotonic()))

    await ben.toggle(b2, b1)
    await expect_audio(a1, b1, "two-way", within=5)
    await ben.toggle(b1, b2)
    await expect_audio(b2, c2, "two-way", within=5)

    await b1.transfer_attended(b2, timeout=10)
    await expect_audio(a1, c2, "two-way", within=5)
    assert b1.state == b2.state == "disconnected"


@pytest.mark.parametrize("placement", REMOTE[-1:], ids=str)
@pytest.mark.clause("UC-CALL-4/dtmf", "UC-CALL-1/dtmf", how="wire")
async def test_dtmf_during_an_active_voip_call_crosses_the_system(
    placement: Placement, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CALL-4 (000:1361-1386): during an active VoIP call the user enters DTMF digits (the
    client's Ctrl+D keypad sends them). Ben's client at home (signalling over the forwarded
    8802) and Anna in the office: every digit keyed on one side reaches the other, as RFC 4733
    events in the RTP stream and as SIP INFO, in both directions through the system."""
    _, stub, anna, ben, _ = await office(placement, lab_factory, stubs, phones)
    b1 = await ben.dial(dial_uri(stub, placement, "200"))
    a1 = await answered(b1, anna)
    await expect_audio(a1, b1, "two-way", within=5)
    for method, digits in (("rfc4733", "0123456789*#"), ("info", "159#")):
        for sender, receiver in ((b1, a1), (a1, b1)):
            mark = receiver.phone.mark()
            await sender.send_dtmf(digits, method)
            got = await receiver.dtmf_received(len(digits), since=mark, timeout=5)
            heard = ("".join(d.digit for d in got), {d.method for d in got})
            assert heard == (digits, {method}), f"{receiver.phone.name} got {heard} for {method} {digits!r}"


@pytest.mark.parametrize("placement", REMOTE, ids=str)
@pytest.mark.clause("UC-CALL-1/transfer-deflect", how="wire")
async def test_blind_transfer_and_deflect_to_a_phone(
    placement: Placement, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CALL-1 "Blind transfer / Deflect to phone" (000:1076-1097, 000:1296-1301): Ben
    transfers Anna's answered call to Clara, and deflects Anna's ringing call to Clara; each
    time Anna and Clara talk. Refused: a blind transfer to a number nobody has fails (the
    transfer's final NOTIFY is not 2xx) and Anna stays with Ben."""
    _, stub, anna, ben, clara = await office(placement, lab_factory, stubs, phones)
    to_clara = dial_uri(stub, placement, "202")

    a = await anna.dial(stub.door_uri("201"))
    b = await answered(a, ben)
    with pytest.raises(PhoneError, match="transfer failed"):
        await b.transfer(dial_uri(stub, placement, "299"), timeout=10)
    await expect_audio(a, b, "two-way", within=5)
    transfer = asyncio.ensure_future(b.transfer(to_clara, timeout=10))
    c = await clara.incoming(timeout=10)
    await c.answer(timeout=10)
    await transfer
    # the system cuts Ben off when it accepts the REFER, but his last ~150 ms of audio are
    # still on their way to Anna (RTP, her jitter buffer) when the transfer completes; the
    # verdict starts once she stopped hearing him (stops_hearing fails if she never does)
    cut = await stops_hearing(a, b)
    await expect_audio(a, c, "two-way", within=5, since=cut)
    await a.hangup()
    await c.disconnected(timeout=10)

    a = await anna.dial(stub.door_uri("201"))
    ringing = await ben.incoming(timeout=10)
    await ringing.deflect(to_clara)
    c = await answered(a, clara)
    assert "sip:200@" in c.remote_uri, f"Clara sees {c.remote_uri}, not Anna's number"
    await expect_audio(a, c, "two-way", within=5)


@pytest.mark.parametrize("placement", REMOTE, ids=str)
@pytest.mark.clause("UC-CALL-3/pickup", "UC-CALL-3/missed", how="wire")
@pytest.mark.lab_choice("LAB-PICKUP-CODE")
async def test_pickup_of_a_favourites_ringing_call(
    placement: Placement, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CALL-3 (000:1307-1329, 000:816-824): Anna calls Clara; while Clara's phone rings, Ben
    picks the call up: Ben and Anna talk, Clara's phone stops ringing (her call is cancelled:
    missed, 000:823). Refused: with nothing ringing at Clara, the pickup fails with 480
    naming the reason. Clara's Conversations list the call from 200 as missed, with no
    "answered by"; Ben's as answered (UC-CONV-1)."""
    lab, stub, anna, ben, clara = await office(placement, lab_factory, stubs, phones)
    nothing = await (await ben.dial(dial_uri(stub, placement, "*59202"))).disconnected(timeout=10)
    assert nothing.code == 480 and "No call to pick up at 202" in nothing.reason, (nothing.code, nothing.reason)

    a = await anna.dial(stub.door_uri("202"))
    ringing = await clara.incoming(timeout=10)
    b = await ben.dial(dial_uri(stub, placement, "*59202"))
    await b.established(timeout=10)
    await a.established(timeout=10)
    stopped = await ringing.disconnected(timeout=10)
    assert stopped.code == 487, f"Clara's phone ended with {stopped.code} {stopped.reason}, not cancelled"
    await expect_audio(a, b, "two-way", within=5)
    await a.hangup()
    await b.disconnected(timeout=10)
    office_pc = CALLER_HOST[placement.topology]
    for user, outcome in (("202", "missed"), ("201", "answered")):
        api = await uc_login(lab, stub, office_pc, user)
        (entry,) = (await conversation_with(api, "200")).entries
        assert (entry.kind, entry.direction, entry.outcome) == ("call", "in", outcome), (user, entry)
        assert "answered_by" not in entry.model_dump(), entry
        await api.aclose()


@pytest.mark.clause(
    "UC-CONV-1/per-contact",
    "UC-CONV-1/latest-first",
    "UC-CALL-5/separate-entries",
    "UC-CALL-5/dialable",
    "UC-CALL-5/canonical",
    "UC-CALL-5/redial",
    how="wire",
)
@pytest.mark.lab_choice("LAB-REDIAL")
async def test_conversations_per_number_as_dialled(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONV-1 (000:887-912): calls are listed per contact, the latest event first;
    UC-CALL-5 (000:1032-1070): 201, 20-1 and the canonical +49(89)7007-201 (+ country code,
    area code, the system's number and the station, 000:1037) reach the same user (each rings
    Ben), yet give separate conversations (000:1050). Ben answers the first call and rejects
    the others: for Anna one answered and two not answered, for Ben all from 200, the newest
    first. Anna's redial list (000:1253) holds the three numbers as she dialled them, newest
    first."""
    lab, stub, anna, ben, _ = await office(PLACEMENTS[0], lab_factory, stubs, phones)
    out = await anna.dial(stub.door_uri("201"))
    inc = await answered(out, ben)
    await expect_audio(out, inc, "two-way", within=5)
    await out.hangup()
    await inc.disconnected(timeout=10)
    for dialled in ("20-1", CANONICAL_BEN):
        out = await anna.dial(stub.door_uri(dialled))
        await (await ben.incoming(timeout=10)).reject(486)
        assert (await out.disconnected(timeout=10)).code == 486, f"{dialled} did not ring Ben"
    anna_api = await uc_login(lab, stub, "office_pc", "200")
    await conversation_with(anna_api, CANONICAL_BEN)
    mine = [(c.party, [(e.direction, e.outcome) for e in c.entries]) for c in await anna_api.conversations()]
    assert mine == [
        (CANONICAL_BEN, [("out", "not_answered")]),
        ("20-1", [("out", "not_answered")]),
        ("201", [("out", "answered")]),
    ], mine
    assert await anna_api.redial() == [CANONICAL_BEN, "20-1", "201"]
    ben_api = await uc_login(lab, stub, "office_pc2", "201")
    theirs = await conversation_with(ben_api, "200", entries=3)
    assert [(e.direction, e.outcome) for e in theirs.entries] == [
        ("in", "missed"),
        ("in", "missed"),
        ("in", "answered"),
    ]
    assert theirs.entries[0].at >= theirs.entries[1].at >= theirs.entries[2].at
    await anna_api.aclose()
    await ben_api.aclose()


CANONICAL_BEN = "+49(89)7007-201"
"""Ben's number in canonical form: office.yaml's system is +49 89 7007 (canonical_prefix)"""
NOBODY = [f"29{n:02d}" for n in range(26)]
"""26 internal numbers nobody has: each call is refused at once and leaves Anna an entry"""


@pytest.mark.clause("UC-CONV-1/limits", "UC-CONV-1/latest-first", "UC-CALL-5/redial", how="wire")
@pytest.mark.lab_choice("LAB-REDIAL")
async def test_25_conversations_of_50_entries_and_10_redial_numbers(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONV-1 (000:898) "up to 25 conversations and each conversation has up to 50 entries":
    Anna dials 26 different numbers (nobody has them: each call ends at once, an outgoing call
    not answered), then the last of them 50 more times. Conversations list 25, the newest
    first: the first number dialled is gone, the last has 50 of its 51 entries, newest first.
    UC-CALL-5 (000:398, 000:1253): the redial list has the 10 last distinct numbers, newest
    first."""
    lab, stub, anna, _, _ = await office(PLACEMENTS[0], lab_factory, stubs, phones)
    for number in [*NOBODY, *[NOBODY[-1]] * 50]:
        ended = await (await anna.dial(stub.door_uri(number))).disconnected(timeout=10)
        assert ended.code >= 400, f"{number}: {ended.code} {ended.reason}"
    api = await uc_login(lab, stub, "office_pc", "200")
    last = await conversation_with(api, NOBODY[-1], entries=50)
    listed = await api.conversations()
    assert [c.party for c in listed] == NOBODY[::-1][:25], [c.party for c in listed]
    assert len(last.entries) == 50, len(last.entries)
    assert all(a.at >= b.at for a, b in zip(last.entries, last.entries[1:], strict=False)), "not newest first"
    assert [len(c.entries) for c in listed[1:]] == [1] * 24
    assert await api.redial() == NOBODY[::-1][:10]
    await api.aclose()
