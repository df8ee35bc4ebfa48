"""Documented timers and the time scale (DESIGN.md section 7). Pure: time is passed in.

`time_scale` is real seconds per documented second: 1.0 runs in real time, 0.01 makes every
documented duration take a hundredth of it (CallMe's 60 s to voicemail take 0.6 s). The
stub keeps a *system clock* that runs 1/time_scale times as fast as real time from an
anchor, so absolute times a user enters (a presence return time) pass at the same pace
as the durations. A suite asks the stub for its system time (GET /api/v1/system) and
asserts the documented value; a real-time run (time_scale 1.0) asserts the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Timer(StrEnum):
    CALLME_TO_VOICEMAIL = "callme_to_voicemail"
    CONFERENCE_END_AFTER_LAST_MODERATOR = "conference_end_after_last_moderator"
    VOICEMAIL_RETENTION = "voicemail_retention"
    REGISTRATION_EXPIRES = "registration_expires"
    REGISTRATION_MIN_EXPIRES = "registration_min_expires"
    UC_SESSION_IDLE = "uc_session_idle"


@dataclass(frozen=True)
class TimerSpec:
    seconds: float
    refs: tuple[str, ...]
    """document lines that set the value; empty for the lab's own choices"""
    note: str

    @property
    def documented(self) -> bool:
        return bool(self.refs)


TIMERS: dict[Timer, TimerSpec] = {
    Timer.CALLME_TO_VOICEMAIL: TimerSpec(
        60, ("000:756",), "UC-CALLME-1: unanswered calls are forwarded to the voicemail box after 60 seconds"
    ),
    Timer.CONFERENCE_END_AFTER_LAST_MODERATOR: TimerSpec(
        5 * 60,
        ("000:1534", "000:1554"),
        "UC-CONF-4: the conference ends (about) 5 minutes after the last moderator left",
    ),
    Timer.VOICEMAIL_RETENTION: TimerSpec(
        30 * 86_400, ("000:1394",), "UC-VM-1: played voice messages are deleted after 30 days by default"
    ),
    Timer.REGISTRATION_EXPIRES: TimerSpec(
        300, (), "lab choice: registration lifetime granted when a device asks for none (pjsua2's default)"
    ),
    Timer.REGISTRATION_MIN_EXPIRES: TimerSpec(60, (), "lab choice: shortest registration lifetime granted"),
    Timer.UC_SESSION_IDLE: TimerSpec(
        24 * 3600, (), "lab choice: a UC session without requests for a day is closed (frees TRB-2 slots)"
    ),
}


@dataclass(frozen=True)
class TimeScale:
    """Real seconds per documented second (> 0)."""

    factor: float = 1.0

    def __post_init__(self) -> None:
        if not self.factor > 0:
            raise ValueError(f"time scale must be > 0 (real seconds per documented second), got {self.factor}")

    def real(self, documented_seconds: float) -> float:
        """How long a documented duration takes in real time."""
        return documented_seconds * self.factor

    def documented(self, real_seconds: float) -> float:
        """How much documented (system) time passes in `real_seconds`."""
        return real_seconds / self.factor

    def timer(self, timer: Timer) -> float:
        """A timer's real duration in seconds."""
        return self.real(TIMERS[timer].seconds)


@dataclass(frozen=True)
class SystemClock:
    """The stub's clock: system time = anchor_system + (real - anchor_real) / scale.

    Every process of the stub builds the same clock from the anchor kept in its state, so
    the UC API and the SIP side agree on "now".
    """

    anchor_real: float
    anchor_system: datetime
    scale: TimeScale

    @classmethod
    def starting(cls, real_now: float, scale: TimeScale) -> SystemClock:
        """A clock that shows the real time at `real_now` and runs at `scale` from there."""
        return cls(real_now, datetime.fromtimestamp(real_now, UTC), scale)

    def now(self, real_now: float) -> datetime:
        return self.anchor_system + timedelta(seconds=self.scale.documented(real_now - self.anchor_real))

    def rescaled(self, real_now: float, scale: TimeScale) -> SystemClock:
        """The same system time at `real_now`, running at a new scale from there (no jump)."""
        return SystemClock(real_now, self.now(real_now), scale)

    def real_at(self, system_time: datetime) -> float:
        """The real (epoch) time at which the system clock shows `system_time`."""
        elapsed = (system_time - self.anchor_system).total_seconds()
        return self.anchor_real + self.scale.real(elapsed)
