"""Test oracles for presence and the own picture, written from the documents' wording.

UC-PRES-1, 000:638-649 (Meeting: 000:709, 003:706): Office; CallMe "Only selectable if the
CallMe service is active. Otherwise, Office appears here"; Sick, Break, Gone Out, Vacation,
Lunch, At Home; Do Not Disturb "(not available in MULAP configurations)". 000:634: "For
every change in the presence status (except for Office), you also define the scheduled
date and time of your return".

UC-PRES-3, 000:685-694: visible "internally and externally", "internally", "not visible"
(to others, the status other than Office); "After the scheduled time for your return has
passed, the announcement of this time is dropped. Your presence status remains unchanged."

UC-IMG-1, 000:1739: "at least 40 x 40 pixels in the JPG or PNG file format. The file size
must be no larger than 512 kB." 000:1746: "scaled to 200 x 200 pixels." 000:1750: "only
supported in myPortal @work UC Smart mode".
"""

from __future__ import annotations

from .oracles import callme_exists

STATUSES = [
    "office",
    "callme",
    "meeting",
    "sick",
    "break",
    "gone_out",
    "vacation",
    "lunch",
    "at_home",
    "do_not_disturb",
]
ABSENT = [s for s in STATUSES if s not in ("office", "callme")]
VISIBILITIES = ["internal_and_external", "internal", "not_visible"]


def selectable(mode: str, release: str, *, callme_active: bool, mulap: bool) -> list[str]:
    """The statuses a user can choose, in the document's order."""
    return [
        s
        for s in STATUSES
        if not (s == "callme" and not (callme_exists(release, mode) and callme_active))
        and not (s == "do_not_disturb" and mulap)
    ]


def seen_by_colleague(status: str, visibility: str) -> str | None:
    """What an internal colleague sees (None: not visible). CallMe users appear as Office (000:764)."""
    shown = "office" if status == "callme" else status
    if visibility == "not_visible" and shown != "office":
        return None
    return shown


# ---------------------------------------------------------------- UC-IMG-1

PICTURE_MAX_BYTES = 512 * 1024  # the lab reads kB as 1024 bytes (docs/RULES-INTERPRETATION.md)
PICTURE_MIN_SIDE = 40
PICTURE_SIZE = 200


def picture_violations(fmt: str, width: int, height: int, size: int) -> list[str]:
    """The violated rules of an upload of a `fmt` image (JPEG, PNG, GIF, ...) of `size` bytes."""
    found = []
    if size > PICTURE_MAX_BYTES:
        found.append("too_large")
    if fmt not in ("JPEG", "PNG"):
        return [*found, "wrong_format"]
    if width < PICTURE_MIN_SIDE or height < PICTURE_MIN_SIDE:
        found.append("too_small")
    return found
