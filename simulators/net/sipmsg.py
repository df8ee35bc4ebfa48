"""Just enough SIP for a middlebox: split a message into start line, headers and body,
change headers or the SDP, and put it back together with a correct Content-Length.

Header order, names as written and unknown headers are kept, so what the middlebox does
not mean to change stays byte-identical. No I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

COMPACT = {"v": "via", "m": "contact", "f": "from", "t": "to", "i": "call-id", "l": "content-length",
           "c": "content-type", "k": "supported"}  # fmt: skip


class NotSip(ValueError):
    pass


@dataclass
class SipMessage:
    start: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def parse(cls, data: bytes) -> SipMessage:
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            raise NotSip("no blank line after the headers")
        try:
            lines = head.decode("utf-8").split("\r\n")
        except UnicodeDecodeError:
            raise NotSip("headers are not UTF-8") from None
        start = lines[0]
        if not (start.endswith("SIP/2.0") or start.startswith("SIP/2.0 ")):
            raise NotSip(f"not a SIP start line: {start[:60]!r}")
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:  # folded continuation
                name, value = headers[-1]
                headers[-1] = (name, value + " " + line.strip())
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise NotSip(f"header line without a colon: {line[:60]!r}")
            headers.append((name.strip(), value.strip()))
        return cls(start, headers, body)

    # -- facts ------------------------------------------------------------------------------

    @property
    def is_request(self) -> bool:
        return not self.start.startswith("SIP/2.0 ")

    @property
    def method(self) -> str:
        """The request method, or for a response the method of its CSeq."""
        if self.is_request:
            return self.start.split(" ", 1)[0]
        cseq = self.header("cseq") or ""
        return cseq.split()[-1] if cseq else ""

    @property
    def status(self) -> int | None:
        return None if self.is_request else int(self.start.split()[1])

    @property
    def in_dialog(self) -> bool:
        """A request with a To tag belongs to an established dialog."""
        return ";tag=" in (self.header("to") or "").replace(" ", "")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if COMPACT.get(key.lower(), key.lower()) == wanted:
                return value
        return None

    # -- changes ----------------------------------------------------------------------------

    def set_header(self, name: str, value: str) -> None:
        wanted = name.lower()
        for i, (key, _) in enumerate(self.headers):
            if COMPACT.get(key.lower(), key.lower()) == wanted:
                self.headers[i] = (key, value)
                return
        self.headers.append((name, value))

    def map_headers(self, names: set[str], fn: object) -> None:
        """Replace the value of every header in `names` (lower case, long form) by fn(value)."""
        for i, (key, value) in enumerate(self.headers):
            if COMPACT.get(key.lower(), key.lower()) in names:
                self.headers[i] = (key, fn(value))  # type: ignore[operator]

    @property
    def sdp(self) -> str | None:
        ctype = (self.header("content-type") or "").lower()
        return self.body.decode("utf-8", errors="replace") if "application/sdp" in ctype and self.body else None

    def set_sdp(self, sdp: str) -> None:
        self.body = sdp.encode()

    def serialize(self) -> bytes:
        if self.header("content-length") is not None or self.body:
            self.set_header("Content-Length", str(len(self.body)))
        head = "\r\n".join([self.start, *(f"{k}: {v}" for k, v in self.headers)])
        return head.encode() + b"\r\n\r\n" + self.body


def sdp_lines(sdp: str) -> list[str]:
    return [line for line in sdp.replace("\r\n", "\n").split("\n") if line]


def join_sdp(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


ADDRESS_IN_URI = re.compile(r"(sip:(?:[^@;>]+@)?)(\d+\.\d+\.\d+\.\d+)(?::(\d+))?")
