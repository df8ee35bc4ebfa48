"""MULAP (NET-1.3 004:72-86, UC-MULAP-1 000:2017-2031, 000:642): the MULAP number 210 with its
members DECT 211 and the myPortal @work VoIP client 212, on the office LAN.

The client logs in with the MULAP number, chooses the controlled device, then enables VoIP
(004:80-81); calls to 210 ring every member in parallel, the first to answer gets the
call and the others stop ringing; calls from any member show 210; DND is not offered.
"""

from __future__ import annotations

import asyncio

import pytest

from simulators.harness import StartPhone, StartStub, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.phone.media import expect_audio
from simulators.phone.ucapi import UcApiError

from .common import feature_stub, uc_login


@pytest.fixture
def office(lab_factory):  # type: ignore[no-untyped-def]
    return lab_factory("office_lan")


@pytest.mark.clause(
    "NET-1.3/login-mulap",
    "NET-1.3/controlled-device",
    "NET-1.3/members",
    "UC-MULAP-1/controlled-device",
    "UC-MULAP-1/no-dnd",
    "UC-VOIP-1/mulap-webrtc",
    how="wire",
)
async def test_mulap_login_rings_members_in_parallel_and_shows_the_mulap_number(
    office: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.3 (004:80-81): login with 210, controlled device 212, VoIP on: the account is the
    member 212 shown as 210. A call to 210 rings DECT and client together; the client
    answers with two-way audio, the DECT stops ringing. The DECT's own call shows 210 at
    the callee. UC-MULAP-1 (000:642): Do Not Disturb is refused and not offered."""
    stub = await feature_stub(office, stubs)
    api = await uc_login(office, stub, "office_pc2", "210")
    with pytest.raises(UcApiError) as refused:
        await api.enable_voip()
    assert refused.value.status == 403 and "controlled device" in refused.value.message.lower(), refused.value
    account = await api.enable_voip("212")
    assert (account.number, account.station, account.sip_user) == ("210", "212", "212"), account
    with pytest.raises(UcApiError) as dnd:
        await api.set_presence("do_not_disturb")
    assert dnd.value.status == 400 and "dnd_mulap" in dnd.value.violations, dnd.value
    assert "do_not_disturb" not in (await api.presence_options()).statuses
    await api.aclose()

    dect, webrtc, anna = await asyncio.gather(
        phones(office, "dect", "dect", **desk_phone(stub, "211")),
        phones(office, "office_pc2", "team", **voip_client(stub, account.sip_user)),
        phones(office, "office_pc", "anna", **voip_client(stub, "200")),
    )
    for phone in (dect, webrtc, anna):
        await registered(phone)
    out = await anna.dial(stub.door_uri("210"))
    ring_dect, ring_webrtc = await asyncio.gather(dect.incoming(timeout=8), webrtc.incoming(timeout=8))
    assert "sip:200@" in ring_dect.remote_uri and "sip:200@" in ring_webrtc.remote_uri
    await ring_webrtc.answer()
    await out.established(timeout=8)
    assert (await ring_dect.disconnected(timeout=5)).state == "disconnected"
    await expect_audio(out, ring_webrtc, "two-way", within=4)
    await out.hangup()

    out = await dect.dial(stub.sip_uri("200"))
    inc = await anna.incoming(timeout=8)
    assert "sip:210@" in inc.remote_uri, f"the callee sees {inc.remote_uri}, not the MULAP number 210"
    await inc.answer()
    await out.established(timeout=8)
    await expect_audio(out, inc, "two-way", within=4)


@pytest.mark.clause("NET-1.3/members", how="wire")
async def test_mulap_rings_the_members_that_are_there(office: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """NET-1.3: with the VoIP client not registered, a call to 210 still rings the DECT; a
    member that rejects (busy) does not end the call while another member rings."""
    stub = await feature_stub(office, stubs)
    dect, anna = await asyncio.gather(
        phones(office, "dect", "dect", **desk_phone(stub, "211")),
        phones(office, "office_pc", "anna", **voip_client(stub, "200")),
    )
    await registered(dect)
    await registered(anna)
    out = await anna.dial(stub.door_uri("210"))
    ring = await dect.incoming(timeout=8)
    await ring.answer()
    await out.established(timeout=8)
    await expect_audio(out, ring, "two-way", within=4)
