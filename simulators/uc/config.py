"""The system configuration: what the administrator set up.

A YAML file validated by pydantic; every problem is reported at once, each naming the file
and line, the dotted field, what is wrong and what to do (`ConfigError`):

    system:   {name: OSBiz Lab, sip_domain: osbiz.lab, mode: smart, release: V3R2FR1, time_scale: 1.0}
    administrator: {password: "Admin#2026"}
    users:
      - {number: "200", name: Anna Adler, password: "Start#200a", licences: [ip_user, uc_user, voicemail]}
    devices:
      - {id: webrtc_200, kind: voip_client, number: "200", sip_user: "200", sip_password: "sip-200-secret"}
    mulap:     [{number: "210", devices: [dect_211, webrtc_212]}]
    deskshare: {dummy_numbers: ["100"]}
    voicemail: {preset_pin: null}                # null: the release's preassigned PIN (REL-PIN)
    sip:       {latch_rtp: true, wan_interface_address: null}
    directories:                                 # what the administrator keeps in the directories (000:503-524)
      speed_dials:       [{name: Pizzeria Roma, number: "+49 89 1234567"}]     # the system directory
      global_contacts:   [{name: Jürgen Müller, business: "+49 89 7007-100"}]  # the global directory
      external_contacts: []                                                    # UC Suite only

Numbers are strings of digits (quote them in YAML). `uclab`-style schema: `json_schema()`.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from enum import StrEnum
from ipaddress import IPv4Address
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulators import yamlcheck
from simulators.net.errors import Problem

from .profiles import Mode, Release, ReleaseProfile, profile

NUMBER_PATTERN = r"^\d{1,16}$"
Number = Annotated[str, Field(pattern=NUMBER_PATTERN, description="internal number: 1 to 16 digits, quoted in YAML")]
DeviceId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="device name: a-z, 0-9, _")]
SCHEMA_HINT = "see the example in simulators/uc/examples/ or SystemConfig's JSON schema"


class ConfigError(ValueError):
    """A system configuration is invalid; `problems` lists each one with its place and fix."""

    def __init__(self, source: str | None, problems: Sequence[Problem]):
        self.source = source or "system config"
        self.problems = list(problems)
        lines = [p.render(self.source) for p in self.problems]
        head = f"{self.source}: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
        super().__init__(head + "\n  " + "\n  ".join(lines))


class Licence(StrEnum):
    """User licences (004:58, 004:65, 004:78, 004:145)."""

    IP_USER = "ip_user"
    UC_USER = "uc_user"
    GROUPWARE = "groupware"
    DESKSHARE = "deskshare"
    CONFERENCE = "conference"
    VOICEMAIL = "voicemail"


class DeviceKind(StrEnum):
    SIP_PHONE = "sip_phone"
    DECT = "dect"
    VOIP_CLIENT = "voip_client"
    """myPortal @work's embedded WebRTC/VoIP client (000:2037-2041)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SystemSection(Strict):
    name: str = Field("OpenScape Business", min_length=1, max_length=64)
    sip_domain: str = Field(
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$",
        description="SIP domain, also the digest realm of every SIP account",
    )
    mode: Mode
    release: Release
    time_scale: float = Field(1.0, gt=0, le=1000, description="real seconds per documented second (timescale.py)")
    canonical_prefix: str | None = Field(
        None,
        pattern=r"^\+[1-9][0-9]{3,14}$",
        description="the system's own number in canonical form without an extension (country code, area code, "
        "the system's number; e.g. +49897007): a canonical number starting with it reaches the internal number "
        "after it (UC-CALL-5, 000:1037); None: canonical numbers are all external",
    )


class Administrator(Strict):
    password: str = Field(min_length=8, max_length=128, description="for the read-only admin view of the UC API")


class UserConfig(Strict):
    number: Number
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=64, description="initial UC password (000:300-312)")
    must_change_password: bool = Field(False, description="first login forces a password change (UC-LOGIN-2)")
    licences: list[Licence] = Field(default_factory=list)
    mobile: str | None = Field(None, pattern=r"^\+?\d{3,20}$", description="mobile number (status-based forwarding)")
    email: str | None = Field(
        None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254, description="shown in the internal directory"
    )

    @field_validator("licences")
    @classmethod
    def _unique(cls, value: list[Licence]) -> list[Licence]:
        twice = sorted({str(v) for v, n in Counter(value).items() if n > 1})
        if twice:
            raise ValueError(f"licence {', '.join(twice)} listed twice; list each licence once")
        return value


class DeviceConfig(Strict):
    id: DeviceId
    kind: DeviceKind
    number: Number = Field(description="the device's station number")
    sip_user: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$", description="SIP digest user name")
    sip_password: str = Field(min_length=4, max_length=64)


class MulapGroup(Strict):
    number: Number = Field(description="the MULAP number users log in with (004:80)")
    devices: list[DeviceId] = Field(min_length=2, description="member devices; they ring in parallel (NET-1.3)")


class Deskshare(Strict):
    dummy_numbers: list[Number] = Field(default_factory=list, description="e.g. 100 (004:151)")
    service_code: str = Field("*9419", pattern=r"^[*#]?\d{1,8}$", description="004:151")


class Voicemail(Strict):
    box_number: Number = Field("351", description="the voicemail box's call number (001:1689)")
    preset_pin: str | None = Field(
        None, pattern=r"^\d{1,16}$", description="preassigned PIN; null = the release's default (REL-PIN)"
    )


class Conferences(Strict):
    """Application-controlled conferences (MeetMe, UC-CONF-2, 000:1489-1518)."""

    dial_in_number: Number = Field("7400", description="the MeetMe dial-in number participants call (000:1512)")


class SipSettings(Strict):
    """Settings of the stub's SIP side (part of the stub, not of the product documents)."""

    latch_rtp: bool = Field(
        True,
        description="the system side sends RTP back to where the peer's RTP comes from (symmetric RTP, pjmedia's "
        "default; NOTES-platform.md), not only to the SDP address. The documents do not say; the lab default "
        "is on. Off: media goes only to the address in the SDP",
    )
    wan_interface_address: IPv4Address | None = Field(
        None,
        description="null: the documented set-up (system on the LAN, 004:106). An address reproduces the "
        "misconfiguration of 004:106: the system on its WAN interface advertises this public address to "
        "the client, which leads to payload problems",
    )


PHONE_PATTERN = r"^[0-9 +()/:;-]*[0-9][0-9 +()/:;-]*$"
Phone = Annotated[
    str,
    Field(
        pattern=PHONE_PATTERN,
        max_length=32,
        description="a phone number: digits, blanks and + ( ) / - : ; (000:1037), canonical recommended (000:528)",
    ),
]


class SpeedDial(Strict):
    """An entry of the system directory: name and number only (000:511-512, 000:556)."""

    name: str = Field(min_length=1, max_length=80)
    number: Phone


class DirectoryContact(Strict):
    """An entry of the global or external directory (000:513-516, details 000:545-554)."""

    name: str = Field(min_length=1, max_length=80)
    business: Phone | None = None
    mobile: Phone | None = None
    private: Phone | None = None
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


class Directories(Strict):
    """The directories the administrator manages (000:524)."""

    speed_dials: list[SpeedDial] = Field(default_factory=list, description="the system directory (000:511-512)")
    global_contacts: list[DirectoryContact] = Field(
        default_factory=list, description="the global directory, imported by the administrator (000:513-514)"
    )
    external_contacts: list[DirectoryContact] = Field(
        default_factory=list, description="the external directory of UC Suite (000:515-516); UC Suite mode only"
    )


class SystemConfig(Strict):
    system: SystemSection
    administrator: Administrator
    users: list[UserConfig] = Field(min_length=1)
    devices: list[DeviceConfig] = Field(default_factory=list)
    mulap: list[MulapGroup] = Field(default_factory=list)
    deskshare: Deskshare = Field(default_factory=Deskshare)
    voicemail: Voicemail = Field(default_factory=Voicemail)
    conferences: Conferences = Field(default_factory=Conferences)
    sip: SipSettings = Field(default_factory=SipSettings)
    directories: Directories = Field(default_factory=Directories)

    @property
    def realm(self) -> str:
        return self.system.sip_domain

    @property
    def profile(self) -> ReleaseProfile:
        return profile(self.system.release)

    def user(self, number: str) -> UserConfig | None:
        return next((u for u in self.users if u.number == number), None)

    def device(self, device_id: str) -> DeviceConfig | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def mulap_of(self, device_id: str) -> MulapGroup | None:
        return next((g for g in self.mulap if device_id in g.devices), None)

    def preset_pin(self, number: str) -> str:
        return self.voicemail.preset_pin or self.profile.preset_pin_for(number)


def _models() -> list[type[BaseModel]]:
    return [
        SystemConfig,
        SystemSection,
        Administrator,
        UserConfig,
        DeviceConfig,
        MulapGroup,
        Deskshare,
        Voicemail,
        Conferences,
        SipSettings,
        Directories,
        SpeedDial,
        DirectoryContact,
    ]


def _first_index(items: Sequence[Any], attr: str) -> dict[str, int]:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        first.setdefault(getattr(item, attr), i)
    return first


def _cross_checks(cfg: SystemConfig) -> Iterator[Problem]:
    users = _first_index(cfg.users, "number")
    for i, u in enumerate(cfg.users):
        if users[u.number] != i:
            yield Problem(
                ("users", i, "number"),
                f"number {u.number} is already used by users[{users[u.number]}]; give each user its own internal number",
            )
    ids = _first_index(cfg.devices, "id")
    sip_users = _first_index(cfg.devices, "sip_user")
    stations = _first_index(cfg.devices, "number")
    mulap_numbers = {g.number for g in cfg.mulap}
    dummies = set(cfg.deskshare.dummy_numbers)
    in_group: dict[str, str] = {}
    for gi, group in enumerate(cfg.mulap):
        if group.number not in users:
            yield Problem(
                ("mulap", gi, "number"),
                f"MULAP number {group.number} is not a user; add a user with number {group.number} "
                "(the client logs in with the MULAP number, 004:80)",
            )
        for di, dev_id in enumerate(group.devices):
            if dev_id not in ids:
                close = difflib.get_close_matches(dev_id, list(ids), n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known devices: {', '.join(ids) or 'none'}"
                yield Problem(("mulap", gi, "devices", di), f"unknown device {dev_id!r}; {hint}")
            elif dev_id in in_group:
                yield Problem(
                    ("mulap", gi, "devices", di),
                    f"device {dev_id!r} is already a member of MULAP {in_group[dev_id]}; a device belongs to one MULAP",
                )
            else:
                in_group[dev_id] = group.number
    for i, d in enumerate(cfg.devices):
        if ids[d.id] != i:
            yield Problem(
                ("devices", i, "id"), f"device id {d.id!r} is already used by devices[{ids[d.id]}]; rename it"
            )
        if sip_users[d.sip_user] != i:
            yield Problem(
                ("devices", i, "sip_user"),
                f"SIP user {d.sip_user!r} is already used by devices[{sip_users[d.sip_user]}]; each device needs its own",
            )
        if stations[d.number] != i:
            yield Problem(
                ("devices", i, "number"),
                f"station number {d.number} already belongs to devices[{stations[d.number]}]; one device per station "
                "number (004:329); put several devices under one number with a MULAP group",
            )
        if d.number in mulap_numbers:
            yield Problem(
                ("devices", i, "number"),
                f"{d.number} is a MULAP number; give member devices their own station numbers and list them in mulap",
            )
        elif d.number in dummies and d.number not in users and d.kind is not DeviceKind.SIP_PHONE:
            yield Problem(
                ("devices", i, "kind"),
                f"device on deskshare dummy number {d.number} must be a sip_phone (a desk phone, 004:151)",
            )
        elif d.number not in users and d.number not in dummies and d.id not in in_group:
            yield Problem(
                ("devices", i, "number"),
                f"station number {d.number} belongs to no user, MULAP group or deskshare dummy number; "
                "add the user, list the device in a MULAP group, or correct the number",
            )
    yield from _directory_checks(cfg)
    for i, dummy in enumerate(cfg.deskshare.dummy_numbers):
        if dummy in users:
            yield Problem(
                ("deskshare", "dummy_numbers", i),
                f"dummy number {dummy} is also a user's number; dummy numbers are for desk phones only (004:151)",
            )


def _directory_checks(cfg: SystemConfig) -> Iterator[Problem]:
    dirs = cfg.directories
    if dirs.external_contacts and cfg.system.mode is not Mode.SUITE:
        yield Problem(
            ("directories", "external_contacts"),
            "the external directory exists only in UC Suite mode (000:515); remove external_contacts or set "
            "system.mode to suite",
        )
    for key, entries in (
        ("speed_dials", dirs.speed_dials),
        ("global_contacts", dirs.global_contacts),
        ("external_contacts", dirs.external_contacts),
    ):
        first: dict[BaseModel, int] = {}
        for i, entry in enumerate(entries):
            earlier = first.setdefault(entry, i)  # frozen models: equal entries hash alike
            if earlier != i:
                yield Problem(
                    ("directories", key, i), f"the same entry as directories.{key}[{earlier}]; list each entry once"
                )


def validate_config(data: Any, source: str | None = None, node: yaml.Node | None = None) -> SystemConfig:
    """Plain data (as parsed from YAML, or built in Python) into a SystemConfig, or ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError(source, [Problem((), f"a system configuration is a mapping; {SCHEMA_HINT}", None)])
    try:
        cfg = SystemConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            source, yamlcheck.problems_of(exc, yamlcheck.field_names(_models()), SCHEMA_HINT, node)
        ) from None
    problems = [Problem(p.loc, p.message, yamlcheck.line_of(node, p.loc)) for p in _cross_checks(cfg)]
    if problems:
        raise ConfigError(source, problems)
    return cfg


def parse_config(text: str, source: str | None = None) -> SystemConfig:
    try:
        data, node = yamlcheck.compose(text)
    except yaml.YAMLError as exc:
        raise ConfigError(source, [yamlcheck.yaml_problem(exc)]) from None
    duplicates = yamlcheck.duplicate_keys(node)
    if duplicates:
        raise ConfigError(source, duplicates)
    return validate_config(data, source, node)


def load_config(path: str | Path) -> SystemConfig:
    """Read and validate a system configuration file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(p), [Problem((), "no such file; give the path of a system configuration YAML")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(p), [Problem((), f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]) from None
    return parse_config(text, str(p))


def json_schema() -> str:
    return json.dumps(SystemConfig.model_json_schema(), indent=2, sort_keys=True)
