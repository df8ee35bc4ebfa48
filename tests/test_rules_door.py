"""The rules suites through the TLS door (suites/rules/conftest.py, --uclab-uc-transport).

A real pytest run of one rules module in a subprocess, twice: through the door, every test
reaches the stub in a lab over 8802 and its `api` clauses are recorded as `api`; in process,
the same tests pass and their `api` clauses are recorded as `inprocess` (which the run
summary counts as not shown). Builds a lab: run it through the lock.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODULE = "suites/rules/test_voip.py"


def _run(tmp_path: Path, transport: str) -> list[dict[str, Any]]:
    results = tmp_path / f"{transport}.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", MODULE,
         f"--uclab-uc-transport={transport}", f"--uclab-results={results}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return [json.loads(line) for line in results.read_text().splitlines()]


def hows(records: list[dict[str, Any]]) -> set[str]:
    return {c["how"] for r in records for c in r["clauses"]}


def test_door_and_in_process_record_how_the_api_was_reached(tmp_path: Path) -> None:
    door = _run(tmp_path, "door")
    assert door and all(r["outcome"] == "passed" for r in door)
    assert hows(door) == {"api"}
    in_process = _run(tmp_path, "inprocess")
    assert [r["nodeid"] for r in in_process] == [r["nodeid"] for r in door]
    assert hows(in_process) == {"inprocess"}
