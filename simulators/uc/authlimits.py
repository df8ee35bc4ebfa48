"""Failed-authentication limits of the stub: the lab's choice and its figures (LAB-AUTH-LIMITS).

The documents say nothing about lockout. The lab follows NIST SP 800-63B section 5.2.2
(rate limiting / throttling): failed attempts are limited per account (800-63B: at most 100
consecutive failures) and, against a guesser spraying many accounts from one machine, per
source address; and, so that an attacker cannot lock the legitimate user out, an account's
lock does not apply to an address that authenticated successfully as that account before
(800-63B 5.2.2's "accept only from IP addresses from which the subscriber has been
successfully authenticated before").

    after `source_failures` failed authentications from one address within `window_s`,
        every authentication from that address is refused for `block_s`;
    after `account_failures` failed authentications for one account (any address) within
        `window_s`, that account's authentications are refused for `block_s` from every
        address that has not authenticated as that account within `known_source_s`.

A failure is wrong credentials: a wrong password, an unknown user (counted like a known one,
so the answers do not tell which accounts exist) or another account's credentials. SIP
(Kamailio's htable module, kamailio.cfg route[DIGEST], on UDP/TCP 5060, TLS 5061 and SIP
through 8802, where the front door's PROXY header gives Kamailio the client's address) refuses
with `403 Too many failed authentications ...`; the UC API's login (api/limits.py) with `429`
and Retry-After. Kamailio counts in windows that start at an address's or account's first
failure (htable expiry); the API counts a sliding window. Not documented timers: the stub's
time scale does not compress them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ANCHOR = "NIST SP 800-63B section 5.2.2 (rate limiting / throttling)"


class AuthLimits(BaseModel):
    """The figures (the lab's defaults; tests shorten the windows)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    source_failures: int = Field(10, ge=1, le=1000, description="failures from one address that block it")
    account_failures: int = Field(20, ge=1, le=100, description="failures for one account that lock it (NIST: <= 100)")
    window_s: int = Field(60, ge=1, le=86_400, description="failures count within this many seconds")
    block_s: int = Field(300, ge=1, le=86_400, description="a blocked address or locked account is refused this long")
    known_source_s: int = Field(
        30 * 86_400, ge=1, le=366 * 86_400, description="an address that authenticated as an account stays exempt"
    )

    def summary(self) -> str:
        if not self.enabled:
            return "off"
        return (
            f"{self.source_failures} failures per address or {self.account_failures} per account within "
            f"{self.window_s} s -> refused for {self.block_s} s (known addresses keep their account)"
        )
