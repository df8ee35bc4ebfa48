"""SIP ladders from real captures: a call through a home router whose SIP ALG
(faulty:sdp-rewrite-no-pinhole, ALG-1 004:383) rewrites the client's SDP port, then the same
call with the ALG off. Fixture: the SIP of a `uclab repro examples/repro/one_way_audio_faulty_alg.yaml`
run, captured on both sides of the home router and on the system (tests/data/evidence_alg_run)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reports.evidence import ladder, sip

RUN = Path(__file__).resolve().parents[1] / "data" / "evidence_alg_run"
pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (scripts/setup.sh)")


@pytest.fixture(scope="module")
def messages() -> list[sip.SipMessage]:
    return sip.read_run(RUN)


def names() -> dict[str, str]:
    return ladder.address_names(json.loads((RUN / "topology.json").read_text()))


def test_every_capture_point_is_read(messages: list[sip.SipMessage]) -> None:
    assert {m.point for m in messages} == {"home_router-lan", "home_router-wan", "system-eth0"}
    first = messages[0]
    assert (first.point, first.first_line.split()[0], first.src, first.dst) == (
        "home_router-lan", "REGISTER", "192.168.178.20", "192.168.1.30",
    )  # fmt: skip


def test_one_ladder_per_call_with_one_column_per_address(messages: list[sip.SipMessage]) -> None:
    ladders = ladder.call_ladders(messages, names())
    assert [lad.title for lad in ladders] == [
        "call 1: INVITE sip:201@192.168.1.30:5060",
        "call 2: INVITE sip:201@192.168.1.30:5060",
    ]
    first = ladders[0]
    assert first.columns == ["192.168.178.20", "192.168.1.30", "203.0.113.24", "192.168.1.50"]
    assert first.names["203.0.113.24"] == "home_router wan"


def test_the_alg_rewrite_shows_on_the_two_sides_of_the_router(messages: list[sip.SipMessage]) -> None:
    """The same INVITE: from the home PC on the LAN side, from the router's public address on
    the WAN side, and the SDP's audio port changed by the ALG in between (call 1); with the ALG
    off (call 2) the port is the same on both sides."""
    call1, call2 = ladder.call_ladders(messages, names())[:2]

    def invite_ports(lad: ladder.Ladder) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a in lad.arrows:
            if a.message.is_request and a.message.method == "INVITE":
                media = [s for s in a.message.sdp if s.startswith("audio")]
                out.setdefault(a.src, set()).update(m.split()[1] for m in media)
        return out

    ports1, ports2 = invite_ports(call1), invite_ports(call2)
    assert {"192.168.178.20", "203.0.113.24"} <= set(ports1)
    assert ports1["192.168.178.20"].isdisjoint(ports1["203.0.113.24"]), f"the ALG rewrote the port: {ports1}"
    assert ports2["192.168.178.20"] == ports2["203.0.113.24"], f"no ALG, no rewrite: {ports2}"


def test_a_message_seen_at_two_points_on_one_path_is_one_arrow(messages: list[sip.SipMessage]) -> None:
    call1 = ladder.call_ladders(messages, names())[0]
    wan_invite = next(a for a in call1.arrows if a.src == "203.0.113.24" and a.message.method == "INVITE")
    assert wan_invite.points == ["home_router-wan", "system-eth0"]


def test_the_svg_draws_every_arrow(messages: list[sip.SipMessage]) -> None:
    call1 = ladder.call_ladders(messages, names())[0]
    svg = ladder.render(call1)
    assert svg.startswith("<svg") and svg.count('<g class="msg"') == len(call1.arrows)
    assert ">home_router wan<" in svg and "seen at: home_router-wan, system-eth0" in svg


def test_no_tshark_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(sip.TsharkMissing, match=r"tshark is not installed; scripts/setup.sh installs it"):
        sip.read_run(RUN)
