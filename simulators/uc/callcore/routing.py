"""Where a call goes: the telephony features of the system. Pure decisions over the state.

`route(view, dialled, caller_device)` reads what it needs through `FeatureView` (the stub's
State satisfies it; unit tests pass a real State on a temporary file) and returns one
`Route`; it never writes and never reads a clock except through the view's `now()`.

In order (docs/RULES-INTERPRETATION.md, "Call routing"):

1. the deskshare service code (*9419, NET-1.8 004:151): only from a desk phone on a dummy
   number (or logged in by deskshare) -> `Service("deskshare")`, else 403
1a. the MeetMe dial-in number (conferences.dial_in_number, 7400, UC-CONF-2) ->
   `Service("conference")`: the core asks for the PIN (worker.py, mixer.py)
2. the voicemail box's number (351): the caller's own mailbox -> `Voicemail(caller)` (the
   box records a message to yourself: the lab has no mailbox menu; see the interpretation)
3. not an internal number -> 404
4. a user:
   - Do Not Disturb -> 486 (UC-PRES-2, 000:661: DND has no forwarding; calls are rejected)
   - CallMe active (UC-CALLME-1, 000:754-756) -> ring the CallMe destination's devices;
     no answer within 60 s (scaled) -> the user's voicemail
   - an absent status forwarding to voicemail (UC-PRES-2, 000:663-671) -> `Voicemail`;
     to Mobile / External -> ring that number when the lab can reach it (an internal
     number), else 480 (the lab has no trunk)
   - otherwise ring the user's devices; with a mailbox, no answer within 60 s (scaled) ->
     voicemail
5. a station without a user (a MULAP member, a dummy number) -> ring its device
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..config import DeviceKind, Licence, SystemConfig
from ..rules.presence import AVAILABLE, ForwardTarget, Status
from ..timescale import Timer, TimeScale

_SEPARATORS = re.compile(r"[\s()/:;-]")


class _Device(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> DeviceKind: ...
    @property
    def number(self) -> str: ...
    @property
    def sip_user(self) -> str: ...


class _User(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def licences(self) -> frozenset[Licence]: ...
    @property
    def mobile(self) -> str | None: ...


class _Forwarding(Protocol):
    @property
    def target(self) -> ForwardTarget: ...
    @property
    def external_number(self) -> str | None: ...


class _Presence(Protocol):
    @property
    def status(self) -> Status: ...
    @property
    def forwarding(self) -> Mapping[Status, _Forwarding]: ...
    @property
    def callme_destination(self) -> str | None: ...


class _Login(Protocol):
    @property
    def number(self) -> str: ...


class FeatureView(Protocol):
    """What routing reads (State satisfies it)."""

    config: SystemConfig

    @property
    def time_scale(self) -> TimeScale: ...

    def user(self, number: str) -> _User | None: ...
    def presence(self, number: str) -> _Presence: ...
    def devices_for_number(self, number: str) -> Sequence[_Device]: ...
    def device_by_sip_user(self, username: str) -> _Device | None: ...
    def deskshare_dummies(self) -> list[str]: ...
    def deskshare_login_of_device(self, device_id: str) -> _Login | None: ...


# -- routes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ring:
    """Ring `devices` (SIP users) in parallel for `number`; after `no_answer_s` (real seconds)
    unanswered, the call goes to `voicemail_of`'s mailbox (None: it rings on)."""

    number: str
    devices: tuple[str, ...]
    voicemail_of: str | None = None
    no_answer_s: float = 0.0
    why: str = ""


@dataclass(frozen=True)
class Voicemail:
    owner: str
    why: str = ""


@dataclass(frozen=True)
class Service:
    name: str
    """"deskshare" | "conference" (the MeetMe dial-in number, UC-CONF-2)"""
    device: str
    """the caller's device (SIP user)"""


@dataclass(frozen=True)
class Refuse:
    code: int
    reason: str


Route = Ring | Voicemail | Service | Refuse


def internal_number(user: str) -> str | None:
    """The internal number in a dial string, or None (blanks and ( ) / - : ; allowed, 000:1037)."""
    cleaned = _SEPARATORS.sub("", user)
    return cleaned if cleaned.isdigit() and 1 <= len(cleaned) <= 16 else None


def canonical_internal(user: str, prefix: str | None) -> str | None:
    """The internal number a canonical number names (UC-CALL-5, 000:1037: + country code, area
    code and the full station number, blanks and + ( ) / - : ; allowed) when it starts with
    the system's own canonical `prefix`; else None."""
    if prefix is None or not user.startswith("+"):
        return None
    cleaned = "+" + _SEPARATORS.sub("", user[1:])
    if not cleaned.startswith(prefix):
        return None
    return internal_number(cleaned.removeprefix(prefix))


def has_mailbox(user: _User | None) -> bool:
    return user is not None and Licence.VOICEMAIL in user.licences


def route(view: FeatureView, dialled: str, caller_device: str | None) -> Route:
    cfg = view.config
    if dialled == cfg.deskshare.service_code:
        return _deskshare(view, caller_device)
    if dialled == cfg.conferences.dial_in_number:
        return Service("conference", caller_device or "")
    number = canonical_internal(dialled, cfg.system.canonical_prefix) or internal_number(dialled)
    if number is None:
        return Refuse(404, f"{dialled!r} is not an internal number")
    caller = view.device_by_sip_user(caller_device) if caller_device else None
    if number == cfg.voicemail.box_number:
        owner = _number_of(view, caller) if caller is not None else None
        if owner is None or not has_mailbox(view.user(owner)):
            return Refuse(403, f"no voicemail box for {owner or 'this caller'} (Voicemail licence)")
        return Voicemail(owner, "own mailbox")
    user = view.user(number)
    if user is None:
        return _ring(view, number, None, caller)
    presence = view.presence(number)
    if presence.status is Status.DO_NOT_DISTURB:
        return Refuse(486, f"{number} does not want to be disturbed")
    no_answer = view.time_scale.timer(Timer.CALLME_TO_VOICEMAIL)
    mailbox = number if has_mailbox(user) else None
    if presence.callme_destination and cfg.profile.callme_available(cfg.system.mode):
        dest = internal_number(presence.callme_destination)
        if dest is None:
            return Refuse(480, f"CallMe destination {presence.callme_destination} is outside the lab (no trunk)")
        ring = _ring(view, dest, mailbox, caller, no_answer, why=f"CallMe of {number}")
        return ring
    if presence.status not in AVAILABLE:
        fwd = presence.forwarding[presence.status]
        if fwd.target is ForwardTarget.VOICEMAIL and mailbox:
            return Voicemail(number, f"status {presence.status.value}")
        if fwd.target in (ForwardTarget.MOBILE, ForwardTarget.EXTERNAL):
            to = user.mobile if fwd.target is ForwardTarget.MOBILE else fwd.external_number
            dest = internal_number((to or "").removeprefix("+")) if to and not to.startswith("+") else None
            if dest is None:
                return Refuse(480, f"{number} is forwarded to {to}, outside the lab (no trunk)")
            return _ring(view, dest, mailbox, caller, no_answer, why=f"status {presence.status.value} of {number}")
    return _ring(view, number, mailbox, caller, no_answer)


def _ring(
    view: FeatureView,
    number: str,
    mailbox: str | None,
    caller: _Device | None,
    no_answer: float = 0.0,
    why: str = "",
) -> Route:
    known = list(view.devices_for_number(number))
    devices = tuple(d.sip_user for d in known if caller is None or d.sip_user != caller.sip_user)
    if not devices:
        if known:
            return Refuse(486, f"{number} is calling itself")
        return Refuse(404, f"no station {number}")
    return Ring(number, devices, mailbox, no_answer if mailbox else 0.0, why)


def _number_of(view: FeatureView, dev: _Device) -> str:
    login = view.deskshare_login_of_device(dev.id)
    if login is not None:
        return login.number
    group = view.config.mulap_of(dev.id)
    return group.number if group is not None else dev.number


def _deskshare(view: FeatureView, caller_device: str | None) -> Route:
    dev = view.device_by_sip_user(caller_device) if caller_device else None
    code = view.config.deskshare.service_code
    if dev is None or dev.kind is not DeviceKind.SIP_PHONE or dev.number not in view.deskshare_dummies():
        return Refuse(
            403,
            f"{code} works only from a desk phone on a deskshare dummy number ({', '.join(view.deskshare_dummies())})",
        )
    return Service("deskshare", dev.sip_user)


@dataclass(frozen=True)
class DeskshareDecision:
    ok: bool
    message: str


class DeskshareView(Protocol):
    def user(self, number: str) -> _User | None: ...
    def verify_pin(self, number: str, pin: str) -> bool: ...
    def registered_voip_client(self, number: str) -> bool: ...


def deskshare_login(view: DeskshareView, number: str, pin: str) -> DeskshareDecision:
    """May the desk phone log in as `number` with `pin` (NET-1.8, 004:141-151)?

    An empty number logs the desk phone out (it returns to its dummy number)."""
    if number == "":
        return DeskshareDecision(True, "logged out")
    user = view.user(number)
    if user is None:
        return DeskshareDecision(False, f"no user {number}")
    if Licence.DESKSHARE not in user.licences:
        return DeskshareDecision(False, f"user {number} has no Deskshare licence (004:145)")
    if not view.verify_pin(number, pin):
        return DeskshareDecision(False, f"wrong PIN for {number}")
    if view.registered_voip_client(number):
        return DeskshareDecision(
            False, f"the VoIP client of {number} is registered; unregister it first (004:151 'switching back')"
        )
    return DeskshareDecision(True, f"logged in as {number}")
