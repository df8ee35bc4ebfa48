"""The private Docker engine (uclab/engine.py) and the uclab image in it (docker/Dockerfile,
uclab/containers.py): the engine leaves the host's network and a live lab alone, and the
image runs a sharded subset of the suites in containers whose merged report holds.

The image test builds the base image with debootstrap and the image from this checkout
(several minutes the first time), so it is `slow`; UCLAB_TEST_ENGINE=DIR keeps the
engine's data (and so the built layers) in DIR between runs instead of a temporary one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from simulators.lab import Lab
from simulators.net import runs
from uclab.engine import Engine

ROOT = Path(__file__).resolve().parents[1]

needs_dockerd = pytest.mark.skipif(
    shutil.which("dockerd") is None, reason="no Docker engine here: scripts/image-tools.sh installs Debian's docker.io"
)


def _out(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def _uncommented(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


def host_network() -> dict[str, str]:
    """What an engine must not change in the host's network namespace (other labs'
    namespaces come and go beside this test: lab_state watches this test's own)."""
    return {
        "links": _out("ip", "-o", "link", "show"),
        "addresses": _out("ip", "-o", "address", "show"),
        "routes": _out("ip", "route", "show", "table", "all"),
        "namespaces": "\n".join(
            n for n in _out("ip", "netns", "list").splitlines() if not n.startswith(runs.NS_PREFIX)
        ),
        "nft": _out("nft", "list", "ruleset"),
        "iptables": _uncommented(_out("iptables-save")),
        "ip6tables": _uncommented(_out("ip6tables-save")),
        "ip_forward": Path("/proc/sys/net/ipv4/ip_forward").read_text(),
    }


def lab_state(lab: Lab) -> dict[str, str]:
    """A live lab's namespaces and the nft ruleset of each."""
    names = sorted(n for n in _out("ip", "netns", "list").split() if n.startswith(f"{runs.NS_PREFIX}{lab.run_id}-"))
    return {ns: _out("ip", "netns", "exec", ns, "nft", "list", "ruleset") for ns in names}


def short_root() -> Path:
    """A directory for an engine: its sockets' paths must stay within the unix limit."""
    return Path(tempfile.mkdtemp(prefix="ucle-", dir="/tmp"))


def engine_processes(engine: Engine) -> list[str]:
    """Processes whose command line names the engine's directory (dockerd, its containerd)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if proc.name.isdigit() and str(engine.root) in cmdline:
            found.append(cmdline)
    return found


@needs_dockerd
def test_the_private_engine_leaves_the_host_network_and_a_live_lab_alone(tmp_path: Path) -> None:
    with Lab("home_internet") as lab:
        host, live = host_network(), lab_state(lab)
        assert any(rules.strip() for rules in live.values()), "the lab has nft rulesets to compare"
        engine = Engine(short_root())
        with engine:
            assert engine.pid() is not None
            info = subprocess.run(
                ["docker", "info", "--format", "{{.Name}} {{.DockerRootDir}}"],
                env={**os.environ, "DOCKER_HOST": engine.host}, capture_output=True, text=True, check=True,
            )  # fmt: skip
            assert info.stdout.split()[1] == str(engine.root / "data")
            assert host_network() == host and lab_state(lab) == live
        assert engine_processes(engine) == [], "dockerd and its containerd are gone"
        assert host_network() == host, "the engine changed the host's network"
        assert lab_state(lab) == live, "the engine changed the lab's namespaces or rulesets"
    shutil.rmtree(engine.root)


SUBSET = [
    "suites/lab/test_documented_networks.py::test_documented_network_is_what_its_file_says[home_vpn]",
    "suites/lab/test_documented_networks.py::test_documented_network_is_what_its_file_says[office_lan]",
    "suites/rules/test_release_profiles.py",
]


@needs_dockerd
@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.skipif(shutil.which("debootstrap") is None, reason="no debootstrap: scripts/image-tools.sh installs it")
def test_the_image_runs_shards_of_the_suites_in_containers(tmp_path: Path) -> None:
    kept = os.environ.get("UCLAB_TEST_ENGINE")
    engine = Engine(Path(kept) if kept else short_root())
    host = host_network()
    env = {**os.environ, "DOCKER_HOST": engine.host}
    with engine:
        build = subprocess.run(["scripts/build-image.sh"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        out = tmp_path / "report"
        run = subprocess.run(
            [sys.executable, "-m", "uclab", "run", "--shards", "2", "--containers", "--no-matrix", "--out", str(out),
             "--", *SUBSET],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        left = subprocess.run(["docker", "ps", "-aq"], env=env, capture_output=True, text=True, check=True)
        assert left.stdout == "", "the shards' containers are removed"
    assert host_network() == host
    if not kept:
        shutil.rmtree(engine.root)
    record = json.loads((out / "run.json").read_text())
    assert record["merged_from"] == [str(out / "shard-1"), str(out / "shard-2")]
    tests = {t["nodeid"]: t for t in json.loads((out / "summary.json").read_text())["tests"]}
    for lab_test in SUBSET[:2]:
        assert tests[lab_test]["outcome"] == "passed", tests[lab_test]
        assert tests[lab_test]["topologies"], "a lab was built inside the container"
    assert sum(1 for t in tests if t.startswith(SUBSET[2])) > 5
    assert all(t["outcome"] == "passed" for t in tests.values())
    for k in (1, 2):
        shard = json.loads((out / f"shard-{k}" / "run.json").read_text())
        assert shard["shard"] == {"index": k, "total": 2} and shard["source"] == record["source"]
