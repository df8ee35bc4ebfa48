"""Directories, search and personal contacts (UC-DIR-1, REL-SEARCH). Pure.

Directories (000:503-524): personal contacts, internal (the UC users), system (speed
dials: name and number only, 000:556), global (imported by the administrator), external
(UC Suite only, 000:515-516). Personal contacts are managed in myPortal @work in UC Smart
mode (000:520) and with another UC Suite client in UC Suite mode (000:522); UC Smart keeps
up to 3000 of them (000:1948).

Search (000:558-562, 000:574-575): by name or by the initial letters of a name; the
wildcard "*" only at the end of the search string; German diacritics. Search-to-call
(000:1148, 002:1536-1538 "containing"; 003:1330-1332 "starting with") matches per release
(REL-SEARCH, profiles.py). The readings (docs/RULES-INTERPRETATION.md, "Directories"):

- "starting with": the name, or any word of it, starts with the search string (a word
  starts after any character that is not a letter or digit); "containing": the search
  string occurs anywhere in the name.
- Letters compare without case (Unicode case folding, so ß = ss), names and search strings
  in Unicode NFC, runs of blanks as one blank. German diacritics: ä ö ü compare equal to
  both a o u (DIN 5007 variant 1, the dictionary order) and ae oe ue (variant 2, the phone
  book order): a name matches when it matches in either spelling. "Muller", "Mueller" and
  "Müller" all find Müller; "Müller" finds Muller and Mueller; "Mueller" does not find Muller.
- "*" may end the search string once; it changes nothing (the search already matches
  initial letters). Anywhere else it is refused; so is a search without a letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from ..profiles import Mode
from .clients import ClientKind
from .verdict import Verdict, Violation, refuse

WILDCARD = "*"
SEARCH_MAX_LENGTH = 64
NAME_MAX_LENGTH = 80
NUMBER_MAX_LENGTH = 32
EMAIL_MAX_LENGTH = 254

PERSONAL_LIMIT = {Mode.SMART: 3000, Mode.SUITE: 10_000}
"""UC Smart: "supports adding or importing 3000 contacts" (000:1948). UC Suite documents no
limit; the lab keeps at most 10000 so that the stub's storage stays bounded."""

SearchMatch = Literal["starting_with", "containing"]


class Directory(StrEnum):
    """The directories in the order of 000:507-516 (also the order of search results)."""

    PERSONAL = "personal"
    INTERNAL = "internal"
    SYSTEM = "system"
    GLOBAL = "global"
    EXTERNAL = "external"


LABELS = {
    Directory.PERSONAL: "Personal contacts",
    Directory.INTERNAL: "Internal directory",
    Directory.SYSTEM: "System directory",
    Directory.GLOBAL: "Global directory",
    Directory.EXTERNAL: "External directory",
}


def directories_of(mode: Mode) -> tuple[Directory, ...]:
    """The directories a user can search: the external one only in UC Suite mode (000:515)."""
    return tuple(d for d in Directory if d is not Directory.EXTERNAL or mode is Mode.SUITE)


def check_manage_personal(mode: Mode, client: ClientKind) -> Verdict:
    """Who adds, edits, deletes and imports personal contacts (000:520-522)."""
    if mode is Mode.SUITE and client is ClientKind.AT_WORK:
        return refuse(
            "personal_by_other_client",
            "In UC Suite mode you add, edit and import personal contacts with another UC Suite client (e.g. myPortal "
            "for Desktop); myPortal @work shows them.",
        )
    return Verdict()


def check_directory(directory: Directory, mode: Mode) -> Verdict:
    if directory not in directories_of(mode):
        return refuse(
            "external_uc_suite_only",
            "The external directory exists only in UC Suite mode; search the other directories.",
        )
    return Verdict()


# ---------------------------------------------------------------- matching


_DICTIONARY = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
_PHONE_BOOK = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def folded(text: str) -> tuple[str, str]:
    """`text` compared without case, in the two German spellings (DIN 5007 variants 1 and 2)."""
    base = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return base.translate(_DICTIONARY), base.translate(_PHONE_BOOK)


def _word_starts(text: str) -> list[int]:
    return [i for i in range(len(text)) if i == 0 or not text[i - 1].isalnum()]


@dataclass(frozen=True)
class SearchTerm:
    text: str
    """what was typed, without the trailing wildcard"""
    wildcard: bool
    keys: tuple[str, str]

    def matches(self, name: str, how: SearchMatch = "starting_with") -> bool:
        for key, spelled in zip(self.keys, folded(name)):
            if how == "containing":
                if key in spelled:
                    return True
            elif any(spelled.startswith(key, i) for i in _word_starts(spelled)):
                return True
        return False


def parse_search(raw: str) -> tuple[SearchTerm | None, Verdict]:
    """A search string into a term, or the reason it cannot be searched for."""
    text = raw.strip()
    wildcard = text.endswith(WILDCARD)
    if wildcard:
        text = text[: -len(WILDCARD)].rstrip()
    if WILDCARD in text:
        return None, refuse(
            "wildcard_position",
            f"The wildcard * is only supported at the end of a search string; remove it from {raw.strip()!r} "
            "or put it at the end.",
        )
    if not any(c.isalnum() for c in text):
        return None, refuse("search_empty", "Enter at least the first letter of a name to search for.")
    return SearchTerm(text, wildcard, folded(text)), Verdict()


def sort_key(name: str) -> str:
    """Results in alphabetical order (DIN 5007 variant 1: ä sorts as a)."""
    return folded(name)[0]


# ---------------------------------------------------------------- contact data


NUMBER_FIELDS = {"business": "business", "mobile": "mobile", "private": "private/external"}
"""The phone numbers of a contact (000:549-554) and how messages name them."""
_PHONE = re.compile(r"[0-9 +()/:;-]*[0-9][0-9 +()/:;-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ContactFields:
    name: str
    business: str | None = None
    mobile: str | None = None
    private: str | None = None
    email: str | None = None

    def cleaned(self) -> ContactFields:
        """Blanks around values dropped; empty optional values are absent."""

        def opt(v: str | None) -> str | None:
            return v.strip() or None if v is not None else None

        return ContactFields(
            " ".join(self.name.split()), opt(self.business), opt(self.mobile), opt(self.private), opt(self.email)
        )


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def check_contact(fields: ContactFields) -> Verdict:
    """A personal contact's data (after `cleaned()`): a name, phone numbers, an e-mail address."""
    found: list[Violation] = []
    name = fields.name
    if not name:
        found.append(Violation("name_missing", "Enter a name for the contact."))
    elif len(name) > NAME_MAX_LENGTH:
        found.append(
            Violation("name_too_long", f"The name has {len(name)} characters; at most {NAME_MAX_LENGTH} are allowed.")
        )
    if _has_control(name):
        found.append(
            Violation(
                "name_invalid",
                "The name contains control characters (U+0000-U+001F, U+007F-U+009F); remove them.",
            )
        )
    numbers = {label: (key, getattr(fields, key)) for key, label in NUMBER_FIELDS.items()}
    found += _number_and_email_violations(numbers, fields.email)
    return Verdict(tuple(found))


def _number_and_email_violations(numbers: dict[str, tuple[str, str | None]], email: str | None) -> list[Violation]:
    """Phone numbers ({label: (code prefix, value)}) and an e-mail address that are not ones (None: absent)."""
    found = [
        Violation(
            f"{key}_invalid",
            f"The {label} number {value!r} is not a phone number: use digits, blanks and + ( ) / - : ; "
            f"only (at most {NUMBER_MAX_LENGTH} characters), e.g. +49 89 7007-98765.",
        )
        for label, (key, value) in numbers.items()
        if value is not None and (len(value) > NUMBER_MAX_LENGTH or not _PHONE.fullmatch(value))
    ]
    if email is not None and (len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email)):
        found.append(
            Violation("email_invalid", f"The e-mail address {email!r} is not valid; write it as name@example.com.")
        )
    return found


OWN_NUMBER_FIELDS = {"mobile": "mobile phone", "home": "home/external phone"}
"""the user's own phone numbers (000:1733) and how messages name them"""


def check_own_contact(changes: dict[str, str | None]) -> Verdict:
    """The user's own contact data (UC-ME-1, 000:1733), after blanks are dropped (None: cleared).
    "Phone numbers should be entered in canonical format": should, so any number of the
    canonical format's characters is taken as entered; other characters are refused."""
    numbers = {label: (key, changes.get(key)) for key, label in OWN_NUMBER_FIELDS.items()}
    return Verdict(tuple(_number_and_email_violations(numbers, changes.get("email"))))


def _keeper(mode: Mode) -> str:
    return "UC Smart" if mode is Mode.SMART else "the lab's UC Suite stub"


def check_room(mode: Mode, have: int) -> Verdict:
    """Whether one more personal contact fits (000:1948)."""
    limit = PERSONAL_LIMIT[mode]
    if have < limit:
        return Verdict()
    return refuse(
        "personal_contacts_full",
        f"You already have {have} personal contacts, the most {_keeper(mode)} keeps; delete contacts you no "
        "longer need, then add this one.",
    )


def check_import_room(mode: Mode, kept: int, importing: int) -> Verdict:
    """Whether an import fits: the file's contacts plus the manually added ones that stay (000:1948)."""
    limit = PERSONAL_LIMIT[mode]
    if kept + importing <= limit:
        return Verdict()
    return refuse(
        "personal_contacts_full",
        f"The file has {importing} contacts; with your {kept} manually added contacts that makes "
        f"{kept + importing}, and {_keeper(mode)} keeps at most {limit} personal contacts. Import at most "
        f"{max(limit - kept, 0)} contacts, or delete manually added contacts first. Nothing was imported.",
    )
