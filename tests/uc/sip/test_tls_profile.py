"""TLS on 8802 (the front door) and 5061 (Kamailio) meets Mozilla's intermediate profile, as
sslyze sees it from a lab host (simulators/peers/tlsscan.py), and pjsua2 (OpenSSL 1.0.2, TLS 1.2
only) still registers on both: PORT-1 (004:270-276) carries UC and VoIP on 8802 over TLS.
No stub process may die during the scans (Kamailio 5.6.3 did with two TLS readers)."""

from __future__ import annotations

import asyncio

import pytest

from simulators.lab import Lab
from simulators.peers.tlsscan import scan

from .conftest import StartPhone, StartStub, reg, registered

CURVES = {"X25519", "secp256r1", "secp384r1"}
SUITES_12 = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
}
SUITES_13 = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}


@pytest.mark.rule("PORT-1")
async def test_8802_and_5061_comply_with_mozilla_intermediate(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    stub = await stubs(office_lab)
    results = await asyncio.gather(
        *(asyncio.to_thread(scan, office_lab, "office_pc", (stub.lan_ip, port), stub.ca_file) for port in (8802, 5061))
    )
    assert stub.supervisor is not None and stub.supervisor.restarts == [], "a stub process died during the scans"
    for result in results:
        assert result.error == "", result.error
        assert result.issues == {}, f"{result.target}: {result.issues}"
        assert result.compliant
        assert result.tls_versions == ["TLSv1.2", "TLSv1.3"], result.target
        assert set(result.ciphers) == SUITES_12 | SUITES_13, result.target
        assert set(result.curves) == CURVES, result.target
        assert result.certificate_days == 90
    for port, host, user in ((8802, "office_pc", "200"), (5061, "office_pc2", "201")):
        phone = await phones(
            office_lab,
            host,
            transports=[{"kind": "tls", "port": 0}],
            registration=reg(f"{stub.lan_ip}:{port}", user, "tls"),
        )
        await registered(phone)
