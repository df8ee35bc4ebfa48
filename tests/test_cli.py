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
    bad = tmp_path / "durations.json"
    bad.write_text('{"files": {"a.py": "slow"}}')
    result = uclab("run", "--durations", str(bad), "--out", str(tmp_path / "r"))
    assert (result.returncode, result.stderr) == (
        2,
        f"uclab: --durations {bad}: not a durations file: files.a.py: "
        "Input should be a valid number, unable to parse string as a number\n",
    )
    for argv, message in (
        (("--workers", "0"), "--workers 0: use at least 1"),
        (("--workers", "0", "--shards", "2"), "--workers 0: use at least 1"),
        (
            ("--no-matrix", "--matrix-only", "lan"),
            "--matrix-only chooses matrix cells but --no-matrix skips the matrix: give one of them",
        ),
        (
            ("--image", "mine:1"),
            "--image names the image of --containers: give --shards N --containers too, or drop --image",
        ),
        (
            ("--real-time", "--", "--uclab-real-time"),
            "pytest option '--uclab-real-time' after --: uclab run sets "
            "--uclab-real-time itself; use uclab run --real-time",
        ),
        (
            ("--", "--uclab-slow"),
            "pytest option '--uclab-slow' after --: uclab run sets --uclab-slow itself; "
            "use uclab run --real-time (it runs the slow variants)",
        ),
        (
            ("--real-time", "--", "--uclab-uc-transport=inprocess"),
            "pytest option '--uclab-uc-transport=inprocess' "
            "after --: uclab run sets --uclab-uc-transport itself; use uclab run --uc-transport",
        ),
        (
            ("--real-time", "--shards", "2", "--", "-n4"),
            "pytest option '-n4' after --: uclab run sets -n itself; use uclab run --workers",
        ),
        (
            ("--", "suites/rules", "--uclab-profile", "V3"),
            "pytest option '--uclab-profile' after --: uclab run sets --uclab-profile itself; use uclab run --profile",
        ),
        (
            ("--", "--junitxml=x.xml"),
            "pytest option '--junitxml=x.xml' after --: uclab run sets --junitxml itself; "
            "use uclab run --out DIR (the JUnit XML is DIR/junit.xml)",
        ),
    ):
        result = uclab("run", "--out", str(tmp_path / "r"), *argv)
        assert (result.returncode, result.stderr) == (2, f"uclab: {message}\n"), argv
    result = uclab("run", "--real-time", "--matrix-only", "nosuch", "--out", str(tmp_path / "r"))
    assert (result.returncode, result.stderr) == (
        2,
        "uclab: no cell matches nosuch; cell ids look like lan-home_n/a-office_cone-stateful-alg_off-tls8802 "
        "(uclab matrix --list)\n",
    )
    assert not (tmp_path / "r").exists(), "nothing was written"


def test_repro_refuses_output_paths_it_could_not_write_before_anything_runs(tmp_path: Path) -> None:
    scenario = "examples/repro/one_call_home_internet.yaml"
    missing = tmp_path / "nosuch" / "r.json"
    result = uclab("repro", scenario, "--json", str(missing))
    assert (result.returncode, result.stderr) == (
        2,
        f"uclab: --json {missing}: the directory {missing.parent} does not exist; create it or give another path\n",
    )
    result = uclab("repro", scenario, "--html", str(tmp_path))
    assert (result.returncode, result.stderr) == (
        2,
        f"uclab: --html {tmp_path}: is a directory; give a file name, e.g. {tmp_path / 'report.html'}\n",
    )
    assert list(tmp_path.iterdir()) == [], "nothing was written"


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
