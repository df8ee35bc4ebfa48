"""The rule catalogue and its document references."""

from __future__ import annotations

from simulators import catalogue


def test_every_rule_has_a_document_reference_that_resolves() -> None:
    rules = catalogue.rules()
    assert len(rules) >= 60
    for rule in rules.values():
        assert rule.refs, rule.id
        for ref in rule.refs:
            assert catalogue.quote(ref), f"{rule.id}: {ref} points at no text"


def test_quote() -> None:
    assert catalogue.quote("004:318") == "- Symmetric NAT configuration is not supported."
    assert catalogue.unknown(["NET-1.5", "NET-9.9"]) == ["NET-9.9"]
