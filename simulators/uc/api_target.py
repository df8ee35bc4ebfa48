"""The UC API served in-process, as a target for harnesses (not for the suites to import).

A harness that cannot (yet) start the stub in a lab serves `create_app` through httpx's
ASGI transport: the client (simulators/phone/ucapi.py) talks to `base_url` exactly as over
the network, the request's scheme is https (as behind the front door) and its client
address is `client_address`. The state lives in `run_dir` like the real stub's.

    with InProcessTarget(config, tmp_path) as target:
        api = UcApi(target.base_url, transport=target.transport)
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from .api import ApiSettings, create_app
from .config import SystemConfig, validate_config
from .credentials import ScryptCost
from .state import State

BASE_URL = "https://uc.lab:8802"


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
        self.app = create_app(self.state, ApiSettings(internal_token=internal_token))
        self.base_url = BASE_URL
        self.client_address = client_address

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """A transport to the app; each one may carry its own client address."""
        return self.transport_from(self.client_address)

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
