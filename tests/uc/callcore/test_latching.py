"""Turning latching off on a pjmedia transport (simulators/uc/callcore/latching.py).

The layout checks are exercised on fake transports in ordinary memory; the real pjsua2
transports are covered by test_media_settings.py (latching off -> one-way audio).
"""

from __future__ import annotations

import ctypes

import pytest

from simulators.uc.callcore import latching


def fake(name: bytes, kind: int, pool: int = 0x1234, options: int = 0) -> ctypes.Array[ctypes.c_char]:
    buf = ctypes.create_string_buffer(128)
    ctypes.memmove(buf, name, len(name))
    ctypes.c_int.from_buffer(buf, latching.TYPE_OFFSET).value = kind
    ctypes.c_void_p.from_buffer(buf, latching.POOL_OFFSET).value = pool
    ctypes.c_uint.from_buffer(buf, latching.OPTIONS_OFFSET).value = options
    return buf


@pytest.mark.parametrize(("name", "kind"), [(b"udp0x55", latching.TYPE_UDP), (b"icetp00", latching.TYPE_ICE)])
def test_disable_sets_the_flag(name: bytes, kind: int) -> None:
    buf = fake(name, kind, options=4)
    address = ctypes.addressof(buf)
    assert not latching.is_disabled(address)
    assert latching.disable(address) == 4 | latching.NO_SRC_ADDR_CHECKING
    assert latching.is_disabled(address)


@pytest.mark.parametrize(
    "buf",
    [
        fake(b"udp0x55", latching.TYPE_ICE),
        fake(b"loop", latching.TYPE_UDP),
        fake(b"udp0x55", latching.TYPE_UDP, pool=0),
        fake(b"icetp00", latching.TYPE_ICE, options=0x7F3A12C0),
    ],
)
def test_anything_else_is_refused_before_writing(buf: ctypes.Array[ctypes.c_char]) -> None:
    before = bytes(buf)
    with pytest.raises(latching.LayoutMismatch):
        latching.disable(ctypes.addressof(buf))
    assert bytes(buf) == before
