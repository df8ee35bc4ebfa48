"""Deskshare with the service code *9419 (NET-1.8 004:141-151, NET-1.9 004:153-166, NET-1.10
004:168-181), on the LAN, with the user's client at home through the VPN and over the Internet.

The dialogue (defined by the lab, docs/RULES-INTERPRETATION.md "Deskshare dialogue"): the
desk phone on the dummy number 100 dials *9419; the system answers and plays the prompt
tone (1150 Hz); the user keys the internal number and #, then the voicemail PIN and #; the
system confirms with 1050 Hz and ends the call. Refused: the prompt stops and the system
ends the call without the confirmation. Keying only # logs the desk phone out.

User 205 (Deskshare + UC User licences, office.yaml) has the preassigned PIN 123456 (V3R2 FR1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from simulators import netcheck
from simulators.harness import StartPhone, StartStub, desk_phone, registered, voip_client
from simulators.lab import Lab
from simulators.phone import protocol as p
from simulators.phone.client import Call, Phone
from simulators.phone.media import expect_audio
from simulators.uc.service import Stub

from .common import (
    CALLER_HOST,
    CONFIRM_TONE,
    DESK_HOST,
    PLACEMENTS,
    PROMPT_TONE,
    Placement,
    feature_stub,
    heard_freqs,
    hears,
    home_client,
)

PIN = "123456"


async def service_code(desk: Phone, stub: Stub, keys: str) -> tuple[bool, Call]:
    """Dial *9419 from the desk phone, key `keys` when prompted; (confirmed?, the call)."""
    mark = desk.mark()
    call = await desk.dial(stub.sip_uri("*9419"))
    await call.established(timeout=8)
    await hears(call, PROMPT_TONE, since=mark)
    await call.send_dtmf(keys, "rfc4733")
    ended = await call.disconnected(timeout=25)
    assert ended.state == "disconnected"
    return CONFIRM_TONE in heard_freqs(desk, call, mark), call


async def answered_by(caller: Phone, uri: str, callee: Phone) -> tuple[Call, Call]:
    out = await caller.dial(uri)
    inc = await callee.incoming(timeout=8)
    await inc.answer()
    await out.established(timeout=8)
    return out, inc


SHOWS = {
    "lan": ("NET-1.8/service-code", "NET-1.8/voip-logs-out", "NET-1.8/switch-back"),
    "vpn": ("NET-1.9/vpn", "NET-1.9/stun"),
    "internet": ("NET-1.10/internet", "NET-1.10/login-public"),
}
"""what each placement shows: deskshare on the LAN (004:151), through the VPN (004:155-166),
over the Internet (004:170-181)"""


@pytest.mark.parametrize(
    "placement",
    [pytest.param(pl, id=pl.name, marks=pytest.mark.clause(*SHOWS[pl.name], how="wire")) for pl in PLACEMENTS],
)
@pytest.mark.lab_choice("LAB-DESKSHARE-DIALOGUE")
async def test_desk_phone_logs_in_with_service_code_and_returns_when_voip_registers(
    placement: Placement, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.8/1.9/1.10 (004:151, 004:164, 004:179): the desk phone on dummy number 100 logs in
    as 205 with *9419; calls to 205 then ring the desk phone, and it calls out as 205. When
    205's myPortal @work client registers (LAN, VPN with STUN, or Internet) the desk phone is
    logged out and back on 100: calls to 205 ring the client. Switching back needs the client
    unregistered: *9419 is refused while it is registered and accepted after."""
    lab = lab_factory(placement.topology)
    stub = await feature_stub(lab, stubs)
    desk, anna = await asyncio.gather(
        phones(lab, DESK_HOST[placement.topology], "desk", **desk_phone(stub, "100")),
        phones(lab, CALLER_HOST[placement.topology], "anna", **voip_client(stub, "200")),
    )
    await registered(desk)
    await registered(anna)

    confirmed, _ = await service_code(desk, stub, f"205#{PIN}#")
    assert confirmed, "the system did not confirm the deskshare login of 205"
    out, inc = await answered_by(anna, stub.door_uri("205"), desk)
    await expect_audio(out, inc, "two-way", within=4)
    await out.hangup()
    await inc.disconnected(timeout=5)
    out = await desk.dial(stub.sip_uri("200"))
    inc = await anna.incoming(timeout=8)
    assert "sip:205@" in inc.remote_uri, f"anna sees {inc.remote_uri}, not 205"
    await inc.reject(486)
    await out.disconnected(timeout=5)

    endpoint = stub.door_endpoints[0] if placement.public_door else stub.door
    api = await netcheck.uc_login(lab, stub, placement.host, endpoint, "205")  # the deskshare extension's login
    await api.aclose()
    felix = await phones(lab, placement.host, "felix", **home_client(stub, placement, "205"))
    await registered(felix, timeout=15)
    if placement.ice:  # 004:162, 004:177: STUN connectivity is mandatorily needed; Check ICE status
        await netcheck.ice_status_is(felix, "available")
    out, inc = await answered_by(anna, stub.door_uri("205"), felix)
    await expect_audio(out, inc, "two-way", within=5)
    await out.hangup()
    await inc.disconnected(timeout=5)
    out = await desk.dial(stub.sip_uri("200"))
    inc = await anna.incoming(timeout=8)
    assert "sip:100@" in inc.remote_uri, f"the desk phone is not back on 100: anna sees {inc.remote_uri}"
    await inc.reject(486)
    await out.disconnected(timeout=5)

    confirmed, _ = await service_code(desk, stub, f"205#{PIN}#")
    assert not confirmed, "*9419 accepted while 205's VoIP client is registered (004:151)"
    await felix.unregister()
    confirmed, _ = await service_code(desk, stub, f"205#{PIN}#")
    assert confirmed, "*9419 refused after 205's VoIP client unregistered"


async def not_at_the_desk_phone(caller: Phone, stub: Stub, desk: Phone, user: str) -> None:
    """A call to `user`, whose devices are not registered and who is not logged in at the desk
    phone: the desk phone does not ring, the user's voicemail box answers at once
    (LAB-UNREACHABLE-VOICEMAIL); the caller hangs up."""
    mark = desk.mark()
    out = await caller.dial(stub.door_uri(user))
    await out.established(timeout=8)
    await hears(out, PROMPT_TONE)
    await out.hangup()
    assert not [e for e in desk.events[mark:] if isinstance(e, p.IncomingCall)], f"the desk phone rang for {user}"


@pytest.mark.clause("NET-1.8/licence", how="wire")
@pytest.mark.lab_choice("LAB-DESKSHARE-DIALOGUE", "LAB-UNREACHABLE-VOICEMAIL")
async def test_service_code_refusals(lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone) -> None:
    """Negative cases of the dialogue: a wrong PIN, a user without the Deskshare licence
    (004:145: 200 has none), an unknown number: no confirmation, the system ends the call,
    and calls to the user do not reach the desk phone (the user's mailbox answers them). *9419 from a device that is not a
    desk phone on a dummy number is refused before it is answered (403, the reason names
    the dummy numbers). Keying only # logs a logged-in desk phone out."""
    lab = lab_factory("office_lan")
    stub = await feature_stub(lab, stubs)
    desk, anna = await asyncio.gather(
        phones(lab, "desk_phone", "desk", **desk_phone(stub, "100")),
        phones(lab, "office_pc", "anna", **voip_client(stub, "200")),
    )
    await registered(desk)
    await registered(anna)
    for keys in ("205#000000#", f"200#{PIN}#", f"999#{PIN}#"):
        confirmed, _ = await service_code(desk, stub, keys)
        assert not confirmed, f"{keys}: confirmed"
    await not_at_the_desk_phone(anna, stub, desk, "205")
    out = await anna.dial(stub.door_uri("*9419"))
    ended = await out.disconnected(timeout=8)
    assert ended.code == 403 and "dummy number (100)" in ended.reason, (ended.code, ended.reason)

    confirmed, _ = await service_code(desk, stub, f"205#{PIN}#")
    assert confirmed
    confirmed, _ = await service_code(desk, stub, "#")
    assert confirmed, "logging out with # was not confirmed"
    await not_at_the_desk_phone(anna, stub, desk, "205")


@pytest.mark.parametrize(
    ("release", "pin", "other"),
    [
        pytest.param("V3", "205", PIN, id="V3", marks=pytest.mark.clause("REL-PIN/before", how="wire")),
        pytest.param("V3R2FR1", PIN, "205", id="V3R2FR1", marks=pytest.mark.clause("REL-PIN/from-v3r2fr1", how="wire")),
    ],
)
@pytest.mark.lab_choice("LAB-DESKSHARE-DIALOGUE")
async def test_deskshare_pin_is_the_releases_preassigned_pin(
    release: str, pin: str, other: str, lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """REL-PIN: the preassigned voicemail PIN that *9419 asks for is the user's internal number
    up to V3 (003:1667-1668) and 123456 from V3R2 FR1 (000:1452, PRB000064905); the other
    release's PIN is refused (no confirmation)."""
    lab = lab_factory("office_lan")
    stub = await feature_stub(lab, stubs, release=release)
    desk = await phones(lab, "desk_phone", "desk", **desk_phone(stub, "100"))
    await registered(desk)
    confirmed, _ = await service_code(desk, stub, f"205#{other}#")
    assert not confirmed, f"{release}: *9419 accepted PIN {other}"
    confirmed, _ = await service_code(desk, stub, f"205#{pin}#")
    assert confirmed, f"{release}: *9419 refused the preassigned PIN {pin}"
