"""SIP digest authentication as a client does it (RFC 3261 22, RFC 2617 MD5), without I/O.

`register(...)` builds a REGISTER, `Challenge.parse(reply)` reads a 401/407 challenge and
`Challenge.authorization(...)` answers it; sipwire.py sends them from inside a lab host.
Used to try passwords against the stub (the failed-authentication limits) with exact
control over source, transport and account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')
_CHALLENGE = re.compile(rb"^(WWW|Proxy)-Authenticate:[ \t]*Digest[ \t]+(.+?)\r?$", re.IGNORECASE | re.MULTILINE)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass(frozen=True)
class Challenge:
    realm: str
    nonce: str
    opaque: str | None
    qop: str | None
    proxy: bool

    @classmethod
    def parse(cls, reply: bytes) -> Challenge | None:
        m = _CHALLENGE.search(reply)
        if m is None:
            return None
        params = {k.lower(): a or b for k, a, b in _PARAM.findall(m.group(2).decode("utf-8", "replace"))}
        if "realm" not in params or "nonce" not in params:
            return None
        qop = params.get("qop")
        return cls(
            params["realm"],
            params["nonce"],
            params.get("opaque"),
            "auth" if qop and "auth" in qop.split(",") else None,
            m.group(1).lower() == b"proxy",
        )

    def authorization(self, user: str, password: str, method: str, uri: str, cnonce: str | None = None) -> str:
        """The Authorization (or Proxy-Authorization) header line answering this challenge."""
        ha1 = _md5(f"{user}:{self.realm}:{password}")
        ha2 = _md5(f"{method}:{uri}")
        fields = [f'username="{user}"', f'realm="{self.realm}"', f'nonce="{self.nonce}"', f'uri="{uri}"']
        if self.qop:
            cnonce = cnonce or secrets.token_hex(8)
            response = _md5(f"{ha1}:{self.nonce}:00000001:{cnonce}:auth:{ha2}")
            fields += ["qop=auth", "nc=00000001", f'cnonce="{cnonce}"']
        else:
            response = _md5(f"{ha1}:{self.nonce}:{ha2}")
        fields += [f'response="{response}"', "algorithm=MD5"]
        if self.opaque:
            fields.append(f'opaque="{self.opaque}"')
        name = "Proxy-Authorization" if self.proxy else "Authorization"
        return f"{name}: Digest {', '.join(fields)}"


@dataclass(frozen=True)
class Registration:
    """One device registering from `local` (host, port) to the registrar `target` (host, port)."""

    user: str
    target: tuple[str, int]
    local: tuple[str, int]
    transport: str = "UDP"
    call_id: str = ""
    expires: int = 60

    @property
    def uri(self) -> str:
        return f"sip:{self.target[0]}:{self.target[1]}"

    def message(self, cseq: int, authorization: str | None = None) -> bytes:
        call_id = self.call_id or f"reg-{self.user}-{self.local[1]}"
        lines = [
            f"REGISTER {self.uri} SIP/2.0",
            f"Via: SIP/2.0/{self.transport} {self.local[0]}:{self.local[1]};branch=z9hG4bK{secrets.token_hex(8)};rport",
            "Max-Forwards: 70",
            f"From: <sip:{self.user}@{self.target[0]}>;tag={secrets.token_hex(4)}",
            f"To: <sip:{self.user}@{self.target[0]}>",
            f"Call-ID: {call_id}",
            f"CSeq: {cseq} REGISTER",
            f"Contact: <sip:{self.user}@{self.local[0]}:{self.local[1]};transport={self.transport.lower()}>",
            f"Expires: {self.expires}",
        ]
        if authorization:
            lines.append(authorization)
        lines += ["User-Agent: uclab-sipauth", "Content-Length: 0", "", ""]
        return "\r\n".join(lines).encode()
