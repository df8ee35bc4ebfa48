"""The VoIP enable check (UC-VOIP-1, UC-MULAP-1). Pure.

000:2083: "If the configuration is not adequate (e.g. missing license, not compatible
controlled device), VoIP disabled is auto-deactivated." Licences: IP User and UC User or
Groupware (004:65, 004:100); a deskshare user needs the Deskshare licence instead of IP User
(004:145). No physical device may be connected to the station (000:2069): its device must
be the embedded VoIP (WebRTC) client. A MULAP user chooses the WebRTC number as controlled
device before enabling VoIP (000:2002, 000:2089; 004:81).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..config import DeviceKind, Licence
from .verdict import Verdict, refuse

KIND_WORDS = {
    DeviceKind.SIP_PHONE: "a SIP desk phone",
    DeviceKind.DECT: "a DECT phone",
    DeviceKind.VOIP_CLIENT: "a WebRTC (VoIP client) device",
}


@dataclass(frozen=True)
class StationDevice:
    device_id: str
    number: str
    kind: DeviceKind
    sip_user: str


@dataclass(frozen=True)
class VoipCheck:
    verdict: Verdict
    device: StationDevice | None
    """the device VoIP registers as, when accepted"""


def check_voip(
    number: str,
    licences: frozenset[Licence],
    mulap_members: Sequence[StationDevice] | None,
    station_devices: Sequence[StationDevice],
    controlled_device: str | None,
) -> VoipCheck:
    """Whether user `number` may enable VoIP, and as which device."""
    if Licence.IP_USER not in licences and Licence.DESKSHARE not in licences:
        return VoipCheck(
            refuse(
                "missing_licence",
                f"VoIP needs an IP User licence (or a Deskshare licence), which user {number} does not have; "
                "VoIP stays disabled. Ask your administrator.",
            ),
            None,
        )
    if mulap_members is not None:
        return _check_mulap(number, mulap_members, controlled_device)
    if controlled_device is not None and controlled_device != number:
        return VoipCheck(
            refuse(
                "not_mulap",
                f"{number} is not a MULAP number; the controlled device is only for MULAP users. Leave it empty.",
            ),
            None,
        )
    if not station_devices:
        return VoipCheck(
            refuse("no_device", f"No VoIP (WebRTC) device is configured for {number}; ask your administrator."), None
        )
    device = station_devices[0]
    if device.kind is not DeviceKind.VOIP_CLIENT:
        return VoipCheck(
            refuse(
                "incompatible_device",
                f"The device of {number} is {KIND_WORDS[device.kind]}, not compatible with VoIP in myPortal @work; "
                "VoIP stays disabled. Ask your administrator.",
            ),
            None,
        )
    return VoipCheck(Verdict(), device)


def _check_mulap(number: str, members: Sequence[StationDevice], controlled_device: str | None) -> VoipCheck:
    webrtc = ", ".join(m.number for m in members if m.kind is DeviceKind.VOIP_CLIENT) or "none configured"
    if not controlled_device:
        return VoipCheck(
            refuse(
                "controlled_device_missing",
                f"{number} is a MULAP number: choose your WebRTC phone number as controlled device first "
                f"(WebRTC members: {webrtc}).",
            ),
            None,
        )
    chosen = next((m for m in members if m.number == controlled_device), None)
    if chosen is None:
        return VoipCheck(
            refuse(
                "controlled_device_unknown",
                f"Controlled device {controlled_device} is not a member of MULAP {number}; choose your WebRTC phone "
                f"number (WebRTC members: {webrtc}).",
            ),
            None,
        )
    if chosen.kind is not DeviceKind.VOIP_CLIENT:
        return VoipCheck(
            refuse(
                "incompatible_device",
                f"Controlled device {controlled_device} is {KIND_WORDS[chosen.kind]}, not compatible with VoIP; "
                f"choose your WebRTC phone number (WebRTC members: {webrtc}).",
            ),
            None,
        )
    return VoipCheck(Verdict(), chosen)
