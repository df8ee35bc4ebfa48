"""The uc-server process: front door (8802), UC API, registration decisions, control socket.

    python -m simulators.uc.server --settings '<ServerSettings JSON>'

Started by the lab in the system host. One asyncio loop carries:
- the front door on LAN:8802 (TLS 1.2+, lab CA) and, if configured, plain HTTP on 8801
  (PORT-5); HTTP goes to the UC API (`api.app.create_app`) through uvicorn's protocol,
  SIP is spliced to Kamailio's door listener with a PROXY v1 header;
- the evapi link to Kamailio: REGISTER claims decided by the state (TRB-2);
- the control socket (`settings.control`): status, connections, registrations, shutdown.

Prints `UC READY ...` once the door listens and the evapi link is up, `UC FAILED ...` if
not. SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .authlimits import AuthLimits
from .control import serve
from .edge import kamailio, registrar
from .edge.frontdoor import ConnectionRegistry, DoorConnection, FrontDoor
from .tls import LabTls

log = logging.getLogger("uclab.uc.server")


class ServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lan_ip: str
    door_port: int = 8802
    http_port: int | None = Field(None, description="plain HTTP for the UC API (PORT-5: 8801); None = off")
    kamailio_door: tuple[str, int] = ("127.0.0.1", 5090)
    evapi: tuple[str, int] = ("127.0.0.1", 8448)
    state_path: Path
    config_path: Path
    auth_db: Path = Field(description="Kamailio's subscriber table (written from the state's HA1 values)")
    tls_dir: Path
    tls_identities: list[str]
    control: Path
    min_expires: int = 60
    max_expires: int = 300
    internal_token: str | None = None
    auth_limits: AuthLimits = AuthLimits()
    log_level: str = "info"
    tls_keylog: Path | None = Field(
        None,
        description="write the door's TLS session secrets here (NSS key log format): Wireshark and tshark "
        "decrypt the lab's pcaps of 8802 with it, so SIP over TLS shows in the ladder",
    )


class UcServer:
    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.state: Any = None
        self.registry = ConnectionRegistry()
        self.registry.on_close.append(self._door_closed)
        self.door: FrontDoor | None = None
        self.http: Any = None
        self.evapi: registrar.EvapiLink | None = None
        self.stats = {"claims": 0, "accepted": 0, "refused": 0, "released": 0}
        self.started = time.time()
        self._evapi_keeper: asyncio.Future[None] | None = None

    async def start(self) -> None:
        from .api.app import ApiSettings, create_app
        from .config import load_config
        from .edge.asgi import UvicornHandoff
        from .state.core import State

        s = self.settings
        self.state = State.open(s.state_path, load_config(s.config_path))
        self._drop_stale_registrations("start")
        accounts = [kamailio.Account(a.username, a.ha1) for a in self.state.sip_accounts()]
        await asyncio.to_thread(kamailio.write_subscribers, s.auth_db, accounts)
        tls = LabTls.ensure(s.tls_dir, s.tls_identities)
        app = create_app(
            self.state, ApiSettings(internal_token=s.internal_token or secrets.token_hex(16), auth_limits=s.auth_limits)
        )
        self.http = UvicornHandoff(app, log_level="warning")
        await self.http.start()
        self.door = FrontDoor(kamailio=s.kamailio_door, http=self.http, registry=self.registry)
        context = tls.server_context()
        if s.tls_keylog is not None:
            context.keylog_filename = str(s.tls_keylog)
        await self.door.listen(s.lan_ip, s.door_port, context)
        if s.http_port is not None:
            await self.door.listen(s.lan_ip, s.http_port, None)
        self.evapi = registrar.EvapiLink(s.evapi[0], s.evapi[1], self._on_event)
        await self.evapi.connect()
        self._evapi_keeper = asyncio.ensure_future(self._keep_evapi())

    def _drop_stale_registrations(self, why: str) -> None:
        """A Kamailio that (re)starts has an empty location: what the state still holds is stale."""
        for reg in self.state.registrations():
            log.info("%s: dropping the stale registration of %s from %s", why, reg.sip_user, reg.source)
            self.state.release_registration(reg.sip_user)

    async def _keep_evapi(self) -> None:
        """Reconnect when the evapi link drops (Kamailio died and its supervisor starts a new one)."""
        assert self.evapi is not None
        while True:
            await self.evapi.wait_closed()
            log.warning("evapi link lost: reconnecting to Kamailio")
            await self.evapi.connect(timeout=float("inf"), retry_s=0.05)
            await asyncio.to_thread(self._drop_stale_registrations, "Kamailio restarted")

    # -- registration events (run in a worker thread: the state uses SQLite) ---------------

    def _on_event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        kind = event.get("event")
        if kind == "claim":
            self.stats["claims"] += 1
            answer = registrar.decide(self.state, event, self.settings.min_expires, self.settings.max_expires)
            self.stats["accepted" if answer["action"] == "accept" else "refused"] += 1
            log.info("claim %s from %s: %s", event.get("device"), event.get("source"), answer.get("reason", "accepted"))
            return answer
        if kind in ("unregister", "expired"):
            if registrar.release(self.state, event):
                self.stats["released"] += 1
            return None
        log.warning("evapi: unknown event %r", kind)
        return None

    def _door_closed(self, conn: DoorConnection) -> None:
        """A door client's connection is gone: so is its registration (Kamailio drops it too)."""
        if conn.kind != "sip" or self.state is None:
            return
        source = f"{conn.client[0]}:{conn.client[1]}"
        for reg in self.state.registrations():
            if reg.source == source:
                log.info("door connection %s closed: releasing %s", conn.id, reg.sip_user)
                self.state.release_registration(reg.sip_user)
                self.stats["released"] += 1

    # -- control --------------------------------------------------------------------------

    def handlers(self, done: asyncio.Event) -> dict[str, Any]:
        async def status(req: dict[str, Any]) -> dict[str, Any]:
            return {
                "uptime_s": round(time.time() - self.started, 3),
                "door": f"{self.settings.lan_ip}:{self.settings.door_port}",
                "evapi": bool(self.evapi and self.evapi.connected.is_set()),
                "stats": dict(self.stats),
                "connections": len(self.registry.current()),
            }

        async def connections(req: dict[str, Any]) -> dict[str, Any]:
            return {
                "open": [c.as_dict() for c in self.registry.current()],
                "closed": [c.as_dict() for c in self.registry.recent()[-50:]],
            }

        async def registrations(req: dict[str, Any]) -> list[dict[str, Any]]:
            regs = await asyncio.to_thread(self.state.registrations)
            return [
                {
                    "device_id": r.device_id,
                    "sip_user": r.sip_user,
                    "number": r.number,
                    "contact": r.contact,
                    "source": r.source,
                    "transport": r.transport,
                    "since": r.since.isoformat(),
                    "expires_at": r.expires_at.isoformat(),
                }
                for r in regs
            ]

        async def shutdown(req: dict[str, Any]) -> str:
            asyncio.get_running_loop().call_soon(done.set)
            return "bye"

        return {"status": status, "connections": connections, "registrations": registrations, "shutdown": shutdown}

    async def run(self) -> int:
        t0 = time.perf_counter()
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, done.set)
        try:
            await self.start()
            server = await serve(self.settings.control, self.handlers(done))
        except Exception as exc:
            print(f"UC FAILED {type(exc).__name__}: {exc}", flush=True)
            return 1
        ms = (time.perf_counter() - t0) * 1000
        print(
            f"UC READY door={self.settings.lan_ip}:{self.settings.door_port} control={self.settings.control} ms={ms:.0f}",
            flush=True,
        )
        await done.wait()
        server.close()
        if self.door is not None:
            await self.door.close()
        if self.http is not None:
            await self.http.stop()
        if self._evapi_keeper is not None:
            self._evapi_keeper.cancel()
        if self.evapi is not None:
            await self.evapi.close()
        if self.state is not None:
            self.state.close()
        print("UC STOPPED", flush=True)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="uclab UC stub server (front door, UC API, registrations)")
    parser.add_argument("--settings", required=True, help="ServerSettings as JSON, or @file")
    args = parser.parse_args(argv)
    raw = Path(args.settings[1:]).read_text() if args.settings.startswith("@") else args.settings
    try:
        settings = ServerSettings.model_validate_json(raw)
    except ValueError as exc:
        print(f"UC FAILED invalid settings: {exc}", flush=True)
        return 2
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    return asyncio.run(UcServer(settings).run())


if __name__ == "__main__":
    sys.exit(main())
