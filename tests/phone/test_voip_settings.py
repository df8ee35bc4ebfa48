"""Unit tests of the myPortal @work VoIP settings model (RULES NAT-3, NAT-5) and the
server connections (RULES UC-LOGIN-1)."""

from __future__ import annotations

import pytest

from simulators.phone.servers import Attempt, ServerAddress, ServerConnections, ServerSettingError, parse_address
from simulators.phone.voip import (
    MSG_ADDED,
    MSG_FAILED,
    MSG_PRESENT,
    IceServerError,
    IceServers,
    NatType,
    ice_status,
    nat_outcome,
    parse_ice_server,
)

LOCAL = ("192.168.178.20", 40000)
MAPPED = ("203.0.113.24", 40000)


@pytest.mark.rule("NAT-3")
@pytest.mark.parametrize(
    ("mapped", "detected", "ok", "outcome"),
    [
        (None, None, True, NatType.UNDETECTED),
        (LOCAL, "Full Cone", True, NatType.SIMPLE),  # no NAT: pjnath's Full Cone quirk
        (MAPPED, "Port Restricted", True, NatType.SIMPLE),
        (MAPPED, "Restricted", True, NatType.SIMPLE),
        (MAPPED, "Full Cone", True, NatType.SIMPLE),
        (MAPPED, "Symmetric", True, NatType.SYMMETRIC),
        (MAPPED, "Blocked", True, NatType.UNDETECTED),
        (MAPPED, "Port Restricted", False, NatType.UNDETECTED),
        (MAPPED, None, False, NatType.UNDETECTED),
    ],
)
def test_nat_outcome(mapped: tuple[str, int] | None, detected: str | None, ok: bool, outcome: NatType) -> None:
    assert nat_outcome(LOCAL, mapped, detected, ok).outcome is outcome


def test_nat_messages_are_the_documented_ones() -> None:
    assert [t.message for t in NatType] == [
        "NAT Type: simple",
        "NAT Type: Symmetric",
        "NAT Type could not be detected.",
    ]
    assert ice_status(True).value == "available" and ice_status(False).value == "not available"


def test_parse_ice_server_forms() -> None:
    assert parse_ice_server("stun:192.0.2.10").uri == "stun:192.0.2.10:3478"
    assert parse_ice_server("192.0.2.10:3479").uri == "stun:192.0.2.10:3479"
    assert parse_ice_server("TURN:Stun.Example.org:80?transport=udp").uri == "turn:stun.example.org:80"
    for bad in ("", "stun:192.0.2.10:99999", "stun:no such host", "stun:1.2.3"):
        with pytest.raises(IceServerError):
            parse_ice_server(bad)


@pytest.mark.rule("NAT-5")
def test_ice_server_list_messages() -> None:
    servers = IceServers.of("stun:192.0.2.10", [])
    probed: list[str] = []

    def reachable(s: object) -> bool:
        probed.append(str(s))
        return "192.0.2.11" in str(s)

    assert servers.visible() == []
    assert (r := servers.add("stun:192.0.2.11", reachable)).message == MSG_ADDED and r.outcome == "added"
    assert servers.add("192.0.2.11:3478", reachable).message == MSG_PRESENT
    assert servers.add("stun:192.0.2.99", reachable).message == MSG_FAILED
    assert servers.add("stun:bad host", reachable).message == MSG_FAILED
    assert len(probed) == 2  # duplicates and invalid input are not probed
    assert servers.visible() == ["stun:192.0.2.11:3478"]
    with pytest.raises(IceServerError, match="cannot be removed"):
        servers.remove("stun:192.0.2.10")
    servers.remove("stun:192.0.2.11")
    assert servers.visible() == []


@pytest.mark.rule("UC-LOGIN-1")
def test_server_address_parsing() -> None:
    assert parse_address("192.168.1.30:8802") == ServerAddress("192.168.1.30", 8802)
    assert parse_address(" 192.168.1.30 ") == ServerAddress("192.168.1.30", 8802)
    assert parse_address("OSBiz.example.com:443") == ServerAddress("osbiz.example.com", 443)
    for bad, why in (
        ("", "is empty"),
        ("192.168.1.30:", "no port"),
        ("192.168.1.30:88020", "out of range"),
        ("192.168.1.300", "not a valid IPv4"),
        ("192.168.1.30:x", "not a number"),
        ("a:b:c", "more than one"),
        ("bad_host!", "not an IP address or host name"),
    ):
        with pytest.raises(ServerSettingError, match=why) as err:
            parse_address(bad)
        assert "e.g. 192.168.1.30:8802" in str(err.value)


@pytest.mark.rule("UC-LOGIN-1")
def test_server_connections_validation_and_order() -> None:
    conns = ServerConnections()
    conns.configure(1, "330", lan="192.168.1.30", wan="198.51.100.120:8802")
    conns.configure(4, "331", wan="198.51.100.120:9000")
    assert conns.attempts(1) == [
        Attempt(1, "lan", ServerAddress("192.168.1.30")),
        Attempt(1, "wan", ServerAddress("198.51.100.120")),
    ]
    assert conns.attempts(4) == [Attempt(4, "wan", ServerAddress("198.51.100.120", 9000))]
    with pytest.raises(ServerSettingError, match="choose 1-4"):
        conns.configure(5, "330", lan="192.168.1.30")
    with pytest.raises(ServerSettingError, match="internal phone number"):
        conns.configure(2, "alice", lan="192.168.1.30")
    with pytest.raises(ServerSettingError, match="needs a LAN or a WAN"):
        conns.configure(2, "330")
    with pytest.raises(ServerSettingError, match="not configured"):
        conns.attempts(3)
    assert [c.index for c in conns.connections()] == [1, 4]
