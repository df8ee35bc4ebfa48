"""The UC server stub in a lab host: the `uc_stub` lab service and `start_stub` for tests.

A topology host with

    services: [{kind: uc_stub, options: {config: office}}]     # a name in simulators/uc/examples/ or a path

gets the whole stub when the lab comes up (import simulators.uc.service first, so the kind
is registered); tests start one themselves:

    stub = await start_stub(lab, host="system", config="office")
    stub.ca_file, stub.lan_ip, stub.door_endpoints        # what clients need
    await stub.calls()                                     # the call core's sessions and legs
    await stub.restart()                                   # stop + start, state kept

Its internals (the SQLite state, the processes' control sockets) are for the stub's own
tests and the benchmarks: backdoor.py, which the conformance suites may not import.

A stub runs wherever a `StubSite` is: a lab's host, or a namespace of its own playing an
external system beside a lab (tests/net/appliance.py). On a lab's external host it is not
started (`NeedsStub`): that system is not the lab's to run.

Processes, all started by the lab in the host (they die with the orchestrator, and
`lab.down()` or `stub.stop()` stops them), logs in the run's logs/, files in
<run>/uc-<host>/:

    coturn      the system's STUN server on the host's addresses (simulators/net/stunserver)
    kamailio    the SIP edge (edge/kamailio.py, edge/kamailio.cfg)
    uc-core     the call core: pjsua2 B2BUA workers (callcore/)
    uc-server   front door 8802, UC API, registration decisions (server.py)

Readiness is awaited, never slept for: each process's readiness line, then a SIP OPTIONS
answered on the LAN address. Once ready, a `Supervisor` (supervisor.py) restarts any of these
four that dies; the call core restarts its own workers and mixer nodes. Kamailio and the UC
server get OPENSSL_CONF naming the lab's TLS settings (tls.py: Mozilla intermediate).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import sys
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field

from simulators.lab import Lab, service
from simulators.net import stunserver
from simulators.net.errors import LabError
from simulators.net.model import Service, Topology
from simulators.net.process import LabProcess, ProcessFailed
from simulators.system import NeedsStub, SystemDoors, door_endpoints

from .authlimits import AuthLimits
from .callcore.settings import CoreSettings
from .config import SystemConfig, load_config
from .control import CORE_SOCKET, ask
from .edge import kamailio
from .server import ServerSettings
from .supervisor import Launcher, Restart, Supervisor
from .timescale import Timer, TimeScale
from .tls import LabTls

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).with_name("examples")
STUN_PORT = stunserver.STUN_PORT
_stubs: weakref.WeakKeyDictionary[StubSite, dict[str, Stub]] = weakref.WeakKeyDictionary()
READY = {
    "kamailio": r"UC kamailio-ready",
    "uc-core": r"^CORE (READY|FAILED)",
    "uc-server": r"^UC (READY|FAILED)",
}
"""each process's readiness line (coturn's readiness is awaited by stunserver.start)"""


class StubError(LabError):
    """The stub could not start or answer; the message names the process and its log."""


class StubOptions(BaseModel):
    """Options of the `uc_stub` service (and keyword arguments of `start_stub`)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    config: str | Path | SystemConfig = Field("office", description="example name, YAML path, or a SystemConfig")
    workers: int = Field(3, ge=1, le=64, description="call core workers (two anchored calls each)")
    mixers: int = Field(
        2, ge=0, le=32, description="conference mixer nodes (4 slots each; a 16-party conference needs 7)"
    )
    http_port: int | None = Field(None, description="plain HTTP UC API port (PORT-5 says 8801); None = off")
    stun_servers: list[str] | None = Field(
        None, description="host:port the system's media side uses for STUN; default: the lab's public STUN server"
    )
    system_stun: bool = Field(True, description="run coturn on the system host (the system's STUN server)")
    ice: bool = True
    public_names: list[str] = Field(
        default_factory=list,
        description="DNS names of the office router's public address (004:219, 004:246): the server certificate "
        "names them and the SIP edge takes name:port of every 8802 forward as its own",
    )
    core_log_level: int = Field(1, ge=0, le=6)
    core_clock_rate: int = Field(16000, description="the call core's bridge rate (8000: cheaper, no wideband)")
    core_poll_ms: int = Field(5, ge=1, le=100, description="the call core workers' pjsua2 event poll")
    kamailio_debug: int = Field(2, ge=0, le=3)
    auth_limits: AuthLimits = Field(
        default_factory=AuthLimits, description="failed-authentication limits, SIP and UC API (LAB-AUTH-LIMITS)"
    )
    start_timeout: float = Field(20.0, gt=0)


def config_source(value: str | Path | SystemConfig) -> SystemConfig:
    if isinstance(value, SystemConfig):
        return value
    path = Path(value)
    if not path.suffix and not path.exists():
        path = EXAMPLES / f"{value}.yaml"
        if not path.exists():
            known = ", ".join(p.stem for p in sorted(EXAMPLES.glob("*.yaml")))
            raise StubError(f"no system configuration named {value!r}; examples: {known}, or give a YAML path")
    return load_config(path)


def _with_names(endpoints: list[str], names: list[str]) -> list[str]:
    """The door endpoints plus name:port for each public name and forwarded port."""
    ports = dict.fromkeys(e.rsplit(":", 1)[1] for e in endpoints)
    return endpoints + [f"{name}:{port}" for name in names for port in ports]


def _options_probe(lab: StubSite, host: str, address: str, port: int, timeout: float) -> float:
    """Send SIP OPTIONS from inside `host` until Kamailio answers 200; returns ms taken."""
    t0 = time.perf_counter()
    sock = lab.socket(host)
    try:
        sock.bind(("127.0.0.1", 0))
        local_port = sock.getsockname()[1]
        call_id = secrets.token_hex(8)
        msg = (
            f"OPTIONS sip:{address}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{secrets.token_hex(6)};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:probe@{address}>;tag={secrets.token_hex(4)}\r\n"
            f"To: <sip:{address}>\r\n"
            f"Call-ID: {call_id}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        ).encode()
        deadline = time.monotonic() + timeout
        wait = 0.02
        while time.monotonic() < deadline:
            sock.sendto(msg, (address, port))
            sock.settimeout(wait)
            try:
                data = sock.recv(4096)
            except TimeoutError:
                wait = min(wait * 2, 0.5)
                continue
            if data.startswith(b"SIP/2.0 200") and call_id.encode() in data:
                return (time.perf_counter() - t0) * 1000
        raise StubError(f"Kamailio in {host} does not answer SIP OPTIONS on {address}:{port} within {timeout}s")
    finally:
        sock.close()


class StubSite(Protocol):
    """Where a stub runs: a lab (`Lab`, the stub in one of its hosts), or anything offering the
    same: a namespace of its own, for a stub that plays an external system beside a lab."""

    topo: Topology
    processes: list[LabProcess]

    @property
    def dir(self) -> Path: ...

    def ns(self, host: str) -> str: ...

    def address(self, host: str, ifname: str | None = None) -> str: ...

    def spawn(self, host: str, argv: Sequence[str], name: str | None = None, **kw: Any) -> LabProcess: ...

    def socket(self, host: str, kind: int = ..., family: int = ...) -> socket.socket: ...

    def socket_path(self, *parts: str) -> Path: ...

    def stun_servers(self) -> list[tuple[str, list[str]]]: ...


@dataclass
class Stub(SystemDoors):
    """A running UC server stub in one lab host."""

    lab: StubSite
    host: str
    options: StubOptions
    config: SystemConfig
    dir: Path
    lan_ip: str
    door_endpoints: list[str]
    stun_servers: list[str]
    processes: dict[str, LabProcess] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    tls: LabTls | None = None
    supervisor: Supervisor | None = None
    restarts: list[Restart] = field(default_factory=list)
    """restarts of earlier starts (the running supervisor has its own)"""
    _t_spawn: float = 0.0

    # -- files and settings ---------------------------------------------------------------

    @property
    def ca_file(self) -> Path:
        return self.dir / "tls" / "ca.pem"

    @property
    def state_path(self) -> Path:
        return self.dir / "state.sqlite"

    @property
    def config_path(self) -> Path:
        return self.dir / "config.yaml"

    @property
    def sockets(self) -> Path:
        """The stub's Unix sockets: in the lab's short socket directory (runs.socket_dir)."""
        return self.lab.socket_path(f"uc-{self.host}", CORE_SOCKET).parent

    @property
    def core_control(self) -> Path:
        return self.sockets / CORE_SOCKET

    @property
    def server_control(self) -> Path:
        return self.sockets / "server.sock"

    @property
    def tls_keylog(self) -> Path:
        """The door's TLS secrets beside the lab's pcaps (the lab's own keys: evidence, not a secret)."""
        return self.lab.dir / "pcap" / f"tls-keys-{self.host}.txt"

    @property
    def realm(self) -> str:
        return self.config.realm

    def edge(self) -> kamailio.EdgeSettings:
        scale = TimeScale(self.config.system.time_scale)
        return kamailio.EdgeSettings(
            lan_ip=self.lan_ip,
            realm=self.config.realm,
            directory=self.dir,
            sockets=self.sockets,
            tls_cert=self.dir / "tls" / "server.pem",
            tls_key=self.dir / "tls" / "server.key",
            door_endpoints=self.door_endpoints,
            domains=[self.config.realm],
            core_workers=self.options.workers,
            debug=self.options.kamailio_debug,
            min_expires=max(1, round(scale.timer(Timer.REGISTRATION_MIN_EXPIRES))),
            max_expires=max(2, round(scale.timer(Timer.REGISTRATION_EXPIRES))),
            auth_limits=self.options.auth_limits,
        )

    def core_settings(self) -> CoreSettings:
        sip = self.config.sip
        edge = self.edge()
        ports = range(edge.core_port, edge.core_port + self.options.workers)
        taken = {edge.sip_port, edge.tls_port, edge.door_port, edge.internal_port, edge.evapi_port}
        if taken & set(ports):
            # a worker on one of Kamailio's ports would be "myself" to Kamailio: its in-dialog
            # requests would never be forwarded
            raise StubError(f"call core ports {ports.start}-{ports.stop - 1} collide with Kamailio's {sorted(taken)}")
        return CoreSettings(
            base_port=edge.core_port,
            kamailio_port=edge.internal_port,
            lan_ip=self.lan_ip,
            control=self.core_control,
            state_path=self.state_path,
            config_path=self.config_path,
            realm=self.config.realm,
            workers=self.options.workers,
            mixers=self.options.mixers,
            stun_servers=self.stun_servers,
            ice=self.options.ice,
            latch_rtp=sip.latch_rtp,
            wan_address=str(sip.wan_interface_address) if sip.wan_interface_address else None,
            log_level=self.options.core_log_level,
            clock_rate=self.options.core_clock_rate,
            poll_ms=self.options.core_poll_ms,
        )

    def server_settings(self) -> ServerSettings:
        edge = self.edge()
        return ServerSettings(
            lan_ip=self.lan_ip,
            http_port=self.options.http_port,
            kamailio_door=("127.0.0.1", edge.door_port),
            evapi=("127.0.0.1", edge.evapi_port),
            state_path=self.state_path,
            config_path=self.config_path,
            auth_db=edge.auth_db,
            tls_dir=self.dir / "tls",
            tls_identities=[self.lan_ip, *[e.rsplit(":", 1)[0] for e in self.door_endpoints], "127.0.0.1"],
            control=self.server_control,
            core_control=self.core_control,
            tls_keylog=self.tls_keylog,
            min_expires=edge.min_expires,
            max_expires=edge.max_expires,
            auth_limits=self.options.auth_limits,
        )

    # -- lifecycle ------------------------------------------------------------------------

    def _prepare(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tls_keylog.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(yaml.safe_dump(self.config.model_dump(mode="json"), sort_keys=False))
        edge = self.edge()
        self.tls = LabTls.ensure(self.dir / "tls", self.server_settings().tls_identities)
        kamailio.render(edge)
        if not edge.auth_db.exists():
            kamailio.write_subscribers(edge.auth_db, [])

    def _launchers(self) -> dict[str, Launcher]:
        """How each process starts (from the calling thread: it dies with that thread)."""
        edge = self.edge()
        py = sys.executable
        env = self.tls.openssl_env() if self.tls is not None else None
        core = self.core_settings().model_dump_json()
        server = self.server_settings().model_dump_json()

        def kamailio_() -> LabProcess:
            return self.lab.spawn(self.host, kamailio.argv(edge), name="kamailio", watch=True, env=env)

        def core_() -> LabProcess:
            argv = [py, "-m", "simulators.uc.callcore.main", "--settings", core]
            return self.lab.spawn(self.host, argv, name="uc-core", watch=True, cwd=ROOT)

        def server_() -> LabProcess:
            argv = [py, "-m", "simulators.uc.server", "--settings", server]
            return self.lab.spawn(self.host, argv, name="uc-server", watch=True, cwd=ROOT, env=env)

        def coturn_() -> LabProcess:
            addresses = [a for i in self.lab.topo.node(self.host).interfaces.values() for a in i.address]
            proc = stunserver.start(self.lab.ns(self.host), self.host, addresses, self.lab.dir, name="uc-stun")
            self.lab.processes.append(proc)
            return proc

        launchers: dict[str, Launcher] = {"kamailio": kamailio_, "uc-core": core_, "uc-server": server_}
        if self.options.system_stun:
            launchers["coturn"] = coturn_
        return launchers

    def _spawn(self) -> None:
        """Start every process (from the orchestrator's thread: they die with it)."""
        self._t_spawn = time.perf_counter()
        for name, launch in self._launchers().items():
            t0 = time.perf_counter()
            self.processes[name] = launch()
            if name == "coturn":
                self.timings["coturn_ms"] = (time.perf_counter() - t0) * 1000

    def _await_ready(self) -> None:
        """Block until every process printed its readiness line and SIP answers."""
        timeout = self.options.start_timeout
        for name, pattern in READY.items():
            proc = self.processes[name]
            try:
                line = proc.wait_for(pattern, timeout)
            except ProcessFailed as exc:
                raise StubError(f"stub {name} in {self.host} did not start: {exc}; log: {proc.log}") from exc
            if "FAILED" in line:
                raise StubError(f"stub {name} in {self.host}: {line}; log: {proc.log}")
            self.timings[f"{name}_ms"] = (time.perf_counter() - self._t_spawn) * 1000
        self.timings["options_ms"] = _options_probe(self.lab, self.host, self.lan_ip, 5060, timeout)

    def _supervise(self) -> None:
        """Restart what dies from now on (supervisor.py says who restarts what)."""

        def replaced(old: LabProcess, new: LabProcess) -> None:
            with contextlib.suppress(ValueError):
                self.lab.processes.remove(old)
            if new not in self.lab.processes:
                self.lab.processes.append(new)

        self.supervisor = Supervisor(self._launchers(), READY, self.processes, replaced).start()

    def start_blocking(self) -> Stub:
        t0 = time.perf_counter()
        self._prepare()
        self.timings["prepare_ms"] = (time.perf_counter() - t0) * 1000
        self._spawn()
        try:
            self._await_ready()
        except BaseException:
            self.stop()
            raise
        self._supervise()
        self.timings["ready_ms"] = (time.perf_counter() - t0) * 1000
        return self

    async def start(self) -> Stub:
        t0 = time.perf_counter()
        self._prepare()
        self.timings["prepare_ms"] = (time.perf_counter() - t0) * 1000
        self._spawn()
        try:
            await asyncio.to_thread(self._await_ready)
        except BaseException:
            self.stop()
            raise
        self._supervise()
        self.timings["ready_ms"] = (time.perf_counter() - t0) * 1000
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Stop every process (the SQLite state stays in the stub directory)."""
        supervisor, self.supervisor = self.supervisor, None
        if supervisor is not None:
            supervisor.hold()
        for name in ("uc-server", "uc-core", "kamailio", "coturn"):
            proc = self.processes.pop(name, None)
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.stop(timeout=timeout)
                with contextlib.suppress(ValueError):
                    self.lab.processes.remove(proc)
        if supervisor is not None:
            self.restarts += supervisor.restarts
            supervisor.close()

    async def restart(self) -> Stub:
        self.stop()
        return await self.start()

    def alive(self) -> dict[str, bool]:
        return {name: proc.alive() for name, proc in self.processes.items()}

    # -- what the lab knows of it --------------------------------------------------------

    async def calls(self) -> list[dict[str, Any]]:
        """The call core's sessions and legs (its control op `calls`); the rest of the stub's
        internals are in backdoor.py, for self-tests and benchmarks only."""
        result: list[dict[str, Any]] = await ask(self.core_control, "calls")
        return result

    def log(self, name: str) -> str:
        proc = self.processes.get(name)
        return proc.log_text() if proc is not None else ""


def _make(lab: StubSite, host: str, options: StubOptions) -> Stub:
    spec = lab.topo.hosts.get(host)
    if spec is not None and spec.external is not None:
        raise NeedsStub(
            f"the system under test is external ({host} via {spec.external.interface}): "
            "the lab starts no UC server stub there"
        )
    lan_ip = lab.address(host)
    # the system's STUN client (its media side) uses a public STUN server, as 004:217
    # configures it; on a LAN-only topology there is none and ICE offers host candidates
    servers = [s for s in lab.stun_servers() if s[0] != host]
    if options.stun_servers is not None:
        stun = options.stun_servers
    elif servers:
        stun = [f"{servers[0][1][0]}:{STUN_PORT}"]
    else:
        stun = []
    stub = Stub(
        lab=lab,
        host=host,
        options=options,
        config=config_source(options.config),
        dir=lab.dir / f"uc-{host}",
        lan_ip=lan_ip,
        door_endpoints=_with_names(door_endpoints(lab.topo, lan_ip), options.public_names),
        stun_servers=stun,
    )
    _stubs.setdefault(lab, {})[host] = stub
    return stub


async def start_stub(lab: StubSite, host: str = "system", **options: Any) -> Stub:
    """Start the stub in `host` and await readiness (see the module docstring)."""
    return await _make(lab, host, StubOptions(**options)).start()


def stub_of(lab: StubSite, host: str = "system") -> Stub:
    """The stub a topology's `uc_stub` service (or start_stub) started in `host`."""
    try:
        return _stubs[lab][host]
    except KeyError:
        raise StubError(f"no UC stub runs in {host}; start one with start_stub(lab, {host!r})") from None


@service("uc_stub")
def _uc_stub(lab: Lab, host: str, svc: Service) -> list[LabProcess]:
    try:
        options = StubOptions(**svc.options)
    except ValueError as exc:
        raise StubError(f"host {host}: uc_stub options: {exc}") from exc
    stub = _make(lab, host, options).start_blocking()
    return [p for name, p in stub.processes.items() if name != "coturn"]


def start_stub_blocking(lab: Lab, host: str = "system", **options: Any) -> Stub:
    """start_stub for a caller without an event loop of its own to await in (a synchronous
    fixture): blocks until the stub is ready. Call it from the orchestrator's thread."""
    return _make(lab, host, StubOptions(**options)).start_blocking()
