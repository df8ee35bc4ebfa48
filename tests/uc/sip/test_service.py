"""The `uc_stub` lab service: a topology names the stub on a host and the lab starts it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import simulators.uc.service as uc_service
from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.errors import LabError
from simulators.net.model import Topology
from simulators.uc import backdoor

from .conftest import StartPhone, desk_phone, registered


def office_with_stub(options: dict[str, object]) -> Topology:
    return (
        TopologyBuilder("uc_service", "the office LAN with the stub as a topology service")
        .segment("lan", "192.168.1.0/24")
        .host("system", eth0=("lan", "192.168.1.30"), services=[{"kind": "uc_stub", "options": options}])
        .host("office_pc", eth0=("lan", "192.168.1.50"))
        .build()
    )


@pytest.mark.rule("NET-1.2")
async def test_topology_service_starts_the_whole_stub(lab_factory: Callable[..., Lab], phones: StartPhone) -> None:
    """services: [{kind: uc_stub, options: {config: office, workers: 2}}] on the system host
    brings coturn, Kamailio, the call core and the UC server up with the lab; a desk phone
    registers; lab.down() stops them all."""
    lab = lab_factory(office_with_stub({"config": "office", "workers": 2}))
    stub = uc_service.stub_of(lab, "system")
    assert set(stub.alive()) == {"kamailio", "uc-core", "uc-server", "coturn"} and all(stub.alive().values())
    assert stub.timings["ready_ms"] < 10_000
    status = await backdoor.core(stub, "status")
    assert len(status["workers"]) == 2
    phone = await phones(lab, "office_pc", "desk", **desk_phone(stub, "202"))
    await registered(phone)


def test_bad_service_options_fail_clearly(lab_factory: Callable[..., Lab]) -> None:
    """A wrong option or an unknown configuration name stops the lab with a message that
    says what is wrong, instead of a half-started stub."""
    with pytest.raises(LabError, match="workers"):
        lab_factory(office_with_stub({"config": "office", "workers": 0}))
    with pytest.raises(LabError, match="no system configuration named 'nope'"):
        lab_factory(office_with_stub({"config": "nope"}))


@pytest.fixture
def deep_lab(tmp_path: Path) -> Iterator[Lab]:
    """The office with the stub, its run directory deep in a file system (as `--out DIR` puts it)."""
    lab = Lab(office_with_stub({"config": "office"}), run_root=tmp_path / ("customer-report-" + "x" * 90))
    lab.up()
    try:
        yield lab
    finally:
        lab.down()


@pytest.mark.rule("NET-1.2")
async def test_the_stub_starts_in_a_run_directory_with_a_long_path(deep_lab: Lab, phones: StartPhone) -> None:
    """Kamailio refused to start ("socket path is too long") when `uclab check --out DIR` put
    the run directory deep in a file system: the stub's and the phones' sockets live in the
    run's short socket directory, so a desk phone registers whatever the run directory."""
    assert len(str(deep_lab.dir / "uc-system" / "kamailio-rpc.sock")) > 107
    stub = uc_service.stub_of(deep_lab, "system")
    phone = await phones(deep_lab, "office_pc", "desk", **desk_phone(stub, "202"))
    await registered(phone)
