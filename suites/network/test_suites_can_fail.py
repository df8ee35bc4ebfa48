"""Proof that the network suites can fail: the suites' own checks
(simulators/netcheck.py, suites/network/test_port_table.py) run against a deliberately
broken lab or with a deliberately wrong expectation, and must fail with a message a partner
understands. No rule IDs: these test the suite machinery, not the product.

1. chapter 2: the office router forwards the wrong port -> "Connection Time out"
2. port table: the Internet payload range closed, yet "works" expected -> audio none
3. NET-1.5: RTP dropped one way on the home router -> one-way, naming the direction
4. NAT-3: a symmetric home NAT, yet "simple" expected -> Check NAT type says Symmetric
5. TRB-2: a free station, yet a refusal expected -> "answered 200 OK"
6. TRB-1: the VPN without an address, yet a login expected -> Connection Time out
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import ScenarioFailed, audio, call, client, nat_type_is, registration_refused, uc_login

from .test_port_table import INTERNET, check_place

PUBLIC = "198.51.100.120:8802"
LAN = "192.168.1.30:8802"
DROP_INBOUND_RTP = (
    "add table inet proof; "
    "add chain inet proof drop_rtp { type filter hook forward priority -300; policy accept; }; "
    'add rule inet proof drop_rtp iifname "wan" udp dport 49152-65535 drop'
)
"""one nft table on the home router: payload from the Internet to the home PC is dropped"""


async def test_wrong_port_forwarded_fails_login(lab_factory: Callable[..., Lab], stubs: StartStub) -> None:
    lab = lab_factory("net_internet")
    stub = await stubs(lab)
    lab.reconfigure_router("office_router", port_forwards=[{"proto": "tcp", "port": 8803, "to": "192.168.1.30:8802"}])
    with pytest.raises(ScenarioFailed) as failed:
        await uc_login(lab, stub, "home_pc", PUBLIC, "200")
    assert str(failed.value).startswith(f"UC login of 200 (myportal_at_work) at {PUBLIC} from home_pc failed: ")
    assert "Connection Time out" in str(failed.value)


async def test_closed_payload_range_fails_the_works_expectation(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    lab = lab_factory("net_internet")
    lab.reconfigure_router("office_router", firewall=INTERNET.stateless("49152-65535"))
    with pytest.raises(ScenarioFailed) as failed:
        await check_place(lab, stubs, phones, INTERNET, "works")
    assert "audio home_pc -> desk phone: expected two-way, measured none" in str(failed.value)
    assert "alice -> desk: not heard; desk -> alice: not heard" in str(failed.value)


async def test_rtp_dropped_one_way_is_named(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    lab = lab_factory("net_internet")
    stub = await stubs(lab)
    home = await client(phones, lab, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, lab, stub, "office_pc", "desk", "202", desk=True)
    out, inc = await call(lab, home, desk, stub.door_uri("202", PUBLIC))
    await audio(lab, out, inc, "two-way")
    lab.exec("home_router", ["nft", DROP_INBOUND_RTP], check=True)
    with pytest.raises(ScenarioFailed) as failed:
        # judged from half a second after the drop: what was heard before it is not evidence
        await audio(lab, out, inc, "two-way", since=time.monotonic() + 0.5, within=2.0, label="after the drop")
    message = str(failed.value)
    assert "audio after the drop: expected two-way, measured one-way (alice -> desk)" in message, message
    assert "desk -> alice: not heard" in message and "received audio saved: " in message, message


async def test_symmetric_nat_fails_a_simple_expectation(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    lab = lab_factory("net_internet")
    lab.reconfigure_router("home_router", nat="symmetric")
    stub = await stubs(lab)
    home = await client(phones, lab, stub, "home_pc", "alice", "200", PUBLIC)
    with pytest.raises(ScenarioFailed, match=r"Check NAT type on alice says 'NAT Type: Symmetric' .*; expected simple"):
        await nat_type_is(home, "simple")


async def test_free_station_fails_a_refusal_expectation(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    lab = lab_factory("net_office_lan")
    stub = await stubs(lab)
    only = await client(phones, lab, stub, "office_pc", "only", "200", LAN, register=False)
    with pytest.raises(ScenarioFailed, match=r"only's registration for station 200 was answered 200 OK; expected 403"):
        await registration_refused(only, "200")


async def test_vpn_without_address_fails_a_login_expectation(lab_factory: Callable[..., Lab], stubs: StartStub) -> None:
    lab = lab_factory("home_vpn_no_address")
    stub = await stubs(lab)
    with pytest.raises(ScenarioFailed, match=r"UC login of 200 .* from home_pc failed: Connection Time out"):
        await uc_login(lab, stub, "home_pc", LAN, "200")
