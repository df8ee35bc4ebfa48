"""CallMe / One Number Service (UC-CALLME-1..3 000:750-803, REL-CALLME 000:163, 000:752).

Set over the UC API (PUT /api/v1/callme). UC Suite mode from V3R2 FR1 only: the office
system in UC Suite mode here, UC Smart for the refusal. The lab has no trunk, so the
CallMe destination is a phone at another workplace inside the system: Clara's desk
phone 202. Clock 20x (60 s documented = 3 s).
"""

from __future__ import annotations

import asyncio

import pytest

from simulators.harness import StartPhone, StartStub, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.phone import protocol as p
from simulators.phone.media import expect_audio
from simulators.phone.ucapi import UcApiError

from .common import NO_ANSWER_S, PROMPT_TONE, event_t, feature_stub, hears, uc_login


@pytest.fixture
def office(lab_factory):  # type: ignore[no-untyped-def]
    return lab_factory("office_lan")


@pytest.mark.clause(
    "UC-CALLME-1/redirected",
    "UC-CALLME-1/caller-display",
    "UC-CALLME-1/no-answer",
    "UC-CALLME-3/others-see-office",
    "UC-CALLME-3/no-group-or-redirected",
    "UC-CALLME-3/until-deleted",
    how="wire",
)
@pytest.mark.lab_choice("LAB-CALLME-INTERNAL", "LAB-CONNECTED-IDENTITY")
async def test_callme_rings_the_destination_then_voicemail(office: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """UC-CALLME-1 (000:754-756): with CallMe active, Ben's call to 200 rings the CallMe
    destination (showing Ben), not Anna's client, and Ben's phone is told it reached 200;
    unanswered it goes to Anna's voicemail after 60 s (scaled). UC-CALLME-3 (000:762-803): others see Anna as Office; a group
    (MULAP 210) and a redirected phone are refused as destination; the service stays until
    the number is deleted, then calls ring Anna's client again."""
    stub = await feature_stub(office, stubs, mode="suite")
    anna_api = await uc_login(office, stub, "office_pc", "200")
    ben_api = await uc_login(office, stub, "office_pc2", "201")
    for bad, code in (("210", "callme_group"), ("+49 89 1234567", "callme_unreachable")):
        with pytest.raises(UcApiError) as refused:
            await anna_api.set_callme(bad)
        assert refused.value.status == 400 and refused.value.code == code, refused.value
    await ben_api.set_presence("meeting")
    with pytest.raises(UcApiError) as redirected:
        await anna_api.set_callme("201")
    assert redirected.value.code == "callme_redirected", redirected.value
    await ben_api.set_presence("office")
    assert (await anna_api.set_callme("202")).active
    seen = await ben_api.presence_of("200")
    assert seen.status == "office", seen

    anna, ben, clara = await asyncio.gather(
        phones(office, "office_pc", "anna", **voip_client(stub, "200")),
        phones(office, "office_pc2", "ben", **voip_client(stub, "201")),
        phones(office, "desk_phone", "clara", **desk_phone(stub, "202")),
    )
    for phone in (anna, ben, clara):
        await registered(phone)
    mark = anna.mark()
    out = await ben.dial(stub.door_uri("200"))
    inc = await clara.incoming(timeout=8)
    assert "sip:201@" in inc.remote_uri, inc.remote_uri
    await inc.answer()
    await out.established(timeout=8)
    # 000:756 "Your internal phone number is displayed to the caller": Ben's phone is told it
    # reached 200, not the CallMe destination 202 (LAB-CONNECTED-IDENTITY: P-Asserted-Identity)
    assert "sip:200@" in out.identity, f"Ben's phone shows {out.identity!r}, not Anna's internal number"
    await expect_audio(out, inc, "two-way", within=4)
    await out.hangup()
    assert not [e for e in anna.events[mark:] if type(e).__name__ == "IncomingCall"], "Anna's client rang"

    out = await ben.dial(stub.door_uri("200"))
    ringing = await clara.incoming(timeout=8)
    await out.established(timeout=NO_ANSWER_S + 10)
    await hears(out, PROMPT_TONE)
    await ringing.disconnected(timeout=5)
    dialled, rang, boxed = (
        event_t(out, p.CallState, "calling"),
        event_t(ringing, p.IncomingCall),
        event_t(out, p.CallState, "confirmed"),
    )
    assert boxed - dialled >= NO_ANSWER_S, f"voicemail answered {boxed - dialled:.2f} s after the dial, before 60 s"
    assert boxed - rang < 2 * NO_ANSWER_S, f"voicemail answered {boxed - rang:.2f} s after ringing, not 60 s x 0.05"
    await out.hangup()

    assert not (await anna_api.delete_callme()).active
    out = await ben.dial(stub.door_uri("200"))
    inc = await anna.incoming(timeout=8)
    await inc.answer()
    await out.established(timeout=8)
    await anna_api.aclose()
    await ben_api.aclose()


@pytest.mark.parametrize(
    "release",
    [
        pytest.param("V3", marks=pytest.mark.clause("REL-CALLME/before", how="api")),
        pytest.param("V3R2FR1", marks=pytest.mark.clause("REL-CALLME/suite-only", how="api")),
    ],
)
async def test_callme_in_uc_smart_by_release(office: Lab, stubs: StartStub, release: str) -> None:
    """REL-CALLME: in UC Smart mode the CallMe service exists up to V3 (003:897-903, no mode
    restriction) and not from V3R2 FR1 (000:163, 000:752: UC Suite only): setting a
    destination is accepted, or refused with 403 naming the rule."""
    stub = await feature_stub(office, stubs, release=release)
    api = await uc_login(office, stub, "office_pc", "200")
    if release == "V3":
        assert (await api.set_callme("202")).active
        assert (await api.callme()).destination == "202"
    else:
        with pytest.raises(UcApiError) as refused:
            await api.set_callme("202")
        assert refused.value.status == 403 and "REL-CALLME" in refused.value.message, refused.value
        assert not (await api.callme()).active
    await api.aclose()


@pytest.mark.clause("UC-CALLME-2/destination-first", "UC-CALLME-2/one-number", how="wire")
async def test_callme_outbound_calls_the_destination_first_and_shows_the_internal_number(
    office: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CALLME-2 (000:758-760): Anna (CallMe to Clara's desk phone 202, her alternative
    workplace) calls Ben through the UC API: the system first calls her at 202, and only once
    she answered there it calls Ben, who sees Anna's internal number 200 (One Number
    Service); they talk. Refused while the CallMe service is not active (409)."""
    stub = await feature_stub(office, stubs, mode="suite")
    anna_api = await uc_login(office, stub, "office_pc", "200")
    with pytest.raises(UcApiError) as inactive:
        await anna_api.callme_call("201")
    assert (inactive.value.status, inactive.value.code) == (409, "callme_not_active"), inactive.value
    assert (await anna_api.set_callme("202")).active
    anna, ben, clara = await asyncio.gather(
        phones(office, "office_pc", "anna", **voip_client(stub, "200")),
        phones(office, "office_pc2", "ben", **voip_client(stub, "201")),
        phones(office, "desk_phone", "clara", **desk_phone(stub, "202")),
    )
    for phone in (anna, ben, clara):
        await registered(phone)
    marks = {phone.name: phone.mark() for phone in (anna, ben)}
    calling = await anna_api.callme_call("201")
    assert (calling.calling, calling.then) == ("202", "201"), calling
    first = await clara.incoming(timeout=8)
    assert not [e for e in ben.events[marks["ben"] :] if isinstance(e, p.IncomingCall)], "Ben rang first"
    await first.answer()
    target = await ben.incoming(timeout=8)
    assert "sip:200@" in target.remote_uri, f"Ben sees {target.remote_uri}, not Anna's internal number"
    await target.answer()
    await expect_audio(first, target, "two-way", within=5)
    assert not [e for e in anna.events[marks["anna"] :] if isinstance(e, p.IncomingCall)], "Anna's client rang"
    await anna_api.aclose()
