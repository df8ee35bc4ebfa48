"""What a new connection on 8802 speaks, from its first request line; the PROXY v1 header. Pure.

One TCP port carries the UC API (HTTPS) and VoIP signalling (SIP over TLS) (RULES PORT-1,
004:270-276), so the front door reads the first line after the TLS handshake and decides:

    "GET /api/v1/session HTTP/1.1"                   -> http
    "REGISTER sip:192.168.1.30:8802;transport=tls SIP/2.0"  -> sip
    any other line ending in SIP/x.y (or a status line)  -> sip: Kamailio judges it
    anything else                                     -> unknown (closed with a log line)

Leading CRLFs (SIP keep-alives, RFC 5626) are skipped. A first line longer than
`MAX_FIRST_LINE` is refused without waiting for the rest.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

MAX_FIRST_LINE = 8192
Kind = Literal["http", "sip", "unknown", "incomplete"]

_TOKEN = r"[A-Za-z0-9.!%*_+`'~-]+"
_HTTP = re.compile(rf"^{_TOKEN} \S+ HTTP/1\.[01]$")
_SIP_REQUEST = re.compile(r"^\S.* SIP/\d+\.\d+$", re.IGNORECASE)
_SIP_RESPONSE = re.compile(r"^SIP/\d+\.\d+ ", re.IGNORECASE)


@dataclass(frozen=True)
class FirstLine:
    kind: Kind
    line: str = ""
    skipped: int = 0
    """Bytes of leading CRLF before the line (keep-alives), to be dropped."""

    @property
    def method(self) -> str:
        return self.line.split(" ", 1)[0] if self.line else ""


def classify(buffer: bytes) -> FirstLine:
    """Classify what is buffered so far; `incomplete` until a whole first line is there."""
    start = 0
    while buffer.startswith(b"\r\n", start) or buffer.startswith(b"\n", start):
        start += 2 if buffer.startswith(b"\r\n", start) else 1
    end = buffer.find(b"\n", start)
    if end < 0:
        if len(buffer) - start > MAX_FIRST_LINE:
            return FirstLine("unknown", "", start)
        return FirstLine("incomplete", "", start)
    raw = buffer[start:end].rstrip(b"\r")
    if len(raw) > MAX_FIRST_LINE:
        return FirstLine("unknown", "", start)
    try:
        line = raw.decode("ascii")
    except UnicodeDecodeError:
        return FirstLine("unknown", "", start)
    if _HTTP.match(line):
        return FirstLine("http", line, start)
    stripped = line.rstrip(" \t")
    if _SIP_REQUEST.match(stripped) or _SIP_RESPONSE.match(stripped):
        # anything that says SIP goes to Kamailio, which judges it (RFC 4475 cases too)
        return FirstLine("sip", line, start)
    return FirstLine("unknown", line[:200], start)


def proxy_v1(client: tuple[str, int], local: tuple[str, int]) -> bytes:
    """The PROXY protocol v1 header (haproxy spec section 2.1), TCP4 or TCP6.

    v1, not v2: Kamailio 5.6.3 byte-swaps the ports of a v2 header (NOTES-platform.md).
    """
    src, dst = ipaddress.ip_address(client[0]), ipaddress.ip_address(local[0])
    if src.version != dst.version:
        raise ValueError(f"PROXY header needs one address family; got {client[0]} and {local[0]}")
    family = "TCP4" if src.version == 4 else "TCP6"
    return f"PROXY {family} {src} {dst} {client[1]} {local[1]}\r\n".encode("ascii")
