"""`uclab run`: run the conformance suites and write a report.

reports/runs/<timestamp>/
    allure-results/     allure-pytest results (steps, attachments: topology, pcaps, logs)
    allure-report/      the HTML report, when the allure CLI (npm) is installed
    junit.xml           JUnit XML for CI systems
    results.jsonl       one line per test from the lab's pytest plugin
    summary.md / .html  verdict per rule with its document references, failures first
    summary.json        the same, machine-readable
    matrix/             the support matrix (`uclab matrix`), unless --no-matrix
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from reports.summary import build_summary

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "reports" / "runs"


def run(
    pytest_args: list[str] | None = None, profile: str | None = None, suites: str = "suites", matrix: bool = True
) -> int:
    extra = [a for a in (pytest_args or []) if a != "--"]
    out = RUNS / time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while out.exists():
        n += 1
        out = RUNS / f"{time.strftime('%Y%m%d-%H%M%S')}-{n}"
    out.mkdir(parents=True)
    args = [
        sys.executable, "-m", "pytest", *([] if any(not a.startswith("-") for a in extra) else [suites]),
        "-n", "2", "--dist", "loadfile",
        f"--alluredir={out / 'allure-results'}",
        f"--junitxml={out / 'junit.xml'}",
        f"--uclab-results={out / 'results.jsonl'}",
        "-q", "-p", "no:cacheprovider",
    ]  # fmt: skip
    if profile:
        args.append(f"--uclab-profile={profile}")
    args += extra
    print(f"uclab run: {' '.join(args[3:])}", flush=True)
    print(f"uclab run: report in {out}", flush=True)
    rc = subprocess.run(args, cwd=ROOT).returncode
    summary = build_summary(out, profile=profile, pytest_rc=rc)
    allure = shutil.which("allure") or _local_allure()
    if allure and (out / "allure-results").exists():
        subprocess.run([allure, "generate", str(out / "allure-results"), "-o", str(out / "allure-report")],
                       capture_output=True, cwd=ROOT, check=False)  # fmt: skip
    matrix_rc = 0
    if matrix:
        from . import matrix_sweep as support_matrix

        print("uclab run: the support matrix", flush=True)
        matrix_rc = support_matrix.main(["--out", str(out / "matrix")])
    print(summary.headline)
    print(f"report: {out}/summary.md  (html: {out}/summary.html)")
    if matrix:
        print(f"support matrix: {out}/matrix/matrix.md  (html: {out}/matrix/matrix.html)")
    if rc == 5:
        print("uclab run: pytest collected no tests: nothing was verified", file=sys.stderr)
    return rc or matrix_rc


def _local_allure() -> str | None:
    local = ROOT / "node_modules" / ".bin" / "allure"
    return str(local) if local.exists() else None
