"""Verdicts from measurements and findings (pure; the measurements are written here by hand)."""

from __future__ import annotations

import pytest

from uclab.check import expand, model, oracle
from uclab.check.quality import rate
from uclab.check.verdict import Check, MissingDocuments, SiteMeasurement, cause, judge, worst

BASE = "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\n"
STEPS = ("login", "ice_status", "register", "rings", "audio_in", "outgoing", "audio_out", "binding_timeout", "hold")


def measured(failed: tuple[str, ...] = ()) -> SiteMeasurement:
    return SiteMeasurement("home", [Check(s, "myportal_voip 1", s not in failed, f"{s} measured") for s in STEPS])


def findings(text: str) -> list[oracle.Finding]:
    return oracle.findings(expand.concrete(model.parse(BASE + text)), "home")


def test_all_steps_work_and_nothing_documented_is_ready() -> None:
    assert judge(findings("sites: [{name: home, access: internet}]"), measured(), True).verdict == "ready"


def test_not_supported_whatever_was_measured() -> None:
    f = findings("sites: [{name: home, access: internet, router: {nat: symmetric}}]")
    v = judge(f, measured(), True)
    assert v.verdict == "not-supported"
    assert [(c.rule, c.doc, c.text) for c in v.causes] == [
        ("NAT-1", "004:318", "- Symmetric NAT configuration is not supported.")
    ]


def test_a_failure_explained_by_a_documented_problem_is_not_ready_with_that_cause() -> None:
    f = findings(
        'office_router: {firewall: {stateless: ["tcp 8802", "udp 3478"]}}\nsites: [{name: home, access: internet}]'
    )
    v = judge(f, measured(("audio_in", "audio_out")), True)
    assert v.verdict == "not-ready"
    assert [(c.rule, c.doc) for c in v.causes] == [("PORT-3", "004:296-298")]
    assert v.causes[0].text.startswith("For all payload traffic which is exchanged via the internet")
    assert [w.doc for w in v.warnings] == ["004:300"]


def test_a_failure_no_document_explains_is_reported_as_such() -> None:
    v = judge(findings("sites: [{name: home, access: internet}]"), measured(("rings",)), True)
    assert v.verdict == "not-ready"
    assert [(c.rule, c.doc, c.text) for c in v.causes] == [(None, None, "rings measured")]
    assert "no documented cause" in v.causes[0].why


def test_problem_that_broke_nothing_is_a_warning() -> None:
    f = findings(
        'office_router: {firewall: {stateless: ["tcp 8802", "udp 3478"]}}\nsites: [{name: home, access: internet}]'
    )
    v = judge(f, measured(), True)
    assert v.verdict == "ready-with-warnings"
    assert [w.doc for w in v.warnings] == ["004:300", "004:296-298"]


def test_ice_status_in_the_office_is_a_warning_only() -> None:
    """STUN is not needed for pure in-house connections (004:68), mandatory via VPN (004:94)."""
    f = findings("sites: [{name: home, access: office}]")
    assert judge(f, measured(("ice_status",)), False).verdict == "ready-with-warnings"
    assert judge(f, measured(("ice_status",)), True).verdict == "not-ready"


def test_link_quality_past_a_published_limit_is_a_warning() -> None:
    m = measured()
    m.quality.append(rate("client", "PCMA/8000", 250, 35.0, 0.0, 60.0, 130.0, 85.0))
    v = judge(findings("sites: [{name: home, access: internet}]"), m, True)
    assert v.verdict == "ready-with-warnings"
    assert v.warnings[0].text.startswith("client: jitter 35 ms exceeds 30 ms (Cisco")


def test_worst_and_missing_documents(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    assert worst(["ready", "not-supported", "not-ready"]) == "not-supported"
    from simulators import catalogue

    monkeypatch.setenv("UCLAB_SEEDS", str(tmp_path))
    catalogue._document.cache_clear()
    try:
        with pytest.raises(MissingDocuments, match="set UCLAB_SEEDS"):
            cause(findings("sites: [{name: home, access: internet, router: {nat: symmetric}}]")[0])
    finally:
        monkeypatch.undo()
        catalogue._document.cache_clear()
