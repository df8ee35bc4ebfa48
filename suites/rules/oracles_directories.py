"""Test oracles for directories, personal contacts and favorites, written from the documents' wording.

Independent of the stub (never imported from simulators.uc): each rule is restated from the
cited lines as the lab reads it (docs/RULES-INTERPRETATION.md, "Directories").

UC-DIR-1, 000:560-562: "You can search directories by name or by the initial letters of a
name. [...] Wildcard character "*" is supported at the end of a search string. German
diacritics are supported." 000:575: "All entries from the directories starting with the
letters you have entered". 000:1948: "supports adding or importing 3000 contacts".

REL-SEARCH, call by name: "containing the letters" (000:1148; 002:1536-1538 "die de
betreffende letters bevatten"), "qui débutent par les lettres saisies" (003:1330-1332).
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------- search

# German diacritics, written the two ways German is written without them: the dictionary
# (DIN 5007 variant 1: Müller = Muller) and the phone book (variant 2: Müller = Mueller)
DICTIONARY = {"ä": "a", "ö": "o", "ü": "u"}
PHONE_BOOK = {"ä": "ae", "ö": "oe", "ü": "ue"}


def spelled(text: str, rule: dict[str, str]) -> str:
    """Lower case (ß = ss), one blank between words, umlauts written out by `rule`."""
    t = unicodedata.normalize("NFC", text).casefold()
    t = re.sub(r"\s+", " ", t).strip()
    return re.sub("[äöü]", lambda m: rule[m.group()], t)


def search_problem(raw: str) -> str | None:
    """Why a search string cannot be searched for (None: it can)."""
    text = raw.strip()
    if text.endswith("*"):
        text = text[:-1]
    if "*" in text:
        return "wildcard_position"
    if not re.search(r"[^\W_]", text):
        return "search_empty"
    return None


def name_matches(raw: str, name: str, how: str = "starting_with") -> bool:
    """Whether `name` is a hit for the search string `raw` (a valid one)."""
    text = raw.strip().removesuffix("*")
    for rule in (DICTIONARY, PHONE_BOOK):
        term, spelled_name = spelled(text, rule), spelled(name, rule)
        if how == "containing":
            if term in spelled_name:
                return True
        elif re.search(r"(?:^|(?<=[\W_]))" + re.escape(term), spelled_name):
            return True
    return False


def hits(raw: str, names: list[str], how: str = "starting_with") -> list[str]:
    return [n for n in names if name_matches(raw, n, how)]


# ---------------------------------------------------------------- personal contacts

PERSONAL_LIMIT_SMART = 3000  # 000:1948
PHONE = re.compile(r"[0-9 +()/:;-]*[0-9][0-9 +()/:;-]*")  # 000:1037: blanks and + ( ) / - : ;


def contact_violations(
    name: str,
    business: str | None = None,
    mobile: str | None = None,
    private: str | None = None,
    email: str | None = None,
) -> list[str]:
    """The violated rules of a contact's data, in the order the API reports them."""
    found = []
    name = " ".join(name.split())
    if not name:
        found.append("name_missing")
    elif len(name) > 80:
        found.append("name_too_long")
    if any(unicodedata.category(c) == "Cc" for c in name):
        found.append("name_invalid")
    for key, value in (("business", business), ("mobile", mobile), ("private", private)):
        value = (value or "").strip()
        if value and (len(value) > 32 or not PHONE.fullmatch(value)):
            found.append(f"{key}_invalid")
    email = (email or "").strip()
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        found.append("email_invalid")
    return found
