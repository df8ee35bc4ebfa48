"""The run summary's verdict per rule (reports/summary.py), from a results.jsonl as the lab
plugin writes it."""

from __future__ import annotations

import json
from pathlib import Path

from reports.summary import build_summary
from simulators import catalogue


def _results(tmp_path: Path, *records: dict[str, object]) -> Path:
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return tmp_path


def _verdicts(tmp_path: Path) -> dict[str, str]:
    data = json.loads((tmp_path / "summary.json").read_text())
    return {str(r["id"]): str(r["verdict"]) for r in data["rules"]}


def test_rules_without_tests_are_not_covered_unless_out_of_scope(tmp_path: Path) -> None:
    out = _results(
        tmp_path,
        {"nodeid": "suites/a.py::t1", "outcome": "passed", "rules": ["NET-1.5"]},
        {"nodeid": "suites/a.py::t2", "outcome": "failed", "rules": ["NAT-1"], "message": "no payload"},
        {"nodeid": "suites/a.py::t3", "outcome": "passed", "rules": ["NAT-1"]},
        {"nodeid": "suites/b.py::t4", "outcome": "passed", "rules": ["REL-ADMIN"]},
    )
    summary = build_summary(out)
    verdicts = _verdicts(out)
    assert (verdicts["NET-1.5"], verdicts["NAT-1"], verdicts["NET-1.1"]) == ("PASS", "FAIL", "NOT COVERED")
    assert verdicts["UC-HOTKEY-1"] == "OUT OF SCOPE"
    assert verdicts["REL-ADMIN"] == "PASS", "a test of an out-of-scope rule still gives its verdict"
    rules = catalogue.rules()
    scoped = sum(1 for r in rules.values() if r.out_of_scope) - 1  # REL-ADMIN has a test here
    assert summary.headline == (
        f"uclab run FAILED: 3 passed, 1 failed, 0 skipped; 3/{len(rules) - scoped} rules covered ({scoped} out of scope)"
    )
    md = (out / "summary.md").read_text()
    assert "| UC-HOTKEY-1 | OUT OF SCOPE: the client's own settings dialogue" in md


def test_every_out_of_scope_rule_says_why() -> None:
    for rule in catalogue.rules().values():
        if rule.out_of_scope:
            assert len(rule.out_of_scope) > 20 and not rule.out_of_scope.endswith("."), rule.id
