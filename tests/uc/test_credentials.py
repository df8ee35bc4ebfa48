"""Stored secrets: HA1 for SIP digest, scrypt hashes for UC passwords and PINs."""

from __future__ import annotations

import pytest

from simulators.uc.credentials import ScryptCost, ha1, hash_secret, token_digest, verify_secret


def test_ha1_is_rfc2617() -> None:
    # RFC 2617 section 3.5: Mufasa / testrealm@host.com / Circle Of Life
    assert ha1("Mufasa", "testrealm@host.com", "Circle Of Life") == "939e7578ed9e3c518a452acee763bce9"


def test_hash_and_verify() -> None:
    stored = hash_secret("Start#200a", ScryptCost.FAST)
    assert stored.startswith("scrypt$16$1$1$")
    assert verify_secret("Start#200a", stored)
    assert not verify_secret("Start#200b", stored)
    assert hash_secret("Start#200a", ScryptCost.FAST) != stored, "salted"
    assert not verify_secret("x", "md5$abc") and not verify_secret("x", "scrypt$a$b") and not verify_secret("x", "")
    assert not verify_secret("\ud800", stored), "lone surrogates never match and never raise"


def test_hash_keeps_its_cost() -> None:
    stored = hash_secret("pw", ScryptCost(n=32, r=2, p=1))
    assert stored.split("$")[1:4] == ["32", "2", "1"]
    assert verify_secret("pw", stored)


def test_bad_cost() -> None:
    with pytest.raises(ValueError, match="n must be a power of 2"):
        ScryptCost(n=1000)


def test_token_digest() -> None:
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
