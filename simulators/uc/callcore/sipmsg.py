"""Reading the few things the core needs from a received SIP request's text. Pure.

pjsua2 hands the whole INVITE (`SipRxData.wholeMsg`); Kamailio has added who sent it:
`X-UC-Device` (the authenticated device), `X-UC-Transport` (udp, tcp, tls or door),
`X-UC-Source` (ip:port as received), or `X-UC-Loop: 1` for a request the core itself sent
to a number (a transfer target) that Kamailio routed back into the core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPACT = {"f": "from", "t": "to", "i": "call-id", "m": "contact", "v": "via", "l": "content-length", "k": "supported"}
_URI_USER = re.compile(r"^(?:sips?|tel):([^@;>?]+)@", re.IGNORECASE)
_NAME_ADDR = re.compile(r"<([^>]*)>")


@dataclass(frozen=True)
class Request:
    method: str
    uri: str
    headers: dict[str, list[str]]

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def uri_user(self) -> str:
        m = _URI_USER.match(self.uri)
        return m.group(1) if m else ""


def parse(text: str) -> Request:
    """Request line and headers (folded lines joined); raises ValueError if not a request."""
    head = text.split("\r\n\r\n", 1)[0].split("\n\n", 1)[0]
    lines = head.replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].upper().startswith("SIP/"):
        raise ValueError(f"not a SIP request line: {lines[0][:80]!r}")
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and last is not None:
            headers[last][-1] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        key = _COMPACT.get(key, key)
        headers.setdefault(key, []).append(value.strip())
        last = key
    return Request(parts[0], parts[1], headers)


def uri_user(name_addr: str | None) -> str | None:
    """The user part of a name-addr or addr-spec ('"Anna" <sip:200@x>;tag=1' -> '200')."""
    if not name_addr:
        return None
    m = _NAME_ADDR.search(name_addr)
    uri = m.group(1) if m else name_addr.split(";", 1)[0]
    um = _URI_USER.match(uri.strip())
    return um.group(1) if um else None
