"""The run summary's verdicts per clause, rule and lab choice (reports/summary.py), from
results.jsonl records as the lab plugin writes them.

The proof tests take a recorded set in which three rules PASS, drop one clause's test of
each and watch the rule turn PARTIAL naming that clause; and break one lab choice and watch
it fail in the lab-choice section while the documented verdicts and the documents part of
the headline stay as they were.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reports import summary
from reports.summary import build_summary, summarise
from simulators import catalogue

Record = dict[str, Any]


def shows(rule: str, how: str = "wire", outcome: str = "passed", **extra: Any) -> list[Record]:
    """One test per clause in scope of `rule`, each showing its clause `how`."""
    return [
        {
            "nodeid": f"suites/t.py::test_{c.full_id}",
            "outcome": outcome,
            "clauses": [{"id": c.full_id, "how": how}],
            **extra,
        }
        for c in catalogue.rules()[rule].clauses
        if not c.out_of_scope
    ]


def verdicts(records: list[Record]) -> dict[str, str]:
    return {str(r["id"]): str(r["verdict"]) for r in summarise(records).rules}


def rule_of(records: list[Record], rid: str) -> dict[str, Any]:
    return next(r for r in summarise(records).rules if r["id"] == rid)


def choice_of(records: list[Record], cid: str) -> dict[str, Any]:
    return next(c for c in summarise(records).lab_choices if c["id"] == cid)


def without(records: list[Record], clause: str) -> list[Record]:
    return [r for r in records if all(c["id"] != clause for c in r["clauses"])]


RECORDED = shows("UC-VM-1") + shows("TRB-4", "api") + shows("NAT-2") + shows("UC-PRES-2", "api")
"""three (four) rules whose every clause in scope is shown"""


def test_a_rule_passes_only_when_every_clause_in_scope_is_shown() -> None:
    v = verdicts(RECORDED)
    assert (v["UC-VM-1"], v["TRB-4"], v["NAT-2"], v["UC-PRES-2"]) == ("PASS", "PASS", "PASS", "PASS")
    vm = rule_of(RECORDED, "UC-VM-1")
    assert (vm["shown"], vm["in_scope"], vm["missing"]) == (3, 3, {}), (
        "three clauses; the e-mail notification is UC-VM-5's"
    )
    assert v["NET-1.1"] == "NOT COVERED"
    assert v["UC-HOTKEY-1"] == "OUT OF SCOPE"


@pytest.mark.parametrize(
    ("rule", "clause"),
    [
        ("UC-VM-1", "UC-VM-1/retention"),
        ("UC-PRES-2", "UC-PRES-2/announcements"),
        ("TRB-4", "TRB-4/connection-time-out"),
    ],
)
def test_proof_removing_one_clause_test_turns_the_rule_partial_naming_it(rule: str, clause: str) -> None:
    """The proof: the same recorded results without the one test of `clause`."""
    before = rule_of(RECORDED, rule)
    after = rule_of(without(RECORDED, clause), rule)
    assert before["verdict"] == "PASS"
    if len(catalogue.rules()[rule].clauses) == 1:
        assert after["verdict"] == "NOT COVERED", "a rule with one clause has nothing left"
    else:
        assert after["verdict"] == "PARTIAL"
        assert summary.rule_cell(after) == f"PARTIAL: {clause.split('/', 1)[1]} not checked"
    assert after["missing"] == {clause: "not checked"}


@pytest.mark.parametrize(
    ("how", "cell"),
    [
        ("client-model", "PARTIAL: retention only modelled (client model)"),
        ("construction", "PARTIAL: retention only by construction"),
        ("inprocess", "PARTIAL: retention only in process (no TLS door)"),
    ],
)
def test_partial_names_how_a_clause_was_only_shown(how: str, cell: str) -> None:
    weak = {"nodeid": "suites/t.py::weak", "outcome": "passed", "clauses": [{"id": "UC-VM-1/retention", "how": how}]}
    records = [*without(RECORDED, "UC-VM-1/retention"), weak]
    assert summary.rule_cell(rule_of(records, "UC-VM-1")) == cell


def test_a_failed_clause_fails_the_rule_and_a_skipped_one_is_named() -> None:
    failed = [dict(r, outcome="failed") if r["clauses"][0]["id"] == "UC-VM-1/retention" else r for r in RECORDED]
    assert summary.rule_cell(rule_of(failed, "UC-VM-1")) == "FAIL: retention failed"
    skipped = [dict(r, outcome="skipped") if r["clauses"][0]["id"] == "UC-VM-1/retention" else r for r in RECORDED]
    assert summary.rule_cell(rule_of(skipped, "UC-VM-1")) == "PARTIAL: retention skipped"
    assert verdicts(shows("NAT-2", outcome="skipped"))["NAT-2"] == "SKIP"


def test_a_rule_marker_alone_never_makes_a_rule_pass() -> None:
    """A test that only cites a rule (the `rule` marker) is listed, not counted."""
    records: list[Record] = [{"nodeid": "suites/t.py::named_for_it", "outcome": "passed", "cited": ["NAT-2"]}]
    result = rule_of(records, "NAT-2")
    assert (result["verdict"], result["cited_by"], result["tests"]) == (
        "NOT COVERED",
        ["suites/t.py::named_for_it"],
        [],
    )


def test_proof_a_broken_lab_choice_fails_apart_from_the_documents() -> None:
    """The proof: LAB-DND-486 checked by a test that also shows UC-PRES-2/every-but-dnd.
    Broken (the check recorded a failure, the documented test passed), the lab choice fails
    in its section; every rule verdict and the documents part of the headline are unchanged."""

    def with_dnd(outcome: str, message: str = "") -> list[Record]:
        return [
            dict(r, lab_choices={"LAB-DND-486": {"outcome": outcome, "message": message}})
            if r["clauses"][0]["id"] == "UC-PRES-2/every-but-dnd"
            else r
            for r in RECORDED
        ]

    held, broken = with_dnd("passed"), with_dnd("failed", "DND answered 480 Not Registered")
    assert choice_of(held, "LAB-DND-486")["verdict"] == "HELD"
    assert choice_of(broken, "LAB-DND-486")["verdict"] == "FAILED"
    assert choice_of(broken, "LAB-DND-486")["failed"] == {
        "suites/t.py::test_UC-PRES-2/every-but-dnd": "DND answered 480 Not Registered"
    }
    assert verdicts(held) == verdicts(broken)
    documents = summarise(held).headline.split("; lab choices")[0].split(": ", 1)[1]
    assert summarise(broken).headline.split("; lab choices")[0].split(": ", 1)[1] == documents
    assert summarise(broken).headline.startswith("uclab run FAILED: documents PARTIAL: 4 PASS")
    assert summarise(held).headline.startswith("uclab run PASSED: documents PARTIAL: 4 PASS")


def test_headline_counts_rules_and_clauses() -> None:
    rules = catalogue.rules()
    clauses = catalogue.clauses()
    scoped = sum(1 for r in rules.values() if not r.out_of_scope)
    out_clauses = sum(1 for c in clauses.values() if c.out_of_scope)
    shown = sum(1 for r in RECORDED)
    skipped: Record = {
        "nodeid": "suites/t.py::slow",
        "outcome": "skipped",
        "clauses": [{"id": "NAT-1/local-network", "how": "wire"}],
    }
    assert summarise([*RECORDED, skipped], profile="V3R2FR1").headline == (
        f"uclab run PASSED: documents PARTIAL: 4 PASS, 0 PARTIAL, 0 FAIL, 1 SKIP, {scoped - 5} NOT COVERED of "
        f"{scoped} rules ({len(rules) - scoped} out of scope), {shown}/{len(clauses) - out_clauses} clauses shown "
        f"({out_clauses} out of scope); lab choices: 0 held, 0 failed, {len(catalogue.lab_choices())} not checked; "
        f"tests: {shown} passed, 0 failed, 1 skipped; profile V3R2FR1"
    )


def test_a_clause_with_a_timer_shown_only_compressed_is_marked() -> None:
    records = [dict(r, time_scales=[0.05]) for r in RECORDED]
    s = summarise(records)
    retention = next(c for c in s.clauses if c["id"] == "UC-VM-1/retention")
    assert (retention["verdict"], retention["compressed_only"], retention["scales"]) == ("SHOWN", True, [0.05])
    real = summarise([dict(r, time_scales=[1.0]) for r in RECORDED])
    assert not next(c for c in real.clauses if c["id"] == "UC-VM-1/retention")["compressed_only"]
    md = summary.markdown(s, None)
    assert "Clauses shown only under compression: UC-VM-1/retention." in md
    assert (
        "| time scale | tests | callme to voicemail | conference end after last moderator | voicemail retention |" in md
    )
    assert f"| 0.05 | {len(RECORDED)} | 1 min -> 3 s | 5 min -> 15 s | 30 d -> 1.5 d |" in md


def _write(tmp_path: Path, records: list[Record]) -> Path:
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return tmp_path


def test_build_summary_reads_a_merged_results_file(tmp_path: Path) -> None:
    """Shards' results concatenated (the last word on a test wins) give one summary."""
    first, second = RECORDED[:5], RECORDED[5:]
    rerun = dict(RECORDED[0], outcome="failed", message="boom")
    out = _write(tmp_path, [rerun, *first, *second])
    s = build_summary(out, profile="V3R2FR1", pytest_rc=0)
    assert s.headline == summarise(RECORDED, profile="V3R2FR1").headline
    data = json.loads((out / "summary.json").read_text())
    assert {r["id"]: r["verdict"] for r in data["rules"]}["UC-VM-1"] == "PASS"
    md = (out / "summary.md").read_text()
    assert "| UC-HOTKEY-1 | OUT OF SCOPE: the client's own settings dialogue" in md
    assert "## Lab choices (the lab's behaviour where the documents are silent; not documented conformance)" in md
    assert "| UC-VM-1 | PASS |" in md


def test_nothing_run() -> None:
    assert summarise([], pytest_rc=5).headline.startswith("uclab run NOTHING RUN: documents PARTIAL: 0 PASS")


def test_every_out_of_scope_rule_says_why() -> None:
    for rule in catalogue.rules().values():
        if rule.out_of_scope:
            assert len(rule.out_of_scope) > 20 and not rule.out_of_scope.endswith("."), rule.id
        for clause in rule.clauses:
            if clause.out_of_scope:
                assert len(clause.out_of_scope) > 20 and not clause.out_of_scope.endswith("."), clause.full_id


RECORDED_RUN = Path(__file__).parent / "fixtures" / "results_voicemail.jsonl"
"""results.jsonl of a real run of suites/telephony/test_voicemail.py (uclab run --no-matrix)"""


def test_proof_on_a_recorded_run() -> None:
    """The recorded voicemail suite: UC-VM-1 PASS; without its retention test PARTIAL naming
    retention; with LAB-DND-486 recorded broken, that choice fails in its own section while
    every rule's verdict and the documents' part of the headline stay."""
    recorded = summary.load(RECORDED_RUN)
    assert rule_of(recorded, "UC-VM-1")["verdict"] == "PASS"
    assert summary.rule_cell(rule_of(without(recorded, "UC-VM-1/retention"), "UC-VM-1")) == (
        "PARTIAL: retention not checked"
    )
    broken = [
        dict(r, lab_choices={**r["lab_choices"], "LAB-DND-486": {"outcome": "failed", "message": "got 480"}})
        if "LAB-DND-486" in r["lab_choices"]
        else r
        for r in recorded
    ]
    assert choice_of(recorded, "LAB-DND-486")["verdict"] == "HELD"
    assert choice_of(broken, "LAB-DND-486")["verdict"] == "FAILED"
    assert verdicts(broken) == verdicts(recorded)
    before, after = summarise(recorded).headline, summarise(broken).headline
    assert "\n" not in before and re.search(r" of \d+ rules \(\d+ out of scope\), \d+/\d+ clauses shown ", before), (
        before
    )
    assert before.split("; lab choices")[0].removeprefix("uclab run PASSED") == (
        after.split("; lab choices")[0].removeprefix("uclab run FAILED")
    )


README = Path(__file__).parent.parent / "README.md"


def readme_verdicts() -> dict[str, str]:
    """The README's verdict table (section "Verdicts"): verdict -> what it means."""
    section = README.read_text(encoding="utf-8").split("### Verdicts", 1)[1].split("\n#", 1)[0]
    rows = (line.split("|")[1:3] for line in section.splitlines() if line.startswith("| "))
    return {name.strip(): means.strip() for name, means in rows if name.strip() != "verdict"}


def test_the_readme_explains_exactly_the_summarys_verdicts() -> None:
    """The README's table names the rule verdicts the summary gives, in its order, the one
    verdict only a clause gets (NOT REPRODUCED), and the lab choices' section with every verdict
    a lab choice can get."""
    table = readme_verdicts()
    rules = [v for v in table if v in summary.RULE_VERDICTS]
    assert rules == list(summary.RULE_VERDICTS)
    assert set(table) - set(rules) == {summary.NOT_REPRODUCED, "LAB CHOICE"}
    missing = [v for v in summary.CHOICE_VERDICTS if v not in table["LAB CHOICE"]]
    assert not missing, f"the README's LAB CHOICE row does not name {missing}"


def test_a_clause_measured_not_to_hold_is_not_reproduced_apart_from_shown_and_failed() -> None:
    """A test ending with ledger.not_reproduced() makes its clauses NOT REPRODUCED (beating a
    passed test that showed them another way), the rule PARTIAL naming them, never FAIL; the
    headline counts them and the summary gives them a section with the measurement and why."""
    contradicted: Record = {
        "nodeid": "suites/t.py::test_strict_without",
        "outcome": "not-reproduced",
        "clauses": [{"id": "NAT-2/strict", "how": "wire"}],
        "message": "documented, not reproduced: two-way audio; why: the lab's firewall lets UDP through",
    }
    s = summarise([*RECORDED, contradicted])
    clause = next(c for c in s.clauses if c["id"] == "NAT-2/strict")
    assert clause["verdict"] == "NOT REPRODUCED"
    assert clause["not_reproduced"] == {
        "suites/t.py::test_strict_without": "two-way audio; why: the lab's firewall lets UDP through"
    }
    nat2 = rule_of([*RECORDED, contradicted], "NAT-2")
    assert (nat2["verdict"], nat2["missing"]) == ("PARTIAL", {"NAT-2/strict": "documented, not reproduced"})
    assert summary.rule_cell(nat2) == "PARTIAL: strict documented, not reproduced"
    assert verdicts([contradicted])["NAT-2"] == "PARTIAL"
    assert ", 1 documented, not reproduced); lab choices" in s.headline
    assert s.headline.startswith("uclab run PASSED: documents PARTIAL: 3 PASS, 1 PARTIAL, 0 FAIL")
    assert s.headline.endswith(f"tests: {len(RECORDED)} passed, 0 failed, 0 skipped, 1 not reproduced")
    md = summary.markdown(s, None)
    assert "## Documented, not reproduced" in md
    assert (
        "| NAT-2/strict | 004:319 | Strict firewalls are not supported | two-way audio; why: the lab's firewall "
        "lets UDP through | suites/t.py::test_strict_without |"
    ) in md
    assert "NOT REPRODUCED" not in summarise(RECORDED).headline + summary.markdown(summarise(RECORDED), None)
