"""Serving the UC API (an ASGI app) on connections the front door hands over.

The front door accepts and terminates TLS itself, so uvicorn's server (which wants to own
the listening socket) is not used; its HTTP/1.1 protocol is. `UvicornHandoff.protocol()`
returns a fresh uvicorn H11 protocol bound to the app; the door attaches it to the TLS
transport, so the app's ASGI scope carries what a TLS-terminating server would give it:

    scope["scheme"] == "https"          (the transport has an SSL context; "http" on 8801)
    scope["client"] == (ip, port)       the real client address (after NAT: the public one)
    scope["server"] == (ip, 8802)

That is the contract with the UC API (api/app.py): no proxy headers are trusted
(`proxy_headers=False`), so a client cannot claim another address or scheme.
Lifespan events of the app run in `start()` / `stop()`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

log = logging.getLogger("uclab.uc.asgi")


class UvicornHandoff:
    def __init__(self, app: Any, *, log_level: str = "warning", access_log: bool = False) -> None:
        self.config = Config(
            app,
            http="h11",
            lifespan="auto",
            proxy_headers=False,
            server_header=False,
            log_level=log_level,
            access_log=access_log,
            log_config=None,
            timeout_keep_alive=30,
        )
        self.config.load()
        self.state = ServerState()
        self.lifespan: Any = None

    async def start(self) -> None:
        lifespan_class = self.config.lifespan_class
        self.lifespan = lifespan_class(self.config)
        await self.lifespan.startup()
        if getattr(self.lifespan, "should_exit", False):
            raise RuntimeError("the UC API failed to start (its lifespan startup failed; see the log above)")

    def protocol(self) -> asyncio.Protocol:
        app_state = getattr(self.lifespan, "state", {}) if self.lifespan is not None else {}
        proto: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.state, app_state=app_state
        )
        return proto

    async def stop(self) -> None:
        for conn in list(self.state.connections):
            conn.shutdown()
        if self.lifespan is not None:
            await self.lifespan.shutdown()
