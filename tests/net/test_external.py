"""An external host: this machine's interface lent to a lab's segment, and given back.

The system under test is an appliance beside the lab (tests/net/appliance.py: a namespace
of its own, one end of a veth pair in it, the other end left in the host's namespace under
a name a user would give a VM's tap). Network safety: the only object of the host's
namespace the lab touches is that end; the tests remove everything they create.

The refusals that need the host to carry addresses, a default route or a bridge are shown
in a scratch namespace playing the host (`uclab up` run inside it), never in the real one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyroute2 import IPRoute

from simulators.lab import Lab
from simulators.net import loader, netns, runs
from simulators.net.builder import TopologyBuilder
from simulators.net.errors import NotInTheLab, TopologyError
from simulators.net.external import ExternalInterfaceError
from simulators.net.links import bridge_index
from simulators.net.model import Topology
from simulators.system import with_external_system

from ..shell import ROOT, lab_process, uclab
from .appliance import Appliance
from .conftest import external_topology


def link(name: str) -> dict[str, Any] | None:
    """How the host's namespace shows `name` (None: not there)."""
    base = Path("/sys/class/net", name)
    if not base.exists():
        return None
    return {
        "index": int((base / "ifindex").read_text()),
        "up": bool(int((base / "flags").read_text(), 16) & 1),
        "alias": (base / "ifalias").read_text().strip(),
    }


def switch_port(run_id: str, index: int) -> dict[str, Any]:
    with netns.entered(runs.switch_ns(run_id)):
        ipr = IPRoute()
        try:
            found = ipr.link("get", index=index)[0]
            return {
                "name": found.get_attr("IFLA_IFNAME"),
                "bridge": found.get_attr("IFLA_MASTER"),
                "up": bool(found["flags"] & 1),
                "alias": found.get_attr("IFLA_IFALIAS"),
            }
        finally:
            ipr.close()


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# -- the topology field -------------------------------------------------------------------------


def test_external_is_a_host_field_with_a_shorthand() -> None:
    topo = external_topology("vmtap0")
    assert topo.external_hosts["system"].interface == "vmtap0"
    same = TopologyBuilder.from_topology(loader.load("home_internet")).set("hosts.system.external", "vmtap0").build()
    assert same.hosts["system"] == topo.hosts["system"]


def test_what_an_external_host_cannot_be_is_refused_with_its_fix() -> None:
    builder = (
        TopologyBuilder.from_topology(loader.load("home_vpn"))
        .set("hosts.system.external", "vmtap0")
        .set("hosts.system.services", ["stun"])
        .set("hosts.system.interfaces.eth0.impair", {"loss_pct": 1})
        .set("hosts.home_pc.external", "vmtap0")
    )
    with pytest.raises(TopologyError) as err:
        builder.build()
    assert [p.render(None) for p in err.value.problems] == [
        "topology: hosts.system.services: the lab starts nothing on an external host; remove its services",
        "topology: hosts.system.interfaces.eth0.impair: the lab impairs links of its own hosts only; "
        "impair a router's interface on the path instead",
        "topology: vpns.office_vpn.clients.home_pc: home_pc is external: the lab runs no VPN on it; use a host of the lab",
        "topology: hosts.home_pc.external.interface: vmtap0 is already the interface of external host 'system'; "
        "give each external host its own",
    ]
    with pytest.raises(TopologyError, match="is not a network interface name: 1 to 15 letters"):
        with_external_system(loader.load("home_internet"), "vm/tap")


# -- attached for the run's life, given back as it was ------------------------------------------


def test_the_interface_is_the_system_port_for_the_run_and_comes_back_as_it_was(
    appliance: Callable[..., Appliance],
) -> None:
    app = appliance()
    before = link(app.interface)
    assert before is not None and not before["up"]
    with Lab(app.lab_topology) as lab:
        assert link(app.interface) is None, "lent to the lab: no longer in the host's namespace"
        assert switch_port(lab.run_id, 1000) == {  # the first interface of the topology: port 0
            "name": "p0",
            "bridge": bridge_index(list(lab.topo.segments).index("office_lan")),
            "up": True,
            "alias": f"uclab:{lab.run_id}:system:eth0",
        }
        (record,) = json.loads((lab.dir / "meta.json").read_text())["external"]
        assert (record["interface"], record["index"], record["port"], record["returned"]) == (
            app.interface,
            before["index"],
            "p0",
            False,
        )
        assert lab.ready is not None and lab.ready.ok, "the appliance answers the readiness pings"
        assert not any(src == "system" for src, _ in lab.ready.failed)
        assert lab.reachable("office_pc", "192.168.1.30")
        cap = lab.capture("system", "eth0", bpf="icmp")
        assert lab.exec("office_pc", ["ping", "-c1", "-W1", "192.168.1.30"]).returncode == 0
        assert cap.stop().stat().st_size > 100, "the system's interface is recorded at its switch port"
        with pytest.raises(NotInTheLab, match=r"system is an external system \(reached through vmtap"):
            lab.exec("system", ["true"])
        meta = lab.dir / "meta.json"
    assert link(app.interface) == before
    assert json.loads(meta.read_text())["external"][0]["returned"] is True


def test_an_interface_another_run_holds_is_refused(appliance: Callable[..., Appliance]) -> None:
    app = appliance()
    with Lab(app.lab_topology) as first:
        with pytest.raises(ExternalInterfaceError) as err:
            Lab(app.lab_topology).up()
        assert str(err.value) == (
            f"external system system: interface {app.interface} is attached to run {first.run_id}, which is live; "
            f"bring that lab down first (uclab down {first.run_id})"
        )
        assert first.reachable("office_pc", "192.168.1.30"), "the refused lab took nothing from the first"
    assert link(app.interface) is not None


def test_uclab_up_refuses_a_missing_interface_and_a_conflict_with_exit_2() -> None:
    missing = uclab("up", "home_internet", "--system-interface", "vmtapmissing")
    assert missing.returncode == 2
    assert missing.stderr == (
        "uclab: external system system: there is no network interface 'vmtapmissing' on this machine; "
        "name the interface the system is reached through (`ip link` lists them)\n"
    )
    both = uclab("up", "home_internet", "--system", "--system-interface", "vmtap0")
    assert (both.returncode, both.stderr) == (
        2,
        "uclab: --system starts the UC server stub on the system host, --system-interface makes that host an "
        "external system: give one of them\n",
    )


def test_uclab_run_refuses_what_an_external_system_cannot_serve_with_exit_2() -> None:
    cases = {
        ("--system-interface", "vmtap0"): "uclab: --system-interface: one external system serves one lab at a time; "
        "use --workers 1\n",
        ("--system-interface", "vmtap0", "--workers", "1"): "uclab: --system-interface: the support matrix runs "
        "against the stub with its own stations; add --no-matrix\n",
        ("--system-interface", "vmtapmissing", "--workers", "1", "--no-matrix"): "uclab: --system-interface: "
        "external system system: there is no network interface 'vmtapmissing' on this machine; name the "
        "interface the system is reached through (`ip link` lists them)\n",
        ("--system-interface", "vmtap0", "--shards", "2"): "uclab: --system-interface: one external system serves "
        "one lab at a time; run it without shards\n",
    }
    for args, message in cases.items():
        done = uclab("run", *args)
        assert (done.returncode, done.stderr) == (2, message), args


def test_the_hosts_default_route_interface_is_refused() -> None:
    with IPRoute() as ipr:  # read only: which interface carries this machine's default route
        oifs = [r.get_attr("RTA_OIF") for r in ipr.get_routes(family=2) if r["dst_len"] == 0]
        names = [ipr.link("get", index=i)[0].get_attr("IFLA_IFNAME") for i in oifs if i]
    if not names:
        pytest.skip("this machine has no default route to refuse")
    done = uclab("up", "home_internet", "--system-interface", names[0])
    assert (done.returncode, done.stderr) == (
        2,
        f"uclab: external system system: {names[0]} carries this machine's default route; the lab attaches "
        "only the interface of a system under test (its VM's tap or veth), never the machine's own uplink\n",
    )


SCRATCH_HOST = """
set -e
ip link set lo up
ip link add uplink type veth peer name uplink_p
ip addr add 10.99.0.2/24 dev uplink
ip link set uplink up; ip link set uplink_p up
ip route add default via 10.99.0.1
ip link add hostbr type bridge
ip link add ported type veth peer name ported_p
ip link set ported master hostbr
ip link add vmtap type veth peer name vmtap_p
ip link set vmtap up; ip link set vmtap alias "the VM's tap"
ip addr add 192.168.1.30/24 dev vmtap_p; ip link set vmtap_p up
"""


def test_every_refusal_and_an_up_interface_given_back_in_a_scratch_host() -> None:
    """`uclab up` run inside a namespace that plays the host: its uplink (default route and
    addresses), a bridge's port and a VM's tap that is up and has an alias (the system's
    address is on the tap's peer, so the lab's readiness pings are answered)."""
    scratch = runs.Run.create("scratch-host")
    ns = runs.ns_name(scratch.run_id, "host")
    netns.create(ns)
    try:
        inside = ["ip", "netns", "exec", ns]
        subprocess.run([*inside, "sh", "-c", SCRATCH_HOST], check=True, capture_output=True)

        def up(interface: str, *extra: str) -> subprocess.CompletedProcess[str]:
            argv = [*inside, sys.executable, "-m", "uclab", "up", "home_internet", "--system-interface", interface]
            return subprocess.run([*argv, *extra], capture_output=True, text=True, cwd=ROOT, timeout=60)

        refused = {name: up(name) for name in ("lo", "uplink", "ported")}
        assert {n: r.returncode for n, r in refused.items()} == {"lo": 2, "uplink": 2, "ported": 2}
        assert refused["lo"].stderr.startswith(
            "uclab: external system system: lo carries this machine's addresses (127.0.0.1/8"
        )
        assert refused["lo"].stderr.endswith(
            "); the lab attaches only an interface without addresses of this machine (the system has its own)\n"
        )
        assert "uplink carries this machine's default route" in refused["uplink"].stderr
        assert refused["ported"].stderr == (
            "uclab: external system system: ported is a port of hostbr on this machine; release it first "
            "(ip link set ported nomaster): the lab attaches it alone\n"
        )
        detached = up("vmtap", "--detach")
        assert detached.returncode == 0, detached.stderr
        run_id = detached.stdout.splitlines()[0]
        shown = subprocess.run([*inside, "ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
        assert " vmtap@" not in shown and " vmtap:" not in shown, "lent to the lab"
        down = subprocess.run(
            [*inside, sys.executable, "-m", "uclab", "down", run_id], capture_output=True, text=True, cwd=ROOT
        )
        assert down.returncode == 0, down.stderr
        back = subprocess.run(
            [*inside, "ip", "-o", "link", "show", "vmtap"], capture_output=True, text=True, check=True
        ).stdout
        assert "state UP" in back or ",UP" in back, back
        assert "alias the VM's tap" in back, back
    finally:
        runs.kill_namespace_processes([ns], grace_s=0.5)
        netns.delete(ns)
        scratch.finish()


# -- after a crash ------------------------------------------------------------------------------


def _lab_process(topo: Topology, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    path = tmp_path / "external.yaml"
    path.write_text(TopologyBuilder.from_topology(topo).to_yaml())
    return lab_process(str(path), env)


def test_uclab_clean_gives_a_sigkilled_labs_interface_back(appliance: Callable[..., Appliance], tmp_path: Path) -> None:
    app = appliance()
    before = link(app.interface)
    victim, run_id = _lab_process(app.lab_topology, tmp_path, {**os.environ, "UCLAB_NO_REAPER": "1"})
    assert link(app.interface) is None
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert link(app.interface) is None, "still in the dead run's switch namespace"
    held = uclab("up", str(tmp_path / "external.yaml"))
    assert (held.returncode, held.stderr) == (
        2,
        f"uclab: external system system: interface {app.interface} is still held by run {run_id}, which died; "
        "`uclab clean` gives it back\n",
    )
    cleaned = uclab("clean", check=True)
    assert f"{app.interface}: given back to the host, down" in cleaned.stdout
    assert link(app.interface) == before
    assert netns.names(f"{runs.NS_PREFIX}{run_id}-") == []


def test_the_reaper_gives_a_sigkilled_labs_interface_back_by_itself(
    appliance: Callable[..., Appliance], tmp_path: Path
) -> None:
    app = appliance()
    before = link(app.interface)
    victim, run_id = _lab_process(app.lab_topology, tmp_path, dict(os.environ))
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert wait_until(lambda: link(app.interface) == before, 10)
    assert wait_until(lambda: not netns.names(f"{runs.NS_PREFIX}{run_id}-"), 10)
