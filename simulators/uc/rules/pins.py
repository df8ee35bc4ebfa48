"""Voicemail PIN rules (UC-PIN). Pure.

000:1468: "The code number consists of a six digit sequence. Repeated digits (e.g., 333333)
and digit sequences in ascending or descending order (e.g., 987654) are not allowed."
The French and Dutch guides say the PIN must not *consist of* repeated digits or of an
ascending/descending sequence (003:1684-1687 "ne doit pas se composer de", 002:1894-1897
"mag niet ... bestaan"), so the rule is about the whole PIN: one digit six times, or six
digits each one more (or one less) than the one before, no wrap from 9 to 0
(docs/RULES-INTERPRETATION.md). The preassigned PIN must be changed first (000:1452): that
is state, see state/core.py and REL-PIN in profiles.py.
"""

from __future__ import annotations

import itertools
import string

from .verdict import Verdict, refuse

PIN_LENGTH = 6
PIN_POLICY = (
    "The voicemail PIN consists of six digits; repeated digits (such as 333333) and ascending or descending "
    "sequences (such as 987654) are not allowed."
)


def is_run(pin: str, step: int) -> bool:
    """Each digit is the previous one plus `step` (1 ascending, -1 descending, 0 repeated)."""
    return all(int(b) - int(a) == step for a, b in itertools.pairwise(pin))


def check_pin(pin: str) -> Verdict:
    if len(pin) != PIN_LENGTH or any(c not in string.digits for c in pin):
        return refuse("not_six_digits", "The PIN must be exactly six digits (0-9).", PIN_POLICY)
    if is_run(pin, 0):
        return refuse("repeated", "The PIN consists of one repeated digit.", PIN_POLICY)
    if is_run(pin, 1) or is_run(pin, -1):
        return refuse("sequence", "The PIN is an ascending or descending sequence of digits.", PIN_POLICY)
    return Verdict(policy=PIN_POLICY)
