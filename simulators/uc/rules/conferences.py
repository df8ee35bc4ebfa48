"""Conferences (UC-CONF-1..5, 000:1489-1700). Pure: what is allowed, and the texts.

Two kinds (000:1489-1513):
- phone-controlled: set up from a phone (consultation or a second call extended into a
  conference), outbound, no authentication, at most 8 participants;
- application-controlled ("MeetMe"): managed in myPortal @work, UC Smart only, needs the
  conference licence; participants dial in with their personal PIN (conference ID) or the
  optional guest PIN; at most 16 participants; permanent (000:1515-1518).

Moderators (000:1519-1545, 000:1590-1604): the creator is one; at least one must remain;
only moderators rename, add, remove, disconnect, set moderators, delete. A moderator is an
internal participant of this node with a conference licence; manually entered (external)
participants never are.

Lab readings (docs/RULES-INTERPRETATION.md, "Conferences"): PINs are 6 digits, unique in
the system (a PIN names one conference, and a personal PIN one participant); a PIN entered
by DTMF ends with # or after its sixth digit; the 16 participants count both the list and
those connected at once (guests included); names are 1 to 60 characters.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..profiles import Mode
from .verdict import ACCEPTED, Verdict, refuse

PHONE_CONFERENCE_MAX = 8
"""000:1513: phone-controlled conferences, at most 8 participants"""
MEETME_MAX = 16
"""000:1513: application-controlled conferences, at most 16 participants"""
NAME_MAX = 60
PIN_DIGITS = 6


class ParticipantState(StrEnum):
    """000:1548-1552."""

    INACTIVE = "inactive"
    """not in the conference; no conference channel used"""
    DIALING_IN = "dialing_in"
    """just dialing in (entering the PIN)"""
    WAITING = "waiting"
    """in the conference, listening to music on hold (alone)"""
    ACTIVE = "active"
    """in the conference with others; a conference channel in use"""


CONNECTED = (ParticipantState.WAITING, ParticipantState.ACTIVE)


@dataclass(frozen=True)
class Member:
    """What the rules need to know about one listed participant."""

    id: int
    number: str | None
    """internal number; None for an external participant entered by hand"""
    moderator: bool
    state: ParticipantState = ParticipantState.INACTIVE
    guest: bool = False


def conference_name(raw: str) -> str:
    return " ".join(raw.split())


def check_name(name: str) -> Verdict:
    if not name:
        return refuse("conference_name_missing", "Enter a name for the conference.")
    if len(name) > NAME_MAX:
        return refuse(
            "conference_name_too_long",
            f"The conference name has {len(name)} characters; at most {NAME_MAX} are allowed.",
        )
    return ACCEPTED


def check_create(mode: Mode, has_licence: bool) -> Verdict:
    """Conference Management: UC Smart only (000:1505) and a conference licence (000:1499)."""
    if mode is not Mode.SMART:
        return refuse(
            "conference_smart_only",
            "Application-controlled conferences are available in UC Smart mode only; "
            "in UC Suite set up a conference from the phone.",
        )
    if not has_licence:
        return refuse(
            "conference_licence_missing",
            "You have no conference licence; ask your administrator to assign one to manage conferences.",
        )
    return ACCEPTED


def check_moderator(members: Iterable[Member], actor: str) -> Verdict:
    """Only moderators change a conference (000:1536, 000:1603)."""
    if any(m.moderator and m.number == actor for m in members):
        return ACCEPTED
    return refuse(
        "not_moderator",
        "Only a moderator of this conference may change it; ask one of its moderators (marked with a star).",
    )


def check_add(members: Collection[Member], number: str | None) -> Verdict:
    if len([m for m in members if not m.guest]) >= MEETME_MAX:
        return refuse(
            "conference_full",
            f"The conference already lists {MEETME_MAX} participants, the most it can have; remove one first.",
        )
    if number is not None and any(m.number == number and not m.guest for m in members):
        return refuse("already_participant", f"{number} is already a participant of this conference.")
    return ACCEPTED


def check_set_moderator(member: Member, has_licence: bool) -> Verdict:
    """000:1539-1541, 000:1590-1594: internal, on this node, with a conference licence."""
    if member.number is None or member.guest:
        return refuse(
            "external_cannot_moderate",
            "Participants entered by hand (external) and guests cannot be moderators; choose an internal participant.",
        )
    if not has_licence:
        return refuse(
            "moderator_licence_missing",
            f"{member.number} has no conference licence, which a moderator needs; ask your administrator for one.",
        )
    return ACCEPTED


def check_reset_moderator(members: Collection[Member], member_id: int) -> Verdict:
    """At least one moderator must remain (000:1594)."""
    if not any(m.moderator and m.id != member_id for m in members):
        return refuse(
            "last_moderator",
            "A conference needs at least one moderator; set another participant as moderator first.",
        )
    return ACCEPTED


def check_remove(members: Collection[Member], member_id: int) -> Verdict:
    target = next((m for m in members if m.id == member_id), None)
    if target is not None and target.moderator and not any(m.moderator and m.id != member_id for m in members):
        return refuse(
            "last_moderator",
            "This participant is the conference's last moderator; set another moderator first, or delete the conference.",
        )
    return ACCEPTED


def new_pin(taken: Collection[str]) -> str:
    """A fresh 6-digit PIN unused in the system (not starting with 0, for dialing ease)."""
    while True:
        pin = str(secrets.randbelow(9 * 10 ** (PIN_DIGITS - 1)) + 10 ** (PIN_DIGITS - 1))
        if pin not in taken:
            return pin


# -- dial-in ------------------------------------------------------------------------------


class PinEntry:
    """Digits a caller keys in at the conference prompt: complete on # or the sixth digit."""

    def __init__(self) -> None:
        self.digits = ""

    def feed(self, digit: str) -> str | None:
        """The PIN once complete, else None. * starts over."""
        if digit == "*":
            self.digits = ""
            return None
        if digit == "#":
            pin, self.digits = self.digits, ""
            return pin
        if digit.isdigit():
            self.digits += digit
        if len(self.digits) >= PIN_DIGITS:
            pin, self.digits = self.digits, ""
            return pin
        return None


@dataclass(frozen=True)
class DialIn:
    admitted: bool
    code: str
    """admitted: "personal" | "guest"; refused: the reason's code"""
    text: str
    """what the caller is told (an announcement text)"""


def decide_dial_in(*, kind: str | None, guest_allowed: bool, connected: int, already_in: bool) -> DialIn:
    """`kind`: what the PIN matched ("personal", "guest", None: nothing)."""
    if kind is None:
        return DialIn(False, "wrong_pin", "The PIN is not valid. Check the PIN in your invitation and try again.")
    if kind == "guest" and not guest_allowed:
        return DialIn(False, "guest_pin_not_allowed", "Dial-in with the guest PIN is not allowed for this conference.")
    if already_in:
        return DialIn(False, "already_connected", "You are already connected to this conference.")
    if connected >= MEETME_MAX:
        return DialIn(False, "conference_full", f"The conference is full ({MEETME_MAX} participants).")
    return DialIn(True, kind, "You are now in the conference.")


def state_after_join(connected_after: int) -> ParticipantState:
    """A lone participant waits (music on hold, 000:1546); with others everyone is active."""
    return ParticipantState.WAITING if connected_after <= 1 else ParticipantState.ACTIVE


# -- invitations (UC-CONF-5, 000:1556-1566, 000:1605-1612) ----------------------------------


def invitation(
    *, name: str, dial_in: str, guest_pin: str | None, personal_pin: str | None, system: str = "OpenScape Business"
) -> str:
    """The predefined invitation text: to all (no personal PIN) or to one participant.

    `guest_pin` is None when dial-in with the guest PIN is not allowed.
    """
    lines = [f'Invitation to the conference "{name}" ({system})', f"Dial-in number: {dial_in}"]
    if personal_pin is not None:
        lines.append(f"Your personal PIN (conference ID): {personal_pin}")
    if guest_pin is not None:
        lines.append(f"Guest PIN: {guest_pin}")
    lines.append("Call the dial-in number and enter the PIN followed by #.")
    return "\n".join(lines)


END_INFO_TEXT = "The last moderator has left the conference. The conference will end in about 5 minutes."
"""000:1554: the info text participants get when the last moderator leaves"""
