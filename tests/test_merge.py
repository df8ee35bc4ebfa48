"""Merging shards (reports/merge.py, `uclab report merge`): which sets are refused and
why, and what a merge of recorded results writes, from run directories written here the
way a shard writes them (the real shards' merge is tests/test_shard_run.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from reports.merge import MergeError, check_set, combined_pytest_rc, merge, merge_junit
from reports.runinfo import Plan, RunRecord, Selection, Shard, Source, write_record
from suites.network.matrix_spec import cells, expect

ROOT = Path(__file__).resolve().parents[1]
FILES = ["suites/a.py", "suites/b.py"]
SOURCE = Source(commit="a" * 40)


def record(k: int, n: int = 2, **changes: Any) -> RunRecord:
    base = RunRecord(
        kind="run",
        uclab_version="0.1.0",
        source=SOURCE,
        profile="V3R2FR1",
        shard=Shard(index=k, total=n),
        selection=Selection(items=FILES, args=["suites"]),
        plan=Plan(parts=[FILES[:1], FILES[1:]] if n == 2 else [FILES] + [[]] * (n - 1)),
        started=1000.0 + k,
        finished=2000.0 + k,
        timings={"total": 10.0 * k},
        exit_codes={"pytest": 0, "uclab": 0},
    )
    return base.model_copy(update=changes)


def results(*rows: tuple[str, str, list[str]]) -> str:
    """Records of tests showing clauses over the wire (the plugin's results.jsonl lines)."""
    return "".join(
        json.dumps({"nodeid": n, "outcome": o, "clauses": [{"id": c, "how": "wire"} for c in cs], "duration_s": 1.5})
        + "\n"
        for n, o, cs in rows
    )


def junit(*cases: tuple[str, str]) -> str:
    inner = {"failed": '<failure message="x"/>', "skipped": "<skipped/>"}
    body = "".join(
        f'<testcase classname="suites.x" name="{name}" time="1.0">{inner.get(o, "")}</testcase>' for name, o in cases
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" '
        f'failures="0" skipped="0" tests="{len(cases)}" time="2.0" timestamp="2026-01-01T00:00:0{len(cases)}" '
        f'hostname="h{len(cases)}">{body}</testsuite></testsuites>'
    )


def shard_dir(root: Path, name: str, rec: RunRecord, rows: str = "", cases: str = "") -> Path:
    d = root / name
    d.mkdir(parents=True)
    write_record(d, rec)
    if rows:
        (d / "results.jsonl").write_text(rows)
    if cases:
        (d / "junit.xml").write_text(cases)
    return d


def two_shards(tmp_path: Path) -> tuple[Path, Path]:
    a = shard_dir(
        tmp_path,
        "s1",
        record(1, exit_codes={"pytest": 1, "uclab": 1}),
        results(
            ("suites/a.py::t1", "passed", ["TRB-4/connection-time-out"]),
            ("suites/a.py::t2", "failed", ["NAT-1/local-network"]),
        ),
        junit(("t1", "passed"), ("t2", "failed")),
    )
    b = shard_dir(
        tmp_path, "s2", record(2), results(("suites/b.py::t3", "skipped", ["NET-1.1/login"])), junit(("t3", "skipped"))
    )
    return a, b


def refusal(dirs: list[Path]) -> str:
    with pytest.raises(MergeError) as exc:
        check_set(dirs)
    return str(exc.value)


def test_a_whole_set_comes_back_in_shard_order(tmp_path: Path) -> None:
    a, b = two_shards(tmp_path)
    assert [s.path for s in check_set([b, a])] == [a, b]


def test_shards_of_different_commits_are_refused(tmp_path: Path) -> None:
    a = shard_dir(tmp_path, "s1", record(1))
    b = shard_dir(tmp_path, "s2", record(2, source=Source(commit="b" * 40)))
    assert refusal([a, b]) == (
        f"shards come from different commits: {a} (shard 1/2) ran aaaaaaaaaaaa, {b} (shard 2/2) ran bbbbbbbbbbbb; "
        "run every shard from the same commit"
    )
    c = shard_dir(tmp_path, "s3", record(2, source=Source(commit="a" * 40, dirty=True, changes="c" * 64)))
    assert "ran aaaaaaaaaaaa with local changes cccccccccccc;" in refusal([a, c])


def test_shards_of_different_profiles_are_refused(tmp_path: Path) -> None:
    a = shard_dir(tmp_path, "s1", record(1))
    b = shard_dir(tmp_path, "s2", record(2, profile=None))
    assert refusal([a, b]) == (
        f"shards target different release profiles: {a} (shard 1/2) ran V3R2FR1, {b} (shard 2/2) ran every profile"
    )


def test_a_missing_or_duplicated_shard_is_refused(tmp_path: Path) -> None:
    a = shard_dir(tmp_path, "s1", record(1, n=3))
    c = shard_dir(tmp_path, "s3", record(3, n=3))
    assert refusal([a, c]) == "shard 2/3 missing (given: 1/3, 3/3)"
    assert refusal([a]) == "shards 2/3, 3/3 missing (given: 1/3)"
    again = shard_dir(tmp_path, "s1-again", record(1, n=3))
    assert refusal([a, again, c]) == f"shard 1/3 given twice: {a} and {again}"


def test_shards_of_other_splits_selections_or_durations_are_refused(tmp_path: Path) -> None:
    a = shard_dir(tmp_path, "s1", record(1))
    other_n = shard_dir(tmp_path, "n3", record(2, n=3))
    assert refusal([a, other_n]) == f"shards of different splits: {a} is shard 1/2, {other_n} is shard 2/3"
    other_args = shard_dir(tmp_path, "k", record(2, selection=Selection(items=FILES, args=["suites", "-k", "x"])))
    assert refusal([a, other_args]) == (
        f"shards ran different selections: {a} (shard 1/2) and {other_args} (shard 2/2) collected different tests "
        "or arguments; run every shard with the same arguments"
    )
    other_plan = shard_dir(tmp_path, "p", record(2, plan=Plan(parts=[[], FILES], durations_from="/x/durations.json")))
    assert refusal([a, other_plan]) == (
        f"shards were split differently: {a} (shard 1/2) balanced by equal weights, {other_plan} (shard 2/2) by "
        "/x/durations.json; give every shard the same --durations"
    )


def test_unfinished_merged_foreign_and_mixed_directories_are_refused(tmp_path: Path) -> None:
    a = shard_dir(tmp_path, "s1", record(1))
    unfinished = shard_dir(tmp_path, "u", record(2, finished=None))
    assert refusal([a, unfinished]) == (
        f"{unfinished} (shard 2/2) did not finish (its run.json has no end time): run that shard again"
    )
    merged = shard_dir(tmp_path, "m", record(1, shard=None))
    assert refusal([merged]) == f"{merged} is a merged report, not a shard: merge the shard directories themselves"
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    assert refusal([a, foreign]) == f"{foreign} is not a uclab run directory (no run.json)"
    assert refusal([tmp_path / "nowhere"]) == f"{tmp_path / 'nowhere'}: no such directory"
    (foreign / "run.json").write_text('{"kind": "run"}')
    assert refusal([foreign]).startswith(
        f"{foreign / 'run.json'}: not a uclab run record: uclab_version: Field required"
    )
    sweep = shard_dir(tmp_path, "sweep", record(2, kind="matrix"))
    assert refusal([a, sweep]) == f"cannot merge a conformance run with a matrix sweep: {a} is a run, {sweep} a matrix"


def test_a_merge_concatenates_results_and_renders_them_as_one_run(tmp_path: Path) -> None:
    a, b = two_shards(tmp_path)
    out = tmp_path / "merged"
    out.mkdir()
    merged = merge(check_set([a, b]), out)
    assert merged.code == 1, "a failed test fails the merged run"
    summary = json.loads((out / "summary.json").read_text())
    verdicts = {r["id"]: r["verdict"] for r in summary["rules"]}
    assert (verdicts["TRB-4"], verdicts["NAT-1"], verdicts["NET-1.1"]) == ("PASS", "FAIL", "SKIP")
    assert summary["counts"] == {"passed": 1, "failed": 1, "skipped": 1}
    assert merged.headline == summary["headline"]
    rec = json.loads((out / "run.json").read_text())
    assert rec["shard"] is None and rec["merged_from"] == [str(a), str(b)]
    assert rec["timings"]["longest shard"] == 20.0 and rec["timings"]["all shards"] == 30.0
    assert json.loads((out / "durations.json").read_text())["files"] == {"suites/a.py": 3.0, "suites/b.py": 1.5}
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert [c.get("name") for c in suite.iter("testcase")] == ["t1", "t2", "t3"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == (
        "3",
        "1",
        "1",
        "0",
    )
    assert (suite.get("time"), suite.get("hostname")) == ("4.000", "h1,h2")


def test_junit_of_a_shard_that_ran_nothing_is_left_out(tmp_path: Path) -> None:
    only = tmp_path / "one.xml"
    only.write_text(junit(("t1", "passed")))
    merge_junit([only, tmp_path / "absent.xml"], tmp_path / "out.xml")
    assert [c.get("name") for c in ET.parse(tmp_path / "out.xml").getroot().iter("testcase")] == ["t1"]


def test_the_exit_code_of_shards_that_ran_nothing_does_not_count() -> None:
    assert combined_pytest_rc([0, 5]) == 0
    assert combined_pytest_rc([5, 1, 0]) == 1
    assert combined_pytest_rc([5, 5]) == 5


CELLS = {c.id: c for c in cells()[:3]}


def cell_entry(cid: str, disagreements: list[str]) -> dict[str, Any]:
    c = CELLS[cid]
    return {"id": cid, "cell": asdict(c), "expected": asdict(expect(c)), "measured": None,
            "disagreements": disagreements, "seconds": 4.0}  # fmt: skip


def test_matrix_shards_merge_into_one_matrix_in_selection_order(tmp_path: Path) -> None:
    ids = list(CELLS)
    parts = [[ids[0], ids[2]], [ids[1]]]
    dirs = []
    for k, part in enumerate(parts, 1):
        rec = record(k, kind="matrix", profile=None, selection=Selection(items=ids), plan=Plan(parts=parts))
        d = shard_dir(tmp_path, f"m{k}", rec)
        entries = [cell_entry(c, ["audio: none (documented two-way)"] if c == ids[1] else []) for c in part]
        report = {"seconds": 5.0 * k, "jobs": 2, "evidence": [f"/e{k}"], "cells": entries}
        (d / "matrix.json").write_text(json.dumps(report))
        dirs.append(d)
    out = tmp_path / "merged"
    out.mkdir()
    merged = merge(check_set(dirs), out)
    report = json.loads((out / "matrix.json").read_text())
    assert [c["id"] for c in report["cells"]] == ids
    assert report["summary"]["agree"] == 2 and report["summary"]["disagree"] == 1
    assert (report["seconds"], report["jobs"], report["evidence"]) == (10.0, 4, ["/e1", "/e2"])
    assert merged.code == 1 and merged.headline == "uclab matrix: 2/3 cells agree with the documents"
    assert "| DISAGREES: audio: none (documented two-way) |" in (out / "matrix.md").read_text()


def test_a_run_with_and_a_run_without_a_matrix_are_refused(tmp_path: Path) -> None:
    a, b = two_shards(tmp_path)
    (a / "matrix").mkdir()
    write_record(a / "matrix", record(1, kind="matrix"))
    out = tmp_path / "merged"
    out.mkdir()
    with pytest.raises(MergeError) as exc:
        merge(check_set([a, b]), out)
    assert str(exc.value) == (
        f"{a} (shard 1/2) has a support matrix and {b} (shard 2/2) has none: run every shard with the matrix, "
        "or every one with --no-matrix"
    )


def uclab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uclab", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_report_merge_exits_2_with_the_reason(tmp_path: Path) -> None:
    a = shard_dir(tmp_path, "s1", record(1, n=3))
    done = uclab("report", "merge", str(a), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr == "uclab: shards 2/3, 3/3 missing (given: 1/3)\n"
    assert not (tmp_path / "out").exists(), "nothing is written for a refused set"


def test_report_merge_writes_into_a_new_directory_and_keeps_foreign_ones(tmp_path: Path) -> None:
    a, b = two_shards(tmp_path)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    done = uclab("report", "merge", str(a), str(b), "--out", str(foreign))
    assert done.returncode == 2
    assert done.stderr == (
        f"uclab: --out {foreign}: the directory is not empty and is not a uclab run directory (no run.json); "
        "give a new or empty directory, or an earlier run's directory to replace it\n"
    )
    assert (foreign / "notes.txt").read_text() == "mine"
    done = uclab("report", "merge", str(a), str(b), "--out", str(a))
    assert (done.returncode, done.stderr) == (
        2,
        f"uclab: --out {a}: is one of the shards given; choose another directory\n",
    )
    done = uclab("report", "merge", str(a), str(b), "--out", str(tmp_path / "m"), "--history", str(foreign))
    assert done.returncode == 2 and done.stderr.startswith(f"uclab: --history {foreign}: no allure-history.jsonl there")
    done = uclab("report", "merge", str(a), str(b), "--out", str(tmp_path / "m"))
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("uclab run FAILED: documents FAIL: 1 PASS, 0 PARTIAL, 1 FAIL, 1 SKIP")
    assert "; tests: 1 passed, 1 failed, 1 skipped" in done.stdout
    assert "(2 shards merged)" in done.stdout
