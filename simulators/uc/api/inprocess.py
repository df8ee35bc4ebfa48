"""The UC API served in-process, as a target for harnesses (not for the suites to import).

A harness that cannot (yet) start the stub in a lab serves `create_app` through httpx's
ASGI transport: the client (simulators/phone/ucapi.py) talks to `base_url` exactly as over
the network, the request's scheme is https (as behind the front door) and its client
address is `client_address`. The state lives in `run_dir` like the real stub's.

    with InProcessTarget(config, tmp_path) as target:
        api = UcApi(target.base_url, transport=target.transport)

Building the FastAPI app costs tens of milliseconds (every route's models), more than a
fresh state; suites make a target per test and profile. So targets share one app per
process: its routes see stand-ins whose every attribute is the State, and the failed-login
limiter, of the target the current request was sent to (a context variable set around each
request). Each target is its own system: failures counted by one never block another.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import httpx
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from ..config import SystemConfig, validate_config
from ..credentials import ScryptCost
from ..state.core import State
from .app import ApiSettings, create_app
from .limits import LoginLimiter

BASE_URL = "https://uc.lab:8802"
_serving: ContextVar[tuple[State, LoginLimiter]] = ContextVar("uclab_in_process_target")


class _ServedState:
    """Every attribute is the current request's State."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_serving.get()[0], name)


class _ServedLimiter:
    """Every attribute is the current request's target's LoginLimiter."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_serving.get()[1], name)


@functools.cache
def _shared_app(internal_token: str | None) -> FastAPI:
    return create_app(
        cast(State, _ServedState()), ApiSettings(internal_token=internal_token), cast(LoginLimiter, _ServedLimiter())
    )


class InProcessTarget:
    def __init__(
        self,
        config: SystemConfig | dict[str, Any],
        run_dir: Path,
        *,
        cost: ScryptCost = ScryptCost.FAST,
        client_address: tuple[str, int] = ("192.168.1.50", 50000),
        internal_token: str | None = None,
    ) -> None:
        self.config = config if isinstance(config, SystemConfig) else validate_config(config, "in-process target")
        self.state = State.open(run_dir / "uc-state.sqlite", self.config, cost=cost)
        self.limiter = LoginLimiter(ApiSettings().auth_limits)
        self.shared = _shared_app(internal_token)
        self.base_url = BASE_URL
        self.client_address = client_address

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """A transport to the app; each one may carry its own client address."""
        return self.transport_from(self.client_address)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The UC API over this target's state (an ASGI app)."""
        token = _serving.set((self.state, self.limiter))
        try:
            await self.shared(scope, receive, send)
        finally:
            _serving.reset(token)

    def transport_from(self, client_address: tuple[str, int]) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app, client=client_address)

    def close(self) -> None:
        self.state.close()

    def __enter__(self) -> InProcessTarget:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
