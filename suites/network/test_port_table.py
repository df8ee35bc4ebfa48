"""PORT-1..3: the 004 section 3.4 table, executed (004:268-312).

                                   stateful firewall   stateless firewall (opened statically)
    WebRTC / VoIP signalling       8802                8802
    payload inside the LAN         dynamic*            UDP 1024-65535
    payload over the Internet      dynamic*            UDP 49152-65535
    (* nothing to configure, 004:312)

Two places a firewall sits: inside the customer network between a client LAN and the
system's LAN (topologies/net_lan_firewall.yaml), and the office router towards the Internet
(topologies/net_internet.yaml; plus the default STUN port 3478 the table's text names,
004:273). A stateful firewall needs nothing opened (PORT-2). A stateless one with exactly the
documented ranges works (PORT-3), and closing each range alone breaks it the documented way:
without 8802 the client gets "Connection Time out" (no UC, no VoIP; PORT-1, TRB-4); without
the payload range the call is set up but carries no payload (TRB-3, 004:331-335).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import ScenarioFailed, call_with_audio, client, login_times_out, uc_login

SIGNALLING = {"proto": "tcp", "ports": "8802", "note": "WebRTC / VoIP signalling (004:305)"}
LAN_PAYLOAD = {"proto": "udp", "ports": "1024-65535", "note": "payload inside the customer network (004:306)"}
INTERNET_PAYLOAD = {"proto": "udp", "ports": "49152-65535", "note": "payload over the public Internet (004:309)"}
STUN = {"proto": "udp", "ports": "3478", "note": "default STUN server port (004:273)"}


@dataclass(frozen=True)
class Place:
    topology: str
    router: str
    client_host: str
    endpoint: str
    peer_host: str
    documented: tuple[dict[str, str], ...]

    def stateless(self, closed: str | None) -> dict[str, Any]:
        rules = [dict(r) for r in self.documented if r["ports"] != closed]
        return {"mode": "stateless", "outside": None, "rules": rules} | (
            {"outside": "clients"} if self.router == "lan_firewall" else {}
        )


LAN = Place(
    "net_lan_firewall", "lan_firewall", "client_pc", "192.168.1.30:8802", "desk_phone", (SIGNALLING, LAN_PAYLOAD)
)
INTERNET = Place(
    "net_internet", "office_router", "home_pc", "198.51.100.120:8802", "office_pc", (SIGNALLING, STUN, INTERNET_PAYLOAD)
)


async def check_place(lab: Lab, stubs: StartStub, phones: StartPhone, place: Place, outcome: str) -> None:
    """What the user sees at `place`: "works" (login, registration, ringing, two-way audio),
    "connection time out" (login and VoIP registration fail) or "no payload" (everything
    but audio works)."""
    stub = await stubs(lab)
    if outcome == "connection time out":
        await login_times_out(lab, stub, place.client_host, place.endpoint, "200")
        with pytest.raises(ScenarioFailed, match="did not register"):
            await client(phones, lab, stub, place.client_host, "alice", "200", place.endpoint)
        return
    api = await uc_login(lab, stub, place.client_host, place.endpoint, "200")
    await api.aclose()
    user = await client(phones, lab, stub, place.client_host, "alice", "200", place.endpoint)
    desk = await client(phones, lab, stub, place.peer_host, "desk", "202", desk=True)
    await call_with_audio(
        lab,
        user,
        desk,
        stub.door_uri("202", place.endpoint),
        "two-way" if outcome == "works" else "none",
        label=f"{place.client_host} -> desk phone",
    )


@pytest.mark.parametrize("place", [LAN, INTERNET], ids=["lan", "internet"])
@pytest.mark.clause("PORT-2/nothing-to-open", "PORT-1/uc-8802", how="wire")
async def test_stateful_firewall_needs_nothing_opened(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone, place: Place
) -> None:
    """PORT-2 (004:284-291, 004:312): with a stateful firewall nothing is configured for the
    payload: login, registration, ringing and two-way audio."""
    lab = lab_factory(place.topology)
    # a stateful firewall protects the clients' side: their connections to the system are outbound
    lab.reconfigure_router(
        place.router, firewall={"mode": "stateful"} | ({"outside": "servers"} if place is LAN else {})
    )
    await check_place(lab, stubs, phones, place, "works")


def _case(place: Place, closed: str | None, outcome: str, name: str, *clauses: str) -> Any:
    return pytest.param(place, closed, outcome, id=name, marks=pytest.mark.clause(*clauses, how="wire"))


@pytest.mark.parametrize(
    ("place", "closed", "outcome"),
    [
        _case(LAN, None, "works", "lan-documented", "PORT-3/signalling", "PORT-3/lan-payload"),
        _case(LAN, "8802", "connection time out", "lan-without-8802", "PORT-1/uc-8802", "TRB-4/connection-time-out"),
        _case(LAN, "1024-65535", "no payload", "lan-without-payload", "TRB-3/ports"),
        _case(INTERNET, None, "works", "internet-documented", "PORT-3/signalling", "PORT-3/internet-payload"),
        _case(INTERNET, "8802", "connection time out", "internet-without-8802", "PORT-1/uc-8802",
              "TRB-4/connection-time-out"),
        _case(INTERNET, "49152-65535", "no payload", "internet-without-payload", "TRB-3/ports"),
    ],
)  # fmt: skip
async def test_stateless_firewall_exactly_the_documented_ranges(
    lab_factory: Callable[..., Lab],
    stubs: StartStub,
    phones: StartPhone,
    place: Place,
    closed: str | None,
    outcome: str,
) -> None:
    """PORT-3 (004:294-309): a stateless firewall opened statically with exactly the
    documented ranges (8802; UDP 1024-65535 inside the LAN; UDP 49152-65535 over the
    Internet) works; with one range closed: without 8802 "Connection Time out" (PORT-1
    004:272, TRB-4 000:335-337); without the payload range no payload (TRB-3 004:335).
    (STUN 3478, 004:273, is not in the table and the document names no failure for it
    closed alone: with the payload rule matching source ports, STUN from the media ports
    passes anyway; the system's STUN connectivity is tested in test_troubleshooting.py.)"""
    lab = lab_factory(place.topology)
    lab.reconfigure_router(place.router, firewall=place.stateless(closed))
    await check_place(lab, stubs, phones, place, outcome)
