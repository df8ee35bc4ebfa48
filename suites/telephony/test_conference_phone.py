"""Phone-controlled conferences with real phones (UC-CONF-1, 000:1489-1513, 000:1331-1339,
000:1090), through the stub's call core.

Anna (200) talks on her myPortal @work VoIP client in the office and presses Conference in
the Call window of her myPortal @work session (UC API, POST /api/v1/calls/conference). Her
parties are SIP desk phones on the office LAN (stations 230..); every phone sends its own
plan tone and runs the conference detector, so "everyone hears everyone" is a verdict for
every directed pair (simulators/phone/media.expect_group), and nobody hears itself.

The system does not authenticate anyone here (no PINs, 000:1511) and needs no conference
licence (Anna has none, 000:1499). The stub runs enough call core workers that a
conference's calls spread over several of them, whose groups the mixer nodes join
(callcore/phone_conferences.py); which worker holds which call is the stub's business and
no verdict here reads it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub, registered, voip_client
from simulators.lab import Lab
from simulators.phone.client import Call, Phone
from simulators.phone.media import expect_audio, stops_hearing
from simulators.phone.ucapi import UcApi, UcApiError
from simulators.pj.tones import TONE_PLAN
from simulators.uc.service import Stub

from .common import answered, held_by_system, uc_login
from .conferencing import Party, conference_config, everyone_heard, station_phones

MIX_WINDOW = 8.0
"""seconds within which every directed pair must have been heard"""
FULL = "A phone-controlled conference has at most 8 participants"
"""the refusal of the 9th participant (000:1513), as the lab words it"""
POLICY = (
    "A phone-controlled conference joins the call you are talking in with the call you hold "
    "(000:1331-1339), with at most 8 participants (000:1513)."
)
NO_HELD = "You hold no call: put one party on hold and call the other, then press Conference. " + POLICY
NO_ACTIVE = "You are not talking to anyone: a conference needs an active call besides the held one. " + POLICY


class Office:
    """Anna (VoIP client, UC session) and `n` station desk phones (230..) on one stub."""

    def __init__(self, stub: Stub, api: UcApi, anna: Phone, stations: list[Phone]) -> None:
        self.stub, self.api, self.anna, self.stations = stub, api, anna, stations

    async def call(self, station: Phone) -> tuple[Call, Call]:
        """Anna calls `station`, which answers: (Anna's call, the station's call)."""
        out = await self.anna.dial(self.stub.door_uri(station.name.removeprefix("p")))
        return out, await answered(out, station)

    async def consult(self, held: Call, station: Phone) -> tuple[Call, Call]:
        """Anna holds `held` (the system holds her party) and calls `station`."""
        await held.hold(timeout=10)
        return await self.call(station)


ANNA_SUITE_PASSWORD = "582014"
"""Anna's UC password in office_suite.yaml (UC Suite: numeric)"""


async def office(
    lab_factory: Callable[..., Lab],
    stubs: StartStub,
    phones: StartPhone,
    n: int,
    example: str = "office",
    workers: int | None = None,
) -> Office:
    """`example`: the system (office.yaml in UC Smart mode, office_suite.yaml in UC Suite);
    `workers`: call core workers (default: enough that calls spread over several)."""
    lab = lab_factory("office_lan")
    config = conference_config(n, example=example)
    stub = await stubs(lab, config=config, workers=workers or n // 2 + 3, mixers=max(2, (n + 2) // 3))
    anna, stations = await asyncio.gather(
        phones(lab, "office_pc", "anna", tone=TONE_PLAN[16], detection="conference", **voip_client(stub, "200")),
        station_phones(lab, stub, phones, "desk_phone", n),
    )
    await registered(anna, timeout=10)
    password = ANNA_SUITE_PASSWORD if example == "office_suite" else None
    return Office(stub, await uc_login(lab, stub, "office_pc", "200", password), anna, stations)


async def talk_on_without(gone: Call, a: Call, b: Call) -> None:
    """`gone` hung up: once neither of `a`, `b` hears it any more, they still hear each other."""
    cut = max([await stops_hearing(c, gone) for c in (a, b)])
    await expect_audio(a, b, "two-way", within=5, since=cut)


def party(call: Call) -> Party:
    """A conference participant by its call (no PIN: the system authenticates no one, 000:1511)."""
    return Party(call.phone, pin="", call=call)


async def press_conference(office: Office, released: Call, participants: int) -> None:
    """Anna presses Conference: `participants` in the conference, and the system releases
    her held call (`released`), so her phone keeps one call, the conference."""
    reply = await office.api.conference()
    assert reply.participants == participants, reply
    ended = await released.disconnected(timeout=10)
    assert ended.state == "disconnected"
    assert len(office.anna.active_calls()) == 1, office.anna.active_calls()


@pytest.mark.parametrize(
    ("system", "workers"),
    [("office", None), ("office_suite", None), ("office", 1)],
    ids=["uc_smart", "uc_suite", "one_worker"],
)
@pytest.mark.clause(
    "UC-CONF-1/ways",
    "UC-CONF-1/prerequisite",
    "UC-CONF-1/no-authentication",
    "UC-CALL-1/conference",
    how="wire",
)
@pytest.mark.lab_choice("LAB-PHONE-CONFERENCE-BUTTON")
async def test_consultation_extended_into_a_conference(
    system: str, workers: int | None, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONF-1 (000:1493-1497, 000:1331-1339): Anna calls Ben (230), holds him and consults
    Clara (231); talking to Clara with Ben on hold she presses Conference: her held call is
    released, her phone has one call, and all 6 directed pairs of Anna, Ben and Clara are heard.
    Anna leaves like any participant: Ben and Clara talk on; when Clara leaves too, Ben
    would be alone and the system releases his call (the lab's readings,
    docs/RULES-INTERPRETATION.md). In UC Smart and in UC Suite mode alike: only the
    application-controlled conference is UC Smart only (000:1505), and Anna has no
    conference licence (000:1499). Also with a single call core worker, where the stub
    mixes the conference without a mixer node (and so without the MeetMe music on hold of
    a lone node participant, which would fail the verdict as a tone nobody owns)."""
    o = await office(lab_factory, stubs, phones, 2, system, workers)
    ben, clara = o.stations
    try:
        a_ben, ben_call = await o.call(ben)
        a_clara, clara_call = await o.consult(a_ben, clara)
        await held_by_system(ben_call)
        await press_conference(o, a_ben, 3)
        await everyone_heard([party(a_clara), party(ben_call), party(clara_call)], MIX_WINDOW)
        await a_clara.hangup()
        await talk_on_without(a_clara, ben_call, clara_call)
        await clara_call.hangup()
        assert (await ben_call.disconnected(timeout=10)).state == "disconnected"
    finally:
        await o.api.aclose()


@pytest.mark.clause("UC-CONF-1/ways", how="wire")
@pytest.mark.lab_choice("LAB-PHONE-CONFERENCE-BUTTON")
async def test_second_call_extended_then_parties_leave_until_one_is_left(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONF-1 (000:1497): Anna has Ben (230) on hold and takes Dora's (231) incoming call;
    Conference makes the three of them one conference (6 pairs heard). Participants leave by
    hanging up: when Ben leaves Anna and Dora talk on; when Dora leaves, Anna would be alone
    and the system releases her call (the lab's reading, docs/RULES-INTERPRETATION.md)."""
    o = await office(lab_factory, stubs, phones, 2)
    ben, dora = o.stations
    try:
        a_ben, ben_call = await o.call(ben)
        await a_ben.hold(timeout=10)
        from_dora = await dora.dial(o.stub.sip_uri("200"))
        a_dora = await answered(from_dora, o.anna)
        await press_conference(o, a_ben, 3)
        await everyone_heard([party(a_dora), party(ben_call), party(from_dora)], MIX_WINDOW)
        await ben_call.hangup()
        await talk_on_without(ben_call, a_dora, from_dora)
        await from_dora.hangup()
        assert (await a_dora.disconnected(timeout=10)).state == "disconnected"
    finally:
        await o.api.aclose()


async def grow(o: Office, size: int) -> tuple[Call, list[Party]]:
    """Anna's conference with stations 230.. grown one party at a time to `size` participants
    (her included): hold the conference, call the next one, press Conference."""
    first, first_call = await o.call(o.stations[0])
    conf, call = await o.consult(first, o.stations[1])
    await press_conference(o, first, 3)
    parties = [party(first_call), party(call)]
    for station in o.stations[2 : size - 1]:
        new, call = await o.consult(conf, station)
        await press_conference(o, conf, len(parties) + 2)
        parties.append(party(call))
        conf = new
    return conf, [party(conf), *parties]


@pytest.mark.clause("UC-CONF-1/ways", "UC-CONF-1/max-8", how="wire")
@pytest.mark.lab_choice("LAB-PHONE-CONFERENCE-BUTTON", "LAB-MESSAGES")
async def test_grows_to_eight_all_heard_and_the_ninth_is_refused(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONF-1 (000:1493-1497, 000:1513): the conference grows with the same button: Anna
    holds the conference, calls the next party and presses Conference. Grown to 8
    participants, all 56 directed pairs are heard; the 9th party is refused with the exact message and
    nothing changes: Anna still talks to the 9th party, the 7 others still hear one another."""
    o = await office(lab_factory, stubs, phones, 8)
    try:
        conf, parties = await grow(o, 8)
        await everyone_heard(parties, MIX_WINDOW * 2)
        ninth, ninth_call = await o.consult(conf, o.stations[7])
        with pytest.raises(UcApiError) as refused:
            await o.api.conference()
        assert (refused.value.status, refused.value.message) == (409, FULL)
        assert {c.id for c in o.anna.active_calls()} == {conf.id, ninth.id}
        await expect_audio(ninth, ninth_call, "two-way", within=5, since=time.monotonic())
        await everyone_heard(parties[1:], MIX_WINDOW)
    finally:
        await o.api.aclose()


@pytest.mark.clause("UC-CONF-1/prerequisite", how="wire")
@pytest.mark.lab_choice("LAB-PHONE-CONFERENCE-BUTTON", "LAB-MESSAGES")
async def test_conference_needs_a_held_and_an_active_call(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONF-1 (000:1333): the prerequisite is talking to one party while the other is on
    hold. With only an active call, and then with only a held call, Conference is refused
    (409, exact message) and the call goes on as it was."""
    o = await office(lab_factory, stubs, phones, 1)
    try:
        a_ben, ben_call = await o.call(o.stations[0])
        for message in (NO_HELD, NO_ACTIVE):
            with pytest.raises(UcApiError) as refused:
                await o.api.conference()
            assert (refused.value.status, refused.value.message) == (409, message)
            if message == NO_HELD:
                await a_ben.hold(timeout=10)
        await a_ben.retrieve(timeout=10)
        await expect_audio(a_ben, ben_call, "two-way", within=5, since=time.monotonic())
    finally:
        await o.api.aclose()
