"""The target the rules suites judge: a UC API reached only through simulators/phone/ucapi.py.

`uc_target(config="office", release=None)` gives a `Target`: its base URL, how to reach it,
and the system configuration it runs, read as plain data (the administrator's set-up:
users, initial passwords, mode, release). Tests build clients with `target.api()`.

Where the target comes from (environment):
- UCLAB_UC_TARGET unset or "inprocess": the stub's UC API served in-process per test
  (fresh state in tmp_path; simulators/uc/api_target.py). This is harness code, like the
  `lab` fixture that starts the stub; the tests themselves never import simulators.uc.
- UCLAB_UC_TARGET=https://host:port: a running target (the stub in a lab, or another
  system). UCLAB_UC_CONFIG is the configuration YAML it was started with, UCLAB_UC_CA its
  CA file (unset: no verification). Tests that need another mode or release are skipped.
  Every test changes state (passwords, PINs): give each run a fresh target.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from simulators.phone.ucapi import AT_WORK, UcApi

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "uc" / "examples"
OFFICE_PC = ("192.168.1.50", 50000)


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

    @property
    def mode(self) -> str:
        return str(self.config["system"]["mode"])

    @property
    def release(self) -> str:
        return str(self.config["system"]["release"])

    def user(self, number: str) -> dict[str, Any]:
        return next(u for u in self.config["users"] if u["number"] == number)

    def api(self, *, client: str = AT_WORK, address: tuple[str, int] = OFFICE_PC, url: str | None = None) -> UcApi:
        transport = self.transport_from(address) if self.transport_from else None
        api = UcApi(url or self.base_url, verify=self.verify, transport=transport, client=client, timeout=5.0)
        self.apis.append(api)
        return api

    async def logged_in(self, number: str, *, client: str = AT_WORK) -> UcApi:
        api = self.api(client=client)
        await api.login(number, self.user(number)["password"], client=client)
        return api


def _config(name: str, release: str | None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    if release is not None:
        data["system"]["release"] = release
    return data


@pytest.fixture
async def uc_target(tmp_path: Path, profile: str | None) -> AsyncIterator[Callable[..., Target]]:
    """Factory: uc_target(config="office", release=None, shared=False) -> Target.

    release None: the run's profile (`--uclab-profile`), else the configuration's own.
    shared=True returns the same target for the same arguments within one test (property
    tests: every hypothesis example of the test talks to one target, which keeps state).
    """
    closers: list[Callable[[], None]] = []
    targets: list[Target] = []
    shared_targets: dict[tuple[str, str | None], Target] = {}
    remote = os.environ.get("UCLAB_UC_TARGET", "inprocess")

    def make(config: str = "office", release: str | None = None, *, shared: bool = False) -> Target:
        release = release or profile
        if shared and (config, release) in shared_targets:
            return shared_targets[(config, release)]
        if remote != "inprocess":
            data = yaml.safe_load(Path(os.environ["UCLAB_UC_CONFIG"]).read_text(encoding="utf-8"))
            wanted = _config(config, release)["system"]
            running = data["system"]
            if (running["mode"], running["release"]) != (wanted["mode"], wanted["release"]):
                pytest.skip(
                    f"the target runs {running['mode']} {running['release']}; this test needs {wanted['mode']} {wanted['release']}"
                )
            target = Target(remote, data, verify=os.environ.get("UCLAB_UC_CA") or False)
        else:
            from simulators.uc.api_target import InProcessTarget  # the harness, not the test

            data = _config(config, release)
            run_dir = tmp_path / f"uc{len(targets)}"
            run_dir.mkdir()
            served = InProcessTarget(data, run_dir)
            closers.append(served.close)
            target = Target(
                served.base_url, data, served.transport_from, http_url=served.base_url.replace("https://", "http://")
            )
        targets.append(target)
        if shared:
            shared_targets[(config, release)] = target
        return target

    yield make
    for target in targets:
        for api in target.apis:
            await api.aclose()
    for close in closers:
        close()
