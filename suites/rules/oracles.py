"""Test oracles for the password and PIN rules, written from the documents' wording.

Independent of the stub (never imported from simulators.uc): each rule is restated here
from the cited lines, as the lab interprets it (docs/RULES-INTERPRETATION.md), and each
verdict is the set of violated rules by the codes the UC API publishes.

UC-PWD-SMART, 000:1870-1872: "the password must be between 8 and 16 characters long and
must include at least one uppercase letter, one lowercase letter, one digit and one special
character."

UC-PWD-SUITE, 000:1881: "the password must consist of only digits and include at least six
digits. Additionally, the password's maximum number of repeated characters is two and the
maximum number of sequential characters is three and also the account name (reversed or
not) cannot be part of the password."

UC-PIN, 000:1468: "The code number consists of a six digit sequence. Repeated digits (e.g.,
333333) and digit sequences in ascending or descending order (e.g., 987654) are not
allowed." (003:1684-1687 and 002:1894-1897: the PIN must not *consist of* them.)
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- UC-PWD-SMART

# letters A-Z a-z, digits, and the special characters: printable ASCII other than letters,
# digits and space (0x21-0x7E); anything else is not allowed
_NOT_ALLOWED = re.compile(r"[^\x21-\x7e]")
_SPECIAL = re.compile(r"[!-/:-@\[-`{-~]")


def smart_violations(password: str) -> set[str]:
    found = set()
    if len(password) < 8:
        found.add("too_short")
    if len(password) > 16:
        found.add("too_long")
    if _NOT_ALLOWED.search(password):
        found.add("not_allowed")
    if not re.search(r"[A-Z]", password):
        found.add("no_uppercase")
    if not re.search(r"[a-z]", password):
        found.add("no_lowercase")
    if not re.search(r"[0-9]", password):
        found.add("no_digit")
    if not _SPECIAL.search(password):
        found.add("no_special")
    return found


# ---------------------------------------------------------------- UC-PWD-SUITE

ASCENDING = "0123456789"
DESCENDING = ASCENDING[::-1]


def has_sequence(text: str, length: int) -> bool:
    """A run of `length` digits in ascending or descending order (no wrap 9 -> 0)."""
    return any(
        text[i : i + length] in ASCENDING or text[i : i + length] in DESCENDING for i in range(len(text) - length + 1)
    )


def suite_violations(password: str, account: str) -> set[str]:
    found = set()
    if not re.fullmatch(r"[0-9]*", password):
        found.add("not_digits")
    if len(re.findall(r"[0-9]", password)) < 6:
        found.add("too_short")
    if re.search(r"(.)\1\1", password, re.DOTALL):
        found.add("repeated")
    if has_sequence(password, 4):
        found.add("sequential")
    if account in password:
        found.add("account_name")
    if account[::-1] != account and account[::-1] in password:
        found.add("account_name_reversed")
    return found


# ---------------------------------------------------------------- UC-PIN


def pin_violations(pin: str) -> set[str]:
    if not re.fullmatch(r"[0-9]{6}", pin):
        return {"not_six_digits"}
    if len(set(pin)) == 1:
        return {"repeated"}
    if pin in ASCENDING or pin in DESCENDING:
        return {"sequence"}
    return set()


# ---------------------------------------------------------------- REL-PIN

# 000:1452 / 002:1880 (fix PRB000064905, "Changes in V3R2 FR1", 000:162): "Standard PIN: 123456";
# 003:1667-1668 (history up to V3): "votre téléphone interne par défaut" (the internal number)
PRESET_IS_123456 = {"V2R7": False, "V3": False, "V3R1": False, "V3R2FR1": True, "V3R4FR1": True}


def preset_pin(release: str, number: str) -> str:
    return "123456" if PRESET_IS_123456[release] else number


# ---------------------------------------------------------------- REL-PWD-SUITE

# 002:57, 002:83-88: from V3R2 "depending on the mode a different process is followed for
# changing the myPortal @work password"; 003:2380-2406 (up to V3) has UC Smart steps only
SUITE_CHANGE_IN_AT_WORK = {"V2R7": False, "V3": False, "V3R1": False, "V3R2FR1": True, "V3R4FR1": True}


# ---------------------------------------------------------------- REL-CONTACT-DATA

# editing one's own mobile, home and e-mail: "Mobiel, Privénummer, E-mail CrUD-bewerkingen"
# among the changes of V3 (002:133-136, 003:30-33); not among V2R7's functions (002:171-210)
OWN_CONTACT_DATA = {"V2R7": False, "V3": True, "V3R1": True, "V3R2FR1": True, "V3R4FR1": True}


# ---------------------------------------------------------------- REL-CONV-DELETE

# deleting conversations in UC Suite: "Gespreksverwijderingsfunctie voor UC Suite" among the
# changes of V3 (002:141-149, 003:47-48); V2R7 adds deleting for UC Smart (002:187-191)
SUITE_CONV_DELETE = {"V2R7": False, "V3": True, "V3R1": True, "V3R2FR1": True, "V3R4FR1": True}


# ---------------------------------------------------------------- REL-SEARCH

# call by name: "containing" in 000:1148 (V3R1 .. V3R2 FR1) and 002:1536-1538 (up to V3R4 FR1);
# "starting with" in 003:1330-1332 (up to V3). The directory search is "starting with" in
# every release (000:575, 002:822, 003:629-630).
SEARCH_CONTAINING = {"V2R7": False, "V3": False, "V3R1": True, "V3R2FR1": True, "V3R4FR1": True}


def dial_match(release: str) -> str:
    return "containing" if SEARCH_CONTAINING[release] else "starting_with"


# ---------------------------------------------------------------- REL-CALLME

# 000:163 (PRB000067006, "Changes in V3R2 FR1"): "The service is only available in UC Suite
# mode"; 003:897-903 (up to V3) names no mode
CALLME_SUITE_ONLY = {"V2R7": False, "V3": False, "V3R1": False, "V3R2FR1": True, "V3R4FR1": True}


def callme_exists(release: str, mode: str) -> bool:
    return mode == "suite" or not CALLME_SUITE_ONLY[release]
