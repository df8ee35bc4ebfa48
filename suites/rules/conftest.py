"""The target the rules suites judge: a UC API reached only through simulators/phone/ucapi.py.

`uc_target(config="office", release=None)` gives a `Target`: its base URL, how to reach it,
and the system configuration it runs, read as plain data (the administrator's set-up:
users, initial passwords, mode, release). Tests build clients with `target.api()`.

Where the target comes from (environment):
- UCLAB_UC_TARGET unset or "inprocess": the stub's UC API served in-process per test
  (fresh state in tmp_path; simulators/uc/api/inprocess.py). This is harness code, like the
  `lab` fixture that starts the stub; the tests themselves never import simulators.uc.
- UCLAB_UC_TARGET=https://host:port: a running target (the stub in a lab, or another
  system). UCLAB_UC_CONFIG is the configuration YAML it was started with, UCLAB_UC_CA its
  CA file (unset: no verification). Tests that need another mode or release are skipped.
  Every test changes state (passwords, PINs): give each run a fresh target.
- `uc_target(config, lab=lab)`: the stub started in the lab's `system` host
  (simulators/uc/service.py), reached through its TLS front door on 8802 from lab hosts.

Release profiles (RULES section 4): every test that uses a target runs once per profile
(RUN_PROFILES), or only for `--uclab-profile`. Tests marked `one_profile` run once (with
`--uclab-profile` or the configuration's own release): their rules do not differ by release
and their target is expensive (a lab).

Server connections (UC-LOGIN-1): `target.client_at(place)` makes clients as a PC at `place`
reaches the system: in a lab, from a lab host (the real network decides what answers); in
process, only the addresses that `place` reaches answer (`REACHES`), the rest time out.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from simulators.lab import Lab
from simulators.phone.ucapi import AT_WORK, UcApi

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "uc" / "examples"
OFFICE_PC = ("192.168.1.50", 50000)
RUN_PROFILES = ("V2R7", "V3", "V3R1", "V3R2FR1", "V3R4FR1")
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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "profile" not in metafunc.fixturenames:
        return
    chosen = metafunc.config.getoption("--uclab-profile")
    if metafunc.definition.get_closest_marker("one_profile"):
        metafunc.parametrize("profile", [chosen], ids=[chosen or "own"])
    else:
        metafunc.parametrize("profile", [chosen] if chosen else list(RUN_PROFILES))


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
    and `await targets.in_lab(lab, config)` for the stub in a lab.

    release None: the run's profile (`--uclab-profile`, or each of RUN_PROFILES), else the
    configuration's own. shared=True returns the same target for the same arguments within
    one test (property tests: every hypothesis example talks to one target, which keeps
    state). system: overrides of the configuration's `system` section (e.g. time_scale).
    """

    def __init__(self, tmp_path: Path, profile: str | None) -> None:
        self.tmp_path = tmp_path
        self.profile = profile
        self.remote = os.environ.get("UCLAB_UC_TARGET", "inprocess")
        self.closers: list[Callable[[], Any]] = []
        self.targets: list[Target] = []
        self.shared: dict[tuple[str, str | None], Target] = {}

    def __call__(
        self, config: str = "office", release: str | None = None, *, shared: bool = False, **system: Any
    ) -> Target:
        release = release or self.profile
        if shared and (config, release) in self.shared:
            return self.shared[(config, release)]
        data = _config(config, release, **system)
        if self.remote != "inprocess":
            running = yaml.safe_load(Path(os.environ["UCLAB_UC_CONFIG"]).read_text(encoding="utf-8"))
            wanted = data["system"]
            if any(running["system"].get(k) != wanted[k] for k in ("mode", "release", *system)):
                pytest.skip(f"the target runs {running['system']}; this test needs {wanted}")
            target = Target(self.remote, running, verify=os.environ.get("UCLAB_UC_CA") or False)
        else:
            from simulators.uc.api.inprocess import InProcessTarget

            run_dir = self.tmp_path / f"uc{len(self.targets)}"
            run_dir.mkdir()
            served = InProcessTarget(data, run_dir)
            self.closers.append(served.close)
            target = Target(
                served.base_url,
                data,
                served.transport_from,
                http_url=served.base_url.replace("https://", "http://"),
            )
        self.targets.append(target)
        if shared:
            self.shared[(config, release)] = target
        return target

    async def in_lab(self, lab: Lab, config: str = "office", release: str | None = None) -> Target:
        """The stub started in the lab's `system` host, reached through its front door on 8802."""
        from simulators.uc.config import validate_config  # the harness, not the test
        from simulators.uc.service import start_stub

        data = _config(config, release or self.profile)
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


@pytest.fixture
async def uc_target(tmp_path: Path, profile: str | None) -> AsyncIterator[Targets]:
    """See Targets."""
    targets = Targets(tmp_path, profile)
    yield targets
    await targets.close()
