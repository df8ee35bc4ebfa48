"""The UC API's published error wording for the password and PIN rules (what users read).

Each violated rule is one sentence; a refusal is those sentences in the server's order
followed by the rule's policy sentence. Tests assert messages exactly with `expected_*`.
"""

from __future__ import annotations

from collections.abc import Iterable

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
