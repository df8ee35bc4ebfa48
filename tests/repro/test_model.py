"""Scenario files: what loads, and the exact errors a bad file gets (file:line, field, allowed values)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from uclab.repro import model as m

from ..shell import ROOT, uclab

GOOD = """title: one-way audio since the new home router
topology: home_internet
phones:
  home: {host: home_pc, user: "200", client: myportal_voip, server: public}
  desk: {host: office_pc, user: "202", client: desk_phone}
steps:
  - router: {name: home_router, sip_alg: "faulty:sdp-rewrite-no-pinhole"}
  - call: {from: desk, to: home}
  - expect: {audio: two-way}
  - wait: 5s
  - hangup: desk
"""


def problems(text: str) -> list[str]:
    with pytest.raises(m.ScenarioError) as info:
        m.parse(text, "t.yaml")
    return str(info.value).splitlines()[1:]


def test_the_issue_example_loads() -> None:
    sc = m.parse(GOOD, "t.yaml")
    assert [m.step_kind(s) for s in sc.steps] == ["router", "call", "expect", "wait", "hangup"]
    call = sc.steps[1]
    assert isinstance(call, m.CallStep) and (call.call.from_, call.call.to, call.call.answer) == ("desk", "home", True)
    assert isinstance(sc.steps[3], m.WaitStep) and sc.steps[3].wait == 5.0


@pytest.mark.parametrize("value, seconds", [(5, 5.0), ("5s", 5.0), ("500ms", 0.5), ("1m", 60.0), ("2.5 s", 2.5)])
def test_durations(value: object, seconds: float) -> None:
    assert m.seconds(value) == seconds


def test_every_example_loads() -> None:
    files = sorted((ROOT / "examples" / "repro").glob("*.yaml"))
    assert [f.stem for f in files] == [
        "calls_lost_after_binding_timeout",
        "expectation_fails_tls_client",
        "no_payload_symmetric_nat",
        "one_call_home_internet",
        "one_way_audio_faulty_alg",
    ]
    for f in files:
        m.load(f)


def test_bad_values_name_line_field_and_choices() -> None:
    text = GOOD.replace("client: desk_phone", "client: desk_phon").replace("audio: two-way", "audio: two-ways")
    text = text.replace("wait: 5s", "wait: 5x").replace("  - hangup: desk\n", "  - hangup: desk\n  - fly: desk\n")
    assert problems(text) == [
        "  t.yaml:5: phones.desk.client: unknown client 'desk_phon'; use one of: 'myportal_voip' or 'desk_phone'",
        "  t.yaml:9: steps.2.expect.audio: unknown audio 'two-ways'; use one of: 'two-way', 'one-way' or 'none'",
        "  t.yaml:10: steps.3.wait: '5x' is not a duration; write e.g. 5s, 500ms or 1m",
        "  t.yaml:12: steps.5: a step is a mapping with one key, one of: call, answer, hangup, hold, retrieve, "
        "transfer, dtmf, register, unregister, wait, router, impair, roam, check_nat, check_ice, expect "
        "(got {'fly': 'desk'})",
    ]


def test_a_step_naming_an_unknown_phone() -> None:
    assert problems(GOOD.replace("to: home}", "to: hom}")) == [
        "  t.yaml:8: steps.1.call: no phone 'hom' in `phones:`; phones: desk, home"
    ]


def test_an_expectation_must_say_something() -> None:
    assert problems(GOOD.replace("expect: {audio: two-way}", "expect: {within: 2s}")) == [
        "  t.yaml:9: steps.2.expect: say what is expected: one of audio, ringing, not_ringing, registered, "
        "not_registered, nat_type, ice_status"
    ]


def test_a_misspelt_field_gets_a_suggestion() -> None:
    (line,) = problems(GOOD.replace("sip_alg:", "sipalg:"))
    assert line.startswith("  t.yaml:7: steps.0.router.sipalg: unknown field") and "did you mean 'sip_alg'?" in line


def test_not_yaml() -> None:
    assert problems("title: [unclosed\n") == [
        "  t.yaml:2: (top level): not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_cli_bad_file_exits_2_with_the_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("client: desk_phone", "client: desk_phon"))
    result = uclab("repro", str(bad))
    assert result.returncode == 2
    assert f"uclab: {bad}: 1 problem\n  {bad}:5: phones.desk.client: unknown client 'desk_phon'" in result.stderr
    missing = uclab("repro", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "no such file; give the path of a scenario YAML" in missing.stderr
    unknown = tmp_path / "unknown_topology.yaml"
    unknown.write_text(GOOD.replace("topology: home_internet", "topology: home_interne"))
    result = uclab("repro", str(unknown))
    assert result.returncode == 2 and "home_interne" in result.stderr


def test_cli_publishes_the_schema() -> None:
    result = uclab("repro", "--schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Scenario" and set(schema["required"]) == {"title", "topology", "steps"}
    assert "CallStep" in schema["$defs"] and "from" in schema["$defs"]["CallSpec"]["properties"]
