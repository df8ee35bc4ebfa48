"""A MeetMe conference across networks: participants on the office LAN, through the
VPN and over the Internet behind a cone NAT hear each other; a participant behind a
symmetric NAT gets the documented failure and disturbs nobody (topologies/conference_networks.yaml).

The conference is UC-CONF-2 (000:1489-1518): Ben (201, conference licence) manages it from
myPortal @work on the office PC over the UC API; each participant dials the dial-in number
(7400), hears the prompt and keys its personal PIN and #; the states are UC-CONF-4's
(000:1542-1556). The participants' networks are the 004 set-ups:

- office LAN: the SIP desk phone of station 230 (UDP 5060), and user 243's myPortal @work
  client on the office PC, logged in and registered at the LAN address:8802 (NET-1.2,
  004:61-70);
- VPN: user 240's myPortal @work client logs in and registers at the LAN address:8802
  through the VPN, STUN on (NET-1.4, 004:87-94);
- Internet behind a port-restricted cone NAT: user 241's client at the office's public
  address:8802, the only port the office router forwards (NET-1.5 004:96-107, PORT-1
  004:270-276), STUN on;
- Internet behind a symmetric NAT: user 242's client, set up as 241's. Symmetric NAT is not
  supported over public networks (NAT-1, 004:318, 000:2157-2158): UC and signalling on 8802
  work, no payload flows (TRB-3 "no payload", 004:333-336).

Every participant transmits its own plan tone and runs the conference tone detector; "hears"
is a verdict per directed pair (conferencing.everyone_heard, media.expect_group); "no
payload" is judged over a whole window (neither direction heard), recorded per pair as a
"none" verdict in the lab's evidence/media-verdicts.json (netcheck.record_verdict).

With 5 participants and 2 mixer nodes the mix is a tree: the symmetric NAT participant,
the last to dial in, lands on the child node (rules/conference_slots.place), so its leg without
payload is mixed across the tree link.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from simulators import netcheck
from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.phone.client import Call, PhoneError
from simulators.phone.conference import Conferences
from simulators.phone.media import save_evidence, verdict_now
from simulators.phone.verdict import Party as Hearing
from simulators.phone.verdict import group_hearing
from simulators.pj.tones import TONE_PLAN
from simulators.uc.service import Stub

from .common import PROMPT_TONE, hears, uc_login
from .conferencing import (
    DIAL_IN,
    FIRST_STATION,
    SETTLE,
    Party,
    conference_config,
    dial_in,
    everyone_heard,
    everyone_hears_everyone,
    member_state,
    member_states,
    station_phones,
)

TOPOLOGY = "conference_networks"
MIX_WINDOW = 6.0
"""seconds within which every directed pair must have been heard"""
NO_PAYLOAD_WINDOW = 3.0
"""seconds over which a participant without payload must hear nobody and be heard by nobody"""


@dataclass(frozen=True)
class Client:
    """A participant's myPortal @work VoIP client and where it runs."""

    where: str
    host: str
    user: str
    public_door: bool
    """True: the office's public address:8802 (Internet); False: the LAN address (office, VPN)"""
    nat_type: str | None = None
    """what Check NAT type says there (NAT-3, 000:2138-2160): the lab's home router is what
    the location claims"""


LAN = Client("office LAN", "office_pc", "243", public_door=False)
VPN = Client("via VPN", "vpn_pc", "240", public_door=False)
CONE = Client("Internet, cone NAT", "cone_pc", "241", public_door=True, nat_type="simple")
SYMMETRIC = Client("Internet, symmetric NAT", "symmetric_pc", "242", public_door=True, nat_type="Symmetric")
CLIENTS = (LAN, VPN, CONE, SYMMETRIC)


async def client_party(lab: Lab, stub: Stub, phones: StartPhone, client: Client, tone: int, pin: str) -> Party:
    """The user logs in to myPortal @work at the door of their location (UC over 8802,
    PORT-1), enables VoIP (registration over TLS to the same 8802, STUN on) and is the
    participant with `pin`, calling the dial-in number through that door."""
    endpoint = stub.door_endpoints[0] if client.public_door else stub.door
    api = await netcheck.uc_login(lab, stub, client.host, endpoint, client.user)
    await api.aclose()
    phone = await netcheck.client(
        phones,
        lab,
        stub,
        client.host,
        f"u{client.user}",
        client.user,
        endpoint,
        tone=tone,
        detection="conference",
    )
    return Party(phone, pin, dial_uri=stub.door_uri(DIAL_IN, endpoint))


@dataclass
class Meeting:
    ben: Conferences
    conf: int
    office: Party
    clients: dict[Client, Party]

    def members(self, *clients: Client) -> list[Party]:
        return [self.office, *(self.clients[c] for c in clients)]


async def meeting(lab: Lab, stubs: StartStub, phones: StartPhone, clients: tuple[Client, ...]) -> tuple[Stub, Meeting]:
    """Ben's conference with station 230 (office LAN) and the users of `clients`, all
    internal participants with personal PINs; their phones started and registered."""
    users = [c.user for c in clients]
    stub = await stubs(lab, config=conference_config(1, voip=users), workers=3, mixers=2)
    api = await uc_login(lab, stub, "office_pc", "201")
    ben = Conferences(api)
    conf = (await ben.create("Across networks"))["id"]
    listed = [await ben.add(conf, number=n) for n in [str(FIRST_STATION), *users]]
    pins = [p["personal_pin"] for p in listed]
    desk, started = await asyncio.gather(
        station_phones(lab, stub, phones, "desk_phone", 1),
        asyncio.gather(
            *(
                client_party(lab, stub, phones, c, TONE_PLAN[i], pin)
                for i, (c, pin) in enumerate(zip(clients, pins[1:], strict=True), 1)
            )
        ),
    )
    office = Party(desk[0], pins[0])
    for party, entry in zip([office, *started], listed, strict=True):
        party.member = entry["id"]
    return stub, Meeting(ben, conf, office, dict(zip(clients, started, strict=True)))


async def all_active(ben: Conferences, conf: int, parties: list[Party]) -> None:
    states = await member_states(ben, conf, [p.member or 0 for p in parties], {"active"})
    assert states == ["active"] * len(parties), dict(zip([p.name for p in parties], states, strict=True))


async def everyone_in(stub: Stub, m: Meeting, clients: tuple[Client, ...]) -> list[Party]:
    """The office participant and those of `clients` dial in: all Active, every directed pair
    heard. Meanwhile every started client's Check NAT type confirms its home router's NAT
    (NAT-3, 000:2138-2160) and Check ICE status says available: STUN, mandatory through the
    VPN and needed over the Internet, is reachable (004:94, 004:107, NAT-5 004:355-371)."""
    parties = m.members(*clients)

    async def conference() -> None:
        await asyncio.gather(*(dial_in(p, stub) for p in parties))
        await all_active(m.ben, m.conf, parties)
        await everyone_heard(parties, MIX_WINDOW)

    nat_types = [netcheck.nat_type_is(party.phone, c.nat_type) for c, party in m.clients.items() if c.nat_type]
    stun = [netcheck.ice_status_is(party.phone, "available") for party in m.clients.values()]
    await asyncio.gather(conference(), *nat_types, *stun)
    return parties


@pytest.mark.clause(
    "UC-CONF-2/dial-in",
    "NET-1.2/login",
    "NET-1.4/login-vpn",
    "NET-1.5/login-public",
    "NAT-3/simple",
    "NAT-5/ice-status",
    "PORT-1/uc-8802",
    how="wire",
)
@pytest.mark.lab_choice("LAB-MEETME-DIALOGUE")
async def test_office_lan_vpn_and_cone_nat_participants_hear_each_other(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """UC-CONF-2 (000:1510-1517): one MeetMe conference, participants dialling in with their
    personal PINs from the office LAN (a desk phone, and a myPortal @work client at LAN
    address:8802, NET-1.2 004:61-70), through the VPN (NET-1.4 004:87-94: LAN address:8802,
    STUN) and from the Internet behind a cone NAT (NET-1.5 004:96-107: public address:8802,
    the only forwarded port, PORT-1 004:270-276). All four are Active (UC-CONF-4, 000:1550)
    and each hears every other: all 12 directed pairs."""
    lab = lab_factory(TOPOLOGY)
    stub, m = await meeting(lab, stubs, phones, (LAN, VPN, CONE))
    try:
        await everyone_in(stub, m, (LAN, VPN, CONE))
    finally:
        await m.ben.api.aclose()


async def no_prompt(call: Call, within: float) -> None:
    """The system's prompt tone never reaches the caller (no payload towards it)."""
    try:
        await hears(call, PROMPT_TONE, timeout=within)
    except PhoneError:
        return
    raise AssertionError(f"{call.phone.name} heard the dial-in prompt: payload flows to it")


async def no_payload_amid(lab: Lab, lone: Party, others: list[Party], window: float) -> None:
    """Over one whole window (an absence needs all of it): `lone` hears nobody and nobody
    hears it (recorded per pair as a "none" verdict), while every directed pair of the
    others is heard."""
    start = time.monotonic() + SETTLE
    end = start + window
    await asyncio.sleep(end - time.monotonic())  # the observation window itself, not a poll
    assert lone.call is not None
    for other in others:
        assert other.call is not None
        v = verdict_now(lone.call, other.call, (start, end))
        label = f"{lone.name} ({SYMMETRIC.where}) <-> {other.name} in the conference"
        netcheck.record_verdict(lab, label, "none", v, not (v.a_to_b.heard or v.b_to_a.heard))
    parties = [*others, lone]
    heard = group_hearing([Hearing(p.name, p.phone.tone, p.call.timeline) for p in parties if p.call], (start, end))
    expected = everyone_hears_everyone(others) | {lone.name: set()}
    if heard != expected:
        wavs = await save_evidence(*(p.call for p in parties if p.call))
        raise AssertionError(
            f"over {window:g} s with {lone.name} ({SYMMETRIC.where}) in the conference: expected {expected}, "
            f"heard {heard}; received audio saved: {', '.join(map(str, wavs)) or 'none'}"
        )


async def symmetric_joins(lab: Lab, stubs: StartStub, phones: StartPhone, windows: int) -> None:
    """The others in, the symmetric NAT participant dials in (no prompt, RFC 4733 PIN lost,
    SIP INFO PIN admits it), `windows` no-payload windows in a row with it in the mix, then
    it hangs up: Inactive, and the others still Active and hearing each other."""
    stub, m = await meeting(lab, stubs, phones, CLIENTS)
    try:
        sym = m.clients[SYMMETRIC]
        others = await everyone_in(stub, m, (LAN, VPN, CONE))
        assert sym.dial_uri is not None and sym.member is not None
        call = await sym.phone.dial(sym.dial_uri, timeout=netcheck.DIAL_TIMEOUT)
        await call.established(timeout=10)
        sym.call = call
        await call.send_dtmf(sym.pin + "#", "rfc4733")
        _, state = await asyncio.gather(
            no_prompt(call, NO_PAYLOAD_WINDOW),
            member_state(m.ben, m.conf, sym.member, {"dialing_in", "waiting", "active"}, timeout=NO_PAYLOAD_WINDOW),
        )
        assert state == "inactive", f"{sym.name}'s PIN sent as RTP events reached the system ({state})"
        await call.send_dtmf(sym.pin + "#", "info")
        await all_active(m.ben, m.conf, [*others, sym])
        for _ in range(windows):
            await no_payload_amid(lab, sym, others, NO_PAYLOAD_WINDOW)
        await call.hangup()
        assert await member_state(m.ben, m.conf, sym.member, {"inactive"}) == "inactive"
        await all_active(m.ben, m.conf, others)
        await everyone_heard(others, MIX_WINDOW)
    finally:
        await m.ben.api.aclose()


@pytest.mark.clause("NAT-1/not-over-public", "TRB-3/symmetric", "NAT-3/symmetric", "UC-CONF-2/dial-in", how="wire")
@pytest.mark.lab_choice("LAB-MEETME-DIALOGUE")
async def test_symmetric_nat_participant_gets_no_payload_and_disturbs_nobody(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NAT-1 (004:318, 000:2157-2158; TRB-3 004:333-336): a participant behind a symmetric NAT
    at home, the system behind the office NAT, while the office LAN, VPN and cone NAT
    participants are in the conference (UC-CONF-2, 000:1510-1517). Its myPortal @work logs in
    and registers over 8802 (PORT-1, 004:270-276) and its call to the dial-in number is
    connected, but no payload flows: it never hears the prompt, and its PIN keyed as RTP
    events (RFC 4733) never reaches the system, which leaves it Inactive (000:1547). Keyed as
    SIP INFO, on the signalling path, the PIN admits it: the UC API shows it Active
    (000:1550), yet over a whole window it hears nobody and nobody hears it, while every
    directed pair of the others is heard. When it hangs up it is Inactive again and the
    others are still Active and hearing each other (UC-CONF-4, 000:1547-1550)."""
    await symmetric_joins(lab_factory(TOPOLOGY), stubs, phones, windows=1)


@pytest.mark.slow
@pytest.mark.clause("NAT-1/not-over-public", how="wire")
@pytest.mark.lab_choice("LAB-MEETME-DIALOGUE")
async def test_symmetric_nat_participant_held_a_minute_disturbs_nobody(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NAT-1 (004:318, 000:2157-2158), held: as the default test, with the symmetric NAT
    participant in the conference for 20 consecutive 3 s windows (a minute): in every window
    it hears nobody and is heard by nobody, and every directed pair of the office LAN, VPN
    and cone NAT participants is heard (UC-CONF-2, 000:1510-1517; UC-CONF-4, 000:1547-1550)."""
    await symmetric_joins(lab_factory(TOPOLOGY), stubs, phones, windows=20)
