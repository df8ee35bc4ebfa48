"""004 sections 1.1, 1.2, 1.7 (UC from two places) and 1.11: myPortal @work on the office LAN
(topologies/net_office_lan.yaml: no Internet, no STUN; the system's LAN port is captured).

Devices and licences as the sections list them (simulators/uc/examples/office.yaml and
office_suite.yaml): 202 is a UC + CTI user with a desk phone (UC User, 004:58), 200 and 201
have IP User + UC User for VoIP (004:65); in UC Suite 204 has a Groupware licence (004:193).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import ScenarioFailed, audio, call, call_with_audio, client, registration_refused, uc_login
from simulators.phone import protocol as p
from simulators.phone.ucapi import UcApiError

LAN = "192.168.1.30:8802"
DESKTOP = "myportal_for_desktop"
OUTLOOK = "myportal_for_outlook"


@pytest.fixture
def net(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("net_office_lan")


@pytest.mark.clause("NET-1.1/login", "NET-1.1/no-voip", "NET-1.1/cti", how="wire")
@pytest.mark.lab_choice("LAB-CTI-MAKECALL")
async def test_net_1_1_uc_and_cti_client_without_voip(net: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """NET-1.1 (004:52-59): a UC + CTI user (202, UC User licence) logs in with LAN IP
    address:8802 (004:59); myPortal @work has no VoIP (VoIP is off, no VoIP registration from
    the PC); calls reach the associated desk phone, which rings and has two-way audio. CTI
    (004:54, 000:1074): the user dials 201 in myPortal @work; the system rings the desk
    phone first, the user lifts it, then Ben's phone rings showing 202, and the two talk
    (LAB-CTI-MAKECALL)."""
    stub = await stubs(net)
    api = await uc_login(net, stub, "office_pc", LAN, "202")
    try:
        me = await api.me()
        assert not me.voip_enabled, "myPortal @work for a UC + CTI user: VoIP is off (004:54)"
        desk = await client(phones, net, stub, "desk_phone", "desk", "202", desk=True)
        caller = await client(phones, net, stub, "office_pc2", "ben", "201")
        regs = (await api.connections()).voip_registrations
        assert [(r.station, r.source.split(":")[0]) for r in regs] == [("202", "192.168.1.60")], (
            f"only the associated desk phone is registered for 202, not the PC: {regs}"
        )
        await call_with_audio(
            net, caller, desk, stub.door_uri("202"), "two-way", label="VoIP client 201 -> desk phone 202"
        )

        mark = caller.mark()
        calling = await api.make_call("201")
        assert (calling.ringing, calling.then) == ("202", "201"), calling
        lifted = await desk.incoming(timeout=8)
        assert not [e for e in caller.events[mark:] if isinstance(e, p.IncomingCall)], "Ben rang before the desk phone"
        await lifted.answer()
        ringing = await caller.incoming(timeout=8)
        assert "sip:202@" in ringing.remote_uri, f"Ben sees {ringing.remote_uri}, not 202"
        await ringing.answer()
        await audio(net, lifted, ringing, "two-way", label="CTI: desk phone 202 <-> Ben 201")
        await ringing.hangup()
    finally:
        await api.aclose()


@pytest.mark.clause(
    "NET-1.2/login",
    "NET-1.2/voip",
    "NET-1.2/no-stun-inhouse",
    "PORT-1/uc-8802",
    "NAT-5/ice-status",
    how="wire",
)
async def test_net_1_2_uc_and_voip_on_the_lan_without_stun(net: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """NET-1.2 (004:61-70): login with LAN IP address:8802 (004:66), enable VoIP (004:67), calls
    in both directions ring and have two-way audio. "STUN connectivity
    in the client is not needed for pure inhouse connections" (004:68): this LAN has no STUN
    server, Check ICE status says not available (NAT-5), and the calls still work. UC and
    VoIP signalling share TCP 8802 (PORT-1, 004:272)."""
    stub = await stubs(net)
    api = await uc_login(net, stub, "office_pc", LAN, "200")
    await api.aclose()
    anna = await client(phones, net, stub, "office_pc", "anna", "200", LAN)
    desk = await client(phones, net, stub, "desk_phone", "desk", "202", desk=True)
    ice = await anna.check_ice_status()
    assert ice.status == "not available", f"premise: no STUN server in the office LAN, but Check ICE status: {ice}"
    out, inc = await call(net, anna, desk, stub.door_uri("202"))
    await audio(net, out, inc, "two-way", label="VoIP client 200 -> desk phone 202")
    # no re-INVITE here: the pjsua 2.15.1 agent with ICE and no STUN server aborts in
    # pj_stun_sock_sendto when a re-INVITEd call is hung up
    await out.hangup()
    await call_with_audio(net, desk, anna, stub.sip_uri("200"), "two-way", label="desk phone 202 -> VoIP client 200")


@pytest.mark.parametrize(
    ("config", "both_sessions"),
    [
        pytest.param("office", True, id="smart", marks=pytest.mark.clause("NET-1.7/smart-two-places", how="wire")),
        pytest.param(
            "office_suite", False, id="suite", marks=pytest.mark.clause("NET-1.7/suite-one-client", how="wire")
        ),
    ],
)
@pytest.mark.clause("NET-1.7/one-voip", "TRB-2/one-station", how="wire")
@pytest.mark.lab_choice("LAB-REGISTRATION-FIRST-HOLDS")
async def test_net_1_7_uc_from_two_places_one_voip_registration(
    net: Lab, stubs: StartStub, phones: StartPhone, config: str, both_sessions: bool
) -> None:
    """NET-1.7 (004:130-139): "only one VoIP connection either in home or in office" (004:132).
    UC Smart: the UC client may be connected from two places at once, only one VoIP client
    (004:138); UC Suite: only one myPortal @work client is allowed (004:139). Two PCs stand
    for the two places; the second VoIP registration of station 200 is refused (TRB-2)."""
    stub = await stubs(net, config=config)
    first = await uc_login(net, stub, "office_pc", LAN, "200")
    try:
        second = await uc_login(net, stub, "office_pc2", LAN, "200")
    except ScenarioFailed as exc:
        assert not both_sessions, f"UC Smart: the UC client may be connected from two places (004:138): {exc}"
        assert "Only one myPortal @work client" in str(exc), exc
    else:
        assert both_sessions, "UC Suite: only one myPortal @work client is allowed (004:139), a second logged in"
        await second.aclose()
    sessions = sorted(s.address for s in (await first.connections()).uc_sessions)
    assert sessions == (["192.168.1.50", "192.168.1.51"] if both_sessions else ["192.168.1.50"]), sessions
    await client(phones, net, stub, "office_pc", "first", "200", LAN)
    other = await client(phones, net, stub, "office_pc2", "second", "200", LAN, register=False)
    await registration_refused(other, "200")
    regs = (await first.connections()).voip_registrations
    assert [r.source.split(":")[0] for r in regs] == ["192.168.1.50"], regs
    await first.aclose()


@pytest.mark.parametrize(
    ("user", "other"),
    [
        pytest.param("200", DESKTOP, id="uc_user", marks=pytest.mark.clause("NET-1.11/uc-user", how="wire")),
        pytest.param("204", OUTLOOK, id="groupware", marks=pytest.mark.clause("NET-1.11/groupware", how="wire")),
    ],
)
async def test_net_1_11_parallel_uc_suite_clients(
    net: Lab, stubs: StartStub, phones: StartPhone, user: str, other: str
) -> None:
    """NET-1.11 (004:183-205), UC Suite: with a UC User licence the same user is connected in
    parallel with myPortal @work and myPortal for Desktop (004:187-189); with a Groupware
    licence with myPortal @work and the Outlook client (004:193-195); the @work VoIP client
    registers and calls meanwhile. (myAgent, 004:199-205, is not part of the stub.)"""
    stub = await stubs(net, config="office_suite")
    parallel = await uc_login(net, stub, "office_pc2", LAN, user, kind=other)
    password = None
    try:
        await parallel.me()
    except UcApiError as exc:  # 204 changes the initial password with that client first (UC-LOGIN-2)
        assert exc.code == "password_change_required", exc
        password = "947261"
        await parallel.change_password(password)
    at_work = await uc_login(net, stub, "office_pc", LAN, user, password)
    clients = sorted(s.client for s in (await at_work.connections()).uc_sessions)
    assert clients == sorted(["myportal_at_work", other]), clients
    voip = await client(phones, net, stub, "office_pc", "atwork", user, LAN)
    desk = await client(phones, net, stub, "desk_phone", "desk", "211", desk=True)
    await call_with_audio(net, desk, voip, stub.sip_uri(user), "two-way", label=f"DECT 211 -> @work VoIP {user}")
    await parallel.aclose()
    await at_work.aclose()
