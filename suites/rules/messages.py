"""The UC API's published error wording for the password and PIN rules (what users read).

Each violated rule is one sentence; a refusal is those sentences in the server's order
followed by the rule's policy sentence. Tests assert messages exactly with `expected_*`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SMART_POLICY = (
    "UC Smart passwords must be 8 to 16 characters long and include at least one uppercase letter, "
    "one lowercase letter, one digit and one special character."
)
SUITE_POLICY = (
    "UC Suite passwords consist of at least six digits, repeat a digit at most twice in a row, have at most "
    "three sequential digits in a row, and must not contain the account name forwards or reversed."
)
PIN_POLICY = (
    "The voicemail PIN consists of six digits; repeated digits (such as 333333) and ascending or descending "
    "sequences (such as 987654) are not allowed."
)


def _shown(c: str) -> str:
    if c == " ":
        return "space"
    return c if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"


def smart_sentence(code: str, password: str) -> str:
    bad = [c for c in dict.fromkeys(password) if not "\x21" <= c <= "\x7e"]
    return {
        "too_short": f"The password has {len(password)} characters; it needs at least 8.",
        "too_long": f"The password has {len(password)} characters; at most 16 are allowed.",
        "not_allowed": f"The password contains characters that are not allowed ({', '.join(_shown(c) for c in bad)}); "
        "use letters A-Z and a-z, digits 0-9 and special characters such as ! # $ % & * + - . / : ; = ? @ _.",
        "no_uppercase": "The password has no uppercase letter (A-Z).",
        "no_lowercase": "The password has no lowercase letter (a-z).",
        "no_digit": "The password has no digit (0-9).",
        "no_special": "The password has no special character (such as ! # $ % & * + - . / : ; = ? @ _).",
    }[code]


def suite_sentence(code: str, password: str, account: str) -> str:
    digits = sum(c in "0123456789" for c in password)
    return {
        "not_digits": "The password may contain only digits (0-9).",
        "too_short": f"The password has {digits} digit{'s' if digits != 1 else ''}; it needs at least 6.",
        "repeated": "The password repeats a character more than twice in a row.",
        "sequential": "The password has more than three sequential digits in a row (such as 1234 or 4321).",
        "account_name": f"The password contains the account name {account}.",
        "account_name_reversed": f"The password contains the account name reversed ({account[::-1]}).",
    }[code]


PIN_SENTENCES = {
    "not_six_digits": "The PIN must be exactly six digits (0-9).",
    "repeated": "The PIN consists of one repeated digit.",
    "sequence": "The PIN is an ascending or descending sequence of digits.",
}


def expected_smart(codes: Iterable[str], password: str) -> str:
    return " ".join([*(smart_sentence(c, password) for c in codes), SMART_POLICY])


def expected_suite(codes: Iterable[str], password: str, account: str) -> str:
    return " ".join([*(suite_sentence(c, password, account) for c in codes), SUITE_POLICY])


def expected_pin(codes: Iterable[str]) -> str:
    return " ".join([*(PIN_SENTENCES[c] for c in codes), PIN_POLICY])


# ---------------------------------------------------------------- directories and personal contacts

SEARCH_SENTENCES = {
    "search_empty": "Enter at least the first letter of a name to search for.",
    "external_uc_suite_only": "The external directory exists only in UC Suite mode; search the other directories.",
}


def wildcard_sentence(raw: str) -> str:
    return (
        f"The wildcard * is only supported at the end of a search string; remove it from {raw.strip()!r} or put it "
        "at the end."
    )


_PHONE_HINT = "use digits, blanks and + ( ) / - : ; only (at most 32 characters), e.g. +49 89 7007-98765."


def contact_sentence(code: str, **fields: str) -> str:
    labels = {"business": "business", "mobile": "mobile", "private": "private/external"}
    if code.endswith("_invalid") and code[: -len("_invalid")] in labels:
        key = code[: -len("_invalid")]
        return f"The {labels[key]} number {fields[key].strip()!r} is not a phone number: {_PHONE_HINT}"
    name = " ".join(fields.get("name", "").split())
    return {
        "name_missing": "Enter a name for the contact.",
        "name_too_long": f"The name has {len(name)} characters; at most 80 are allowed.",
        "name_invalid": "The name contains control characters (U+0000-U+001F, U+007F-U+009F); remove them.",
        "email_invalid": f"The e-mail address {fields.get('email', '').strip()!r} is not valid; write it as "
        "name@example.com.",
    }[code]


def expected_contact(codes: list[str], **fields: str) -> str:
    return " ".join(contact_sentence(c, **fields) for c in codes)


PERSONAL_FULL = (
    "You already have 3000 personal contacts, the most UC Smart keeps; delete contacts you no longer need, then add "
    "this one."
)
PERSONAL_BY_OTHER_CLIENT = (
    "In UC Suite mode you add, edit and import personal contacts with another UC Suite client (e.g. myPortal for "
    "Desktop); myPortal @work shows them."
)


def import_too_many(importing: int, kept: int) -> str:
    return (
        f"The file has {importing} contacts; with your {kept} manually added contacts that makes {importing + kept}, "
        f"and UC Smart keeps at most 3000 personal contacts. Import at most {3000 - kept} contacts, or delete "
        "manually added contacts first. Nothing was imported."
    )


def import_refused(fmt: str, problems: list[str]) -> str:
    """`problems`: each 'line N: what' sentence, as the file's lines are reported."""
    head = f"The {fmt} file cannot be imported; nothing was imported. Correct it and import it again:"
    return " ".join([head, *problems])


def imported(n: int, added: int, updated: int, removed: int, kept: int, total: int) -> str:
    return (
        f"Imported {n} contacts: {added} added, {updated} updated, {removed} earlier imported removed; {kept} manually "
        f"added contacts kept. You have {total} personal contacts."
    )


# ---------------------------------------------------------------- favorites

GROUP_DELETE_BY_OTHER_CLIENT = (
    "In UC Suite mode favorites groups are deleted with another UC Suite client (e.g. myPortal for Desktop)."
)


def group_exists(name: str) -> str:
    return f"You already have a favorites group named {name!r}; choose another name."


# ---------------------------------------------------------------- own picture

PICTURE_POLICY = (
    "Your picture must be a JPG or PNG file of at least 40 x 40 pixels and at most 512 kB; it is scaled to 200 x 200 "
    "pixels."
)
PICTURE_SMART_ONLY = "Your own picture can only be provided in UC Smart mode; this system runs UC Suite."


def picture_sentence(code: str, *, fmt: str = "", width: int = 0, height: int = 0, size: int = 0) -> str:
    return {
        "empty": "The file is empty; choose a JPG or PNG image.",
        "not_an_image": "The file is not a JPG or PNG image; choose a picture saved as JPG or PNG.",
        "wrong_format": f"The file is a {fmt} image; only JPG and PNG are supported. Save it as JPG or PNG.",
        "too_small": f"The image is {width} x {height} pixels; it must be at least 40 x 40 pixels.",
        "too_large": f"The file has {size:,} bytes; a picture may have at most 512 kB (524,288 bytes). Choose a "
        "smaller image or save it with stronger compression.",
        "too_many_pixels": "The image has more than 40 megapixels; scale it down (e.g. to 2000 x 2000 pixels) before "
        "uploading.",
        "damaged": f"The {'JPG' if fmt == 'JPEG' else fmt} image could not be read completely; the file may be "
        "damaged. Save it again as JPG or PNG.",
    }[code]


def expected_picture(codes: list[str], **facts: Any) -> str:
    return " ".join([*(picture_sentence(c, **facts) for c in codes), PICTURE_POLICY])


# ---------------------------------------------------------------- presence

PRESENCE_SENTENCES = {
    "office_return_time": "Office has no return time; leave the return time empty.",
    "return_time_past": "The return time has already passed; choose a later date and time.",
    "dnd_mulap": "Do Not Disturb is not available for a MULAP number; choose another status.",
    "dnd_forwarding": "Do Not Disturb has no status-based call forwarding; choose none.",
    "callme_not_available": "CallMe is not available in this mode and release; choose Office.",
    "callme_not_active": "CallMe can only be selected while the CallMe service is active; set a CallMe number "
    "first, or choose Office.",
    "no_mobile_number": "You have no mobile number to forward to; ask your administrator to enter it, or choose "
    "Voicemail or External.",
    "external_number_missing": "Forwarding to External needs the external number; enter it.",
    "forwarding_by_other_client": "In UC Suite mode the forwarding destination is configured with another UC Suite "
    "client.",
}
