"""The client-side checks against an external system under test (simulators/system.py).

The system is the UC server stub started OUTSIDE the lab, in an appliance namespace of its
own (tests/net/appliance.py) reached through a veth end the lab attaches: to the lab it is
a machine at 192.168.1.30 it can only ping and talk to, as a VM or an appliance would be.
Its configuration is the office example, as an administrator would have set up the real
system for these suites (stations 200-202, their SIP passwords).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from simulators.harness import StartPhone
from simulators.lab import Lab
from simulators.net import netns, runs
from simulators.netcheck import audio, call, call_with_audio, client
from simulators.system import ExternalSystem
from simulators.uc.service import start_stub

from ..shell import ROOT, uclab
from .appliance import Appliance

PUBLIC = "198.51.100.120:8802"
"""the office router's public address and forwarded port (home_internet.yaml, net_internet.yaml)"""


@pytest.mark.rule("NET-1.5")
async def test_phones_register_ring_and_talk_through_the_home_nat_to_an_external_system(
    appliance: Callable[..., Appliance], lab_factory: Callable[..., Lab], phones: StartPhone
) -> None:
    """NET-1.5 (004:96-107) against an external system: the home client behind the home
    router's NAT registers at the office's public door, the office desk phone on the LAN;
    the desk phone calls home: it rings, two-way audio; home calls the desk phone: two-way."""
    app = appliance()
    lab = lab_factory(app.lab_topology)
    stub = await start_stub(app, "system", config="office")  # the system, outside the lab
    system = ExternalSystem.of(lab)
    assert (system.lan_ip, system.door_endpoints) == ("192.168.1.30", [PUBLIC])
    home = await client(phones, lab, system, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, lab, system, "office_pc", "desk", "202", desk=True)
    out, inc = await call(lab, desk, home, system.sip_uri("200"))
    await audio(lab, out, inc, "two-way", label="office desk phone -> home, external system")
    await out.hangup()
    await call_with_audio(lab, home, desk, system.door_uri("202", PUBLIC), "two-way", label="home -> office desk")
    assert not netns.exists(runs.ns_name(lab.run_id, "system")), "the lab made no namespace for the system"
    assert {p.pid for p in stub.processes.values()} <= set(netns.pids(app.namespace)), "it runs beside the lab"


def expected_outcomes(interface: str) -> dict[str, tuple[str, str]]:
    """The suite tests run against the external system: outcome and the reason a skip gives."""
    external = f"the system under test is external (system via {interface}): "
    return {
        "suites/network/test_nat.py::test_cone_nats_at_home_work[full-cone]": ("passed", ""),
        "suites/network/test_net_1_internet.py::test_net_1_5_home_client_over_the_internet": (
            "skipped",
            external + "UC login speaks the lab's UC API, which only the stub serves",
        ),
        "suites/network/test_nat.py::test_nat_type_detected_from_the_system[symmetric]": (
            "skipped",
            f"system is an external system (reached through {interface}): the lab has no namespace there "
            "and runs nothing in it",
        ),
        "suites/network/test_wan_interface.py::test_system_on_its_wan_interface_has_payload_issues[lan]": (
            "skipped",
            external + "this test starts the stub with its own config, which an external system does not take",
        ),
    }


async def test_the_network_suites_run_against_an_external_system_and_stub_suites_skip_saying_why(
    appliance: Callable[..., Appliance], tmp_path: Path
) -> None:
    """`--uclab-system-interface`: a NAT suite test runs as it is and passes against the
    external system; tests that log in to the UC API, run something in the system host or
    configure the stub are skipped, each naming the reason."""
    app = appliance("net_internet")
    # started before any lab: the stub's call core resolves its STUN server once, at start, so
    # it offers no srflx candidate in these labs; the full-cone test does not need one
    stub = await start_stub(app, "system", config="office")
    expected = expected_outcomes(app.interface)
    results = tmp_path / "results.jsonl"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--uclab-results={results}"),
            *(f"--uclab-system-interface={app.interface}", *expected),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    stub.stop()
    records = {r["nodeid"]: r for r in map(json.loads, results.read_text().splitlines())}
    measured = {n: (r["outcome"], r["message"].removeprefix("Skipped: ")) for n, r in records.items()}
    assert measured == expected, done.stdout[-3000:]
    assert done.returncode == 0, done.stdout[-3000:]
    assert app.host_end_exists(), "every lab of the run gave the interface back"


@pytest.mark.rule("NET-1.5")
async def test_phones_from_the_shell_against_an_external_system(appliance: Callable[..., Appliance]) -> None:
    """`uclab up --system-interface` serves `uclab phone` and `uclab audio` with the phones
    registering at the external system: the desk phone calls the home client, it rings, two-way."""
    app = appliance()
    stub = await start_stub(app, "system", config="office")
    up = await asyncio.to_thread(uclab, "up", "home_internet", "--system-interface", app.interface, "--detach")
    assert up.returncode == 0, up.stderr
    run = up.stdout.splitlines()[0]
    try:
        assert f"system           eth0=192.168.1.30  (external, through {app.interface})" in up.stdout
        assert f"system: external, at 192.168.1.30 through {app.interface} (configured like the office" in up.stdout

        async def ok(*args: str) -> str:
            done = await asyncio.to_thread(uclab, *args)
            assert done.returncode == 0, f"uclab {' '.join(args)}: {done.stderr}"
            return done.stdout

        started = await ok("phone", run, "start", "home", "--host", "home_pc", "--user", "200", "--server", "public")
        assert started == "home: myPortal @work VoIP of 200 on home_pc, registrar 198.51.100.120:8802: registered\n"
        await ok("phone", run, "start", "desk", "--host", "office_pc", "--user", "202", "--client", "desk_phone")
        assert await ok("phone", run, "desk", "dial", "200") == "desk: call c1 to 200: ringing\n"
        assert (await ok("phone", run, "home", "answer")).startswith("home: answered call c1 from ")
        assert (await ok("audio", run, "desk", "home")).startswith("audio desk <-> home: two-way\n")
    finally:
        await asyncio.to_thread(uclab, "down", run)
        stub.stop()
    assert app.host_end_exists()
