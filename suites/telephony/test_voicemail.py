"""Voicemail and status-based forwarding through the system (UC-VM-1 000:1388-1483, UC-PRES-2
000:661-681, UC-PRES-3 000:683-694, UC-CALL-1 'deflect to voicemail' 000:1076-1097), with
real phones on the LAN.

The voicemail box answers, for an absent owner, with the absence announced as far as the
owner's visibility lets the caller know (tones, LAB-PRESENCE-ANNOUNCEMENT), then a greeting
tone (1150 Hz, 1 s), then records what the caller sends until the caller hangs up; the message appears in the owner's mailbox over
the UC API, and its WAV holds the caller's own tone. The system clock runs 20x faster
(time_scale 0.05): the documented 60 s without answer take 3 s.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime, timedelta

import pytest

from simulators.harness import REAL_TIME_ENV, StartPhone, StartStub, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.ledger import ChoiceChecks
from simulators.phone import protocol as p
from simulators.phone.client import Call, Phone
from simulators.phone.media import expect_audio
from simulators.phone.ucapi import UcApi
from simulators.uc.service import Stub

from .common import (
    NO_ANSWER_S,
    PASSWORDS,
    PROMPT_TONE,
    RETURN_TIME_TONE,
    STATUS_TONES,
    conversation_with,
    event_t,
    feature_stub,
    hears,
    tone_ends,
    uc_login,
    wav_tones,
)

RECORD_S = 2.0
"""how long the caller talks to the box (the content of the message, not a wait for an event)"""
FILING_S = 15.0
"""how long the mailbox may take to list a message after the caller hung up"""


@pytest.fixture
def office(lab_factory):  # type: ignore[no-untyped-def]
    return lab_factory("office_lan")


async def both_phones(lab: Lab, stub: Stub, phones: StartPhone) -> tuple[Phone, Phone]:
    anna, ben = await asyncio.gather(
        phones(lab, "office_pc", "anna", **voip_client(stub, "200")),
        phones(lab, "office_pc2", "ben", **voip_client(stub, "201")),
    )
    await registered(anna)
    await registered(ben)
    return anna, ben


async def anna_and_ben(lab: Lab, stubs: StartStub, phones: StartPhone) -> tuple[Stub, Phone, Phone, UcApi]:
    stub = await feature_stub(lab, stubs)
    anna, ben = await both_phones(lab, stub, phones)
    return stub, anna, ben, await uc_login(lab, stub, "office_pc2", "201")


async def leave_message(call: Call) -> None:
    """The box greets (prompt tone); once the greeting has ended the caller talks for
    RECORD_S and hangs up."""
    await call.established(timeout=10)
    await hears(call, PROMPT_TONE)
    await tone_ends(call, PROMPT_TONE)
    await asyncio.sleep(RECORD_S)  # the message's content, not a wait for an event
    await call.hangup()


async def the_message(api: UcApi, caller: Phone, count: int = 1) -> None:
    """The mailbox lists `count` messages, the newest from 200, whose audio is the caller's tone."""
    deadline = time.monotonic() + FILING_S
    while len(messages := await api.voice_messages()) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.1)  # filing follows the caller's BYE; the API has no event for it
    assert len(messages) == count, messages
    newest = messages[0]
    assert newest.caller == "200" and not newest.played, newest
    assert newest.seconds >= RECORD_S - 0.5, newest
    tones = wav_tones(await api.voice_message_audio(newest.id))
    assert tones.get(caller.tone, 0.0) >= RECORD_S - 0.7, f"the recording holds {tones}, not {caller.tone} Hz"
    assert PROMPT_TONE not in tones, "the greeting was recorded into the message"
    assert (await api.voice_messages())[0].played


@pytest.mark.clause("UC-PRES-2/redirects", "UC-VM-1/new-played", "UC-VM-1/in-conversations", how="wire")
@pytest.mark.lab_choice("LAB-VOICEMAIL-BOX")
async def test_absent_status_forwards_to_voicemail_which_records_the_caller(
    office: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """UC-PRES-2 (000:663-667): Meeting forwards to the voicemail box by default; Ben's phone
    never rings, the box answers Anna, and her message (her tone, WAV 16 bit mono) is listed
    in Ben's mailbox as new, and played once fetched (UC-VM-1, 000:1409-1410); his
    Conversations with 200 hold the voice message (000:1390-1392)."""
    stub, anna, ben, api = await anna_and_ben(office, stubs, phones)
    await api.set_presence("meeting")
    mark = ben.mark()
    await leave_message(await anna.dial(stub.door_uri("201")))
    await the_message(api, anna)
    assert not [e for e in ben.events[mark:] if type(e).__name__ == "IncomingCall"], "Ben's phone rang"
    entries = (await conversation_with(api, "200")).entries
    assert [e.kind for e in entries].count("voicemail") >= 1, (
        f"no voice message among Ben's entries with 200: {entries}"
    )
    await api.aclose()


async def announced(caller: Phone, stub: Stub) -> list[int]:
    """Call Ben (201), whose box answers: the tones the caller hears before the greeting, in
    the order they start; the caller hangs up once the greeting started."""
    mark = caller.mark()
    call = await caller.dial(stub.door_uri("201"))
    await call.established(timeout=10)
    greeting = await hears(call, PROMPT_TONE, since=mark)
    await call.hangup()
    heard = [e for e in caller.events[mark:] if isinstance(e, p.ToneEvent) and e.call == call.id and e.on]
    return [e.freq for e in heard if e.t < greeting.t]


@pytest.mark.clause(
    "UC-PRES-2/announcements",
    "UC-PRES-3/internally-and-externally",
    "UC-PRES-3/internally",
    "UC-PRES-3/not-visible",
    "UC-PRES-3/return-time-dropped",
    how="wire",
)
@pytest.mark.lab_choice("LAB-PRESENCE-ANNOUNCEMENT")
async def test_the_box_announces_the_absence_as_far_as_its_visibility_lets_the_caller_know(
    office: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """UC-PRES-2 (000:667): the system "notifies the callers via status-based announcements
    about the nature of your absence and possibly the scheduled date and time of your return";
    UC-PRES-3 (000:683-694): internally and externally, and internally, internal subscribers
    hear it (Anna, 200, is one; the lab has no trunk, so no external caller); not visible,
    nobody; after the return time has passed its announcement is dropped and the status stays.
    Ben (201) is on vacation, forwarded to his box by default: back in an hour while the
    visibilities are called; then gone out, no return time given; then on vacation back in 20
    documented seconds (1 s at the suites' time scale)."""
    stub, anna, _, api = await anna_and_ben(office, stubs, phones)
    now = (await api.system()).now
    await api.set_presence("vacation", return_time=now + timedelta(hours=1))
    vacation = (STATUS_TONES["vacation"], RETURN_TIME_TONE)
    for visibility, expected in (
        ("internal_and_external", vacation),
        ("internal", vacation),
        ("not_visible", ()),
    ):
        await api.set_visibility(visibility)
        assert tuple(await announced(anna, stub)) == expected, f"{visibility}: Anna heard the wrong announcement"
    await api.set_visibility("internal")
    await api.set_presence("gone_out")
    assert tuple(await announced(anna, stub)) == (STATUS_TONES["gone_out"],), "gone out without a return time"
    back = (await api.system()).now + timedelta(seconds=20)
    assert (await api.set_presence("vacation", return_time=back)).return_time_announced
    while (await api.system()).now < back:  # the stub's clock; the API has no event for it
        await asyncio.sleep(0.2)
    assert tuple(await announced(anna, stub)) == (STATUS_TONES["vacation"],), "the passed return time was announced"
    mine = await api.presence()
    assert (mine.status, mine.return_time, mine.return_time_announced) == ("vacation", back, False)
    await api.aclose()


@pytest.mark.clause("UC-CONV-4/missed-and-new-voicemail", "UC-CONV-2/delete-entry", how="wire")
@pytest.mark.lab_choice("LAB-UNREAD", "LAB-VOICEMAIL-ENTRY", "LAB-VOICEMAIL-BOX")
async def test_missed_call_and_new_voice_message_counted_until_seen(
    office: Lab, stubs: StartStub, phones: StartPhone, choices: ChoiceChecks
) -> None:
    """000:378: missed calls and new voice messages are visible in every view. Ben rejects
    Anna's call (missed), then, in a meeting, her second call leaves a message: Ben's
    conversations count one missed call and one new voice message, the entry titled "Voice
    message" (000:1392) names it. Playing it leaves no new message; selecting the
    conversations (000:415) no missed call. Deleting the voice message's entry (000:965)
    deletes the message from the mailbox too (LAB-VOICEMAIL-ENTRY); the call entry stays."""
    stub, anna, ben, api = await anna_and_ben(office, stubs, phones)
    out = await anna.dial(stub.door_uri("201"))
    await (await ben.incoming(timeout=10)).reject(486)
    assert (await out.disconnected(timeout=10)).code == 486
    (missed,) = (await conversation_with(api, "200")).entries
    assert (missed.kind, missed.outcome) == ("call", "missed"), missed
    await api.set_presence("meeting")
    await leave_message(await anna.dial(stub.door_uri("201")))
    with_anna = await conversation_with(api, "200", entries=3)
    voicemail = next(e for e in with_anna.entries if e.kind == "voicemail")
    (message,) = await api.voice_messages()
    assert (voicemail.title, voicemail.message_id, voicemail.played) == ("Voice message", message.id, False)
    counts = await api.conversation_list()
    assert (counts.missed_calls, counts.new_voice_messages) == (1, 1), counts
    choices.equal("LAB-UNREAD", with_anna.unread, 2, "the missed call and the voice message")
    await the_message(api, anna)
    assert (await api.conversation_list()).new_voice_messages == 0, "played: no longer new"
    await api.mark_conversations_read()
    assert (await api.conversation_list()).missed_calls == 0, "seen: no missed call shown"
    await api.delete_conversation_entry(voicemail.id)
    left = [(e.kind, e.outcome) for e in (await conversation_with(api, "200")).entries]
    assert ("voicemail", "voicemail") not in left and ("call", "missed") in left, left
    choices.equal("LAB-VOICEMAIL-ENTRY", await api.voice_messages(), [], "the mailbox after deleting the entry")
    await api.aclose()


@pytest.mark.clause("UC-PRES-2/every-but-dnd", how="wire")
@pytest.mark.lab_choice("LAB-DND-486")
async def test_do_not_disturb_rejects_and_office_rings(
    office: Lab, stubs: StartStub, phones: StartPhone, choices: ChoiceChecks
) -> None:
    """UC-PRES-2 (000:667): no status-based forwarding for Do Not Disturb: the call is neither
    forwarded (no mailbox answers it) nor rings; the caller is refused (LAB-DND-486: with 486
    Busy Here). Back in the Office the call rings with two-way audio."""
    stub, anna, ben, api = await anna_and_ben(office, stubs, phones)
    await api.set_presence("do_not_disturb")
    mark = ben.mark()
    out = await anna.dial(stub.door_uri("201"))
    ended = await out.disconnected(timeout=8)
    assert ended.code >= 400, f"the call to a user in Do Not Disturb was not refused: {ended.code} {ended.reason}"
    assert not [
        e for e in out.phone.events if isinstance(e, p.CallState) and e.call == out.id and e.state == "confirmed"
    ], "the call was answered (forwarded to a mailbox?)"
    choices.equal("LAB-DND-486", ended.code, 486, "the caller's final answer")
    assert not [e for e in ben.events[mark:] if type(e).__name__ == "IncomingCall"], "Ben's phone rang"
    await api.set_presence("office")
    out = await anna.dial(stub.door_uri("201"))
    inc = await ben.incoming(timeout=8)
    await inc.answer()
    await out.established(timeout=8)
    await expect_audio(out, inc, "two-way", within=4)
    await api.aclose()


@pytest.mark.lab_choice("LAB-NOANSWER-VOICEMAIL", "LAB-VOICEMAIL-BOX")
@pytest.mark.rule("UC-VM-1")
async def test_unanswered_call_reaches_the_mailbox_after_60_s(
    office: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """LAB-NOANSWER-VOICEMAIL: no answer, the call goes to the voicemail box after 60 s (the value
    000:756 documents for CallMe, applied to every call; scaled: 3 s real),
    Ben's phone stops ringing, the message holds Anna's tone.

    Timing from the phones' own event stamps: the box answers no earlier than the timer
    after Anna dialled (a load only delays it) and before a second timer period has passed
    since Ben's phone began ringing (so it is the 60 s timer, not an unscaled or doubled one)."""
    stub, anna, ben, api = await anna_and_ben(office, stubs, phones)
    out = await anna.dial(stub.door_uri("201"))
    ringing = await ben.incoming(timeout=8)
    await out.established(timeout=NO_ANSWER_S + 10)
    await ringing.disconnected(timeout=5)
    dialled, rang, boxed = (
        event_t(out, p.CallState, "calling"),
        event_t(ringing, p.IncomingCall),
        event_t(out, p.CallState, "confirmed"),
    )
    assert boxed - dialled >= NO_ANSWER_S, (
        f"the box answered {boxed - dialled:.2f} s after the dial, before 60 s x 0.05"
    )
    assert boxed - rang < 2 * NO_ANSWER_S, f"the box answered {boxed - rang:.2f} s after ringing, not 60 s x 0.05"
    await leave_message(out)
    await the_message(api, anna)
    await api.aclose()


@pytest.mark.clause("UC-CALL-1/deflect-voicemail", how="wire")
@pytest.mark.lab_choice("LAB-VOICEMAIL-BOX")
async def test_deflected_call_reaches_the_mailbox_at_once(office: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """Deflect to voicemail (UC-CALL-1, 000:1076-1097): Ben's ringing phone deflects the call
    to the box number 351 and the box answers; the message holds Anna's tone.

    The system clock runs in real time here (the no-answer timer is a full 60 s), so the box
    answering within seconds can only be the deflect, however loaded the host is."""
    stub = await feature_stub(office, stubs, time_scale=1.0)
    anna, ben = await both_phones(office, stub, phones)
    api = await uc_login(office, stub, "office_pc2", "201")
    out = await anna.dial(stub.door_uri("201"))
    ringing = await ben.incoming(timeout=8)
    await ringing.deflect(stub.door_uri("351"))
    await out.established(timeout=10)
    await leave_message(out)
    await the_message(api, anna)
    await api.aclose()


@pytest.mark.clause("UC-PRES-2/choices", how="wire")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_forwarding_to_external_number(
    office: Lab, stubs: StartStub, phones: StartPhone, choices: ChoiceChecks
) -> None:
    """UC-PRES-2 (000:669-671): Gone Out forwarding to an external number rings that number
    (here Clara's desk phone 202, the lab's stand-in: it has no trunk); a number outside the
    lab is refused (LAB-MESSAGES: 480 naming the missing trunk)."""
    stub, anna, _, api = await anna_and_ben(office, stubs, phones)
    clara = await phones(office, "desk_phone", "clara", **desk_phone(stub, "202"))
    await registered(clara)
    await api.set_presence("gone_out", forward_to="external", external_number="202")
    out = await anna.dial(stub.door_uri("201"))
    inc = await clara.incoming(timeout=8)
    await inc.answer()
    await out.established(timeout=8)
    await expect_audio(out, inc, "two-way", within=4)
    await out.hangup()
    await api.set_presence("gone_out", forward_to="external", external_number="+49 89 1234567")
    ended = await (await anna.dial(stub.door_uri("201"))).disconnected(timeout=8)
    assert ended.code >= 400, f"a call forwarded outside the lab (no trunk) ended {ended.code} {ended.reason}"
    choices.check("LAB-MESSAGES", ended.code == 480 and "no trunk" in ended.reason, f"{ended.code} {ended.reason}")
    await api.aclose()


RETENTION = timedelta(days=30)
"""000:1394: played voice messages are deleted after 30 days"""
RETENTION_SCALE = 15.0 / RETENTION.total_seconds()
"""the clock of the retention check: 30 documented days in 15 real seconds (a day in 0.5 s)"""
STILL_LISTED = RETENTION - timedelta(days=2)
"""when the played message must still be listed: 1 real second before it may go, the slack a
login and a listing need on two busy cores"""


async def listed_at(stub: Stub, lab: Lab, when: datetime) -> list[int]:
    """The ids Ben's mailbox lists once the system clock shows `when` (a fresh session: on this
    clock an idle UC session ends within a second)."""
    api = await uc_login(lab, stub, "office_pc2", "201")
    try:
        while (await api.system()).now < when:  # the system clock: no session needed
            await asyncio.sleep(0.02)
        await api.login("201", PASSWORDS["201"])
        return [m.id for m in await api.voice_messages()]
    finally:
        await api.aclose()


@pytest.mark.skipif(os.environ.get(REAL_TIME_ENV) == "1", reason="30 documented days cannot run in real time")
@pytest.mark.clause("UC-VM-1/retention", how="wire")
@pytest.mark.lab_choice("LAB-VOICEMAIL-BOX")
async def test_a_played_message_is_deleted_after_30_days_an_unplayed_one_stays(
    office: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """UC-VM-1 (000:1394) "Played voice messages are deleted after 30 days by default": Anna
    leaves Ben two messages; Ben plays the older one. The system then runs on a clock where 30
    documented days pass in 15 s (the stub restarted on the same state: its clock goes on
    from the same system time). 28 days after the play both messages are still listed; 30
    days after, the played one is gone and the unplayed one is listed, still unplayed."""
    stub, anna, _, api = await anna_and_ben(office, stubs, phones)
    await api.set_presence("meeting")
    for count in (1, 2):
        await leave_message(await anna.dial(stub.door_uri("201")))
        deadline = time.monotonic() + FILING_S
        while len(await api.voice_messages()) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)  # filing follows the caller's BYE; the API has no event for it
    newer, older = await api.voice_messages()
    await api.voice_message_audio(older.id)  # Ben plays it
    played_at = (await api.system()).now
    assert [(m.id, m.played) for m in await api.voice_messages()] == [(newer.id, False), (older.id, True)]
    await api.aclose()

    stub.stop()
    fast = await feature_stub(office, stubs, time_scale=RETENTION_SCALE)
    assert await listed_at(fast, office, played_at + STILL_LISTED) == [newer.id, older.id], (
        "a played message was deleted before 30 days"
    )
    assert await listed_at(fast, office, played_at + RETENTION + timedelta(hours=12)) == [newer.id], (
        "the played message outlived 30 days, or the unplayed one did not"
    )
    api = await uc_login(office, fast, "office_pc2", "201")
    (kept,) = await api.voice_messages()
    assert not kept.played, "the unplayed message counts as played"
    await api.aclose()
