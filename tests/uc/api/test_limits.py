"""Failed-login limits of the UC API (simulators/uc/api/limits.py; LAB-AUTH-LIMITS, a lab choice
after NIST SP 800-63B 5.2.2): per address, per account, known addresses exempt, time passed in;
and the login routes' 429 with Retry-After and the exact messages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from simulators.uc.api.app import ApiSettings, create_app
from simulators.uc.api.limits import LoginLimiter
from simulators.uc.authlimits import AuthLimits
from simulators.uc.state.core import State

from ..conftest import FakeTime

pytestmark = pytest.mark.lab_choice("LAB-AUTH-LIMITS")

LIMITS = AuthLimits(source_failures=3, account_failures=5, window_s=60, block_s=300)
ATTACKER, OTHER, HOME = "192.0.2.66", "192.0.2.67", "192.168.1.50"


def fail(limiter: LoginLimiter, source: str, account: str, times: int, now: float) -> None:
    for _ in range(times):
        limiter.failed(source, account, now)


def test_an_address_is_blocked_after_its_failures_within_the_window() -> None:
    limiter = LoginLimiter(LIMITS)
    fail(limiter, ATTACKER, "200", 2, now=0.0)
    assert limiter.refusal(ATTACKER, "200", 1.0) is None
    fail(limiter, ATTACKER, "201", 1, now=1.0)  # the third failure, another account
    refusal = limiter.refusal(ATTACKER, "202", 2.0)
    assert refusal is not None
    assert refusal.message == "Too many failed logins from your address; try again in 299 s."
    assert (refusal.code, refusal.retry_after_s) == ("too_many_failures_address", 299)
    assert limiter.refusal(OTHER, "202", 2.0) is None
    assert limiter.refusal(ATTACKER, "202", 301.0) is None


def test_failures_older_than_the_window_do_not_count() -> None:
    limiter = LoginLimiter(LIMITS)
    fail(limiter, ATTACKER, "200", 2, now=0.0)
    fail(limiter, ATTACKER, "200", 1, now=61.0)
    assert limiter.refusal(ATTACKER, "200", 61.0) is None
    fail(limiter, ATTACKER, "200", 1, now=62.0)
    assert limiter.refusal(ATTACKER, "200", 62.0) is None
    fail(limiter, ATTACKER, "200", 1, now=63.0)  # 3 within 61..63
    assert limiter.refusal(ATTACKER, "200", 63.0) is not None


def test_an_account_is_locked_for_new_addresses_but_not_for_known_ones() -> None:
    limiter = LoginLimiter(LIMITS)
    limiter.succeeded(HOME, "200", now=0.0)
    for i in range(5):  # five addresses, one failure each: no address is blocked
        limiter.failed(f"203.0.113.{i}", "200", now=10.0)
    refusal = limiter.refusal(OTHER, "200", 11.0)
    assert refusal is not None
    assert refusal.message == (
        "Too many failed logins for user 200; try again in 299 s, "
        "or log in from a device that logged in as this user before."
    )
    assert limiter.refusal(HOME, "200", 11.0) is None
    assert limiter.refusal(OTHER, "201", 11.0) is None
    assert limiter.refusal(OTHER, "200", 310.0) is None


def test_known_addresses_are_forgotten_after_their_time() -> None:
    limiter = LoginLimiter(AuthLimits(account_failures=1, known_source_s=100))
    limiter.succeeded(HOME, "200", now=0.0)
    limiter.failed(ATTACKER, "200", now=150.0)
    assert limiter.refusal(HOME, "200", 151.0) is not None


def test_disabled_limits_refuse_nothing() -> None:
    limiter = LoginLimiter(AuthLimits(enabled=False, source_failures=1))
    fail(limiter, ATTACKER, "200", 50, now=0.0)
    assert limiter.refusal(ATTACKER, "200", 1.0) is None


def test_memory_stays_bounded_under_a_spray_of_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("simulators.uc.api.limits.MAX_KEYS", 100)
    limiter = LoginLimiter(LIMITS)
    for i in range(1000):
        limiter.failed(f"10.{i // 250}.{i % 250}.1", f"u{i}", now=float(i))
        limiter.succeeded(f"10.{i // 250}.{i % 250}.1", f"u{i}", now=float(i))
    assert len(limiter.sources.buckets) <= 100
    assert len(limiter.accounts.buckets) <= 100
    assert len(limiter.known) <= 100


def app(state: State, fake_time: FakeTime) -> FastAPI:
    api = create_app(state, ApiSettings(auth_limits=LIMITS))
    api.state.login_limiter.clock = fake_time
    return api


async def login(api: FastAPI, address: str, user: str, password: str) -> tuple[int, dict[str, Any], str | None]:
    transport = httpx.ASGITransport(app=api, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://uc.lab:8802") as c:
        r = await c.post("/api/v1/login", json={"user": user, "password": password})
    return r.status_code, r.json(), r.headers.get("retry-after")


async def test_login_route_answers_429_with_retry_after_then_lets_in_again(state: State, fake_time: FakeTime) -> None:
    api = app(state, fake_time)
    assert [(await login(api, ATTACKER, "200", "wrong"))[0] for _ in range(3)] == [401, 401, 401]
    status, body, retry = await login(api, ATTACKER, "200", "Start#200a")
    assert (status, body["error"], retry) == (429, "too_many_failures_address", "300")
    assert body["message"] == "Too many failed logins from your address; try again in 300 s."
    assert (await login(api, HOME, "200", "Start#200a"))[0] == 200  # the user elsewhere
    fake_time.now += 301
    assert (await login(api, ATTACKER, "201", "wrong"))[0] == 401


async def test_a_locked_account_still_logs_in_from_where_it_did_before(state: State, fake_time: FakeTime) -> None:
    api = app(state, fake_time)
    assert (await login(api, HOME, "200", "Start#200a"))[0] == 200
    for i in range(5):
        assert (await login(api, f"203.0.113.{i}", "200", "guess"))[0] == 401
    status, body, _ = await login(api, OTHER, "200", "Start#200a")
    assert (status, body["error"]) == (429, "too_many_failures_account")
    assert (await login(api, HOME, "200", "Start#200a"))[0] == 200


async def test_admin_login_is_limited_too(state: State, fake_time: FakeTime) -> None:
    api = app(state, fake_time)
    transport = httpx.ASGITransport(app=api, client=(ATTACKER, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://uc.lab:8802") as c:
        codes = [(await c.post("/api/v1/admin/login", json={"password": "nope"})).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
