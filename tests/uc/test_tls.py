"""The lab CA and server certificate (simulators/uc/tls.py): valid under standard validators,
within Mozilla intermediate's limits; the OpenSSL settings name only the profile's suites and groups."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from simulators.uc import tls
from simulators.uc.tls import LabTls

IDENTITIES = ["192.168.1.30", "198.51.100.120", "127.0.0.1"]


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verify(files: LabTls, address: str, when: datetime.datetime | None = None) -> int:
    builder = PolicyBuilder().store(Store([_load(files.ca_file)]))
    if when is not None:
        builder = builder.time(when)
    verifier = builder.build_server_verifier(x509.IPAddress(ipaddress.ip_address(address)))
    return len(verifier.verify(_load(files.cert_file), []))


def test_cryptography_and_openssl_accept_the_chain_for_every_identity(tmp_path: Path) -> None:
    files = LabTls.ensure(tmp_path, IDENTITIES)
    assert [_verify(files, a) for a in IDENTITIES] == [2, 2, 2]
    out = subprocess.run(
        ["openssl", "verify", "-CAfile", str(files.ca_file), str(files.cert_file)], capture_output=True, text=True
    )
    assert out.stdout.strip() == f"{files.cert_file}: OK", out.stderr


def test_an_address_the_certificate_does_not_name_is_refused(tmp_path: Path) -> None:
    files = LabTls.ensure(tmp_path, IDENTITIES)
    with pytest.raises(VerificationError):
        _verify(files, "192.168.1.31")


def test_leaf_lives_90_days_with_a_non_critical_san_and_server_auth(tmp_path: Path) -> None:
    now = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)
    leaf = _load(LabTls.ensure(tmp_path, IDENTITIES, now=now).cert_file)
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days == tls.LEAF_DAYS == 90
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical is False
    assert [str(a) for a in san.value.get_values_for_type(x509.IPAddress)] == IDENTITIES
    assert leaf.subject.rfc4514_string() == "CN=192.168.1.30,O=uclab UC server stub"
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]
    assert leaf.signature_algorithm_oid == x509.oid.SignatureAlgorithmOID.ECDSA_WITH_SHA256


def test_an_expired_leaf_is_refused(tmp_path: Path) -> None:
    files = LabTls.ensure(tmp_path, IDENTITIES)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=tls.LEAF_DAYS + 1)
    with pytest.raises(VerificationError, match="cert is not valid at validation time"):
        _verify(files, IDENTITIES[0], later)


def test_the_ca_is_kept_across_restarts_and_the_leaf_reissued(tmp_path: Path) -> None:
    first = LabTls.ensure(tmp_path, IDENTITIES)
    ca, leaf = first.ca_file.read_bytes(), first.cert_file.read_bytes()
    second = LabTls.ensure(tmp_path, IDENTITIES)
    assert second.ca_file.read_bytes() == ca
    assert second.cert_file.read_bytes() != leaf
    assert _verify(second, IDENTITIES[1]) == 2


def test_openssl_settings_are_the_intermediate_profile(tmp_path: Path) -> None:
    files = LabTls.ensure(tmp_path, IDENTITIES)
    text = files.openssl_conf.read_text()
    assert "Groups = X25519:prime256v1:secp384r1\n" in text
    assert "Ciphersuites = TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n" in text
    assert "MinProtocol = TLSv1.2\n" in text
    assert files.openssl_env({})["OPENSSL_CONF"] == str(files.openssl_conf)


def test_server_context_offers_no_cbc_suite_and_no_tls_below_1_2(tmp_path: Path) -> None:
    ctx = LabTls.ensure(tmp_path, IDENTITIES).server_context()
    names = {c["name"] for c in ctx.get_ciphers() if c["protocol"] == "TLSv1.2"}
    assert names <= set(tls.TLS12_CIPHERS)
    assert "ECDHE-ECDSA-AES128-GCM-SHA256" in names  # what pjsua2's OpenSSL 1.0.2 takes
    assert all("-GCM-" in n or "CHACHA20" in n for n in names), names  # AEAD only: no CBC
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2


def test_no_identity_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one address or name"):
        LabTls.ensure(tmp_path, [])
