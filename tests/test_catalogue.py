"""The rule catalogue, its clause ledger, the lab choices and their document references."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators import catalogue


def test_every_rule_has_clauses_and_everything_resolves() -> None:
    """Every rule has its clauses; every reference of a rule or a clause resolves to document
    text, every reading anchor to a heading of docs/RULES-INTERPRETATION.md, every timer to
    one of simulators/uc/timescale.py, every lab choice's rules to a rule."""
    rules = catalogue.rules()
    assert len(rules) >= 60
    assert all(rule.clauses for rule in rules.values())
    assert catalogue.problems() == []


def test_clause_ids() -> None:
    clauses = catalogue.clauses()
    retention = clauses["UC-VM-1/retention"]
    assert (retention.rule, retention.id, retention.refs, retention.timers) == (
        "UC-VM-1",
        "retention",
        ("000:1394",),
        ("voicemail_retention",),
    )
    assert "deleted after 30 days" in retention.text
    assert catalogue.unknown_clauses(["UC-VM-1/retention", "UC-VM-1/nothing", "UC-VM-9/retention"]) == [
        "UC-VM-1/nothing",
        "UC-VM-9/retention",
    ]
    assert catalogue.unknown_lab_choices(["LAB-DND-486", "LAB-NOTHING"]) == ["LAB-NOTHING"]


def test_quote() -> None:
    assert catalogue.quote("004:318") == "- Symmetric NAT configuration is not supported."
    assert catalogue.unknown(["NET-1.5", "NET-9.9"]) == ["NET-9.9"]


def test_anchor_is_githubs() -> None:
    assert catalogue.anchor("Presence (UC-PRES-1..3, UC-MULAP-1)") == "presence-uc-pres-13-uc-mulap-1"
    assert "time" in catalogue.reading_anchors()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A catalogue and a lab choices file of the test's own, the caches cleared around it."""
    rules, choices = tmp_path / "rules.yaml", tmp_path / "lab_choices.yaml"
    monkeypatch.setattr(catalogue, "CATALOGUE", rules)
    monkeypatch.setattr(catalogue, "LAB_CHOICES", choices)
    for cached in (catalogue.rules, catalogue.clauses, catalogue.lab_choices):
        cached.cache_clear()
    yield rules, choices
    for cached in (catalogue.rules, catalogue.clauses, catalogue.lab_choices):
        cached.cache_clear()


GOOD_CLAUSE = '{id: retention, text: "Played voice messages are deleted after 30 days", refs: ["000:1394"]}'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("rules: 3\n", "rules.yaml: expected a top-level `rules:` list"),
        ("rules: [{id: X-1, rule: r, refs: ['000:1']}]\n", "rules.yaml: rule 1: missing clauses"),
        (
            f"rules: [{{id: X-1, rule: r, refs: ['000:1'], clauses: [{GOOD_CLAUSE}], colour: red}}]\n",
            "rules.yaml: rule 1: unknown field(s) colour; known: id, rule, refs, clauses, section, title, out_of_scope",
        ),
        (
            "rules: [{id: X-1, rule: r, refs: ['000:1'], clauses: [{id: Retention, text: t, refs: ['000:1']}]}]\n",
            "rules.yaml: X-1 clause 1: id 'Retention' must be lower-case words joined by hyphens, e.g. retention",
        ),
        (
            "rules: [{id: X-1, rule: r, refs: ['000:1'], clauses: [{id: a, text: t, refs: ['line 4']}]}]\n",
            "rules.yaml: X-1 clause 1 (a): 'line 4' is not a document reference like 004:96 or 000:2138-2160",
        ),
        (
            f"rules: [{{id: X-1, rule: r, refs: ['000:1'], clauses: [{GOOD_CLAUSE}, {GOOD_CLAUSE}]}}]\n",
            "rules.yaml: rule 1 (X-1): clause id(s) retention given twice",
        ),
    ],
    ids=["not-a-list", "no-clauses", "unknown-field", "clause-id", "bad-ref", "twice"],
)
def test_a_malformed_catalogue_is_refused_naming_the_entry(files: tuple[Path, Path], body: str, message: str) -> None:
    files[0].write_text(body)
    with pytest.raises(catalogue.CatalogueError) as refused:
        catalogue.rules()
    assert str(refused.value) == message


def test_a_malformed_lab_choice_is_refused(files: tuple[Path, Path]) -> None:
    files[1].write_text("lab_choices: [{id: dnd, choice: c, reason: r}]\n")
    with pytest.raises(catalogue.CatalogueError) as refused:
        catalogue.lab_choices()
    assert str(refused.value) == (
        "lab_choices.yaml: entry 1: id 'dnd' must look like LAB-DND-486 (LAB- then capitals and digits)"
    )


def test_problems_name_the_clause(files: tuple[Path, Path]) -> None:
    files[0].write_text(
        "rules: [{id: X-1, rule: r, refs: ['000:1394'], clauses: ["
        "{id: a, text: t, refs: ['000:99999'], reading: nowhere, timers: [lunch_break]}]}]\n"
    )
    files[1].write_text("lab_choices: [{id: LAB-X, choice: c, reason: r, beside: [X-2]}]\n")
    seeds = catalogue.seeds_dir()
    assert catalogue.problems() == [
        f"X-1/a: reference 000:99999 points at no text in {seeds}",
        "X-1/a: reading 'nowhere' is no heading of RULES-INTERPRETATION.md",
        "X-1/a: timer 'lunch_break' is not one of callme_to_voicemail, conference_end_after_last_moderator, "
        "registration_expires, registration_min_expires, uc_session_idle, voicemail_retention",
        "LAB-X: beside X-2 is no rule of rules.yaml",
    ]
