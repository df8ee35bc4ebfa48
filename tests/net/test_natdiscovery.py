"""Parsing coturn's turnutils_natdiscovery output (real output captured in the lab)."""

from __future__ import annotations

from pathlib import Path

from simulators.net.natclassify import APD, EI
from simulators.net.natdiscovery import parse

FIXTURES = Path(__file__).parent / "fixtures"


def test_port_restricted_cone() -> None:
    result = parse((FIXTURES / "natdiscovery_port_restricted.txt").read_text())
    assert result["nat"] is True
    assert (result["mapping"], result["filtering"]) == (EI, APD)
    assert result["preset"] == "port-restricted-cone"
    assert result["mapped"].startswith("203.0.113.24:")


def test_symmetric() -> None:
    result = parse((FIXTURES / "natdiscovery_symmetric.txt").read_text())
    assert (result["mapping"], result["filtering"]) == (APD, APD)
    assert result["preset"] == "symmetric"


def test_no_verdict() -> None:
    assert parse("STUN receive timeout..\n")["mapping"] is None
