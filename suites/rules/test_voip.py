"""VoIP in myPortal @work: off by default, refused when the set-up is not adequate (UC-VOIP-1).

"By default it is disabled (grey)" (000:2077). "If the configuration is not adequate (e.g.
missing license, not compatible controlled device), VoIP disabled is auto-deactivated"
(000:2083). "In order to make VoIP calls through myPortal @work, you must not connect a
physical device" (000:2069): the station's device is the embedded VoIP (WebRTC) client, not a
desk phone. "In case you are in a MULAP, tap on Controlled device to select your WebRTC
phone number" (000:2089, UC-MULAP-1). A deskshare user has a Deskshare licence instead of an
IP User licence (004:141-145).

The office configuration (simulators/uc/examples/office.yaml) is the administrator's set-up
these cases need: 200 (IP User, WebRTC device), 203 (no IP User licence), 202 (its device is
a SIP desk phone), 210 (MULAP of DECT 211 and WebRTC 212), 205 (deskshare user).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApiError

from .conftest import Target
from .verdicts import MESSAGES, refusal

REFUSALS = [
    pytest.param(
        "203",
        None,
        "missing_licence",
        "VoIP needs an IP User licence (or a Deskshare licence), which user 203 does not have; VoIP stays "
        "disabled. Ask your administrator.",
        id="missing licence",
    ),
    pytest.param(
        "202",
        None,
        "incompatible_device",
        "The device of 202 is a SIP desk phone, not compatible with VoIP in myPortal @work; VoIP stays "
        "disabled. Ask your administrator.",
        id="physical device connected",
    ),
    pytest.param(
        "210",
        None,
        "controlled_device_missing",
        "210 is a MULAP number: choose your WebRTC phone number as controlled device first (WebRTC members: 212).",
        id="MULAP without controlled device",
    ),
    pytest.param(
        "210",
        "211",
        "incompatible_device",
        "Controlled device 211 is a DECT phone, not compatible with VoIP; choose your WebRTC phone number "
        "(WebRTC members: 212).",
        id="MULAP controlling the DECT phone",
    ),
]


@pytest.mark.clause("UC-VOIP-1/off-by-default", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.one_profile
async def test_voip_is_off_by_default_and_on_when_enabled(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """UC-VOIP-1 (000:2077): disabled until the user switches it on; then the client gets the
    SIP account of the user's own WebRTC device, and switching off disables it again."""
    anna = await uc_target("office").logged_in("200")
    assert (await anna.me()).voip_enabled is False, "VoIP must be disabled by default (000:2077)"
    account = await anna.enable_voip()
    assert (account.number, account.station, account.sip_user) == ("200", "200", "200")
    assert (await anna.me()).voip_enabled is True
    choices.equal(MESSAGES, await anna.disable_voip(), "VoIP is disabled.")
    assert (await anna.me()).voip_enabled is False


@pytest.mark.clause("UC-VOIP-1/auto-deactivated", "UC-VOIP-1/no-physical-device", "UC-VOIP-1/mulap-webrtc", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.one_profile
@pytest.mark.parametrize(("user", "controlled", "code", "message"), REFUSALS)
async def test_voip_is_auto_deactivated_when_the_set_up_is_not_adequate(
    uc_target: Callable[..., Target], user: str, controlled: str | None, code: str, message: str, choices: ChoiceChecks
) -> None:
    """UC-VOIP-1 (000:2083, 000:2069, 000:2089): a missing licence or a device that is not
    the WebRTC client refuses VoIP with the reason, and VoIP stays disabled."""
    api = await uc_target("office").logged_in(user)
    with pytest.raises(UcApiError) as refused:
        await api.enable_voip(controlled)
    refusal(refused.value, choices, status=403, code=code, message=message)
    assert (await api.me()).voip_enabled is False


@pytest.mark.clause("UC-VOIP-1/mulap-webrtc", "UC-MULAP-1/controlled-device", "NET-1.3/controlled-device", how="api")
@pytest.mark.one_profile
async def test_mulap_user_enables_voip_with_the_webrtc_number_as_controlled_device(
    uc_target: Callable[..., Target],
) -> None:
    """UC-MULAP-1 (000:2089, 000:2017-2031): the MULAP user logs in with the MULAP number and
    selects the WebRTC member as controlled device; VoIP then registers as that member."""
    team = await uc_target("office").logged_in("210")
    account = await team.enable_voip("212")
    assert (account.number, account.station, account.sip_user) == ("210", "212", "212")
    assert (await team.me()).controlled_device == "212"


@pytest.mark.clause("NET-1.8/licence", how="api")
@pytest.mark.one_profile
async def test_deskshare_user_enables_voip_with_the_deskshare_licence(uc_target: Callable[..., Target]) -> None:
    """UC-VOIP-1 with 004:141-145: the Deskshare licence stands in for IP User."""
    felix = await uc_target("office").logged_in("205")
    assert (await felix.enable_voip()).sip_user == "205"
