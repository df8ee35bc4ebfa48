"""The example scenarios (examples/repro) run and give the expected report: three real
symptoms reproduced (each expectation holds, exit 0) and one expectation that does not hold
(exit 1, the report says what was measured instead and the page shows the evidence).

Each builds its own lab (through the lock: /work/tools/labtest tests/repro -n 2)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from uclab.repro import model as m
from uclab.repro.report import Report
from uclab.repro.runner import run

from ..shell import ROOT

EXAMPLES = ROOT / "examples" / "repro"


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Iterator[Report]:
    source = EXAMPLES / f"{request.param}.yaml"
    result = run(m.load(source), source)
    yield result
    rep = getattr(request.node, "uclab_rep_call", None)
    if rep is not None and rep.passed:  # a failed test keeps its run directory as evidence
        shutil.rmtree(result.run_dir, ignore_errors=True)


def expectations(report: Report) -> list[tuple[str, str, dict[str, object] | None]]:
    return [(s.what, s.outcome, s.measured) for s in report.steps if s.expectation]


def page_of(report: Report) -> str:
    return Path(report.page).read_text()


@pytest.mark.rule("ALG-1")
@pytest.mark.parametrize("report", ["one_way_audio_faulty_alg"], indirect=True)
def test_one_way_audio_behind_a_faulty_alg(report: Report) -> None:
    """ALG-1 (004:383): one-way audio with the ALG on, two-way with it off."""
    assert report.exit_code == 0, report.text()
    (_, ok1, m1), (_, ok2, m2) = expectations(report)
    assert (ok1, m1["audio"]["kind"], m1["audio"]["direction"]) == ("ok", "one-way", "home -> desk")  # type: ignore[index]
    assert (ok2, m2["audio"]["kind"]) == ("ok", "two-way")  # type: ignore[index]
    assert "RESULT: every expectation held (2 of 2)" in report.text()
    assert page_of(report).count('class="ladder"') == 2


@pytest.mark.rule("NAT-1", "NAT-3")
@pytest.mark.parametrize("report", ["no_payload_symmetric_nat"], indirect=True)
def test_no_payload_behind_a_symmetric_nat(report: Report) -> None:
    """NAT-1 (004:318): no payload through a symmetric home NAT to a port-restricted office
    NAT; NAT-3 (000:2138-2160): Check NAT type says Symmetric."""
    assert report.exit_code == 0, report.text()
    (_, ok1, m1), (_, ok2, m2) = expectations(report)
    assert (ok1, m1) == ("ok", {"home.nat_type": "Symmetric"})
    assert (ok2, m2["audio"]["kind"]) == ("ok", "none")  # type: ignore[index]


@pytest.mark.parametrize("report", ["calls_lost_after_binding_timeout"], indirect=True)
def test_calls_lost_after_the_binding_timeout(report: Report) -> None:
    """With keep-alive off and a 3 s UDP timeout, the second call never reaches the client."""
    assert report.exit_code == 0, report.text()
    assert expectations(report) == [
        ("expect: ringing=home", "ok", {"home.ringing": True}),
        ("expect: not_ringing=home", "ok", {"home.ringing": False}),
    ]


@pytest.mark.parametrize("report", ["expectation_fails_tls_client"], indirect=True)
def test_an_expectation_that_does_not_hold(report: Report) -> None:
    """The faulty ALG cannot read TLS: the expected one-way audio is two-way; exit 1, the report
    names the step, the expectation and the measurement, and the page plays the received audio."""
    assert report.exit_code == 1
    text = report.text()
    assert "RESULT: 1 step(s) failed; 0 of 1 expectations held" in text
    assert (
        "  step 7 (expect: audio=one-way, direction=desk -> home): audio desk <-> home: "
        "expected one-way (desk -> home), measured two-way"
    ) in text
    page = page_of(report)
    assert '<p class="summary failed">' in page and page.count("<audio controls") == 2
