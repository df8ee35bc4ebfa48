"""Telephony hyperlinks: the number a tel or callto URI dials (UC-CALL-7, 000:1198-1219). Pure.

myPortal @work makes an outgoing call when a browser hands it a tel or callto URI (000:1200,
000:1215). `tel:` is read as RFC 3966: the visual separators - . ( ) are dropped, a global
number keeps its leading +, parameters after ; are ignored; `callto:` has no RFC: the number
after the colon (or after `callto://`), read the same way. Anything without a dialable number
is refused naming the URI and the fix (LAB-TEL-URI). Which application the browser hands a
link to is the PC's (UC-CALL-7/default-application, out of scope).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

SCHEMES = ("tel", "callto")
_VISUAL = str.maketrans("", "", "-.() ")
_DIALABLE = re.compile(r"\+?[0-9*#]{1,32}")


class LinkError(ValueError):
    """A URI myPortal @work cannot dial; the message names it and what a dialable one looks like."""


def number_of(uri: str) -> str:
    """The number `uri` (tel:... or callto:...) dials."""
    scheme, colon, rest = uri.strip().partition(":")
    if not colon or scheme.lower() not in SCHEMES:
        raise LinkError(f"{uri!r} is no telephony hyperlink; use tel:+49891234567 or callto:+49891234567.")
    if scheme.lower() == "callto" and rest.startswith("//"):
        rest = rest[2:]
    number = unquote(rest.split(";", 1)[0].split("?", 1)[0]).translate(_VISUAL)
    if not _DIALABLE.fullmatch(number):
        raise LinkError(
            f"{uri!r} has no number to dial; a {scheme.lower()} link names digits (a + first for a global "
            "number), e.g. tel:+49891234567."
        )
    return number
