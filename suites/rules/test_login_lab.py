"""Server connections over real networks: UC-LOGIN-1, TRB-4, NET-1.7 (topologies/roaming_internet.yaml).

The stub runs on `system` (192.168.1.30) behind the office router, which forwards only TCP
8802 from its public address 198.51.100.120 (004:236-250). The laptop `home_pc` is at home
behind its own NAT and can be carried into the office (lab.roam). Its server connection has
both addresses, "no need to use a second profile when moving from office to home and back"
(004:125): at home the LAN address does not answer and the WAN address does; in the office
the LAN address answers first. A connection whose WAN port is wrong: "Connection Time out"
(000:361, 004:323-327).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.lab import Lab
from simulators.phone.ucapi import CONNECTION_TIME_OUT, UcApiUnreachable, login_through

from .conftest import LAN_DOOR, Targets
from .test_login import CLOSED_PORT, USER, connections


@pytest.mark.one_profile
@pytest.mark.clause(
    "UC-LOGIN-1/lan-and-wan",
    "NET-1.7/both-addresses",
    "NET-1.7/smart-two-places",
    "TRB-4/connection-time-out",
    how="api",
)
async def test_one_profile_at_home_and_in_the_office(lab_factory: Callable[..., Lab], uc_target: Targets) -> None:
    # built inside the test's loop: lab.roam() from an async test fails on a lab built in a
    # sync fixture (pyroute2 "No such device")
    roaming = lab_factory("roaming_internet")
    target = await uc_target.in_lab(roaming, "office")
    password = target.user(USER)["password"]

    home = await login_through(connections(), 1, password, target.client_at("home"))
    assert [(t.attempt.network, t.answered) for t in home.tried] == [("lan", False), ("wan", True)]
    sessions = (await home.api.connections()).uc_sessions
    assert [s.address for s in sessions] == ["203.0.113.24"], "the system saw the home router's public address"

    with pytest.raises(UcApiUnreachable) as failed:
        await login_through(connections(LAN_DOOR, CLOSED_PORT), 1, password, target.client_at("home"))
    assert failed.value.message == CONNECTION_TIME_OUT
    assert f"LAN {LAN_DOOR}: " in failed.value.reason and f"WAN {CLOSED_PORT}: " in failed.value.reason

    roaming.roam("home_pc", "office")
    office = await login_through(connections(), 1, password, target.client_at("office", host="home_pc"))
    assert [(t.attempt.network, t.answered) for t in office.tried] == [("lan", True)]
    addresses = sorted(s.address for s in (await office.api.connections()).uc_sessions)
    assert addresses == ["192.168.1.52", "203.0.113.24"], "UC Smart: connected from both places at once (004:138)"
