"""The target the rules suites judge: a UC API reached only through simulators/phone/ucapi.py.

`uc_target(config="office", release=None)` gives a `Target`: its base URL, how to reach it,
and the system configuration it runs, read as plain data (the administrator's set-up:
users, initial passwords, mode, release). Tests build clients with `target.api()`.

Where the target comes from:
- the stub in a lab, through its TLS front door on 8802 from the lab's office PC (the
  office_lan topology, one lab per test process; a fresh stub, fresh state, per target).
  The `--uclab-uc-transport` option (or $UCLAB_UC_TRANSPORT) decides which tests get it:
  `door` every test; `once` each test's representative release profile (the run's
  `--uclab-profile`, else V3R2FR1, office.yaml's own) and every one-profile test, the
  other profiles in process: what `uclab run` does, so every clause these suites show goes
  through the door at least once; `inprocess` none (the default of a plain pytest run).
- served in process (simulators/uc/api/inprocess.py, fresh state in tmp_path): fast, no
  network and no TLS; the plugin records such a test's `api` clauses as `inprocess`, which
  show nothing in the run summary. Tests marked `in_process` always run so: they judge the
  lab's client model against simulated reachability (`REACHES`).
- UCLAB_UC_TARGET=https://host:port: a running target (another system). UCLAB_UC_CONFIG is
  the configuration YAML it was started with, UCLAB_UC_CA its CA file (unset: no
  verification). Tests that need another mode or release are skipped. Every test changes
  state (passwords, PINs): give each run a fresh target.
- `await uc_target.in_lab(lab, config)`: the stub in a lab the test built itself.

Release profiles (RULES section 4): every test that uses a target runs once per profile
(RUN_PROFILES), or only for `--uclab-profile`. Tests marked `one_profile` run once (with
`--uclab-profile` or the configuration's own release): their rules do not differ by release
and their target is expensive (a lab). A test marked
`by_release(if_true, if_false, table=..., how=...)` shows clause `if_true` for the profiles
whose `table` entry is true and `if_false` for the others (the REL-* clauses).

Server connections (UC-LOGIN-1): `target.client_at(place)` makes clients as a PC at `place`
reaches the system: in a lab, from a lab host (the real network decides what answers); in
process, only the addresses that `place` reaches answer (`REACHES`), the rest time out.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from simulators.lab import Lab
from simulators.phone.ucapi import AT_WORK, UcApi
from simulators.pytest_plugin import LabFactory, note_in_process, note_time_scale

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "uc" / "examples"
OFFICE_PC = ("192.168.1.50", 50000)
RUN_PROFILES = ("V2R7", "V3", "V3R1", "V3R2FR1", "V3R4FR1")
DOOR_PROFILE = "V3R2FR1"
"""the representative profile of `once`: the release of office.yaml and of the 000 guide"""
BEFORE_PROFILE = "V3"
"""with `once`, a `by_release` test also goes through the door for V3, where every REL
difference the suites show has its earlier side"""
DOOR_TOPOLOGY = "office_lan"
HTTP_PORT = 8801
"""the door targets' plain-http port (PORT-5's 8801), so https-only can be shown over the network"""
LAN_DOOR = "192.168.1.30:8802"
"""The system's LAN address and port in every topology (004:241)."""
WAN_DOOR = "198.51.100.120:8802"
"""The office router's public address, forwarding 8802 (topologies/home_internet.yaml, roaming_internet.yaml)."""
REACHES = {"office": {LAN_DOOR}, "home": {WAN_DOOR}, "nowhere": set()}
"""In process: the addresses a PC reaches from each place (an office PC does not hairpin through the router)."""
PLACES = {"office": "office_pc", "home": "home_pc"}
"""In a lab: the host that stands for each place (roaming_internet.yaml)."""
CLIENT_TIMEOUT = 2.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "one_profile: run once, not once per release profile")
    config.addinivalue_line(
        "markers", "in_process: the target is always served in process (client model, simulated networks)"
    )
    config.addinivalue_line(
        "markers", "by_release(if_true, if_false, table, how): the REL clause a profile shows (suites/rules)"
    )


def _release_marks(metafunc: pytest.Metafunc, profile: str | None) -> list[pytest.MarkDecorator]:
    """The clause markers of `by_release`: which of a REL rule's clauses this profile shows."""
    out = []
    for mark in metafunc.definition.iter_markers("by_release"):
        if_true, if_false = mark.args
        table: dict[str, bool] = mark.kwargs["table"]
        shown = if_true if table[profile or DOOR_PROFILE] else if_false
        out.append(pytest.mark.clause(shown, how=mark.kwargs.get("how", "api")))
    return out


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "profile" not in metafunc.fixturenames:
        return
    chosen = metafunc.config.getoption("--uclab-profile")
    if metafunc.definition.get_closest_marker("one_profile"):
        profiles: list[str | None] = [chosen]
    else:
        profiles = [chosen] if chosen else list(RUN_PROFILES)
    metafunc.parametrize(
        "profile", [pytest.param(p, id=p or "own", marks=_release_marks(metafunc, p)) for p in profiles]
    )


class _Unreachable(httpx.AsyncBaseTransport):
    """In process: addresses outside `answering` do not answer (as a firewall drops them)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, answering: set[str]) -> None:
        self.inner = inner
        self.answering = answering

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if f"{request.url.host}:{request.url.port or 443}" not in self.answering:
            raise httpx.ConnectTimeout(
                f"no answer from {request.url.host}:{request.url.port} (not reachable from here)"
            )
        return await self.inner.handle_async_request(request)


@dataclass
class Target:
    base_url: str
    config: dict[str, Any]
    transport_from: Callable[[tuple[str, int]], httpx.AsyncBaseTransport] | None = None
    verify: bool | str = False
    http_url: str | None = None
    """a plain-http URL of the same API, when the target has one (to show it is refused)"""
    apis: list[UcApi] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)
    """what a test keeps between the examples of a property test on a shared target"""
    lab: Lab | None = None
    """the lab the target runs in (clients then connect from lab hosts)"""

    @property
    def mode(self) -> str:
        return str(self.config["system"]["mode"])

    @property
    def release(self) -> str:
        return str(self.config["system"]["release"])

    def user(self, number: str) -> dict[str, Any]:
        return next(u for u in self.config["users"] if u["number"] == number)

    def _factory(self, host: str) -> Callable[[], socket.socket]:
        lab = self.lab
        assert lab is not None
        return lambda: lab.socket(host, socket.SOCK_STREAM)

    def api(
        self,
        *,
        client: str = AT_WORK,
        address: tuple[str, int] = OFFICE_PC,
        url: str | None = None,
        host: str = "office_pc",
        timeout: float = 5.0,
    ) -> UcApi:
        """A client; in a lab it connects from `host`, in process it comes from `address`."""
        if self.lab is not None:
            api = UcApi(url or self.base_url, verify=self.verify, client=client, socket_factory=self._factory(host))
        else:
            transport = self.transport_from(address) if self.transport_from else None
            api = UcApi(url or self.base_url, verify=self.verify, transport=transport, client=client, timeout=timeout)
        self.apis.append(api)
        return api

    def client_at(self, place: str, host: str | None = None) -> Callable[[str], UcApi]:
        """make_api(base_url) for login_through: a client on a PC at `place` (office, home, nowhere);
        in a lab, on `host` (default: the place's host) wherever it is now."""

        def make(url: str) -> UcApi:
            if self.lab is not None:
                factory = self._factory(host or PLACES[place])
                api = UcApi(url, verify=self.verify, timeout=CLIENT_TIMEOUT, socket_factory=factory)
            else:
                assert self.transport_from is not None
                transport = _Unreachable(self.transport_from(OFFICE_PC), REACHES[place])
                api = UcApi(url, verify=self.verify, timeout=CLIENT_TIMEOUT, transport=transport)
            self.apis.append(api)
            return api

        return make

    async def logged_in(self, number: str, *, client: str = AT_WORK) -> UcApi:
        api = self.api(client=client)
        await api.login(number, self.user(number)["password"], client=client)
        return api

    @staticmethod
    async def activate_callme(api: UcApi, destination: str) -> None:
        """Precondition: the user's CallMe service is active (000:790-803), set as the user does:
        in the user's own session (UC Suite allows one client per user) through the CallMe UC API
        (PUT /api/v1/callme). A refusal (UcApiError) propagates."""
        assert (await api.set_callme(destination)).active, f"CallMe to {destination} is not active"


def _config(name: str, release: str | None, **system: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    if release is not None:
        data["system"]["release"] = release
    data["system"].update(system)
    return data


class Targets:
    """The `uc_target` fixture: targets(config="office", release=None, shared=False, **system) -> Target,
    and `await targets.in_lab(lab, config)` for the stub in a lab the test built.

    release None: the run's profile (`--uclab-profile`, or each of RUN_PROFILES), else the
    configuration's own. shared=True returns the same target for the same arguments within
    one test (property tests: every hypothesis example talks to one target, which keeps
    state). system: overrides of the configuration's `system` section (e.g. time_scale).
    """

    def __init__(self, request: pytest.FixtureRequest, tmp_path: Path, profile: str | None, door_lab: DoorLab) -> None:
        self.node = request.node
        self.tmp_path = tmp_path
        self.profile = profile
        self.remote = os.environ.get("UCLAB_UC_TARGET", "inprocess")
        self.transport = str(request.config.getoption("--uclab-uc-transport"))
        chosen = request.config.getoption("--uclab-profile")
        self.representative = chosen or DOOR_PROFILE
        by_release = request.node.get_closest_marker("by_release") is not None
        self.door_profiles = {self.representative} | ({BEFORE_PROFILE} if by_release and not chosen else set())
        """once: the profiles through the door; a test showing a REL rule's two sides shows both"""
        self.in_process_only = request.node.get_closest_marker("in_process") is not None
        self.door_lab = door_lab
        self.closers: list[Callable[[], Any]] = []
        self.targets: list[Target] = []
        self.shared: dict[tuple[str, str | None], Target] = {}
        self.door_stub: Any = None

    def through_the_door(self) -> bool:
        """Whether this test's targets are the stub in a lab, reached through 8802."""
        if self.in_process_only or self.remote != "inprocess":
            return False
        if self.transport == "door":
            return True
        return self.transport == "once" and (self.profile or self.representative) in self.door_profiles

    def __call__(
        self, config: str = "office", release: str | None = None, *, shared: bool = False, **system: Any
    ) -> Target:
        release = release or self.profile
        if shared and (config, release) in self.shared:
            return self.shared[(config, release)]
        data = _config(config, release, **system)
        note_time_scale(self.node, float(data["system"].get("time_scale", 1.0)))
        if self.remote != "inprocess":
            running = yaml.safe_load(Path(os.environ["UCLAB_UC_CONFIG"]).read_text(encoding="utf-8"))
            wanted = data["system"]
            if any(running["system"].get(k) != wanted[k] for k in ("mode", "release", *system)):
                pytest.skip(f"the target runs {running['system']}; this test needs {wanted}")
            target = Target(self.remote, running, verify=os.environ.get("UCLAB_UC_CA") or False)
        elif self.through_the_door():
            target = self._door_target(data)
        else:
            target = self._in_process(data)
        self.targets.append(target)
        if shared:
            self.shared[(config, release)] = target
        return target

    def _in_process(self, data: dict[str, Any]) -> Target:
        from simulators.uc.api.inprocess import InProcessTarget

        note_in_process(self.node)
        run_dir = self.tmp_path / f"uc{len(self.targets)}"
        run_dir.mkdir()
        served = InProcessTarget(data, run_dir)
        self.closers.append(served.close)
        return Target(
            served.base_url, data, served.transport_from, http_url=served.base_url.replace("https://", "http://")
        )

    def _door_target(self, data: dict[str, Any]) -> Target:
        """A fresh stub (fresh state) in this process's door lab; one at a time in its host."""
        from simulators.uc.config import validate_config  # the harness, not the test
        from simulators.uc.service import start_stub_blocking

        lab = self.door_lab.get()
        if self.door_stub is not None:
            self.door_stub.stop()
        for path in (lab.dir / "uc-system").glob("state.sqlite*"):
            path.unlink()
        stub = start_stub_blocking(
            lab,
            "system",
            config=validate_config(data, "suite target"),
            workers=1,
            mixers=0,
            system_stun=False,
            http_port=HTTP_PORT,
        )
        self.door_stub = stub
        self.closers.append(stub.stop)
        return Target(
            f"https://{stub.door}",
            data,
            verify=str(stub.ca_file),
            lab=lab,
            http_url=f"http://{stub.lan_ip}:{HTTP_PORT}",
        )

    async def in_lab(self, lab: Lab, config: str = "office", release: str | None = None) -> Target:
        """The stub started in the lab's `system` host, reached through its front door on 8802."""
        from simulators.uc.config import validate_config  # the harness, not the test
        from simulators.uc.service import start_stub

        data = _config(config, release or self.profile)
        note_time_scale(self.node, float(data["system"].get("time_scale", 1.0)))
        stub = await start_stub(lab, "system", config=validate_config(data, "suite target"))
        self.closers.append(stub.stop)
        target = Target(f"https://{stub.door}", data, verify=str(stub.ca_file), lab=lab)
        self.targets.append(target)
        return target

    async def close(self) -> None:
        for target in self.targets:
            for api in target.apis:
                await api.aclose()
        for close in self.closers:
            close()


class DoorLab:
    """The lab the door targets of one test process run in, built on first use, torn down
    (evidence attached, run directory kept if a test failed) when the process ends."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.factory = LabFactory(request)
        self.lab: Lab | None = None

    def get(self) -> Lab:
        if self.lab is None:
            self.lab = self.factory(DOOR_TOPOLOGY)
        return self.lab

    def close(self) -> None:
        if self.lab is not None:
            self.factory.close()


@pytest.fixture(scope="session")
def door_lab(request: pytest.FixtureRequest) -> Iterator[DoorLab]:
    lab = DoorLab(request)
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture
async def uc_target(
    request: pytest.FixtureRequest, tmp_path: Path, profile: str | None, door_lab: DoorLab
) -> AsyncIterator[Targets]:
    """See Targets."""
    targets = Targets(request, tmp_path, profile, door_lab)
    yield targets
    await targets.close()
