"""The `uclab` command in the exact forms later issues and reviewers use."""

from __future__ import annotations

import json
from pathlib import Path

from simulators.net import netns, runs

from .shell import uclab


def test_doctor_says_ready() -> None:
    result = uclab("doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("uclab doctor: ready")


def test_topologies_list_and_validate() -> None:
    listing = uclab("topologies", "list", check=True).stdout
    assert "home_internet " in listing and "home_vpn " in listing
    assert uclab("topologies", "validate").returncode == 0


def test_validate_reports_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nsegments:\n  lan: {subnet: 192.168.1.0/24}\nhosts:\n  pc: {interfaces: {eth0: {segment: lan, address: 192.168.9.1}}}\n"
    )
    result = uclab("topologies", "validate", str(bad))
    assert result.returncode == 2
    assert f"{bad}:5: hosts.pc.interfaces.eth0.address.0: 192.168.9.1 is not in segment 'lan'" in result.stderr


def test_show_draws_a_picture(tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    result = uclab("topologies", "show", "home_vpn", "--out", str(out), check=True)
    assert "vpns:" in result.stdout
    assert out.read_text().lstrip().startswith("<?xml")


def test_up_detach_exec_down() -> None:
    up = uclab("up", "office_lan", "--detach", check=True)
    lines = up.stdout.splitlines()
    run_id = lines[0]
    assert runs.RUN_ID_RE.match(run_id), up.stdout
    assert any(line.startswith("system") and "192.168.1.30" in line for line in lines[1:])
    try:
        ping = uclab("exec", run_id, "office_pc", "--", "ping", "-c1", "-W1", "192.168.1.30")
        assert ping.returncode == 0 and "1 received" in ping.stdout
        missing = uclab("exec", run_id, "nobody", "--", "true")
        assert missing.returncode == 2
        assert f"run {run_id} has no host 'nobody'; hosts:" in missing.stderr
    finally:
        down = uclab("down", run_id)
    assert down.returncode == 0 and f"run {run_id} is down" in down.stdout
    assert netns.names(f"{runs.NS_PREFIX}{run_id}-") == []
    gone = uclab("exec", run_id, "office_pc", "--", "true")
    assert "is not live" in gone.stderr


def test_down_of_an_unknown_run() -> None:
    result = uclab("down", "00000000")
    assert result.returncode == 2
    assert "no run '00000000'; live runs:" in result.stderr


def test_natcheck_prints_json() -> None:
    result = uclab("natcheck", "home_internet_symmetric", "--host", "home_pc", check=True)
    data = json.loads(result.stdout)
    assert data["topology"] == "home_internet_symmetric"
    assert (data["mapping"], data["filtering"], data["preset"]) == (
        "address-and-port-dependent",
        "address-and-port-dependent",
        "symmetric",
    )


def test_natcheck_names_a_missing_host() -> None:
    result = uclab("natcheck", "home_internet", "--host", "laptop")
    assert result.returncode == 2
    assert "topology home_internet has no host 'laptop'" in result.stderr


def test_bad_command_line_is_a_usage_error() -> None:
    result = uclab("up")
    assert result.returncode == 2
    assert "the following arguments are required: file" in result.stderr


def test_run_refuses_bad_arguments_before_anything_runs(tmp_path: Path) -> None:
    for shard, why in (
        ("3/2", "'3/2': K must be between 1 and N: 1/2, 2/2"),
        ("0/2", "'0/2': K must be between 1 and N: 1/2, 2/2"),
        ("x/y", "'x/y' is not K/N: use whole numbers with 1 <= K <= N, e.g. 1/2 or 3/4"),
    ):
        result = uclab("run", "--shard", shard, "--out", str(tmp_path / "r"))
        assert result.returncode == 2
        assert result.stderr.endswith(f"uclab run: error: argument --shard: {why}\n")
    result = uclab("run", "--profile", "V9", "--out", str(tmp_path / "r"))
    assert result.returncode == 2
    assert result.stderr == "uclab: unknown release profile 'V9'; known profiles: V2R7, V3, V3R1, V3R2FR1, V3R4FR1\n"
    result = uclab("run", "--shard", "1/2", "--shards", "2")
    assert (result.returncode, result.stderr) == (
        2,
        "uclab: --shard and --shards exclude each other: --shard K/N runs one part here, --shards N runs all\n",
    )
    result = uclab("run", "--containers")
    assert (result.returncode, result.stderr) == (
        2,
        "uclab: --containers needs --shards N (the number of containers)\n",
    )
    result = uclab("run", "--shards", "0")
    assert result.returncode == 2 and "argument --shards: '0' is not a number of shards" in result.stderr
    result = uclab("run", "--history", str(tmp_path), "--out", str(tmp_path / "r"))
    assert result.returncode == 2 and result.stderr.startswith(f"uclab: --history {tmp_path}: no allure-history.jsonl")
    result = uclab("run", "--durations", str(tmp_path / "none.json"), "--out", str(tmp_path / "r"))
    assert (result.returncode, result.stderr) == (
        2,
        f"uclab: --durations {tmp_path / 'none.json'}: no such file or directory\n",
    )
    assert not (tmp_path / "r").exists(), "nothing was written"


def test_run_and_matrix_refuse_a_foreign_out_directory(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("mine")
    message = (
        f"--out {tmp_path}: the directory is not empty and is not a uclab run directory (no run.json); "
        "give a new or empty directory, or an earlier run's directory to replace it\n"
    )
    result = uclab("run", "--out", str(tmp_path))
    assert (result.returncode, result.stderr) == (2, "uclab: " + message)
    result = uclab("matrix", "--out", str(tmp_path))
    assert (result.returncode, result.stderr) == (2, "uclab matrix: " + message)
    assert (tmp_path / "thesis.tex").read_text() == "mine"
    result = uclab("matrix", "--shard", "3/2")
    assert result.returncode == 2 and result.stderr.endswith(
        "argument --shard: '3/2': K must be between 1 and N: 1/2, 2/2\n"
    )
