"""What a test's markers claim (simulators/ledger.py) and what the lab plugin records of it.

The plugin runs are real pytest runs in a subprocess on a test file written here: unknown
clause ids and `how` values stop the run (exit 4, the message names the test and the id), a
run's results.jsonl carries the clauses, how they were shown and the lab choices' outcomes,
and a lab choice that did not hold fails the run while its test passed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from simulators import ledger

ROOT = Path(__file__).resolve().parents[1]


def mark(name: str, *args: str, **kwargs: Any) -> Any:
    return SimpleNamespace(name=name, args=args, kwargs=kwargs)


def test_read_the_markers() -> None:
    claims, problems = ledger.read(
        [
            mark("clause", "UC-VM-1/retention", "UC-VM-1/new-played", how="wire"),
            mark("clause", "UC-VM-1/retention", how="wire"),
            mark("lab_choice", "LAB-VOICEMAIL-BOX"),
            mark("rule", "UC-PRES-2"),
        ]
    )
    assert problems == []
    assert [(c.id, c.how) for c in claims.clauses] == [("UC-VM-1/retention", "wire"), ("UC-VM-1/new-played", "wire")]
    assert (claims.lab_choices, claims.cited, claims.rules) == (
        ("LAB-VOICEMAIL-BOX",),
        ("UC-PRES-2",),
        ["UC-VM-1", "UC-PRES-2"],
    )


def test_what_is_wrong_with_markers() -> None:
    _, problems = ledger.read(
        [
            mark("clause", "UC-VM-1/retention", how="by-eye"),
            mark("clause", "UC-VM-1/kept", how="api"),
            mark("clause", how="api"),
            mark("clause", "UC-VM-1/retention", how="wire", why="x"),
            mark("lab_choice", "LAB-NOPE"),
            mark("rule", "UC-VM-9"),
        ]
    )
    assert problems == [
        "clause marker UC-VM-1/retention: how='by-eye'; use one of wire, api, client-model, construction",
        "unknown clause id(s) UC-VM-1/kept (see spec/rules.yaml: RULE-ID/clause-id)",
        "clause marker without a clause id; e.g. clause('UC-VM-1/retention', how='wire')",
        "clause marker: unknown argument(s) why; only how=",
        "unknown lab choice(s) LAB-NOPE (see spec/lab_choices.yaml)",
        "unknown rule ID(s) UC-VM-9 (see spec/rules.yaml)",
    ]


def test_an_api_claim_served_in_process_shows_nothing() -> None:
    assert ledger.effective_how("api", in_process=True) == "inprocess"
    assert ledger.effective_how("api", in_process=False) == "api"
    assert ledger.effective_how("wire", in_process=True) == "wire"


def test_choice_checks_and_outcomes() -> None:
    checks = ledger.ChoiceChecks(("LAB-DND-486", "LAB-MESSAGES"))
    assert not checks.equal("LAB-DND-486", 480, 486, "DND answer")
    assert checks.check("LAB-MESSAGES", True)
    assert ledger.choice_outcomes(["LAB-DND-486", "LAB-MESSAGES"], checks, "passed") == {
        "LAB-DND-486": {"outcome": "failed", "message": "DND answer: expected 486, got 480"},
        "LAB-MESSAGES": {"outcome": "passed", "message": ""},
    }
    try:
        checks.check("LAB-PICKUP-CODE", True)
    except ledger.UndeclaredChoice as exc:
        assert str(exc) == (
            "LAB-PICKUP-CODE checked but not declared: add @pytest.mark.lab_choice('LAB-PICKUP-CODE') to the test"
        )
    else:
        raise AssertionError("an undeclared lab choice was accepted")


def _run(tmp_path: Path, body: str, *extra: str) -> tuple[int, str, list[dict[str, Any]]]:
    test = tmp_path / "test_claims.py"
    test.write_text("import pytest\n\n" + body)
    results = tmp_path / "results.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "simulators.pytest_plugin", "-q",
         f"--rootdir={tmp_path}", f"--uclab-results={results}", *extra, str(test)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    records = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    return proc.returncode, proc.stdout + proc.stderr, records


def test_unknown_clause_ids_stop_the_run(tmp_path: Path) -> None:
    rc, out, records = _run(
        tmp_path,
        '@pytest.mark.clause("UC-VM-1/kept", how="wire")\ndef test_x():\n    pass\n',
    )
    assert rc == 4 and records == []
    assert "test_claims.py::test_x: unknown clause id(s) UC-VM-1/kept (see spec/rules.yaml: RULE-ID/clause-id)" in out


def test_unknown_ids_under_xdist_error_the_test_saying_why(tmp_path: Path) -> None:
    """An xdist worker cannot stop the run with a usage error (it would be reported as a crash
    of another test): the test with the wrong marker errors, naming the id; the others run."""
    rc, out, records = _run(
        tmp_path,
        '@pytest.mark.lab_choice("LAB-NOPE")\ndef test_x():\n    pass\n\ndef test_y():\n    pass\n',
        "-n",
        "2",
    )
    assert rc == 1, out
    assert "unknown lab choice(s) LAB-NOPE (see spec/lab_choices.yaml)" in out
    assert "1 passed, 1 error" in out
    assert {r["nodeid"].split("::")[1]: r["outcome"] for r in records} == {"test_x": "failed", "test_y": "passed"}


def test_the_record_carries_clauses_and_lab_choices(tmp_path: Path) -> None:
    rc, out, records = _run(
        tmp_path,
        '@pytest.mark.clause("UC-PRES-2/every-but-dnd", how="wire")\n'
        '@pytest.mark.lab_choice("LAB-DND-486", "LAB-MESSAGES")\n'
        "def test_dnd(choices):\n"
        '    choices.check("LAB-DND-486", False, "answered 480")\n'
        "\n"
        '@pytest.mark.clause("UC-VM-1/retention", how="api")\n'
        '@pytest.mark.rule("UC-PRES-2")\n'
        "def test_retention():\n"
        "    pass\n",
    )
    assert rc == 1, out  # the lab choice did not hold: the run fails, its test passed
    assert "LAB-DND-486 in test_claims.py::test_dnd: answered 480" in out
    by_name = {r["nodeid"].split("::")[1]: r for r in records}
    dnd, retention = by_name["test_dnd"], by_name["test_retention"]
    assert dnd["outcome"] == "passed"
    assert dnd["clauses"] == [{"id": "UC-PRES-2/every-but-dnd", "how": "wire"}]
    assert dnd["lab_choices"] == {
        "LAB-DND-486": {"outcome": "failed", "message": "answered 480"},
        "LAB-MESSAGES": {"outcome": "passed", "message": ""},
    }
    assert (retention["clauses"], retention["cited"], retention["rules"]) == (
        [{"id": "UC-VM-1/retention", "how": "api"}],
        ["UC-PRES-2"],
        ["UC-VM-1", "UC-PRES-2"],
    )
    assert (retention["time_scales"], retention["real_time"]) == ([], False)


def test_a_test_ending_not_reproduced_is_recorded_so(tmp_path: Path) -> None:
    """ledger.not_reproduced() ends a test as xfailed, recorded `not-reproduced` with what was
    measured and why; any other xfail stays `skipped`."""
    rc, out, records = _run(
        tmp_path,
        "from simulators import ledger\n"
        "\n"
        '@pytest.mark.clause("NAT-2/strict", how="wire")\n'
        "def test_contradicted():\n"
        '    ledger.not_reproduced("two-way audio", "the lab anchors the media")\n'
        "\n"
        '@pytest.mark.clause("NAT-2/strict", how="wire")\n'
        "def test_other_xfail():\n"
        '    pytest.xfail("known bug")\n',
    )
    assert rc == 0, out
    by_name = {r["nodeid"].split("::")[1]: r for r in records}
    assert by_name["test_contradicted"]["outcome"] == "not-reproduced"
    assert by_name["test_contradicted"]["message"] == (
        "documented, not reproduced: two-way audio; why: the lab anchors the media"
    )
    assert by_name["test_other_xfail"]["outcome"] == "skipped"
