"""JSON and JUnit of a result (pure: the result is written here by hand)."""

from __future__ import annotations

import json
from pathlib import Path

from uclab.check import expand, model, oracle, report, runner
from uclab.check.verdict import Check, SiteMeasurement, judge

BASE = "customer: X GmbH\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\n"


def result(tmp_path: Path) -> runner.Result:
    c = model.parse(BASE + "sites: [{name: home, access: internet, router: {nat: symmetric}}]")
    net = expand.concrete(c)
    m = SiteMeasurement("home", [Check("audio_in", "myportal_voip 1", False, "none over 3000 ms")])
    tried = runner.Tried(expand.Possibility(), m, judge(oracle.findings(net, "home"), m, True), tmp_path)
    fixed_m = SiteMeasurement("home", [Check("audio_in", "myportal_voip 1", True, "two-way")])
    fixed = runner.Tried(
        expand.Possibility(), fixed_m, judge([], fixed_m, True), tmp_path, oracle.RemedyRef("vpn", "home")
    )
    site = runner.SiteResult("home", model.Access.INTERNET, [tried, fixed])
    return runner.Result(c, [site], [], ["mapped"], tmp_path, 12.0)


def test_json_has_the_issue_shape(tmp_path: Path) -> None:
    data = json.loads(report.write_json(result(tmp_path), tmp_path / "r.json").read_text())
    s = data["sites"][0]
    assert (data["customer"], data["ok"], s["name"], s["verdict"]) == ("X GmbH", False, "home", "not-supported")
    assert s["causes"][0] | {"possibility": "as described"} == s["causes"][0]
    assert (s["causes"][0]["rule"], s["causes"][0]["doc"]) == ("NAT-1", "004:318")
    assert s["remedies"] == [s["remedies"][0]] and s["remedies"][0]["change"].startswith(
        "connect home through the office VPN"
    )
    assert s["remedies"][0]["verdict_after"] == "ready" and data["evidence"] == str(tmp_path)


def test_junit_fails_the_site_and_names_the_fix(tmp_path: Path) -> None:
    text = report.write_junit(result(tmp_path), tmp_path / "j.xml").read_text()
    assert 'tests="1" failures="1"' in text and 'message="not-supported"' in text
    assert "NAT-1 004:318" in text and "shown to fix it: connect home through the office VPN" in text
