"""Allure reports with history (reports/allure.py): a report started from an earlier
report's history shows which tests fail for the first time and how each test went before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reports import allure

pytestmark = pytest.mark.skipif(allure.cli() is None, reason="no allure CLI (npm ci installs Allure 3)")

MODULE = """
import os

def test_steady():
    pass

def test_turns_red():
    assert os.environ.get("BREAK") != "1", "broken on purpose"
"""


def results_of(tmp_path: Path, name: str, broken: bool) -> Path:
    """allure-pytest results of a two-test module, with test_turns_red failing when `broken`."""
    (tmp_path / "test_module.py").write_text(MODULE)
    out = tmp_path / name
    env = {**os.environ, "BREAK": "1" if broken else "0"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={tmp_path}",
         f"--alluredir={out}", str(tmp_path / "test_module.py")],
        cwd=tmp_path, env=env, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    return out


def report_tests(run: Path) -> dict[str, dict[str, Any]]:
    data = run / "allure-report" / "data" / "test-results"
    return {d["name"]: d for d in (json.loads(f.read_text()) for f in data.glob("*.json"))}


def test_history_shows_a_newly_failing_test_and_its_past(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    assert allure.generate(first, [results_of(tmp_path, "r1", broken=False)], name="first")
    assert len((first / allure.HISTORY).read_text().splitlines()) == 1
    history = allure.read_history(first)
    assert allure.generate(second, [results_of(tmp_path, "r2", broken=True)], name="second", history=history)
    assert len((second / allure.HISTORY).read_text().splitlines()) == 2, "the chain goes on"
    assert len((first / allure.HISTORY).read_text().splitlines()) == 1, "the earlier report is left as it was"
    tests = report_tests(second)
    red, steady = tests["test_turns_red"], tests["test_steady"]
    assert (red["status"], red.get("transition")) == ("failed", "regressed")
    assert [h["status"] for h in red["history"]] == ["passed"]
    assert steady["status"] == "passed" and steady.get("transition") is None
    # without history every test is simply new to Allure: nothing tells a regression
    alone = tmp_path / "alone"
    alone.mkdir()
    assert allure.generate(alone, [tmp_path / "r2"], name="alone")
    assert report_tests(alone)["test_turns_red"].get("transition") == "new"


def test_history_must_exist_where_it_is_looked_for(tmp_path: Path) -> None:
    with pytest.raises(allure.HistoryError) as exc:
        allure.read_history(tmp_path)
    assert str(exc.value) == (
        f"--history {tmp_path}: no allure-history.jsonl there; give the directory of an earlier uclab run or merged "
        "report that has an Allure report (or its allure-history.jsonl)"
    )


def test_nothing_to_report_writes_no_report(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert allure.generate(tmp_path, [tmp_path / "empty", tmp_path / "absent"], name="x") is False
    assert not (tmp_path / "allure-report").exists()
