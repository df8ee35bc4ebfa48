"""Nothing the lab creates outlives it: not after many up/down cycles, not after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from simulators.lab import Lab
from simulators.net import loader, netns, runs
from tests.waiting import wait_until

from ..shell import lab_process
from .conftest import VM_INTERFACE_PREFIX

ROOT = Path(__file__).resolve().parents[2]


def root_links() -> set[str]:
    """The host's links, less the VM-like veth ends the external-system tests create and lend
    on purpose (tests/net/conftest.py names them vmtap*), maybe in a parallel worker."""
    return {n for n in os.listdir("/sys/class/net") if not n.startswith(VM_INTERFACE_PREFIX)}


@pytest.mark.parametrize("cycles", [pytest.param(40, id="40"), pytest.param(200, id="200", marks=pytest.mark.slow)])
def test_up_down_cycles_leave_nothing_behind(cycles: int) -> None:
    """40 cycles in the default run (~20 s on 2 cores), the 200-cycle soak with --uclab-slow."""
    topo = loader.load("home_vpn")  # namespaces, bridges, veths, nft tables, wireguard-go processes
    links_before = root_links()
    pids: list[int] = []
    run_ids: list[str] = []
    for _ in range(cycles):
        lab = Lab(topo).up(services=False, verify=False)
        run_ids.append(lab.run_id)
        assert lab.net is not None
        pids += [p.pid for p in lab.net.processes]
        lab.down()
    assert len(set(run_ids)) == cycles
    leftovers = [n for n in netns.names(runs.NS_PREFIX) if any(r in n for r in run_ids)]
    assert leftovers == []
    assert root_links() == links_before  # no link ever appears in the host's namespace
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]]
    assert alive == []
    host_tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    assert "uclab" not in host_tables  # rulesets only ever live inside lab namespaces


def test_sigkilled_lab_is_removed_by_uclab_clean_and_a_live_lab_is_not() -> None:
    env = {**os.environ, "UCLAB_NO_REAPER": "1"}  # the reaper would clean first; this tests `clean`
    victim, run_id = lab_process("home_vpn", env)
    children = [p for n in netns.names(f"{runs.NS_PREFIX}{run_id}-") for p in netns.pids(n)]
    assert children, "the lab's wireguard-go and coturn should be running"
    with Lab("office_lan") as live:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        # processes die with the orchestrator (PR_SET_PDEATHSIG); namespaces stay until cleaned
        assert wait_until(lambda: not any(os.path.exists(f"/proc/{p}") for p in children), 5)
        assert netns.names(f"{runs.NS_PREFIX}{run_id}-")
        result = subprocess.run(
            [sys.executable, "-m", "uclab", "clean"], capture_output=True, text=True, cwd=ROOT, check=True
        )
        assert f"removed 1 dead run(s) {run_id}" in result.stdout or run_id in result.stdout
        assert netns.names(f"{runs.NS_PREFIX}{run_id}-") == []
        assert len(netns.names(f"{runs.NS_PREFIX}{live.run_id}-")) == len(live.topo.nodes) + 1
        assert live.reachable("office_pc", "192.168.1.30")


def test_reaper_removes_a_sigkilled_lab_by_itself() -> None:
    victim, run_id = lab_process("office_lan", dict(os.environ))
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert wait_until(lambda: not netns.names(f"{runs.NS_PREFIX}{run_id}-"), 10)
