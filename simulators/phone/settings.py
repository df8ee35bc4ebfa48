"""PhoneSettings: everything one softphone agent is started with (validated, clear errors)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulators.pj.config import ANY_ADDRESS, DEFAULT_CODECS, WEBRTC_PORTS, EndpointConfig, TlsSettings, TransportSpec
from simulators.pj.tones import TONE_PLAN

from .voip import parse_ice_server


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Registration(Strict):
    """Digest registration at a registrar (e.g. the UC stub's SIP edge)."""

    registrar: str = Field(description="host[:port], e.g. 192.168.1.30:5060")
    transport: Literal["udp", "tcp", "tls"] = "udp"
    user: str
    password: str
    domain: str | None = Field(None, description="the AOR's domain; default: the registrar host")
    realm: str = "*"
    expires: int = Field(300, ge=10, le=86_400, description="requested registration lifetime (s)")
    retry_s: int = Field(30, ge=1, le=3600, description="retry interval after a failed registration")
    keepalive_s: int = Field(15, ge=0, le=3600, description="UDP keep-alive interval; 0 = off")
    refresh_margin_s: int = Field(
        5, ge=1, le=3600, description="re-register this long before expiry (pjsip waits at least 5 s)"
    )

    @field_validator("keepalive_s")
    @classmethod
    def _keepalive(cls, value: int) -> int:
        if value == 1:
            raise ValueError(
                "keepalive_s=1 makes pjsua 2.15.1 send UDP keep-alives in a tight loop (observed in the lab); "
                "use 0 (off) or 2 and more"
            )
        return value

    @model_validator(mode="after")
    def _margin(self) -> Registration:
        if self.refresh_margin_s >= self.expires:
            raise ValueError(
                f"refresh_margin_s ({self.refresh_margin_s}) must be below expires ({self.expires}): "
                "the phone re-registers that long before the registration runs out"
            )
        return self

    @field_validator("registrar")
    @classmethod
    def _hostport(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?", value):
            raise ValueError(f"registrar {value!r} is not host[:port], e.g. 192.168.1.30:5060")
        return value

    @property
    def host(self) -> str:
        return self.registrar.split(":")[0]

    def registrar_uri(self) -> str:
        return f"sip:{self.registrar};transport={self.transport}"

    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain or self.host}"


class PhoneSettings(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,23}$", description="device name (also the SIP user by default)")
    bind: str = Field(
        ANY_ADDRESS,
        description="the address SIP and media bind to: any address (the default, as the application binds: "
        "the host's routes pick the source) or one of the host's addresses",
    )
    user: str | None = None
    transports: list[TransportSpec] = Field(default_factory=lambda: [TransportSpec()])
    tls: TlsSettings = Field(default_factory=TlsSettings)
    rtp_ports: tuple[int, int] = WEBRTC_PORTS
    ice: bool = False
    default_stun: str | None = Field(None, description="the built-in STUN server: not listed, not removable")
    ice_servers: list[str] = Field(default_factory=list, description="the user's ICE servers list")
    nameservers: list[str] = Field(
        default_factory=list, description="DNS servers for a registrar given by name (a lab DNS server)"
    )
    codecs: list[str] = Field(default_factory=lambda: list(DEFAULT_CODECS))
    codec_preselection: bool = Field(False, description="myPortal @work Codec Preselection (off by default)")
    tone: int = Field(TONE_PLAN[0], description="the frequency this device transmits (Hz)")
    detection: Literal["call", "conference"] = Field(
        "call",
        description="tone detection: 'conference' hears a tone among up to 15 mixed (tones.conference_detection)",
    )
    auto_answer: int | None = Field(None, ge=180, le=699, description="answer incoming calls with this code")
    follow_redirects: bool = True
    registration: Registration | None = None
    log_level: int = Field(1, ge=0, le=6)

    @field_validator("tone")
    @classmethod
    def _planned(cls, value: int) -> int:
        if value not in TONE_PLAN:
            raise ValueError(f"tone {value} Hz is not in the validated tone plan {TONE_PLAN}; pick one of those")
        return value

    @field_validator("default_stun")
    @classmethod
    def _default_stun(cls, value: str | None) -> str | None:
        if value is not None:
            parse_ice_server(value)
        return value

    @model_validator(mode="after")
    def _endpoint_valid(self) -> PhoneSettings:
        # building the endpoint config validates bind, ports, transports and codecs
        self.endpoint()
        return self

    @property
    def sip_user(self) -> str:
        return self.user or self.name

    def stun_hostports(self) -> list[str]:
        servers = ([self.default_stun] if self.default_stun else []) + self.ice_servers
        return [parse_ice_server(s).hostport for s in servers]

    def endpoint(self) -> EndpointConfig:
        return EndpointConfig(
            bind=self.bind,
            route_to=self.registration.host if self.registration else None,
            transports=self.transports,
            tls=self.tls,
            rtp_ports=self.rtp_ports,
            stun_servers=self.stun_hostports(),
            nameservers=self.nameservers,
            codecs=self.codecs,
            log_level=self.log_level,
            user_agent=f"uclab-phone/{self.name}",
        )
