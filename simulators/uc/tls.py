"""The lab CA and the stub's server certificate (trustme), and TLS 1.2+ contexts.

The CA is created once per stub directory and reloaded on restart, so a client that
trusts `ca.pem` keeps trusting the stub after it restarts. The server certificate names
every address clients use to reach the system (LAN address, the public addresses of the
office router's port forwards, 127.0.0.1) and is reissued on every start (8 ms, ECDSA).

    files = LabTls.ensure(stub_dir / "tls", ["192.168.1.30", "198.51.100.120"])
    ctx = files.server_context()            # TLS 1.2 and 1.3 only
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

MIN_VERSION = ssl.TLSVersion.TLSv1_2


@dataclass(frozen=True)
class LabTls:
    ca_file: Path
    cert_file: Path
    key_file: Path
    identities: tuple[str, ...]

    @classmethod
    def ensure(cls, directory: Path, identities: list[str]) -> LabTls:
        """Load (or create) the CA in `directory` and issue a server cert for `identities`."""
        if not identities:
            raise ValueError("the server certificate needs at least one address or name")
        directory.mkdir(parents=True, exist_ok=True)
        ca_file, ca_key = directory / "ca.pem", directory / "ca.key"
        if ca_file.exists() and ca_key.exists():
            ca = trustme.CA.from_pem(ca_file.read_bytes(), ca_key.read_bytes())
        else:
            ca = trustme.CA(organization_name="uclab lab CA")
            ca.private_key_pem.write_to_path(str(ca_key))
            ca.cert_pem.write_to_path(str(ca_file))
            ca_key.chmod(0o600)
        unique = tuple(dict.fromkeys(identities))
        leaf = ca.issue_cert(*unique, common_name=unique[0], organization_name="uclab UC server stub")
        cert_file, key_file = directory / "server.pem", directory / "server.key"
        cert_file.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key_file))
        key_file.chmod(0o600)
        return cls(ca_file, cert_file, key_file, unique)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = MIN_VERSION
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts only the lab CA (for tests and probes)."""
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        ctx.minimum_version = MIN_VERSION
        return ctx


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
