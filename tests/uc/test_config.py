"""System configuration files: every bad input is one clear error naming file, line, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.uc.config import ConfigError, DeviceKind, load_config, parse_config
from simulators.uc.profiles import Mode, Release

from .conftest import EXAMPLES

GOOD = """\
system: {sip_domain: osbiz.lab, mode: smart, release: V3R2FR1}
administrator: {password: "Admin#2026"}
users:
  - {number: "200", name: Anna, password: "Start#200a", licences: [ip_user, uc_user]}
devices:
  - {id: webrtc_200, kind: voip_client, number: "200", sip_user: "200", sip_password: "secret200"}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "office.yaml")
    return [p.render("office.yaml") for p in info.value.problems]


def test_the_shipped_examples_load() -> None:
    office = load_config(EXAMPLES / "office.yaml")
    assert (office.system.mode, office.system.release, office.realm) == (Mode.SMART, Release.V3R2FR1, "osbiz.lab")
    assert [u.number for u in office.users] == ["200", "201", "202", "203", "204", "205", "210"]
    assert office.mulap_of("webrtc_212") is not None and office.mulap_of("webrtc_200") is None
    assert office.preset_pin("200") == "123456"
    assert office.device("desk_202") is not None and office.device("desk_202").kind is DeviceKind.SIP_PHONE  # type: ignore[union-attr]
    suite = load_config(EXAMPLES / "office_suite.yaml")
    assert suite.system.mode is Mode.SUITE


def test_a_minimal_config_and_its_defaults() -> None:
    cfg = parse_config(GOOD, "office.yaml")
    assert cfg.system.time_scale == 1.0
    assert cfg.voicemail.box_number == "351" and cfg.voicemail.preset_pin is None
    assert cfg.sip.latch_rtp is True and cfg.sip.wan_interface_address is None
    assert cfg.deskshare.service_code == "*9419"
    assert parse_config(GOOD.replace("V3R2FR1", "V3"), "x").preset_pin("200") == "200"


def test_structure_errors_name_line_field_and_fix() -> None:
    text = GOOD.replace("mode: smart", "mode: smrt").replace('number: "200", name', "number: 200, name")
    text = text.replace('password: "Start#200a"', "pasword: x")
    assert problems(text) == [
        "office.yaml:1: system.mode: unknown mode 'smrt'; use one of: 'smart' or 'suite'",
        'office.yaml:4: users.0.number: expected text, got the number 200; write it in quotes, e.g. "200"',
        "office.yaml:4: users.0.password: required field is missing; add it",
        "office.yaml:4: users.0.pasword: unknown field 'pasword'; did you mean 'password'?",
    ]


def test_value_errors() -> None:
    text = (
        GOOD.replace("licences: [ip_user, uc_user]", "licences: [ip_user, ip_user, boss]")
        .replace("time_scale", "x")
        .replace("release: V3R2FR1}", "release: V3R2FR1, time_scale: 0}")
    )
    assert problems(text) == [
        "office.yaml:1: system.time_scale: must be greater than 0 (got 0)",
        "office.yaml:4: users.0.licences.2: unknown licences 'boss'; use one of: 'ip_user', 'uc_user', 'groupware', "
        "'deskshare', 'conference' or 'voicemail'",
    ]
    assert problems(GOOD.replace("licences: [ip_user, uc_user]", "licences: [ip_user, ip_user]")) == [
        "office.yaml:4: users.0.licences: licence ip_user listed twice; list each licence once"
    ]


def test_cross_reference_errors() -> None:
    text = (
        GOOD
        + """  - {id: webrtc_200, kind: dect, number: "299", sip_user: "200", sip_password: "secret200"}
  - {id: desk_100, kind: dect, number: "100", sip_user: "100", sip_password: "secret100"}
mulap:
  - {number: "210", devices: [webrtc_20, desk_100]}
deskshare: {dummy_numbers: ["100", "200"]}
"""
    )
    assert problems(text) == [
        "office.yaml:10: mulap.0.number: MULAP number 210 is not a user; add a user with number 210 (the client logs "
        "in with the MULAP number, 004:80)",
        "office.yaml:10: mulap.0.devices.0: unknown device 'webrtc_20'; did you mean 'webrtc_200'?",
        "office.yaml:7: devices.1.id: device id 'webrtc_200' is already used by devices[0]; rename it",
        "office.yaml:7: devices.1.sip_user: SIP user '200' is already used by devices[0]; each device needs its own",
        "office.yaml:7: devices.1.number: station number 299 belongs to no user, MULAP group or deskshare dummy "
        "number; add the user, list the device in a MULAP group, or correct the number",
        "office.yaml:8: devices.2.kind: device on deskshare dummy number 100 must be a sip_phone (a desk phone, 004:151)",
        "office.yaml:11: deskshare.dummy_numbers.1: dummy number 200 is also a user's number; dummy numbers are for "
        "desk phones only (004:151)",
    ]


def test_one_device_per_station_and_mulap_numbers() -> None:
    text = (
        GOOD.replace(
            "licences: [ip_user, uc_user]}", 'licences: [ip_user, uc_user]}\n  - {number: "210", name: T, password: p}'
        )
        + """  - {id: desk_200, kind: sip_phone, number: "200", sip_user: "200d", sip_password: "secret200"}
  - {id: dect_210, kind: dect, number: "210", sip_user: "210", sip_password: "secret210"}
mulap:
  - {number: "210", devices: [webrtc_200, desk_200]}
  - {number: "200", devices: [desk_200, dect_210]}
"""
    )
    assert problems(text) == [
        "office.yaml:12: mulap.1.devices.0: device 'desk_200' is already a member of MULAP 210; a device belongs to "
        "one MULAP",
        "office.yaml:7: devices.0.number: 200 is a MULAP number; give member devices their own station numbers and "
        "list them in mulap",
        "office.yaml:8: devices.1.number: station number 200 already belongs to devices[0]; one device per station "
        "number (004:329); put several devices under one number with a MULAP group",
        "office.yaml:8: devices.1.number: 200 is a MULAP number; give member devices their own station numbers and "
        "list them in mulap",
        "office.yaml:9: devices.2.number: 210 is a MULAP number; give member devices their own station numbers and "
        "list them in mulap",
    ]


def test_yaml_level_errors(tmp_path: Path) -> None:
    assert problems("system: [unclosed") == [
        "office.yaml:1: (top level): not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    assert problems(GOOD + "users: []\n") == [
        "office.yaml:7: users: key 'users' appears twice (first on line 3); keep one"
    ]
    assert problems("- a list") == [
        "office.yaml: (top level): a system configuration is a mapping; see the example in simulators/uc/examples/ "
        "or SystemConfig's JSON schema"
    ]
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(GOOD.replace("Anna", "J\xfcrgen").encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_config(latin1)
    assert str(info.value).endswith("(top level): not UTF-8 text (invalid start byte); save the file as UTF-8")
    with pytest.raises(ConfigError) as missing:
        load_config(tmp_path / "nope.yaml")
    assert "no such file; give the path of a system configuration YAML" in str(missing.value)
