"""Reading the call core's view of a call: is its media anchored in the system?"""

from __future__ import annotations

from typing import Any

from simulators.uc.service import Stub


def answered_sessions(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sessions with two answered legs peered with each other (a connected call)."""
    out = []
    for session in calls:
        legs = {leg["id"]: leg for leg in session["legs"]}
        if any(leg["state"] == "answered" and leg["peer"] in legs for leg in legs.values()):
            out.append(session)
    return out


def anchored_pair(calls: list[dict[str, Any]], device_a: str, device_b: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two peered legs of the call between devices a and b (as the core sees them).

    Legs of transfers and looped calls have no device; then the peer chain is followed
    through the core (a transfer leg's peer in the same worker).
    """
    legs = {leg["id"]: leg for session in calls for leg in session["legs"]}
    for leg in legs.values():
        if leg["device"] != device_a or leg["state"] != "answered":
            continue
        peer = legs.get(leg["peer"] or "")
        if peer is not None and peer["device"] == device_b:
            return leg, peer
    raise AssertionError(f"the call core has no connected call between {device_a} and {device_b}: {calls}")


def assert_anchored(stub: Stub, leg: dict[str, Any], device_address: str) -> None:
    """The leg's media terminates on the system (LAN address) and comes from the device."""
    stream = leg.get("stream")
    assert stream is not None, f"leg {leg['id']} ({leg['device']}) has no active audio stream: {leg}"
    local_host = stream["local_rtp"].rsplit(":", 1)[0]
    assert local_host == stub.lan_ip, f"leg {leg['id']}: media is bound to {stream['local_rtp']}, not the system"
    seen = stream["remote_rtp_seen"].rsplit(":", 1)[0]
    assert seen == device_address, (
        f"leg {leg['id']} ({leg['device']}): RTP comes from {stream['remote_rtp_seen']}, expected {device_address}"
    )
