"""Which UC clients may log in, how many at once, and how they change the password. Pure.

- myPortal @work needs a UC User or Groupware licence (004:58, 004:65).
- Other UC Suite clients exist only in UC Suite mode: myPortal for Desktop (UC User,
  004:187-189) and myPortal for Outlook (Groupware, 004:193-195).
- UC Smart: the UC client may be connected from several places at once (004:138);
  UC Suite: only one myPortal @work client is allowed (004:139). A second @work login is
  refused while the first session is open (docs/RULES-INTERPRETATION.md).
- First login with a password the administrator wants changed (UC-LOGIN-2, 000:349-351):
  UC Smart changes it in myPortal @work; UC Suite with another UC Suite client.
- Password change (000:1857-1882): UC Smart with the old password; UC Suite without an
  old-password field, in myPortal @work only from V3R2 (REL-PWD-SUITE, profiles.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..config import Licence
from ..profiles import Mode, ReleaseProfile
from .verdict import ACCEPTED, Verdict, refuse


class ClientKind(StrEnum):
    AT_WORK = "myportal_at_work"
    DESKTOP = "myportal_for_desktop"
    OUTLOOK = "myportal_for_outlook"


LABELS = {
    ClientKind.AT_WORK: "myPortal @work",
    ClientKind.DESKTOP: "myPortal for Desktop",
    ClientKind.OUTLOOK: "myPortal for Outlook",
}


@dataclass(frozen=True)
class OpenClient:
    client: ClientKind
    address: str
    since: datetime


def check_login(
    mode: Mode, client: ClientKind, number: str, licences: frozenset[Licence], others: Sequence[OpenClient]
) -> Verdict:
    """Whether user `number` may open a UC session with `client`; `others` are its open sessions."""
    label = LABELS[client]
    if client is not ClientKind.AT_WORK and mode is Mode.SMART:
        return refuse(
            "client_not_in_mode", f"{label} is a UC Suite client and this system runs UC Smart; use myPortal @work."
        )
    needed = {Licence.GROUPWARE} if client is ClientKind.OUTLOOK else {Licence.UC_USER, Licence.GROUPWARE}
    if not needed & licences:
        words = "a Groupware" if client is ClientKind.OUTLOOK else "a UC User or Groupware"
        return refuse(
            "missing_licence",
            f"{label} needs {words} licence, which user {number} does not have; ask your administrator.",
        )
    if mode is Mode.SUITE and client is ClientKind.AT_WORK:
        held = next((o for o in others if o.client is ClientKind.AT_WORK), None)
        if held is not None:
            return refuse(
                "only_one_client",
                f"Only one myPortal @work client is allowed per user in UC Suite mode; {number} is already connected "
                f"from {held.address} since {held.since:%Y-%m-%d %H:%M:%S} UTC. Log out there first.",
            )
    return ACCEPTED


def check_first_login(mode: Mode, client: ClientKind) -> Verdict:
    """UC-LOGIN-2: may this client change the initial password the administrator wants changed?"""
    if mode is Mode.SUITE and client is ClientKind.AT_WORK:
        return refuse(
            "change_with_other_client",
            "Your administrator requires a new password before you can log in; in UC Suite mode change it with "
            "another UC Suite client (e.g. myPortal for Desktop), then log in again.",
        )
    return ACCEPTED


def check_password_change_offered(mode: Mode, profile: ReleaseProfile, client: ClientKind) -> Verdict:
    """Whether the client offers a password change at all (REL-PWD-SUITE)."""
    if mode is Mode.SUITE and client is ClientKind.AT_WORK and not profile.suite_password_change:
        return refuse(
            "not_offered",
            f"myPortal @work {profile.release} has no password change in UC Suite mode; change the password with "
            "another UC Suite client (e.g. myPortal for Desktop).",
        )
    return ACCEPTED


def old_password_required(mode: Mode) -> bool:
    """UC Smart asks for the old password; UC Suite has no old-password field (000:1864-1878)."""
    return mode is Mode.SMART
