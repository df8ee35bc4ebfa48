"""Release profiles: how the system behaves in each release (RULES section 4, REL-*). Pure data.

A run targets one release profile (DESIGN.md section 8). The stub owns the differences
below; each one names its rule ID and the document lines that set it. The guides map to
releases like this:

- 003 (French, 09/2020): change history up to V3 (003:1-126): the V2R7 and V3 behaviour.
- 000 (English): written for V3R1 (000:150-153) with fixes up to V3R2 FR1 (000:157-176).
- 002 (Dutch, 04/2025): change history up to V3R4 FR1 (002:1-316).

Where a fix or change is dated by its history entry, the release of that entry is where the
behaviour changes (e.g. PRB000064905 in "Changes in V3R2 FR1" makes 123456 the preset PIN
from V3R2 FR1 on). Client-only differences (REL-HOTKEY, REL-ADMIN) are not the stub's and
are not modelled here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Mode(StrEnum):
    """The UC solution the system runs (000:143-165 / 003:143-165)."""

    SMART = "smart"
    SUITE = "suite"


class Release(StrEnum):
    V2R7 = "V2R7"
    V3 = "V3"
    V3R1 = "V3R1"
    V3R2FR1 = "V3R2FR1"
    V3R4FR1 = "V3R4FR1"


RELEASE_ORDER: tuple[Release, ...] = tuple(Release)

PresetPin = Literal["123456", "internal_number"]
SearchMatch = Literal["containing", "starting_with"]


@dataclass(frozen=True)
class Difference:
    """One REL-* difference: its rule, the release it changes in, and the values before/after."""

    rule: str
    attribute: str
    changes_in: Release
    before: object
    after: object
    refs: tuple[str, ...]
    note: str


DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "REL-PIN",
        "preset_pin",
        Release.V3R2FR1,
        "internal_number",
        "123456",
        ("000:162", "000:1452", "002:239", "002:1880", "003:1667-1668"),
        "preassigned voicemail PIN: the user's internal number (003:1667-1668) until PRB000064905 (V3R2 FR1) "
        "corrected it to 123456 (000:162, 000:1452, 002:1880)",
    ),
    Difference(
        "REL-CALLME",
        "callme_modes",
        Release.V3R2FR1,
        frozenset({Mode.SMART, Mode.SUITE}),
        frozenset({Mode.SUITE}),
        ("000:163", "000:642", "000:752", "002:242", "003:897-903"),
        "CallMe service: no mode restriction in 003 (003:897-903); UC Suite only from PRB000067006 in V3R2 FR1 "
        "(000:163, 000:752, 002:242)",
    ),
    Difference(
        "REL-PWD-SUITE",
        "suite_password_change",
        Release.V3R2FR1,
        False,
        True,
        ("002:57", "002:83-88", "000:1864-1882", "003:2380-2406", "000:349-351"),
        "myPortal @work changes the password in UC Suite mode (digits rule, no old password) only from the V3R2 "
        "change 'depending on the mode a different process' (002:83-88; V3R2 FR1 is the first profile at or after "
        "V3R2); 003 documents the password change for UC Smart mode only (003:2380-2406). Before, a UC Suite user "
        "changes the password with another UC Suite client (000:349-351)",
    ),
    Difference(
        "REL-HOLD",
        "hold_for_voip",
        Release.V3R1,
        True,
        False,
        ("000:1091", "002:310-311", "002:1475", "003:1297"),
        "Hold Call for VoIP: no restriction in 003 (003:1297); 'not for VoIP functionality' from PRB000052523 "
        "(V3R1, 002:310-311; 000:1091, 002:1475)",
    ),
    Difference(
        "REL-SEARCH",
        "search_match",
        Release.V3R1,
        "starting_with",
        "containing",
        ("003:1330-1332", "000:1148", "002:1536-1538"),
        "call by name: entries 'starting with' the letters in 003 (003:1330-1332), 'containing' them in 000:1148 "
        "and 002:1536-1538 (RULES.md lists 002 under 'starting with'; 002:822 is the directory search, 002:1538 "
        "the call by name)",
    ),
    Difference(
        "REL-KEYS",
        "keys_kept_on_voip_switch",
        Release.V3R2FR1,
        False,
        True,
        ("003:2311-2313", "002:61-68", "002:2504-2506", "000:2049"),
        "programmed function keys when switching between desk phone and VoIP: lost in 003 (003:2311-2313), kept "
        "from the V3R2 change (002:61-68; 000:2049, 002:2504-2506)",
    ),
    Difference(
        "REL-DIAL",
        "dialable_with_trunk_prefix",
        Release.V3R1,
        True,
        False,
        ("003:1234-1242", "000:188", "000:1038", "002:315", "002:1419-1421"),
        "dialable examples: with the leading trunk 0 in 003 (003:1234-1242); without it after PRB000051643 (V3R1, "
        "000:188, 002:315; 000:1038, 002:1419-1421)",
    ),
    Difference(
        "REL-CONV-DELETE",
        "conversation_delete_modes",
        Release.V3,
        frozenset({Mode.SMART}),
        frozenset({Mode.SMART, Mode.SUITE}),
        ("002:187-191", "002:141-149", "003:47-48", "003:1097-1125"),
        "deleting conversations: added in V2R7 (002:187-191) for UC Smart (003:1097-1125 'Mode UC Smart'); V3 adds "
        "'Gespreksverwijderingsfunctie voor UC Suite' (002:149, 003:47-48), which the lab follows over 003's unrevised "
        "prerequisites",
    ),
    Difference(
        "REL-CONTACT-DATA",
        "own_contact_data",
        Release.V3,
        False,
        True,
        ("002:133-136", "003:30-33", "000:1724-1733"),
        "editing one's own mobile, home/external number and e-mail: introduced in V3 ('Mobiel, Privénummer, E-mail "
        "CrUD-bewerkingen', 002:133-136; 003:30-33); V2R7's functions (002:171-210) do not include it",
    ),
)


@dataclass(frozen=True)
class ReleaseProfile:
    """How one release behaves where the releases differ (see DIFFERENCES for the sources)."""

    release: Release
    preset_pin: PresetPin
    callme_modes: frozenset[Mode]
    suite_password_change: bool
    hold_for_voip: bool
    search_match: SearchMatch
    keys_kept_on_voip_switch: bool
    dialable_with_trunk_prefix: bool
    conversation_delete_modes: frozenset[Mode]
    own_contact_data: bool

    def preset_pin_for(self, number: str) -> str:
        """The preassigned voicemail PIN of a user (REL-PIN)."""
        return "123456" if self.preset_pin == "123456" else number

    def callme_available(self, mode: Mode) -> bool:
        """REL-CALLME: whether the CallMe service exists in this mode."""
        return mode in self.callme_modes

    def conversation_delete(self, mode: Mode) -> bool:
        """REL-CONV-DELETE: whether deleting conversations exists in this mode."""
        return mode in self.conversation_delete_modes

    def is_at_least(self, release: Release) -> bool:
        return RELEASE_ORDER.index(self.release) >= RELEASE_ORDER.index(release)

    def refs(self, rule: str) -> tuple[str, ...]:
        return next(d.refs for d in DIFFERENCES if d.rule == rule)


def _build(release: Release) -> ReleaseProfile:
    index = RELEASE_ORDER.index(release)
    values = {d.attribute: (d.after if index >= RELEASE_ORDER.index(d.changes_in) else d.before) for d in DIFFERENCES}
    return ReleaseProfile(release=release, **values)  # type: ignore[arg-type]


PROFILES: dict[Release, ReleaseProfile] = {r: _build(r) for r in Release}


def profile(release: Release | str) -> ReleaseProfile:
    """The profile of a release; a clear error names the known ones."""
    try:
        return PROFILES[Release(release)]
    except ValueError:
        known = ", ".join(r.value for r in Release)
        raise ValueError(f"unknown release {release!r}; use one of: {known}") from None
