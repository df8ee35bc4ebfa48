"""Turning pjmedia's RTP latching off for one media transport (the stub's `latch_rtp: false`).

pjmedia follows the source address of received RTP ("Remote RTP address switched to ...")
unless the transport was created with PJMEDIA_UDP_NO_SRC_ADDR_CHECKING (UDP) or
PJMEDIA_ICE_NO_SRC_ADDR_CHECKING (ICE); pjsua creates its transports with neither, and
pjsua2 has no setting for it. The core sets the bit on the transport pjsua hands to
`Call.onCreateMediaTransport`, before any stream is attached to it.

pjsua hands over its SRTP adapter ("srtp..."), which wraps the real transport; pjmedia's
own `pjmedia_transport_srtp_get_member` unwraps it.

Layout (pjmedia 2.15, LP64): `pjmedia_transport` is {char name[32]; type (int); op*;
user_data*; grp_lock*} = 64 bytes; both `transport_udp` and `transport_ice` continue with
{pj_pool_t *pool; unsigned options; ...}, so `options` is at offset 72. Before anything is
written, the name prefix, the type field (offset 32), a non-null pool and a plausible
options value (a few flag bits, not half a pointer) are checked.
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any

NAME_LEN = 32
TYPE_OFFSET = 32
POOL_OFFSET = 64
OPTIONS_OFFSET = 72
MAX_OPTIONS = 0xFF
TYPE_UDP, TYPE_ICE = 0, 1
NO_SRC_ADDR_CHECKING = 1  # PJMEDIA_UDP_NO_SRC_ADDR_CHECKING == PJMEDIA_ICE_NO_SRC_ADDR_CHECKING == 1
_PREFIX = {TYPE_UDP: b"udp", TYPE_ICE: b"ice"}


class LayoutMismatch(RuntimeError):
    """The transport does not look like pjmedia 2.15's UDP or ICE transport."""


@cache
def _get_member() -> Any:
    import pjsua2

    fn = ctypes.CDLL(pjsua2._pjsua2.__file__).pjmedia_transport_srtp_get_member
    fn.restype = ctypes.c_void_p
    fn.argtypes = [ctypes.c_void_p]
    return fn


def name_of(address: int) -> bytes:
    return ctypes.string_at(address, NAME_LEN).split(b"\0", 1)[0]


def unwrap(address: int) -> int:
    """The transport under pjsua's SRTP adapter (or `address` itself)."""
    for _ in range(3):
        if not name_of(address).startswith(b"srtp"):
            return address
        member = _get_member()(address)
        if not member:
            raise LayoutMismatch(f"SRTP adapter at {address:#x} has no member transport")
        address = int(member)
    return address


def transport_kind(address: int) -> int:
    name = name_of(address)
    kind = ctypes.c_int.from_address(address + TYPE_OFFSET).value
    pool = ctypes.c_void_p.from_address(address + POOL_OFFSET).value
    prefix = _PREFIX.get(kind)
    options = ctypes.c_uint.from_address(address + OPTIONS_OFFSET).value
    if prefix is None or not name.startswith(prefix) or not pool or options > MAX_OPTIONS:
        raise LayoutMismatch(
            f"media transport at {address:#x}: name={name!r} type={kind} options={options:#x}: "
            "not the UDP/ICE transport layout of pjmedia 2.15"
        )
    return kind


def disable(address: int) -> int:
    """Set NO_SRC_ADDR_CHECKING on the transport at `address` (under its SRTP adapter)."""
    address = unwrap(address)
    transport_kind(address)
    options = ctypes.c_uint.from_address(address + OPTIONS_OFFSET)
    options.value |= NO_SRC_ADDR_CHECKING
    return options.value


def is_disabled(address: int) -> bool:
    address = unwrap(address)
    transport_kind(address)
    return bool(ctypes.c_uint.from_address(address + OPTIONS_OFFSET).value & NO_SRC_ADDR_CHECKING)
