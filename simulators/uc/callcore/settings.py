"""CoreSettings: everything the call core process starts with (validated, clear errors)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulators.pj.config import DEFAULT_CODECS, WEBRTC_PORTS

MAX_LEGS_PER_WORKER = 4
"""pjsua2-python 2.15.1 is built with PJSUA_MAX_CALLS = 4: one process holds 4 calls."""
MIXER_RTP_SPAN = 40
"""RTP ports per mixer node (4 calls without ICE: RTP + RTCP each, with room to rebind)"""


class CoreSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lan_ip: str = Field(description="the system's LAN address: media binds here")
    control: Path = Field(description="the Unix control socket (in the run directory)")
    state_path: Path = Field(description="the stub's SQLite state")
    config_path: Path = Field(description="the system configuration (YAML) the state was made from")
    realm: str = Field(description="SIP domain (From of the core's legs)")
    workers: int = Field(3, ge=1, le=64, description="pjsua2 processes; each carries 2 anchored calls")
    base_port: int = Field(5100, ge=1024, le=65000, description="worker i listens on 127.0.0.1:base_port+i")
    kamailio_port: int = Field(5060, description="Kamailio's internal UDP socket on 127.0.0.1")
    rtp_ports: tuple[int, int] = WEBRTC_PORTS
    stun_servers: list[str] = Field(default_factory=list, description="host:port, the system's STUN servers")
    ice: bool = True
    codecs: list[str] = Field(default_factory=lambda: list(DEFAULT_CODECS))
    latch_rtp: bool = Field(True, description="follow the source address of received RTP (symmetric RTP)")
    wan_address: str | None = Field(None, description="set: the 'system on its WAN interface' misconfiguration")
    log_level: int = Field(1, ge=0, le=6)
    clock_rate: int = Field(16000, description="conference bridge rate: 16000 keeps G.722 wideband, 8000 is cheaper")
    poll_ms: int = Field(5, ge=1, le=100, description="pjsua2 event poll of each worker's thread")
    mixers: int = Field(
        2,
        ge=0,
        le=32,
        description="conference mixer nodes (4 call slots each; 16 parties need 7, rules/conference_slots.py)",
    )
    mixer_base_port: int = Field(5300, ge=1024, le=65000, description="mixer node n listens on 127.0.0.1:base+n")
    mixer_rtp_base: int = Field(30000, ge=1024, le=64000, description="mixer node n's RTP: base+40n .. base+40n+38")
    mixer_poll_ms: int = Field(200, ge=20, le=5000, description="how often a mixer node reconciles legs with slots")

    @field_validator("clock_rate")
    @classmethod
    def _rate(cls, value: int) -> int:
        if value not in (8000, 16000, 32000, 48000):
            raise ValueError(f"clock_rate {value}: use 8000, 16000, 32000 or 48000")
        return value

    @field_validator("lan_ip", "wan_address")
    @classmethod
    def _ipv4(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.IPv4Address(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an IPv4 address") from None
        return value

    @model_validator(mode="after")
    def _ports(self) -> CoreSettings:
        lo, hi = self.rtp_ports
        if hi - lo + 1 < self.workers * MAX_LEGS_PER_WORKER * 8:
            raise ValueError(
                f"rtp_ports {lo}-{hi} is too small for {self.workers} workers "
                f"(each needs {MAX_LEGS_PER_WORKER * 8} ports); widen it or use fewer workers"
            )
        return self

    def worker_port(self, index: int) -> int:
        return self.base_port + index

    def worker_rtp(self, index: int) -> tuple[int, int]:
        """A disjoint slice of the RTP range for worker `index` (even start)."""
        lo, hi = self.rtp_ports
        span = (hi - lo + 1) // self.workers
        start = lo + index * span
        start += start % 2
        return start, start + span - 2

    def worker_control(self, index: int) -> Path:
        return self.control.with_name(f"{self.control.stem}-w{index}.sock")

    def mixer_port(self, node: int) -> int:
        return self.mixer_base_port + node

    def mixer_rtp(self, node: int) -> tuple[int, int]:
        start = self.mixer_rtp_base + node * MIXER_RTP_SPAN
        return start, start + MIXER_RTP_SPAN - 2

    def mixer_control(self, node: int) -> Path:
        return self.control.with_name(f"{self.control.stem}-m{node}.sock")

    def mixer_codecs(self) -> list[str]:
        """Legs into and between mixer nodes: G.722 when the core has it and bridges at 16 kHz
        or more (wideband, and the answerer takes the offer's order, so a node offering only
        G.722 decides); at 8 kHz a G.711 codec (no resampling on every internal leg); else the
        core's own codecs."""
        narrow: list[str] = [c for c in ("PCMU/8000", "PCMA/8000") if c in self.codecs]
        if self.clock_rate >= 16000 and "G722/16000" in self.codecs:
            return ["G722/16000"]
        return narrow[:1] if narrow else list(self.codecs)
