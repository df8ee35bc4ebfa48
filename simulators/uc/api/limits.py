"""Failed-login limits of the UC API (LAB-AUTH-LIMITS, authlimits.py): per address and per account.

The failures of each address and each account are kept in a pyrate-limiter in-memory bucket
(a sliding log; the time of every failure is passed in, as is `now` of every question), so
the rule is testable without waiting. `LoginLimiter.attempt(source, account)` is the hook a
login route calls before checking the password:

    attempt = limiter.attempt(client_address(request), body.user)   # 429 when refused
    if not state.verify_password(body.user, body.password):
        attempt.failed()
        raise ApiError(401, ...)
    attempt.succeeded()

A refusal is `429 Too Many Requests` with Retry-After (RFC 6585) and a message naming the
limit and the wait. Memory stays bounded: at most `MAX_KEYS` addresses and accounts are
tracked (the oldest forgotten first) and known addresses are kept for `known_source_s`.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from pyrate_limiter import InMemoryBucket, Rate, RateItem

from ..authlimits import AuthLimits
from .errors import ApiError

MAX_KEYS = 10_000


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    retry_after_s: int

    def error(self) -> ApiError:
        return ApiError(429, self.code, self.message, headers={"Retry-After": str(self.retry_after_s)})


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


@dataclass
class _Failures:
    """Failures per key within the window, and the keys blocked until when (seconds)."""

    limit: int
    window_s: int
    block_s: int
    buckets: OrderedDict[str, InMemoryBucket] = field(default_factory=OrderedDict)
    blocked: dict[str, float] = field(default_factory=dict)

    def blocked_for(self, key: str, now: float) -> float:
        until = self.blocked.get(key)
        if until is None:
            return 0.0
        if until <= now:
            del self.blocked[key]
            return 0.0
        return until - now

    def fail(self, key: str, now: float) -> bool:
        """Count one failure; True when it reaches the limit (the key is then blocked)."""
        bucket = self.buckets.pop(key, None) or InMemoryBucket([Rate(self.limit, _ms(self.window_s))])
        self.buckets[key] = bucket  # most recently failed last
        bucket.leak(_ms(now))
        bucket.put(RateItem(key, _ms(now)))
        while len(self.buckets) > MAX_KEYS:
            self.buckets.popitem(last=False)
        if bucket.count() < self.limit:
            return False
        self.blocked[key] = now + self.block_s
        del self.buckets[key]
        if len(self.blocked) > MAX_KEYS:
            self.blocked = {k: t for k, t in self.blocked.items() if t > now}
        return True


class LoginLimiter:
    """Failed-login limits over time passed in; `attempt` reads the clock for a route."""

    def __init__(self, limits: AuthLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.sources = _Failures(limits.source_failures, limits.window_s, limits.block_s)
        self.accounts = _Failures(limits.account_failures, limits.window_s, limits.block_s)
        self.known: OrderedDict[tuple[str, str], float] = OrderedDict()
        self.refused = 0

    def refusal(self, source: str, account: str, now: float) -> Refusal | None:
        """Why an attempt from `source` for `account` is refused at `now`, or None."""
        if not self.limits.enabled:
            return None
        wait = self.sources.blocked_for(source, now)
        if wait > 0:
            return Refusal(
                "too_many_failures_address",
                f"Too many failed logins from your address; try again in {math.ceil(wait)} s.",
                math.ceil(wait),
            )
        wait = self.accounts.blocked_for(account, now)
        if wait > 0 and not self.is_known(source, account, now):
            return Refusal(
                "too_many_failures_account",
                f"Too many failed logins for user {account}; try again in {math.ceil(wait)} s, "
                "or log in from a device that logged in as this user before.",
                math.ceil(wait),
            )
        return None

    def failed(self, source: str, account: str, now: float) -> None:
        if self.limits.enabled:
            self.sources.fail(source, now)
            self.accounts.fail(account, now)

    def succeeded(self, source: str, account: str, now: float) -> None:
        self.known.pop((source, account), None)
        self.known[(source, account)] = now + self.limits.known_source_s
        while len(self.known) > MAX_KEYS:
            self.known.popitem(last=False)

    def is_known(self, source: str, account: str, now: float) -> bool:
        until = self.known.get((source, account))
        return until is not None and until > now

    def attempt(self, source: str, account: str) -> Attempt:
        """For a route: raise the 429 ApiError when refused, else an Attempt to report on."""
        now = self.clock()
        refusal = self.refusal(source, account, now)
        if refusal is not None:
            self.refused += 1
            raise refusal.error()
        return Attempt(self, source, account)


@dataclass(frozen=True)
class Attempt:
    limiter: LoginLimiter
    source: str
    account: str

    def failed(self) -> None:
        self.limiter.failed(self.source, self.account, self.limiter.clock())

    def succeeded(self) -> None:
        self.limiter.succeeded(self.source, self.account, self.limiter.clock())
