"""004:106, the "system on its WAN interface" misconfiguration (NET-1.5, TRB-3).

"Please do not use the OSBiz WAN interface for connecting to the internet when using
myPortal @work via Public IP. If this is done internal SBC will detect the Public IP address
of the WAN interface and will use this in the communication between the client and the OSBiz
which will lead to payload issues." The stub reproduces it with `sip.wan_interface_address`
(simulators/uc/config.py): the system advertises that public address for its media. On
topologies/net_internet.yaml the documented set-up (null) has two-way audio; the
misconfiguration keeps signalling and ringing but loses the payload.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import audio, call, client
from simulators.uc.config import SystemConfig, validate_config

PUBLIC = "198.51.100.120:8802"
WAN_INTERFACE = "198.51.100.30"
"""the address the system's own WAN interface would have on the office ISP link"""
EXAMPLE = Path(__file__).resolve().parents[2] / "simulators" / "uc" / "examples" / "office.yaml"


def office_config(**sip: Any) -> SystemConfig:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["sip"].update(sip)
    return validate_config(data, "office.yaml + suite changes")


@pytest.mark.parametrize(("wan", "expected"), [(None, "two-way"), (WAN_INTERFACE, "none")], ids=["lan", "wan"])
@pytest.mark.clause("NET-1.5/wan-interface", how="construction")
@pytest.mark.rule("TRB-3")
async def test_system_on_its_wan_interface_has_payload_issues(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone, wan: str | None, expected: str
) -> None:
    """NET-1.5 (004:106): with the system on the LAN (the proposed configuration) the home
    client's call has two-way audio both ways; with the system on its WAN interface the call
    is still set up (the client rings, over 8802) but has no payload in either direction, and
    the client was told to send its media to the WAN interface's address."""
    lab = lab_factory("net_internet")
    stub = await stubs(lab, config=office_config(wan_interface_address=wan))
    home = await client(phones, lab, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, lab, stub, "office_pc", "desk", "202", desk=True)
    out, inc = await call(lab, desk, home, stub.sip_uri("200"))
    await audio(lab, out, inc, expected, label=f"office -> home, system WAN interface {wan}")
    report = await inc.report()
    assert report.stream is not None
    told = report.stream.remote_rtp_sdp.split(":")[0]
    assert (told == WAN_INTERFACE) is (wan is not None), f"the client was told to send its RTP to {told}"
    await out.hangup()
