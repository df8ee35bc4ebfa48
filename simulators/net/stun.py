"""STUN messages (RFC 5389 / 8489) with the RFC 5780 attributes, no I/O.

Just what NAT behaviour discovery needs: Binding requests (optionally with
CHANGE-REQUEST) and responses carrying XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN and
OTHER-ADDRESS. `parse` raises `StunError` with the reason on anything malformed.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from enum import IntEnum
from ipaddress import IPv4Address

MAGIC = 0x2112A442
HEADER = struct.Struct("!HHI12s")


class Method(IntEnum):
    BINDING = 0x001


class Class(IntEnum):
    REQUEST = 0x000
    INDICATION = 0x010
    SUCCESS = 0x100
    ERROR = 0x110


class Attr(IntEnum):
    MAPPED_ADDRESS = 0x0001
    CHANGE_REQUEST = 0x0003
    ERROR_CODE = 0x0009
    XOR_MAPPED_ADDRESS = 0x0020
    SOFTWARE = 0x8022
    FINGERPRINT = 0x8028
    RESPONSE_ORIGIN = 0x802B
    OTHER_ADDRESS = 0x802C


CHANGE_IP = 0x04
CHANGE_PORT = 0x02

Address = tuple[str, int]


class StunError(ValueError):
    pass


@dataclass
class Message:
    method: Method
    klass: Class
    transaction_id: bytes = field(default_factory=lambda: os.urandom(12))
    attributes: dict[Attr | int, object] = field(default_factory=dict)

    @property
    def mapped(self) -> Address | None:
        value = self.attributes.get(Attr.XOR_MAPPED_ADDRESS) or self.attributes.get(Attr.MAPPED_ADDRESS)
        return value  # type: ignore[return-value]

    @property
    def other_address(self) -> Address | None:
        return self.attributes.get(Attr.OTHER_ADDRESS)  # type: ignore[return-value]

    @property
    def response_origin(self) -> Address | None:
        return self.attributes.get(Attr.RESPONSE_ORIGIN)  # type: ignore[return-value]


def binding_request(change_ip: bool = False, change_port: bool = False) -> Message:
    msg = Message(Method.BINDING, Class.REQUEST)
    if change_ip or change_port:
        msg.attributes[Attr.CHANGE_REQUEST] = (CHANGE_IP if change_ip else 0) | (CHANGE_PORT if change_port else 0)
    return msg


def _encode_address(addr: Address, xor: bool, txid: bytes) -> bytes:
    host, port = addr
    packed_ip = IPv4Address(host).packed
    if xor:
        port ^= MAGIC >> 16
        packed_ip = bytes(a ^ b for a, b in zip(packed_ip, struct.pack("!I", MAGIC), strict=True))
    return struct.pack("!BBH", 0, 0x01, port) + packed_ip


def _decode_address(value: bytes, xor: bool) -> Address:
    if len(value) < 8:
        raise StunError(f"address attribute of {len(value)} bytes is too short")
    _, family, port = struct.unpack("!BBH", value[:4])
    if family != 0x01:
        raise StunError(f"address family {family:#x} is not IPv4")
    packed_ip = value[4:8]
    if xor:
        port ^= MAGIC >> 16
        packed_ip = bytes(a ^ b for a, b in zip(packed_ip, struct.pack("!I", MAGIC), strict=True))
    return str(IPv4Address(packed_ip)), port


def serialize(msg: Message) -> bytes:
    body = b""
    for attr, value in msg.attributes.items():
        if attr == Attr.CHANGE_REQUEST:
            raw = struct.pack("!I", int(value))  # type: ignore[call-overload]
        elif attr in (Attr.XOR_MAPPED_ADDRESS,):
            raw = _encode_address(value, True, msg.transaction_id)  # type: ignore[arg-type]
        elif attr in (Attr.MAPPED_ADDRESS, Attr.RESPONSE_ORIGIN, Attr.OTHER_ADDRESS):
            raw = _encode_address(value, False, msg.transaction_id)  # type: ignore[arg-type]
        elif isinstance(value, bytes):
            raw = value
        else:
            raw = str(value).encode()
        body += struct.pack("!HH", int(attr), len(raw)) + raw + b"\0" * (-len(raw) % 4)
    msg_type = int(msg.method) | int(msg.klass)
    return HEADER.pack(msg_type, len(body), MAGIC, msg.transaction_id) + body


def parse(data: bytes) -> Message:
    if len(data) < HEADER.size:
        raise StunError(f"{len(data)} bytes is shorter than a STUN header (20)")
    msg_type, length, cookie, txid = HEADER.unpack_from(data)
    if msg_type & 0xC000:
        raise StunError("first two bits are not zero: not a STUN message")
    if cookie != MAGIC:
        raise StunError(f"magic cookie {cookie:#x} is not {MAGIC:#x}")
    if HEADER.size + length != len(data):
        raise StunError(f"length field says {length} bytes of attributes, datagram has {len(data) - HEADER.size}")
    klass = Class(msg_type & 0x110)
    try:
        method = Method(msg_type & ~0x110 & 0x3FFF)
    except ValueError:
        raise StunError(f"unsupported method {msg_type & 0x3EEF:#x}") from None
    msg = Message(method, klass, txid)
    pos = HEADER.size
    while pos < len(data):
        if pos + 4 > len(data):
            raise StunError("truncated attribute header")
        attr, alen = struct.unpack_from("!HH", data, pos)
        value = data[pos + 4 : pos + 4 + alen]
        if len(value) != alen:
            raise StunError(f"attribute {attr:#x} is truncated")
        pos += 4 + alen + (-alen % 4)
        if attr == Attr.XOR_MAPPED_ADDRESS:
            msg.attributes[Attr.XOR_MAPPED_ADDRESS] = _decode_address(value, True)
        elif attr in (Attr.MAPPED_ADDRESS, Attr.RESPONSE_ORIGIN, Attr.OTHER_ADDRESS):
            msg.attributes[Attr(attr)] = _decode_address(value, False)
        elif attr == Attr.CHANGE_REQUEST:
            msg.attributes[Attr.CHANGE_REQUEST] = struct.unpack("!I", value)[0]
        elif attr == Attr.SOFTWARE:
            msg.attributes[Attr.SOFTWARE] = value.decode(errors="replace")
        elif attr == Attr.ERROR_CODE and len(value) >= 4:
            msg.attributes[Attr.ERROR_CODE] = (value[2] * 100 + value[3], value[4:].decode(errors="replace"))
        else:
            msg.attributes[attr] = value
    return msg
