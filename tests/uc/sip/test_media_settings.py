"""The stub's two media settings: RTP latching, and the "system on its WAN interface" mistake.

- `sip.latch_rtp` (default true, documented in simulators/uc/config.py): the system side
  follows the source address of the RTP it receives (symmetric RTP, as pjmedia does). It
  decides whether a device behind a NAT without ICE (its SDP names a private address) gets
  audio: with latching the core answers to the NAT's mapping, without it the core sends to
  the private address and the device hears nothing (NOTES-platform.md, latching).
- `sip.wan_interface_address` (default null): the misconfiguration of 004:104-106. The
  system believes it sits on its WAN interface and advertises that public address for its
  media (no ICE candidates of its LAN side); clients then send RTP where nobody listens
  and the system's own RTP is filtered by their NAT: no payload (TRB-3).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.phone.media import expect_audio
from simulators.uc.config import SystemConfig, validate_config

from .conftest import StartPhone, StartStub, desk_phone, registered, voip_client

EXAMPLE = Path(__file__).resolve().parents[3] / "simulators" / "uc" / "examples" / "office.yaml"


def office_config(**sip: Any) -> SystemConfig:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["sip"].update(sip)
    return validate_config(data, "office.yaml + test changes")


def branch_behind_nat() -> Topology:
    """The office LAN with the system, and a branch LAN behind a port-restricted cone NAT
    whose outside is on the office LAN: devices there have private addresses the system
    cannot reach directly."""
    return (
        TopologyBuilder("uc_branch_nat", "office LAN, and a branch behind a NAT on it")
        .segment("office_lan", "192.168.1.0/24")
        .segment("branch_lan", "10.0.0.0/24")
        .host("system", eth0=("office_lan", "192.168.1.30"))
        .host("office_pc", eth0=("office_lan", "192.168.1.50"))
        .host("branch_pc", eth0=("branch_lan", "10.0.0.10"))
        .router(
            "branch_nat", lan=("branch_lan", "10.0.0.1"), wan=("office_lan", "192.168.1.2"), nat="port-restricted-cone"
        )
        .build()
    )


@pytest.fixture
def branch_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(branch_behind_nat())


@pytest.mark.parametrize(("latch", "verdict"), [(True, "two-way"), (False, "one-way")])
@pytest.mark.rule("TRB-3")
async def test_rtp_latching_decides_audio_to_a_device_behind_nat_without_ice(
    branch_lab: Lab, stubs: StartStub, phones: StartPhone, latch: bool, verdict: str
) -> None:
    """A desk phone behind a NAT, without ICE, advertises its private address. With
    latching (the default) the system answers to the NAT's mapping of its RTP: two-way
    audio. Without, the system sends to the private address: the office user hears the
    branch phone, the branch phone hears nothing (one-way, a TRB-3 "no payload" cause)."""
    stub = await stubs(branch_lab, config=office_config(latch_rtp=latch))
    branch = await phones(branch_lab, "branch_pc", "branch", **desk_phone(stub, "202"))
    office = await phones(branch_lab, "office_pc", "office", **desk_phone(stub, "201"))
    await registered(branch)
    await registered(office)
    out = await office.dial(stub.sip_uri("202"))
    inc = await branch.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    direction = None if latch else "branch -> office"
    await expect_audio(out, inc, verdict, direction=direction, within=3)
    legs = [leg for session in await stub.calls() for leg in session["legs"] if leg["device"] == "202"]
    assert legs and legs[0]["latch_disabled"] is (None if latch else True), legs


@pytest.mark.rule("NET-1.5", "TRB-3")
async def test_system_on_its_wan_interface_breaks_payload(
    internet_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.5 (004:104-106): "Please do not use the OSBiz WAN interface ... will lead to
    payload issues". With the stub set to its WAN interface address, the home client's call
    is set up (signalling over 8802 works) but no audio passes in either direction, and the
    client was told to send its RTP to the WAN address. The same call with the documented
    set-up has two-way audio (test_internet.py)."""
    wan = "198.51.100.30"
    stub = await stubs(internet_lab, config=office_config(wan_interface_address=wan))
    public = stub.door_endpoints[0]
    home = await phones(internet_lab, "home_pc", "alice", ice=True, **voip_client(stub, "200", public))
    office = await phones(internet_lab, "office_pc", "bob", ice=True, **desk_phone(stub, "201"))
    await registered(home)
    await registered(office)
    out = await home.dial(stub.door_uri("201", public))
    inc = await office.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    await expect_audio(out, inc, "none", within=2)
    report = await out.report()
    assert report.stream is not None and report.stream.remote_rtp_sdp.startswith(wan + ":"), report.stream
