"""Favorites (UC-FAV-1, 000:805-885). Pure.

The Favorites manage contacts in groups (000:809): a contact found in a directory is added
to an existing group or to a new one named in the same step (000:839-844); a contact is
removed from its group (000:853-861); a group is renamed (000:863-870); a group is deleted
in UC Smart mode only; in UC Suite mode another UC Suite client deletes it (000:872-883).

Lab readings (docs/RULES-INTERPRETATION.md, "Favorites"): group names are 1 to 40
characters, unique per user without regard to case; a contact appears at most once per
group (it may be in several groups); at most 100 groups per user (a lab limit).
"""

from __future__ import annotations

import unicodedata

from ..profiles import Mode
from .clients import ClientKind
from .verdict import Verdict, refuse

GROUP_NAME_MAX = 40
GROUPS_MAX = 100


def group_name(raw: str) -> str:
    """A group name as stored: blanks around it dropped, runs of blanks as one."""
    return " ".join(raw.split())


def same_name(a: str, b: str) -> bool:
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


def check_group_name(name: str, others: list[str]) -> Verdict:
    """A new name (after `group_name`) for a group; `others` are the user's other groups."""
    if not name:
        return refuse("group_name_missing", "Enter a name for the favorites group.")
    if len(name) > GROUP_NAME_MAX:
        return refuse(
            "group_name_too_long", f"The group name has {len(name)} characters; at most {GROUP_NAME_MAX} are allowed."
        )
    if any(unicodedata.category(c) == "Cc" for c in name):
        return refuse("group_name_invalid", "The group name contains control characters; remove them.")
    clash = next((o for o in others if same_name(o, name)), None)
    if clash is not None:
        return refuse("group_exists", f"You already have a favorites group named {clash!r}; choose another name.")
    return Verdict()


def check_new_group(name: str, others: list[str]) -> Verdict:
    if len(others) >= GROUPS_MAX:
        return refuse(
            "too_many_groups",
            f"You already have {GROUPS_MAX} favorites groups, the most the lab keeps; delete or reuse a group.",
        )
    return check_group_name(name, others)


def check_delete_group(mode: Mode, client: ClientKind) -> Verdict:
    """Deleting a favorites group: UC Smart only in myPortal @work (000:883)."""
    if mode is Mode.SUITE and client is ClientKind.AT_WORK:
        return refuse(
            "group_delete_by_other_client",
            "In UC Suite mode favorites groups are deleted with another UC Suite client (e.g. myPortal for Desktop).",
        )
    return Verdict()
