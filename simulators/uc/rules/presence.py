"""Presence rules (UC-PRES-1..3, UC-MULAP-1 for DND, CallMe only while active). Pure.

Statuses (UC-PRES-1, 000:639-650, 000:709): Office, CallMe (only selectable while the
CallMe service is active, otherwise Office; only in UC Suite mode from V3R2 FR1, REL-CALLME),
Meeting, Sick, Break, Gone Out, Vacation, Lunch, At Home, Do Not Disturb (not in MULAP
configurations, 000:649). Every change but Office may set a return time (000:634, 000:711); an
info text may go with any status (000:712, 000:721).

Status-based forwarding (UC-PRES-2): UC Smart, every status except Do Not Disturb, default
the voicemail box, choices Voicemail / Mobile / External (000:663-671, 000:710). UC Suite:
absent statuses forward to the configured destination (default voicemail), configured by
another UC Suite client, not by myPortal @work (000:673-679).

Visibility (UC-PRES-3, 000:683-694): internally and externally / internally / not visible;
after the return time has passed the time announcement is dropped and the status stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..profiles import Mode
from .verdict import Verdict, Violation

INFO_TEXT_MAX = 200


class Status(StrEnum):
    OFFICE = "office"
    CALLME = "callme"
    MEETING = "meeting"
    SICK = "sick"
    BREAK = "break"
    GONE_OUT = "gone_out"
    VACATION = "vacation"
    LUNCH = "lunch"
    AT_HOME = "at_home"
    DO_NOT_DISTURB = "do_not_disturb"


AVAILABLE = frozenset({Status.OFFICE, Status.CALLME})
"""Statuses in which calls are not redirected in UC Suite mode (000:675)."""


class Visibility(StrEnum):
    INTERNAL_AND_EXTERNAL = "internal_and_external"
    INTERNAL = "internal"
    NOT_VISIBLE = "not_visible"


DEFAULT_VISIBILITY = Visibility.INTERNAL_AND_EXTERNAL


class ForwardTarget(StrEnum):
    NONE = "none"
    VOICEMAIL = "voicemail"
    MOBILE = "mobile"
    EXTERNAL = "external"


@dataclass(frozen=True)
class Forwarding:
    target: ForwardTarget
    external_number: str | None = None


def default_forwarding(status: Status) -> Forwarding:
    """Absent statuses forward to the voicemail box by default (000:667, 000:675); Office,
    CallMe and Do Not Disturb do not forward unless set (000:639 'optional')."""
    if status in AVAILABLE or status is Status.DO_NOT_DISTURB:
        return Forwarding(ForwardTarget.NONE)
    return Forwarding(ForwardTarget.VOICEMAIL)


@dataclass(frozen=True)
class PresenceContext:
    mode: Mode
    callme_available: bool
    """REL-CALLME: the CallMe service exists in this mode and release"""
    callme_active: bool
    is_mulap: bool
    has_mobile: bool
    client_sets_forwarding: bool
    """False for myPortal @work in UC Suite mode (000:679)"""


@dataclass(frozen=True)
class PresenceChange:
    status: Status
    return_time: datetime | None = None
    info_text: str = ""
    forward_to: ForwardTarget | None = None
    """None keeps the status's configured destination"""
    external_number: str | None = None


EXTERNAL_NUMBER = re.compile(r"^\+?[0-9 ()/\-]{3,30}$")


def check_change(change: PresenceChange, ctx: PresenceContext, now: datetime) -> Verdict:
    found: list[Violation] = []
    status = change.status
    if status is Status.CALLME and not ctx.callme_available:
        found.append(
            Violation("callme_not_available", "CallMe is not available in this mode and release; choose Office.")
        )
    elif status is Status.CALLME and not ctx.callme_active:
        found.append(
            Violation(
                "callme_not_active",
                "CallMe can only be selected while the CallMe service is active; set a CallMe number first, or choose Office.",
            )
        )
    if status is Status.DO_NOT_DISTURB and ctx.is_mulap:
        found.append(
            Violation("dnd_mulap", "Do Not Disturb is not available for a MULAP number; choose another status.")
        )
    if change.return_time is not None:
        if status is Status.OFFICE:
            found.append(Violation("office_return_time", "Office has no return time; leave the return time empty."))
        elif change.return_time <= now:
            found.append(
                Violation("return_time_past", "The return time has already passed; choose a later date and time.")
            )
    if len(change.info_text) > INFO_TEXT_MAX:
        found.append(
            Violation(
                "info_text_too_long",
                f"The info text has {len(change.info_text)} characters; at most {INFO_TEXT_MAX} are allowed.",
            )
        )
    found.extend(_forwarding_violations(change, ctx))
    return Verdict(tuple(found))


def _forwarding_violations(change: PresenceChange, ctx: PresenceContext) -> list[Violation]:
    target = change.forward_to
    if target is None:
        if change.external_number is not None:
            return [_external_unused()]
        return []
    if not ctx.client_sets_forwarding:
        return [
            Violation(
                "forwarding_by_other_client",
                "In UC Suite mode the forwarding destination is configured with another UC Suite client.",
            )
        ]
    if change.status is Status.DO_NOT_DISTURB and target is not ForwardTarget.NONE:
        return [Violation("dnd_forwarding", "Do Not Disturb has no status-based call forwarding; choose none.")]
    if target is ForwardTarget.MOBILE and not ctx.has_mobile:
        return [
            Violation(
                "no_mobile_number",
                "You have no mobile number to forward to; ask your administrator to enter it, or choose Voicemail or External.",
            )
        ]
    if target is ForwardTarget.EXTERNAL:
        if not change.external_number:
            return [Violation("external_number_missing", "Forwarding to External needs the external number; enter it.")]
        if not EXTERNAL_NUMBER.match(change.external_number) or sum(c.isdigit() for c in change.external_number) < 3:
            return [
                Violation(
                    "external_number_invalid",
                    "The external number must be a phone number: digits, optionally starting with + "
                    "(blanks and ( ) / - allowed), e.g. +49 89 7007-98765.",
                )
            ]
    elif change.external_number is not None:
        return [_external_unused()]
    return []


def _external_unused() -> Violation:
    return Violation(
        "external_number_unused",
        "An external number only goes with forwarding to External; leave it out or choose External.",
    )


def selectable_statuses(ctx: PresenceContext) -> list[Status]:
    """The statuses offered to the user, in the order of 000:639-649 (Meeting from 000:709):
    CallMe only while the service is active (otherwise Office stands there, 000:642), Do Not
    Disturb not for a MULAP number (000:649). Exactly what `check_change` accepts."""
    return [
        s
        for s in Status
        if not (s is Status.CALLME and not (ctx.callme_available and ctx.callme_active))
        and not (s is Status.DO_NOT_DISTURB and ctx.is_mulap)
    ]


def forwarding_targets(ctx: PresenceContext) -> list[ForwardTarget]:
    """The destinations the client may choose (000:710; none in UC Suite's myPortal @work, 000:679)."""
    if not ctx.client_sets_forwarding:
        return []
    return [t for t in ForwardTarget if t is not ForwardTarget.MOBILE or ctx.has_mobile]


def return_time_announced(return_time: datetime | None, now: datetime) -> bool:
    """UC-PRES-3: the return time is announced until it has passed (000:694)."""
    return return_time is not None and now < return_time


@dataclass(frozen=True)
class Announcement:
    """What the voicemail box tells a caller about its absent owner: the nature of the
    absence and, while it is ahead, the scheduled time of return (000:667, 000:683-694)."""

    status: Status
    return_time: datetime | None


def announcement(
    status: Status, visibility: Visibility, return_time: datetime | None, caller_internal: bool, now: datetime
) -> Announcement | None:
    """UC-PRES-2 (000:667) "notifies the callers via status-based announcements about the
    nature of your absence and possibly the scheduled date and time of your return", as far as
    UC-PRES-3's visibility lets the caller know (000:683-692): internally and externally, every
    caller; internally, internal subscribers only; not visible, nobody. Office and CallMe are
    no absence; the time of return is dropped once it has passed (000:694)."""
    if status in AVAILABLE or status is Status.DO_NOT_DISTURB:
        return None
    if visibility is Visibility.NOT_VISIBLE or (visibility is Visibility.INTERNAL and not caller_internal):
        return None
    return Announcement(status, return_time if return_time_announced(return_time, now) else None)


def seen_status(status: Status, visibility: Visibility) -> Status | None:
    """What other users see: CallMe shows as Office (000:764); not visible hides every status
    other than Office (000:683-694)."""
    shown = Status.OFFICE if status is Status.CALLME else status
    if visibility is Visibility.NOT_VISIBLE and shown is not Status.OFFICE:
        return None
    return shown
