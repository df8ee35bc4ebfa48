"""STUN codec, checked against real wire data from coturn 4.6.1 in the lab."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.net import stun

FIXTURES = Path(__file__).parent / "fixtures"


def test_parse_coturn_binding_success() -> None:
    msg = stun.parse((FIXTURES / "coturn_binding_success.bin").read_bytes())
    assert msg.klass is stun.Class.SUCCESS
    assert msg.method is stun.Method.BINDING
    assert msg.transaction_id == bytes.fromhex("a1b2c3d4e5f60718293a4b5c")
    assert msg.mapped == ("203.0.113.24", 40000)
    assert msg.attributes[stun.Attr.MAPPED_ADDRESS] == ("203.0.113.24", 40000)
    assert msg.response_origin == ("192.0.2.10", 3478)
    assert msg.other_address == ("192.0.2.11", 3479)
    assert msg.attributes[stun.Attr.SOFTWARE] == "Coturn-4.6.1 'Gorst'"


def test_serialize_binding_request_matches_the_wire() -> None:
    req = stun.binding_request()
    req.transaction_id = bytes.fromhex("a1b2c3d4e5f60718293a4b5c")
    assert stun.serialize(req) == (FIXTURES / "stun_binding_request.bin").read_bytes()


def test_change_request_roundtrip() -> None:
    req = stun.binding_request(change_ip=True, change_port=True)
    parsed = stun.parse(stun.serialize(req))
    assert parsed.attributes[stun.Attr.CHANGE_REQUEST] == stun.CHANGE_IP | stun.CHANGE_PORT
    assert parsed.klass is stun.Class.REQUEST


def test_xor_mapped_address_roundtrip() -> None:
    msg = stun.Message(stun.Method.BINDING, stun.Class.SUCCESS)
    msg.attributes[stun.Attr.XOR_MAPPED_ADDRESS] = ("198.51.100.7", 50123)
    assert stun.parse(stun.serialize(msg)).mapped == ("198.51.100.7", 50123)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x00\x01", "2 bytes is shorter than a STUN header (20)"),
        (b"\xc0\x01\x00\x00" + b"\x21\x12\xa4\x42" + b"x" * 12, "first two bits are not zero: not a STUN message"),
        (b"\x00\x01\x00\x00" + b"\x00\x00\x00\x00" + b"x" * 12, "magic cookie 0x0 is not 0x2112a442"),
        (
            b"\x00\x01\x00\x08" + b"\x21\x12\xa4\x42" + b"x" * 12,
            "length field says 8 bytes of attributes, datagram has 0",
        ),
        (
            b"\x01\x01\x00\x08" + b"\x21\x12\xa4\x42" + b"x" * 12 + b"\x00\x20\x00\x08\x00\x01",
            "length field says 8 bytes of attributes, datagram has 6",
        ),
        (
            b"\x01\x01\x00\x08" + b"\x21\x12\xa4\x42" + b"x" * 12 + b"\x00\x20\x00\x08\x00\x01\x00\x00",
            "attribute 0x20 is truncated",
        ),
    ],
)
def test_malformed_messages_are_rejected_with_the_reason(data: bytes, error: str) -> None:
    with pytest.raises(stun.StunError) as info:
        stun.parse(data)
    assert str(info.value) == error
