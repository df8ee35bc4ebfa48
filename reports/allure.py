"""The Allure 3 HTML report of a run directory, with its history across runs.

    <run>/allure-report/          the HTML report (Allure 3 from npm, package.json)
    <run>/allure-history.jsonl    Allure's history: one line per report generated so far
    <run>/allurerc.json           the configuration the report was generated with

Allure reads any number of allure-results directories and merges them itself, so a merged
report is one `allure generate` over every shard's results. History is how Allure tells a
test that failed before from one that fails for the first time, and a flaky one (passed
and failed in recent runs): a report started from an earlier report's history
(`--history DIR`) appends this run to a copy of it, so the chain goes on from report to
report while each run directory stays self-contained.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = "allure-history.jsonl"
CONFIG = "allurerc.json"
GENERATE_TIMEOUT_S = 600.0


class HistoryError(ValueError):
    """`--history` names no usable history; the message says what is expected there."""


def cli() -> str | None:
    """The allure command: on PATH, else the project's npm install."""
    local = ROOT / "node_modules" / ".bin" / "allure"
    return shutil.which("allure") or (str(local) if local.exists() else None)


def read_history(path: Path) -> bytes:
    """The history file of an earlier run or merged report (its directory or the file)."""
    file = path / HISTORY if path.is_dir() else path
    if not file.is_file():
        raise HistoryError(
            f"--history {path}: no {HISTORY} there; give the directory of an earlier uclab run or merged "
            "report that has an Allure report (or its allure-history.jsonl)"
        )
    return file.read_bytes()


def generate(run: Path, results: list[Path], name: str, history: bytes | None = None) -> bool:
    """Generate `run`/allure-report from `results` (merged by Allure), continuing `history`.
    False when there is no allure CLI or nothing to report; Allure's own output goes to
    `run`/allure.log."""
    allure = cli()
    present = [r for r in results if r.is_dir() and any(r.iterdir())]
    if allure is None or not present:
        return False
    if history is not None:
        (run / HISTORY).write_bytes(history)
    config = {"name": name, "output": str(run / "allure-report"), "historyPath": str(run / HISTORY)}
    (run / CONFIG).write_text(json.dumps(config, indent=1) + "\n")
    with open(run / "allure.log", "wb") as log:
        done = subprocess.run(
            [allure, "generate", "--config", str(run / CONFIG), *map(str, present)],
            cwd=run,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=GENERATE_TIMEOUT_S,
            check=False,
        )
    return done.returncode == 0 and (run / "allure-report").is_dir()
