"""RFC 5780 classification logic, driven through a scripted transport (no sockets).

The transport here is a small model of a NAT: it answers what a NAT of the given
behaviour would let through. The same logic is exercised against real NATs in
test_nat_behaviour.py; this file pins the decision procedure itself.
"""

from __future__ import annotations

import pytest

from simulators.net import stun
from simulators.net.natclassify import AD, APD, EI, classify, preset_of

SERVER = ("192.0.2.10", 3478)
OTHER = ("192.0.2.11", 3479)
LOCAL = ("192.168.178.20", 40000)


class ModelNat:
    """What a NAT with the given behaviour lets a STUN client see."""

    def __init__(self, mapping: str | None, filtering: str | None, *, hairpin: bool = False, udp: bool = True):
        self.mapping, self.filtering, self.hairpin_ok, self.udp = mapping, filtering, hairpin, udp
        self.sent: dict[int, list[tuple[str, int]]] = {}

    def local_address(self, channel: int) -> tuple[str, int]:
        return LOCAL[0], LOCAL[1] + channel

    def _mapped(self, channel: int, dest: tuple[str, int]) -> tuple[str, int]:
        if self.mapping is None:
            return self.local_address(channel)
        port = 50000 + channel
        if self.mapping == AD:
            port += 100 if dest[0] == OTHER[0] else 0
        elif self.mapping == APD:
            port += (100 if dest[0] == OTHER[0] else 0) + (10 if dest[1] == OTHER[1] else 0)
        return "203.0.113.24", port

    def request(
        self, channel: int, server: tuple[str, int], change_ip: bool = False, change_port: bool = False
    ) -> stun.Message | None:
        if not self.udp:
            return None
        sent = self.sent.setdefault(channel, [])
        sent.append(server)
        reply_from = (OTHER[0] if change_ip else server[0], OTHER[1] if change_port else server[1])
        if self.mapping is not None and reply_from not in sent:
            allowed = {
                EI: True,
                AD: any(reply_from[0] == s[0] for s in sent),
                APD: False,
            }[self.filtering or APD]
            if not allowed:
                return None
        msg = stun.Message(stun.Method.BINDING, stun.Class.SUCCESS)
        msg.attributes[stun.Attr.XOR_MAPPED_ADDRESS] = self._mapped(channel, server)
        msg.attributes[stun.Attr.OTHER_ADDRESS] = OTHER
        return msg

    def hairpin(self, from_channel: int, to: tuple[str, int], channel: int) -> bool:
        return self.hairpin_ok


@pytest.mark.parametrize(
    ("mapping", "filtering", "preset"),
    [
        (EI, EI, "full-cone"),
        (EI, AD, "restricted-cone"),
        (EI, APD, "port-restricted-cone"),
        (APD, APD, "symmetric"),
        (AD, APD, "symmetric"),
    ],
)
def test_classifies_each_behaviour(mapping: str, filtering: str, preset: str) -> None:
    result = classify(ModelNat(mapping, filtering), SERVER)
    assert (result.mapping, result.filtering, result.preset) == (mapping, filtering, preset)
    assert result.nat is True
    assert result.error is None


def test_no_nat_reads_as_no_nat_not_full_cone() -> None:
    result = classify(ModelNat(None, None), SERVER)
    assert result.nat is False
    assert result.preset is None


def test_udp_blocked() -> None:
    result = classify(ModelNat(EI, APD, udp=False), SERVER)
    assert result.udp_blocked is True
    assert result.error == "no STUN response from 192.0.2.10:3478 (UDP blocked or server unreachable)"


def test_hairpinning_is_reported() -> None:
    assert classify(ModelNat(EI, EI, hairpin=True), SERVER).hairpinning is True
    assert classify(ModelNat(EI, EI, hairpin=False), SERVER).hairpinning is False


def test_preset_names() -> None:
    assert preset_of(None, None) is None
    assert preset_of(EI, EI) == "full-cone"
    assert preset_of(AD, EI) == "symmetric"
