"""Endpoint settings: what one pjsua2 Endpoint listens on and how its media behaves.

Validated with clear errors (each names the field, the problem and the fix).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TransportKind = Literal["udp", "tcp", "tls"]
DEFAULT_SIP_PORT = {"udp": 5060, "tcp": 5060, "tls": 5061}
WEBRTC_PORTS = (49152, 65535)
DEFAULT_CODECS = ("PCMA/8000", "PCMU/8000", "G722/16000")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransportSpec(Strict):
    kind: TransportKind = "udp"
    port: int | None = Field(None, ge=0, le=65535, description="None: the standard port (5060, TLS 5061); 0: any")

    @property
    def resolved_port(self) -> int:
        return DEFAULT_SIP_PORT[self.kind] if self.port is None else self.port


class TlsSettings(Strict):
    """TLS: verify the peer with `ca_file`, or not at all (`verify_server: false`)."""

    verify_server: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TlsSettings:
        if self.verify_server and self.ca_file is None:
            raise ValueError("tls.verify_server needs tls.ca_file (the lab CA); or set verify_server: false")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("tls.cert_file and tls.key_file go together; give both or neither")
        for name in ("ca_file", "cert_file", "key_file"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise ValueError(f"tls.{name} {path} does not exist; write the file first (e.g. with trustme)")
        return self


ANY_ADDRESS = "0.0.0.0"
"""Bind to every address of the host, as an application does: the host's routes pick the source."""


class EndpointConfig(Strict):
    bind: str = Field(ANY_ADDRESS, description="the host address SIP and media bind to (any address by default)")
    route_to: str | None = Field(
        None,
        description="bound to any address: advertise (Via, Contact, SDP) the source address the host's routes pick "
        "towards this address (the registrar); None: pjsip's own choice (the default route's source)",
    )
    transports: list[TransportSpec] = Field(default_factory=lambda: [TransportSpec()])
    tls: TlsSettings = Field(default_factory=TlsSettings)
    rtp_ports: tuple[int, int] = WEBRTC_PORTS
    stun_servers: list[str] = Field(default_factory=list, description="host:port of STUN servers, in order")
    nameservers: list[str] = Field(
        default_factory=list,
        description="DNS servers (IPv4 addresses) pjsip's own resolver asks for SIP host names; none: names are not used",
    )
    codecs: list[str] = Field(default_factory=lambda: list(DEFAULT_CODECS), description="enabled, best first")
    clock_rate: int = 16000
    log_level: int = Field(1, ge=0, le=6)
    user_agent: str = "uclab-pjsua2"
    max_calls: int = Field(8, ge=1, le=32)

    @field_validator("bind")
    @classmethod
    def _ipv4(cls, value: str) -> str:
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise ValueError(
                f"bind {value!r} is not an IPv4 address; give one of the host's addresses or {ANY_ADDRESS} (any)"
            ) from None
        return value

    @field_validator("nameservers")
    @classmethod
    def _nameservers(cls, value: list[str]) -> list[str]:
        for server in value:
            try:
                ipaddress.IPv4Address(server)
            except ValueError:
                raise ValueError(f"nameserver {server!r} is not an IPv4 address, e.g. 192.0.2.53") from None
        return value

    @field_validator("rtp_ports")
    @classmethod
    def _port_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        lo, hi = value
        if not (1024 <= lo < hi <= 65535) or hi - lo < 3:
            raise ValueError(
                f"rtp_ports {lo}-{hi} must be a range of at least 4 ports within 1024-65535 "
                "(RTP and RTCP take two each); default 49152-65535"
            )
        return value

    @field_validator("transports")
    @classmethod
    def _transports(cls, value: list[TransportSpec]) -> list[TransportSpec]:
        if not value:
            raise ValueError("give at least one SIP transport, e.g. [{kind: udp}]")
        kinds = [t.kind for t in value]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"one transport per kind; got {kinds}")
        return value

    @field_validator("codecs")
    @classmethod
    def _codecs(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("enable at least one codec, e.g. ['PCMA/8000']")
        return value
