"""UC password rules (UC-PWD-SMART, UC-PWD-SUITE). Pure.

UC-PWD-SMART (000:1870-1872, 000:1998-2000; 003:2401-2404; 002:2588-2591): 8 to 16
characters with at least one uppercase letter, one lowercase letter, one digit and one
special character.

UC-PWD-SUITE (000:1876-1881; 002:2597-2606): only digits, at least six; at most two repeated
characters; at most three sequential characters; the account name, forwards or reversed,
must not be part of the password.

Decisions on the open phrases (docs/RULES-INTERPRETATION.md, with the reasons):
- letters are A-Z/a-z, digits 0-9; special characters are the printable ASCII characters
  that are neither (string.punctuation); anything else (space, accents, control characters)
  is refused as "not allowed" in UC Smart mode.
- "repeated" means the same character several times *in a row*: "aa" is fine, "aaa" is not.
- "sequential" means digits that step by +1 or by -1 in a row ("1234" and "4321"), no wrap
  from 9 to 0; three are fine, four are not.
- the account name is the user name of the login, i.e. the internal number (000:326).
"""

from __future__ import annotations

import string

from ..profiles import Mode
from .verdict import Verdict, Violation

SMART_MIN_LENGTH = 8
SMART_MAX_LENGTH = 16
SPECIAL_CHARACTERS = string.punctuation
SMART_ALLOWED = set(string.ascii_letters + string.digits + SPECIAL_CHARACTERS)
SMART_POLICY = (
    "UC Smart passwords must be 8 to 16 characters long and include at least one uppercase letter, "
    "one lowercase letter, one digit and one special character."
)

SUITE_MIN_DIGITS = 6
SUITE_MAX_REPEATED = 2
SUITE_MAX_SEQUENTIAL = 3
SUITE_POLICY = (
    "UC Suite passwords consist of at least six digits, repeat a digit at most twice in a row, have at most "
    "three sequential digits in a row, and must not contain the account name forwards or reversed."
)
DIGITS = set(string.digits)


def _describe_characters(chars: list[str]) -> str:
    def one(c: str) -> str:
        if c == " ":
            return "space"
        return c if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"

    return ", ".join(one(c) for c in chars)


def check_smart(password: str) -> Verdict:
    """UC-PWD-SMART (000:1870-1872)."""
    found: list[Violation] = []
    n = len(password)
    if n < SMART_MIN_LENGTH:
        found.append(Violation("too_short", f"The password has {n} characters; it needs at least {SMART_MIN_LENGTH}."))
    elif n > SMART_MAX_LENGTH:
        found.append(Violation("too_long", f"The password has {n} characters; at most {SMART_MAX_LENGTH} are allowed."))
    bad = list(dict.fromkeys(c for c in password if c not in SMART_ALLOWED))
    if bad:
        found.append(
            Violation(
                "not_allowed",
                f"The password contains characters that are not allowed ({_describe_characters(bad)}); use letters "
                "A-Z and a-z, digits 0-9 and special characters such as ! # $ % & * + - . / : ; = ? @ _.",
            )
        )
    if not any(c in string.ascii_uppercase for c in password):
        found.append(Violation("no_uppercase", "The password has no uppercase letter (A-Z)."))
    if not any(c in string.ascii_lowercase for c in password):
        found.append(Violation("no_lowercase", "The password has no lowercase letter (a-z)."))
    if not any(c in DIGITS for c in password):
        found.append(Violation("no_digit", "The password has no digit (0-9)."))
    if not any(c in SPECIAL_CHARACTERS for c in password):
        found.append(
            Violation("no_special", "The password has no special character (such as ! # $ % & * + - . / : ; = ? @ _).")
        )
    return Verdict(tuple(found), SMART_POLICY)


def longest_repeat(text: str) -> int:
    """The longest run of one character repeated in a row ("a1aa" -> 2)."""
    best = run = 0
    prev = None
    for c in text:
        run = run + 1 if c == prev else 1
        prev = c
        best = max(best, run)
    return best


def longest_sequence(text: str) -> int:
    """The longest run of digits stepping by +1 (ascending) or -1 (descending), without wrap."""
    best = 0
    for step in (1, -1):
        run = 0
        prev: int | None = None
        for c in text:
            if c not in DIGITS:
                run, prev = 0, None
                continue
            d = int(c)
            run = run + 1 if prev is not None and d - prev == step else 1
            prev = d
            best = max(best, run)
    return best


def check_suite(password: str, account: str) -> Verdict:
    """UC-PWD-SUITE (000:1881) for the user whose user name (internal number) is `account`."""
    found: list[Violation] = []
    if any(c not in DIGITS for c in password):
        found.append(Violation("not_digits", "The password may contain only digits (0-9)."))
    digits = sum(c in DIGITS for c in password)
    if digits < SUITE_MIN_DIGITS:
        found.append(
            Violation(
                "too_short",
                f"The password has {digits} digit{'s' if digits != 1 else ''}; it needs at least {SUITE_MIN_DIGITS}.",
            )
        )
    if longest_repeat(password) > SUITE_MAX_REPEATED:
        found.append(Violation("repeated", "The password repeats a character more than twice in a row."))
    if longest_sequence(password) > SUITE_MAX_SEQUENTIAL:
        found.append(
            Violation(
                "sequential", "The password has more than three sequential digits in a row (such as 1234 or 4321)."
            )
        )
    if account and account in password:
        found.append(Violation("account_name", f"The password contains the account name {account}."))
    reversed_account = account[::-1]
    if account and reversed_account != account and reversed_account in password:
        found.append(
            Violation("account_name_reversed", f"The password contains the account name reversed ({reversed_account}).")
        )
    return Verdict(tuple(found), SUITE_POLICY)


def check_password(mode: Mode, password: str, account: str) -> Verdict:
    """The password rule of the system's mode."""
    return check_smart(password) if mode is Mode.SMART else check_suite(password, account)
