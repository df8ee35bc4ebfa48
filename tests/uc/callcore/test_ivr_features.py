"""The call core's dialogues (ivr.py) and deskshare decision (routing.py), without pjsua2."""

from __future__ import annotations

from datetime import UTC, datetime

from simulators.uc.callcore import ivr
from simulators.uc.callcore.routing import deskshare_login
from simulators.uc.config import Licence
from simulators.uc.rules.presence import Announcement, Status


def test_collect_number_and_pin_then_confirm_and_end() -> None:
    d = ivr.Collect(("number", "pin"))
    assert d.start(0.0) == [ivr.Tone(ivr.PROMPT_TONE), ivr.Arm(15.0)]
    for key in "20*205#12345":
        d.digit(key, 0.0)
    assert d.digit("6", 0.0) == [ivr.Arm(15.0)]
    assert d.digit("#", 0.0) == [ivr.Tone(None), ivr.Collected(("205", "123456"))]
    assert d.accept() == [ivr.Tone(ivr.CONFIRM_TONE), ivr.Arm(1.0)]
    assert d.timer(1.0) == [ivr.Tone(None), ivr.End("accepted")]


def test_collect_refuses_silence_and_overlong_fields() -> None:
    d = ivr.Collect(("number", "pin"))
    d.start(0.0)
    assert d.timer(15.0) == [ivr.Tone(None), ivr.End("refused: no number keyed within 15 s")]
    d = ivr.Collect(("number",), max_len=3)
    d.start(0.0)
    for key in "123":
        d.digit(key, 0.0)
    assert d.digit("4", 0.0)[-1] == ivr.End("refused: number longer than 3 digits")
    d = ivr.Collect(("number", "pin"), empty_first_ends=True)
    d.start(0.0)
    assert d.digit("#", 0.0) == [ivr.Tone(None), ivr.Collected(("",))]


def test_greeting_records_until_hangup() -> None:
    g = ivr.Greeting(greeting_seconds=1.0, max_seconds=5.0)
    assert g.start(0.0) == [ivr.Tone(ivr.PROMPT_TONE), ivr.Arm(1.0)]
    assert g.timer(1.0) == [ivr.Tone(None), ivr.Record(True), ivr.Arm(5.0)]
    assert g.hungup(3.5) == [ivr.Record(False)]
    assert g.recorded == 2.5
    g = ivr.Greeting()
    g.start(0.0)
    assert g.hungup(0.5) == [] and g.recorded == 0.0


def test_the_box_announces_its_owners_absence_before_the_greeting() -> None:
    told = ivr.announcement_tones(Announcement(Status.GONE_OUT, datetime(2026, 1, 1, tzinfo=UTC)))
    assert told == (ivr.STATUS_TONES[Status.GONE_OUT], ivr.RETURN_TIME_TONE)
    assert ivr.announcement_tones(Announcement(Status.SICK, None)) == (ivr.STATUS_TONES[Status.SICK],)
    assert ivr.announcement_tones(None) == ()
    assert len(set(ivr.STATUS_TONES.values()) | {ivr.RETURN_TIME_TONE, *ivr.SYSTEM_TONES}) == 10, "distinct tones"
    g = ivr.Greeting(greeting_seconds=1.0, max_seconds=5.0, announcement=told)
    assert g.start(0.0) == [ivr.Tone(told[0]), ivr.Arm(ivr.ANNOUNCE_SECONDS)]
    assert g.timer(0.8) == [ivr.Tone(told[1]), ivr.Arm(ivr.ANNOUNCE_SECONDS)]
    assert g.timer(1.6) == [ivr.Tone(ivr.PROMPT_TONE), ivr.Arm(1.0)]
    assert g.timer(2.6) == [ivr.Tone(None), ivr.Record(True), ivr.Arm(5.0)]
    assert g.hungup(3.1) == [ivr.Record(False)] and g.recorded == 0.5
    early = ivr.Greeting(announcement=told)
    early.start(0.0)
    assert early.hungup(0.5) == [] and early.recorded == 0.0, "nothing is filed while it announces"


class _User:
    def __init__(self, licences: set[Licence]) -> None:
        self.number = "205"
        self.licences = frozenset(licences)
        self.mobile = None


class _View:
    def __init__(self, registered: bool = False) -> None:
        self.registered = registered
        self.users = {"205": _User({Licence.DESKSHARE}), "200": _User(set())}

    def user(self, number: str) -> _User | None:
        return self.users.get(number)

    def verify_pin(self, number: str, pin: str) -> bool:
        return pin == "123456"

    def registered_voip_client(self, number: str) -> bool:
        return self.registered


def test_deskshare_decisions() -> None:
    assert deskshare_login(_View(), "205", "123456").ok
    assert deskshare_login(_View(), "", "").message == "logged out"
    assert "no Deskshare licence" in deskshare_login(_View(), "200", "123456").message
    assert deskshare_login(_View(), "999", "123456").message == "no user 999"
    assert deskshare_login(_View(), "205", "000000").message == "wrong PIN for 205"
    assert "unregister it first" in deskshare_login(_View(registered=True), "205", "123456").message
