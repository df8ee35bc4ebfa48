"""Dialogues the call core holds itself on a leg it answered: prompts, DTMF, recording. Pure.

A dialogue gets events (started, a DTMF digit, its timer fired, the caller hung up) with the
time passed in and returns what the adapter (worker.py) does: play a tone or silence,
start or stop recording what the caller sends, arm a timer, end the call, or ask the
feature logic to decide on what was keyed (`Collected`; the adapter answers with
`accept()` or `refuse()`). Reusable by any feature that answers calls itself: deskshare
login (*9419), the voicemail box, a conference's dial-in PIN.

Tones are plan tones the phones' detectors know (simulators/pj/tones.py), taken from the
top of the plan, which the lab hands to phones last:

    PROMPT_TONE   1150 Hz  the system asks for input / the voicemail greeting
    CONFIRM_TONE  1050 Hz  the system accepted what was keyed
    MUSIC_ON_HOLD 2350 Hz  a lone conference participant (mixer nodes, callcore/mixer.py)

The voicemail box's announcement of its owner's absence (LAB-PRESENCE-ANNOUNCEMENT) reuses
phone tones, the plan having no free one: the box's leg carries no phone, so its caller
cannot take them for a party:

    STATUS_TONES      1550-2150 Hz  one per absent status
    RETURN_TIME_TONE  2250 Hz       after the status, while a time of return is announced

A refusal is the prompt stopping and the system ending the call without the
confirmation tone (docs/RULES-INTERPRETATION.md, "Deskshare dialogue").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulators.pj.tones import TONE_PLAN

from ..rules.presence import Announcement, Status

PROMPT_TONE = TONE_PLAN[-1]
CONFIRM_TONE = TONE_PLAN[-2]
SYSTEM_TONES = (PROMPT_TONE, CONFIRM_TONE)
MUSIC_ON_HOLD_TONE = TONE_PLAN[-3]

ABSENT_STATUSES = (
    Status.MEETING, Status.SICK, Status.BREAK, Status.GONE_OUT, Status.VACATION, Status.LUNCH, Status.AT_HOME,
)  # fmt: skip
STATUS_TONES = dict(zip(ABSENT_STATUSES, TONE_PLAN[9:16], strict=True))
"""the tone that stands, in the lab, for the spoken nature of an absence"""
RETURN_TIME_TONE = TONE_PLAN[16]
"""the tone that stands for "back at <time>" after the status"""
ANNOUNCE_SECONDS = 0.8
"""how long each tone of an announcement plays (real seconds; a phrase, not a documented timer)"""

DIGITS = frozenset("0123456789*#")


def announcement_tones(told: Announcement | None) -> tuple[int, ...]:
    """The announcement as the caller hears it: the status's tone, then the return time's."""
    if told is None:
        return ()
    return (STATUS_TONES[told.status],) + ((RETURN_TIME_TONE,) if told.return_time is not None else ())


@dataclass(frozen=True)
class Tone:
    """Play `freq` to the caller from now on (None: silence)."""

    freq: int | None


@dataclass(frozen=True)
class Record:
    """Start (on) or stop recording what the caller sends."""

    on: bool


@dataclass(frozen=True)
class Arm:
    """Fire `timer()` after `seconds` (real); a new Arm replaces the previous one."""

    seconds: float


@dataclass(frozen=True)
class End:
    """The system ends the call (BYE); `reason` is logged and shown in the call list."""

    reason: str


@dataclass(frozen=True)
class Collected:
    """Every field was keyed: the feature decides and calls accept() or refuse()."""

    values: tuple[str, ...]


IvrAction = Tone | Record | Arm | End | Collected


@dataclass
class Collect:
    """Prompt, then collect `fields` digit strings, each ended by '#'.

    `*` clears the field being keyed. No digit within `digit_timeout` seconds ends the
    call; a field longer than `max_len` digits is refused at once. With `empty_first_ends`,
    an empty first field (just #) is collected alone (deskshare: log out).
    """

    fields: tuple[str, ...]
    empty_first_ends: bool = False
    digit_timeout: float = 15.0
    confirm_seconds: float = 1.0
    max_len: int = 16
    full_ends_field: bool = False
    """a field of `max_len` digits is complete without '#' (a conference PIN)"""
    values: list[str] = field(default_factory=list)
    current: str = ""
    state: str = "new"
    """new -> collecting -> deciding -> confirming -> done"""
    outcome: str = ""

    def start(self, now: float) -> list[IvrAction]:
        self.state = "collecting"
        return [Tone(PROMPT_TONE), Arm(self.digit_timeout)]

    def digit(self, d: str, now: float) -> list[IvrAction]:
        if self.state != "collecting" or d not in DIGITS:
            return []
        if d == "*":
            self.current = ""
            return [Arm(self.digit_timeout)]
        if d != "#":
            self.current += d
            if len(self.current) > self.max_len:
                return self.refuse(f"{self.fields[len(self.values)]} longer than {self.max_len} digits")
            if not (self.full_ends_field and len(self.current) == self.max_len):
                return [Arm(self.digit_timeout)]
        self.values.append(self.current)
        self.current = ""
        if len(self.values) < len(self.fields) and not (self.empty_first_ends and self.values == [""]):
            return [Arm(self.digit_timeout)]
        self.state = "deciding"
        return [Tone(None), Collected(tuple(self.values))]

    def accept(self, outcome: str = "accepted") -> list[IvrAction]:
        self.state, self.outcome = "confirming", outcome
        return [Tone(CONFIRM_TONE), Arm(self.confirm_seconds)]

    def refuse(self, reason: str) -> list[IvrAction]:
        self.state, self.outcome = "done", f"refused: {reason}"
        return [Tone(None), End(self.outcome)]

    def handover(self, outcome: str) -> list[IvrAction]:
        """Accepted, and the call goes on elsewhere (a conference's mixer): the dialogue
        stops without ending the call."""
        self.state, self.outcome = "done", outcome
        return [Tone(None)]

    def timer(self, now: float) -> list[IvrAction]:
        if self.state == "collecting":
            missing = self.fields[len(self.values)]
            return self.refuse(f"no {missing} keyed within {self.digit_timeout:g} s")
        if self.state == "confirming":
            self.state = "done"
            return [Tone(None), End(self.outcome)]
        return []

    def hungup(self, now: float) -> list[IvrAction]:
        self.state = "done"
        return []


@dataclass
class Greeting:
    """The voicemail box: the `announcement` tones (its owner's absence, ANNOUNCE_SECONDS
    each), a greeting tone for `greeting_seconds`, then record until the caller hangs up or
    `max_seconds` passed (the system then ends the call)."""

    greeting_seconds: float = 1.0
    max_seconds: float = 120.0
    announcement: tuple[int, ...] = ()
    state: str = "new"
    """new -> announcing -> greeting -> recording -> done"""
    announced: int = 0
    """how many tones of the announcement have started"""
    recording_since: float | None = None
    recorded: float = 0.0

    def start(self, now: float) -> list[IvrAction]:
        return self._announce_or_greet()

    def _announce_or_greet(self) -> list[IvrAction]:
        if self.announced < len(self.announcement):
            self.state = "announcing"
            self.announced += 1
            return [Tone(self.announcement[self.announced - 1]), Arm(ANNOUNCE_SECONDS)]
        self.state = "greeting"
        return [Tone(PROMPT_TONE), Arm(self.greeting_seconds)]

    def digit(self, d: str, now: float) -> list[IvrAction]:
        return []

    def timer(self, now: float) -> list[IvrAction]:
        if self.state == "announcing":
            return self._announce_or_greet()
        if self.state == "greeting":
            self.state, self.recording_since = "recording", now
            return [Tone(None), Record(True), Arm(self.max_seconds)]
        if self.state == "recording":
            return [*self._stop(now), End("the longest message was recorded")]
        return []

    def hungup(self, now: float) -> list[IvrAction]:
        return self._stop(now)

    def _stop(self, now: float) -> list[IvrAction]:
        if self.state != "recording" or self.recording_since is None:
            self.state = "done"
            return []
        self.state = "done"
        self.recorded = max(0.0, now - self.recording_since)
        return [Record(False)]


Dialogue = Collect | Greeting
