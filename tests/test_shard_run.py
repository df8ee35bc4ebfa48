"""A sharded run against one run of the same tests: two `uclab run --shard K/2` processes
with their own run directories, merged by `uclab report merge`, give the tests, outcomes,
rule verdicts, JUnit cases and Allure results of `uclab run` over the same selection.

The selection is small and needs no lab: a rules suite, a self-test and two stand-in
modules with fixed outcomes (tests/fixtures/shard_suite), so a FAIL and a SKIP verdict
have to come through the merge too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from reports import allure

ROOT = Path(__file__).resolve().parents[1]
SUBSET = [
    "suites/rules/test_release_profiles.py",
    "tests/test_summary.py",
    "tests/fixtures/shard_suite/outcomes_pass_fail.py",
    "tests/fixtures/shard_suite/outcomes_skip.py",
]
HEAVY = "suites/rules/test_release_profiles.py"


def start(out: Path, *args: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "uclab", "run", "--no-matrix", "--workers", "1", "--out", str(out), *args]
    return subprocess.Popen(
        [*cmd, "--", *SUBSET], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def outcomes(run: Path) -> dict[str, str]:
    return {t["nodeid"]: t["outcome"] for t in json.loads((run / "summary.json").read_text())["tests"]}


def verdicts(run: Path) -> dict[str, str]:
    return {r["id"]: r["verdict"] for r in json.loads((run / "summary.json").read_text())["rules"]}


def junit_cases(run: Path) -> set[tuple[str, str, str]]:
    result = set()
    for case in ET.parse(run / "junit.xml").getroot().iter("testcase"):
        kind = next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), "passed")
        result.add((case.get("classname") or "", case.get("name") or "", kind))
    return result


def allure_statuses(results: Path) -> dict[str, str]:
    statuses = {}
    for f in results.glob("*-result.json"):
        data = json.loads(f.read_text())
        statuses[data["fullName"] + str(data.get("parameters", ""))] = data["status"]
    return statuses


def test_two_shards_merge_into_the_report_of_one_run(tmp_path: Path) -> None:
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({"files": {HEAVY: 10.0, "tests/test_summary.py": 1.0}}))
    full, s1, s2 = tmp_path / "full", tmp_path / "s1", tmp_path / "s2"
    procs = [
        start(full),
        *(start(s, "--shard", f"{k}/2", "--durations", str(durations)) for k, s in ((1, s1), (2, s2))),
    ]
    logs = [p.communicate(timeout=240)[0] for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [1, 0, 1], logs  # the stand-in failure is in shard 2's part

    shard_records = [json.loads((s / "run.json").read_text()) for s in (s1, s2)]
    parts = shard_records[0]["plan"]["parts"]
    # heaviest first to the lighter shard: 10 s; then the unrecorded at the median, 5.5 s each; then 1 s
    assert parts == [[HEAVY, "tests/test_summary.py"], SUBSET[2:]]
    assert shard_records[1]["plan"] == shard_records[0]["plan"]
    assert sorted(shard_records[0]["selection"]["items"]) == sorted(SUBSET)
    for k, s in enumerate((s1, s2)):
        assert {n.split("::")[0] for n in outcomes(s)} == set(parts[k]), f"shard {k + 1} ran only its part"

    merged = tmp_path / "merged"
    done = subprocess.run(
        [sys.executable, "-m", "uclab", "report", "merge", str(s2), str(s1), "--out", str(merged)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr

    assert outcomes(merged) == outcomes(full)
    assert set(outcomes(full).values()) == {"passed", "failed", "skipped"}
    assert verdicts(merged) == verdicts(full)
    assert (verdicts(full)["NAT-1"], verdicts(full)["TRB-4"], verdicts(full)["NET-1.1"]) == ("FAIL", "PASS", "SKIP")
    assert (
        json.loads((merged / "summary.json").read_text())["headline"]
        == json.loads((full / "summary.json").read_text())["headline"]
    )
    assert junit_cases(merged) == junit_cases(full)
    assert allure_statuses(merged / "allure-results") == allure_statuses(full / "allure-results")
    assert len(allure_statuses(full / "allure-results")) == len(outcomes(full))
    if allure.cli() is not None:
        summary = json.loads((merged / "allure-report" / "summary.json").read_text())
        assert summary["stats"] == json.loads((full / "allure-report" / "summary.json").read_text())["stats"]
