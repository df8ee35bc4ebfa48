"""What the conference media suite and benchmark share: an office with conference
stations, phones that dial in to a MeetMe conference by DTMF, and the pairs to verify.

Stations 230.. are SIP desk phones on the office LAN (UDP 5060, the cheapest devices to
run many of); each dials the dial-in number (7400), awaits the prompt tone, keys its PIN
and #, and is then in the conference: its state in the moderator's Conference Management
turns Waiting (alone, music on hold) or Active. Phones run the conference tone detector (tones.conference_detection):
a listener hears up to 15 tones at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from simulators.harness import StartPhone, desk_phone, registered, suite_time_scale
from simulators.lab import Lab
from simulators.phone.client import Call, Phone
from simulators.phone.conference import Conferences
from simulators.phone.media import expect_group
from simulators.phone.ucapi import UcApi
from simulators.pj.tones import TONE_PLAN
from simulators.uc.config import SystemConfig, validate_config
from simulators.uc.service import EXAMPLES, Stub

from .common import PROMPT_TONE, hears

FIRST_STATION = 230
DIAL_IN = "7400"


def conference_config(
    stations: int, time_scale: float | None = None, voip: Sequence[str] = (), example: str = "office"
) -> SystemConfig:
    """The office example (`example`: "office_suite" for UC Suite mode) plus `stations` desk
    phones 230.., each an IP user's station (the conference's externals and guests dial in
    from them), and the users `voip` with a myPortal @work VoIP client each (IP User + UC
    User, 004:91)."""
    data = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    data["system"]["time_scale"] = suite_time_scale(0.05) if time_scale is None else time_scale
    added = [(str(FIRST_STATION + i), "sip_phone", ["ip_user"]) for i in range(stations)]
    added += [(number, "voip_client", ["ip_user", "uc_user"]) for number in voip]
    for number, kind, licences in added:
        data["users"].append(
            {"number": number, "name": f"Station {number}", "password": f"Start#{number}s", "licences": licences}
        )
        data["devices"].append(
            {
                "id": f"{'desk' if kind == 'sip_phone' else 'webrtc'}_{number}",
                "kind": kind,
                "number": number,
                "sip_user": number,
                "sip_password": f"sip{number}secret",
            }
        )
    return validate_config(data, f"{example}.yaml + conference stations")


@dataclass
class Party:
    phone: Phone
    pin: str
    member: int | None = None
    call: Call | None = None
    dial_uri: str | None = None
    """how the party calls the dial-in number; None: a LAN device (UDP 5060), a VoIP client
    gives stub.door_uri(DIAL_IN, its 8802 endpoint)"""

    @property
    def name(self) -> str:
        return self.phone.name


async def station_phones(
    lab: Lab, stub: Stub, phones: StartPhone, host: str, n: int, name_from: int = FIRST_STATION, **extra: Any
) -> list[Phone]:
    """`n` registered desk phones on `host`, stations `name_from`.., each with the plan tone
    of its place among the stations (station 230 sends the plan's first tone)."""
    stations = range(name_from, name_from + n)
    started = await asyncio.gather(
        *(
            phones(
                lab,
                host,
                f"p{station}",
                tone=TONE_PLAN[station - FIRST_STATION],
                detection="conference",
                transports=[{"kind": "udp", "port": 0}],  # many phones on one host
                **desk_phone(stub, str(station)),
                **extra,
            )
            for station in stations
        )
    )
    await asyncio.gather(*(registered(p, timeout=10) for p in started))
    return list(started)


async def dial_in(party: Party, stub: Stub, keys: str | None = None, timeout: float = 10.0) -> Call:
    """Call the dial-in number, await the prompt, key the PIN and # (000:1546-1552)."""
    phone = party.phone
    mark = phone.mark()
    call = await phone.dial(party.dial_uri or stub.sip_uri(DIAL_IN), timeout=timeout)
    await call.established(timeout=timeout)
    await hears(call, PROMPT_TONE, timeout=timeout, since=mark)
    await call.send_dtmf(keys if keys is not None else party.pin + "#", "rfc4733")
    party.call = call
    return call


POLL_S = 0.1
"""how often a participant's state is read from the UC API (it pushes no event)"""


async def member_states(
    moderator: Conferences, conference: int, members: Sequence[int], want: set[str], timeout: float = 10.0
) -> list[str]:
    """Await each of `members` being in one of the states `want`, as the moderator's
    Conference Management lists them (inactive / dialing_in / waiting / active, 000:1546-1552;
    "removed": no longer listed); their states when all are, or at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        listed = {p["id"]: p["state"] for p in (await moderator.get(conference))["participants"]}
        now = [listed.get(member, "removed") for member in members]
        if all(state in want for state in now) or time.monotonic() > deadline:
            return now
        await asyncio.sleep(POLL_S)


async def member_state(
    moderator: Conferences, conference: int, member: int, want: set[str], timeout: float = 10.0
) -> str:
    """Await one participant's state (member_states)."""
    return (await member_states(moderator, conference, [member], want, timeout))[0]


async def guest_member(moderator: Conferences, conference: int, phone: str, timeout: float = 10.0) -> int:
    """Await the guest who dialled in from `phone` being listed; its member id."""
    deadline = time.monotonic() + timeout
    while True:
        listed = (await moderator.get(conference))["participants"]
        found = [int(p["id"]) for p in listed if p["guest"] and p["phone"] == phone]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no guest from {phone} listed in conference {conference} within {timeout} s")
        await asyncio.sleep(POLL_S)


async def channels_in_use(admin: UcApi, conference: int) -> int:
    """The conference channels `conference` holds, as the administrator sees them (000:1517)."""
    return (await admin.admin_conference(conference)).channels_in_use


def everyone_hears_everyone(parties: list[Party]) -> dict[str, set[str]]:
    """{listener: every other participant}: each directed pair must be heard."""
    return {p.name: {q.name for q in parties if q is not p} for p in parties}


async def everyone_heard(parties: list[Party], within: float = 6.0) -> dict[str, set[str]]:
    """Every directed pair of `parties` heard (expect_group), judged from a moment after the
    call: the system's prompt tone, stopped when the PIN was keyed, is still fading out of
    the last participant's detector (6 frames) and would be a tone nobody owns."""
    return await expect_group(
        members(parties), everyone_hears_everyone(parties), within=within, since=time.monotonic() + SETTLE
    )


SETTLE = 0.2
"""seconds: longer than the conference detector's 6-frame release (tones.conference_detection)"""


def members(parties: list[Party]) -> dict[str, list[Call]]:
    out: dict[str, list[Call]] = {}
    for p in parties:
        assert p.call is not None, f"{p.name} is not in the conference"
        out[p.name] = [p.call]
    return out
