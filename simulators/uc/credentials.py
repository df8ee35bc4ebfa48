"""Stored secrets: SIP digest HA1 and slow hashes for UC passwords, PINs and session tokens. Pure.

- SIP digest needs HA1 = MD5(user:realm:password) (RFC 2617/3261), the only form Kamailio
  and pjsua2 can use without the password; the plain SIP password is never stored.
- UC passwords, the administrator password and voicemail PINs use scrypt with a per-secret
  salt, stored as `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64), so a later cost change keeps
  old hashes verifiable. Tests choose a cheap cost (`ScryptCost.FAST`).
- Session tokens are long random values: SHA-256 of the token is enough (no brute force).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import ClassVar


def ha1(user: str, realm: str, password: str) -> str:
    """SIP digest HA1: hex MD5 of user:realm:password."""
    return hashlib.md5(f"{user}:{realm}:{password}".encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ScryptCost:
    n: int = 2**14
    r: int = 8
    p: int = 1

    DEFAULT: ClassVar[ScryptCost]
    FAST: ClassVar[ScryptCost]

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.r < 1 or self.p < 1:
            raise ValueError(f"scrypt cost n={self.n} r={self.r} p={self.p}: n must be a power of 2 >= 2, r and p >= 1")


ScryptCost.DEFAULT = ScryptCost()
ScryptCost.FAST = ScryptCost(n=16, r=1, p=1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8", "surrogatepass"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def hash_secret(secret: str, cost: ScryptCost = ScryptCost.DEFAULT, salt: bytes | None = None) -> str:
    salt = os.urandom(16) if salt is None else salt
    digest = _scrypt(secret, salt, cost.n, cost.r, cost.p)
    return f"scrypt${cost.n}${cost.r}${cost.p}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether `secret` matches a stored hash (constant-time comparison); False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(secret, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
