"""Registration claims from Kamailio to the state (simulators/uc/edge/registrar.py), without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.uc.edge.registrar import NetstringReader, decide, granted_expires, netstring, release, wire_transport


@dataclass
class Decision:
    accepted: bool
    sip_code: int = 200
    sip_reason: str = "OK"
    retry_after_s: float = 0.0


class FakeState:
    def __init__(self, decision: Decision | Exception) -> None:
        self.decision = decision
        self.claims: list[tuple[Any, ...]] = []
        self.releases: list[tuple[Any, ...]] = []

    def claim_registration(
        self,
        device_username: str,
        contact: str,
        source_address: str,
        transport: str,
        *,
        expires_s: float | None = None,
        call_id: str | None = None,
        instance: str | None = None,
    ) -> Decision:
        kw = {"expires_s": expires_s, "call_id": call_id, "instance": instance}
        self.claims.append((device_username, contact, source_address, transport, kw))
        if isinstance(self.decision, Exception):
            raise self.decision
        return self.decision

    def release_registration(
        self,
        device_username: str,
        contact: str | None = None,
        *,
        source_address: str | None = None,
        transport: str | None = None,
        call_id: str | None = None,
        instance: str | None = None,
    ) -> bool:
        pairs = (
            ("source_address", source_address),
            ("transport", transport),
            ("call_id", call_id),
            ("instance", instance),
        )
        kw = {k: v for k, v in pairs if v}
        self.releases.append((device_username, contact, kw))
        return True


CLAIM = {
    "event": "claim",
    "tindex": 12,
    "tlabel": 34,
    "device": "200",
    "contact": "sip:200@192.168.1.50:5060",
    "source": "203.0.113.24:40000",
    "transport": "door",
    "call_id": "abc",
    "expires": "3600",
}


def test_accepted_claim_reaches_the_state_with_what_the_device_speaks() -> None:
    state = FakeState(Decision(True))
    answer = decide(state, CLAIM, 60, 300)
    assert answer == {"tindex": 12, "tlabel": 34, "action": "accept"}
    device, _contact, source, transport, kw = state.claims[0]
    assert (device, source, transport) == ("200", "203.0.113.24:40000", "tls")
    assert kw == {"expires_s": 300, "call_id": "abc", "instance": None}


def test_refused_claim_carries_code_reason_and_retry_after() -> None:
    state = FakeState(Decision(False, 403, "Station 200 already\r\nregistered", 41.6))
    answer = decide(state, CLAIM, 60, 300)
    assert answer["action"] == "reject" and answer["code"] == 403
    assert answer["reason"] == "Station 200 already  registered"
    assert answer["retry_after"] == 42


def test_unknown_device_and_bad_claims_are_refused_not_raised() -> None:
    assert decide(FakeState(RuntimeError("no device")), CLAIM, 60, 300)["code"] == 403
    missing = {k: v for k, v in CLAIM.items() if k != "device"}
    assert decide(FakeState(Decision(True)), missing, 60, 300)["code"] == 400


def test_release_of_unregister_and_expiry() -> None:
    state = FakeState(Decision(True))
    assert release(state, {"event": "unregister", "device": "200", "contact": "c", "transport": "door", "source": "s"})
    assert release(state, {"event": "expired", "device": "201"})
    assert not release(state, {"event": "expired"})
    assert state.releases[0][0:2] == ("200", "c") and state.releases[0][2]["transport"] == "tls"
    assert state.releases[1] == ("201", None, {})


@pytest.mark.parametrize(("requested", "granted"), [("3600", 300), ("30", 60), ("120", 120), ("", 300), ("x", 300)])
def test_granted_expires(requested: str, granted: int) -> None:
    assert granted_expires(requested, 60, 300) == granted


def test_wire_transport() -> None:
    assert [wire_transport(t) for t in ("door", "UDP", "tcp", "tls")] == ["tls", "udp", "tcp", "tls"]


@given(st.lists(st.binary(max_size=300), max_size=8), st.integers(1, 50))
def test_netstrings_survive_any_chunking(payloads: list[bytes], chunk: int) -> None:
    wire = b"".join(netstring(p) for p in payloads)
    reader = NetstringReader()
    out: list[bytes] = []
    for i in range(0, len(wire), chunk):
        out += reader.feed(wire[i : i + chunk])
    assert out == payloads


@pytest.mark.parametrize("bad", [b"abc:xyz,", b"3:abcd", b"-1:,", b"9" * 13])
def test_bad_netstrings_raise(bad: bytes) -> None:
    with pytest.raises(ValueError, match="evapi"):
        NetstringReader().feed(bad)
