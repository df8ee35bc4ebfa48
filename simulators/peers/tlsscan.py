"""sslyze from a lab host against a TLS server of the lab, judged by Mozilla's "intermediate" profile.

    result = scan(lab, "office_pc", ("192.168.1.30", 8802), ca_file)   # runs in office_pc
    result.compliant, result.issues, result.tls_versions, result.curves, result.ciphers

sslyze (PyPI, pinned) runs in a process inside the scanning host (`python -m
simulators.peers.tlsscan HOST PORT CA`), so every probe crosses the lab network; its own
checker (sslyze.mozilla_tls_profile, the profile's version 5.7) says whether the server
complies and, if not, why. The lab CA is given as the trust store, so certificate path
validation (cryptography's X.509 verification) judges the lab's certificate as a client
that trusts the lab CA would. The process prints one JSON line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulators.lab import Lab

PROFILE = "intermediate"


@dataclass(frozen=True)
class TlsScan:
    target: str
    compliant: bool
    issues: dict[str, str] = field(default_factory=dict)
    tls_versions: list[str] = field(default_factory=list)
    ciphers: list[str] = field(default_factory=list)
    curves: list[str] = field(default_factory=list)
    certificate_days: int = 0
    error: str = ""


def scan(lab: Lab, host: str, target: tuple[str, int], ca_file: Path, timeout: float = 120.0) -> TlsScan:
    """Scan `target` from inside `host` (a few seconds: every suite of every version is tried)."""
    argv = [sys.executable, "-m", "simulators.peers.tlsscan", target[0], str(target[1]), str(ca_file)]
    result = lab.exec(host, argv, timeout=timeout, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        tail = (result.stderr or result.stdout)[-1500:]
        return TlsScan(f"{target[0]}:{target[1]}", False, error=f"sslyze exited {result.returncode}: {tail}")
    return TlsScan(**json.loads(lines[-1]))


def _run(host: str, port: int, ca_file: Path) -> dict[str, Any]:
    from sslyze.mozilla_tls_profile.tls_config_checker import (
        SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
        MozillaTlsConfiguration,
        ServerNotCompliantWithTlsConfiguration,
        ServerScanResultIncomplete,
        TlsConfigurationEnum,
        check_server_against_tls_configuration,
    )
    from sslyze.plugins.certificate_info.implementation import CertificateInfoExtraArgument
    from sslyze.scanner.models import ScanCommandsExtraArguments, ServerScanRequest, ServerScanStatusEnum
    from sslyze.scanner.scanner import Scanner
    from sslyze.server_setting import ServerNetworkLocation

    target = f"{host}:{port}"
    request = ServerScanRequest(
        server_location=ServerNetworkLocation(hostname=host, port=port, ip_address=host),
        scan_commands=SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER,
        scan_commands_extra_arguments=ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=ca_file)
        ),
    )
    scanner = Scanner()
    scanner.queue_scans([request])
    (result,) = list(scanner.get_results())
    if result.scan_status != ServerScanStatusEnum.COMPLETED:
        return {"target": target, "compliant": False, "error": f"no TLS connection: {result.connectivity_error_trace}"}
    attempts = result.scan_result
    assert attempts is not None
    versions, ciphers = [], []
    for name, label in (
        ("ssl_2_0_cipher_suites", "SSLv2"),
        ("ssl_3_0_cipher_suites", "SSLv3"),
        ("tls_1_0_cipher_suites", "TLSv1"),
        ("tls_1_1_cipher_suites", "TLSv1.1"),
        ("tls_1_2_cipher_suites", "TLSv1.2"),
        ("tls_1_3_cipher_suites", "TLSv1.3"),
    ):
        suites = getattr(attempts, name).result
        if suites is not None and suites.is_tls_version_supported:
            versions.append(label)
            ciphers += [s.cipher_suite.name for s in suites.accepted_cipher_suites]
    curves_result = attempts.elliptic_curves.result
    curves = sorted(c.name for c in (curves_result.supported_curves or [])) if curves_result else []
    days = 0
    cert_result = attempts.certificate_info.result
    if cert_result is not None and cert_result.certificate_deployments:
        leaf = cert_result.certificate_deployments[0].received_certificate_chain[0]
        days = (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days
    issues: dict[str, str] = {}
    try:
        check_server_against_tls_configuration(result, MozillaTlsConfiguration.get(TlsConfigurationEnum(PROFILE)))
    except ServerNotCompliantWithTlsConfiguration as exc:
        issues = dict(exc.issues)
    except ServerScanResultIncomplete as exc:
        failed = {}
        for command in SCAN_COMMANDS_NEEDED_BY_MOZILLA_CHECKER:
            attempt = getattr(attempts, command.value)
            if attempt.error_reason is not None:
                trace = list(attempt.error_trace.format())[-2:] if attempt.error_trace else []
                failed[command.value] = f"{attempt.error_reason.value}: {''.join(trace).strip()}"
        issues = {"incomplete": f"{exc} {failed}"}
    return {
        "target": target,
        "compliant": not issues,
        "issues": issues,
        "tls_versions": versions,
        "ciphers": sorted(set(ciphers)),
        "curves": curves,
        "certificate_days": days,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: python -m simulators.peers.tlsscan HOST PORT CA_FILE", file=sys.stderr)
        return 2
    print(json.dumps(_run(args[0], int(args[1]), Path(args[2]))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
