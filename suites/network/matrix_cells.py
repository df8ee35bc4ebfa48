"""Measuring one cell of the support matrix in the matrix lab (topologies/matrix.yaml).

A cell is a router configuration of the one running lab (`router_settings`), so the sweep
never rebuilds a network: it reconfigures both routers (their connections are forgotten),
then does what a user does and records what the user sees (`measure`):

1. log in to the UC API from the client's PC (https to 8802 of the LAN or the public door);
2. start the myPortal @work VoIP engine there (TLS to 8802, or UDP 5060 in that column)
   with ICE and the default STUN server (in the stun_off cells one that never answers,
   netcheck.unanswered_stun), await its registration; Check NAT type meanwhile;
3. the office desk phone calls the client: does it ring; answer; audio per direction;
   the ICE pair the client selected, from its own call statistics (its candidate's type /
   the system's);
4. hang up and stop the VoIP engine (it unregisters, so the next cell's station is free).

The oracle is matrix_spec.expect; `compare` lists where measurement and document disagree,
`unreproduced` where they differ for the reason the oracle gives (documented, not reproduced).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulators.harness import desk_phone, reg, registered, secret
from simulators.lab import Lab
from simulators.netcheck import SIP_LOG_LEVEL, record_verdict, unanswered_stun
from simulators.phone import protocol as p
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.launch import start_phone
from simulators.phone.media import audio_between
from simulators.phone.ucapi import UcApi, UcApiError
from simulators.pj.tones import TONE_PLAN

from .matrix_spec import FAULTY_BEHAVIOUR, NOT_APPLICABLE, Cell, Expectation, expect

OFFICE = "202"
"""The office desk phone (UDP 5060 on the system's LAN)."""
STATIONS = tuple(str(n) for n in range(300, 348))
"""The clients' stations, one per cell in turn: a registration a cell could not end (its
un-REGISTER lost when the next cell's network replaced its own) holds its station until it
expires (TRB-2; the client asks for REGISTER_EXPIRES), and a station comes round again only
after more than that (48 cells at >= 1.5 s each)."""
REGISTER_EXPIRES = 60
"""The shortest lifetime the stub grants (Kamailio min_expires)."""
EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "uc" / "examples"
LAN_DOOR = "192.168.1.30"
PUBLIC_DOOR = "198.51.100.120"

LAN_RULES = [
    {"proto": "tcp", "ports": "8802", "note": "WebRTC / VoIP signalling and UC (004:305)"},
    {"proto": "udp", "ports": "1024-65535", "note": "payload inside the customer network (004:306)"},
]
INTERNET_RULES = [
    {"proto": "tcp", "ports": "8802", "note": "WebRTC / VoIP signalling and UC (004:305)"},
    {"proto": "udp", "ports": "3478", "note": "default STUN (004:273)"},
    {"proto": "udp", "ports": "49152-65535", "note": "payload over the public Internet (004:309)"},
]
_ALG = {"off": "none", "kernel": "kernel", "faulty": f"faulty:{FAULTY_BEHAVIOUR}", NOT_APPLICABLE: "none"}
_NAT = {"cone": "port-restricted-cone", "symmetric": "symmetric"}


@dataclass(frozen=True)
class Timing:
    """How long each step may take before the user's answer counts as "no"."""

    login: float = 2.5
    register: float = 3.5
    nat_check: float = 15.0
    ring: float = 3.5
    ring_without_stun: float = 10.0
    """a client whose STUN server does not answer rings only after its STUN requests time out
    (pjnath: 7.9 s, RFC 5389's 7 transmissions and Rm 16 with a 100 ms RTO): it gathers its
    candidates before it rings"""
    established: float = 3.0
    audio: float = 2.5


def nat_key(cell: Cell) -> tuple[str, ...]:
    """What decides the Check NAT type result: the client's host and the NAT and firewall
    between it and the public STUN server (not the transport, the ALG or the far side).
    Detection takes pjnath ~8 s behind a filtering NAT, so the sweep runs it once per key."""
    if cell.access == "lan" or cell.home_nat in ("none", NOT_APPLICABLE):
        return (cell.client_host, cell.stun)
    return (cell.client_host, cell.home_nat, "strict" if cell.firewall == "strict" else "udp", cell.stun)


def router_settings(cell: Cell) -> dict[str, dict[str, Any]]:
    """nat / firewall / sip_alg of both routers for `cell` (every key set, so cells never inherit)."""
    office: dict[str, Any] = {"nat": "port-restricted-cone", "firewall": "stateful", "sip_alg": "none"}
    home: dict[str, Any] = {"nat": "port-restricted-cone", "firewall": "stateful", "sip_alg": "none"}
    if cell.access == "lan":
        # the client LAN meets the system's LAN at the office router: the cell's firewall
        # filters what the office clients send towards the system (004:306)
        if cell.firewall == "stateless":
            office["firewall"] = {"mode": "stateless", "outside": "clients", "rules": LAN_RULES}
        office["sip_alg"] = _ALG[cell.sip_alg]
        return {"office_router": office, "home_router": home}
    if cell.office_nat != NOT_APPLICABLE:
        office["nat"] = _NAT[cell.office_nat]
    if cell.firewall == "stateless":
        office["firewall"] = {"mode": "stateless", "rules": INTERNET_RULES}
    if cell.home_nat not in ("none", NOT_APPLICABLE):
        home["nat"] = cell.home_nat
        home["firewall"] = "strict" if cell.firewall == "strict" else "stateful"
        home["sip_alg"] = _ALG[cell.sip_alg]
    return {"office_router": office, "home_router": home}


@dataclass
class Measured:
    """What the user saw in one cell (None: the step was not reached)."""

    login: bool | None = None
    register: bool | None = None
    rings: bool | None = None
    audio: str | None = None  # "two-way" | "one-way" | "none" | ...
    audio_detail: str = ""
    nat_type: str | None = None
    ice_pair: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _audio_agrees(documented: str, measured: str) -> bool:
    return measured != "two-way" if documented == "not two-way" else measured == documented


def unreproduced(expected: Expectation, measured: Measured) -> list[str]:
    """Where the measurement contradicts an outcome the oracle knows the lab does not produce,
    with the oracle's reason: documented, not reproduced (not a disagreement)."""
    why = expected.not_reproduced.get("audio")
    if why is None or expected.audio is None or measured.audio is None:
        return []
    if _audio_agrees(expected.audio, measured.audio):
        return []
    return [f"audio: documented {expected.audio}, measured {measured.audio} ({measured.audio_detail}); why: {why}"]


def compare(expected: Expectation, measured: Measured) -> list[str]:
    """Where the measurement contradicts the documented expectation, in a partner's words
    (outcomes the oracle knows the lab does not produce are `unreproduced`'s)."""
    problems = []
    for name, label in (("login", "UC login"), ("register", "VoIP registration"), ("rings", "incoming call rings")):
        want = getattr(expected, name)
        got = getattr(measured, name)
        if want is not None and got is not None and want != got:
            problems.append(f"{label}: documented {'yes' if want else 'no'}, measured {'yes' if got else 'no'}")
        elif want is True and got is None:
            problems.append(f"{label}: documented yes, but the step before it failed")
    if expected.audio is not None and measured.audio is not None:
        if not _audio_agrees(expected.audio, measured.audio) and "audio" not in expected.not_reproduced:
            problems.append(f"audio: documented {expected.audio}, measured {measured.audio} ({measured.audio_detail})")
    elif expected.audio == "two-way" and measured.audio is None:
        problems.append("audio: documented two-way, but no call was connected")
    if expected.nat_type is not None and measured.nat_type is not None and expected.nat_type != measured.nat_type:
        problems.append(f"Check NAT type: documented {expected.nat_type!r}, measured {measured.nat_type!r}")
    return problems


def password(station: str) -> str:
    return f"Start#{station}m"


def matrix_config() -> dict[str, Any]:
    """The office example plus the clients' stations: IP User and UC User licences, one
    myPortal @work VoIP client each (SIP password `sip<n>secret`, as harness.secret says)."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "office.yaml").read_text(encoding="utf-8"))
    for n in STATIONS:
        data["users"].append(
            {"number": n, "name": f"Matrix {n}", "password": password(n), "licences": ["ip_user", "uc_user"]}
        )
        data["devices"].append(
            {"id": f"webrtc_{n}", "kind": "voip_client", "number": n, "sip_user": n, "sip_password": secret(n)}
        )
    return data


def client_endpoints(cell: Cell, station: str) -> tuple[str, dict[str, Any]]:
    """(UC API base URL, VoIP registration settings) of the client in `cell`."""
    door = PUBLIC_DOOR if cell.access == "internet" else LAN_DOOR
    tls = cell.transport == "tls8802"
    registration = reg(f"{door}:{8802 if tls else 5060}", station, "tls" if tls else "udp")
    registration["expires"] = REGISTER_EXPIRES
    settings: dict[str, Any] = {"registration": registration}
    if tls:
        settings["transports"] = [{"kind": "tls", "port": 0}]
    return f"https://{door}:8802", settings


class MatrixBench:
    """The matrix lab with the stub and the office desk phone running; measures cells."""

    def __init__(self, lab: Lab, stub: Any, office: Phone, timing: Timing | None = None) -> None:
        self.lab = lab
        self.stub = stub
        self.office = office
        self.timing = timing or Timing()
        self._cells = 0
        self.nat_types: dict[tuple[str, ...], str] = {}

    @classmethod
    async def start(cls, lab: Lab, timing: Timing | None = None) -> MatrixBench:
        from simulators.uc.config import validate_config  # the harness: the stub the matrix judges
        from simulators.uc.service import start_stub

        stub = await start_stub(lab, "system", config=validate_config(matrix_config(), "matrix stations"))
        office = await start_phone(lab, "office_phone", "office", **desk_phone(stub, OFFICE))
        await registered(office)
        return cls(lab, stub, office, timing)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.office.close()
        self.stub.stop()

    def apply(self, cell: Cell) -> None:
        for router, changes in router_settings(cell).items():
            self.lab.reconfigure_router(router, **changes)

    async def measure(self, cell: Cell) -> Measured:
        t0 = time.monotonic()
        m = Measured()
        self.apply(cell)
        station = STATIONS[self._cells % len(STATIONS)]
        self._cells += 1
        url, settings = client_endpoints(cell, station)
        login = asyncio.ensure_future(self._login(cell, url, station, m))  # UC and VoIP start together
        if cell.access == "vpn":
            # the PC's own address is not one the tunnel carries: like the real client, let the
            # routing table pick the VPN address towards the office (and the home one elsewhere)
            settings["bind"] = "0.0.0.0"
        if cell.stun == "off":
            settings["default_stun"] = unanswered_stun(self.lab)
        phone = await start_phone(
            self.lab,
            cell.client_host,
            f"client{self._cells}",
            ice=True,
            user=station,
            tone=TONE_PLAN[1],
            log_level=SIP_LOG_LEVEL,  # its SIP messages go into the lab's evidence/sip-ladder.txt
            **settings,
        )
        try:
            key = nat_key(cell)
            nat = None if key in self.nat_types else asyncio.ensure_future(phone.check_nat_type(self.timing.nat_check))
            m.register = await self._registers(phone, m)
            m.login = await login
            if m.register:
                await self._call(cell, phone, station, m)
            if nat is not None:
                try:
                    self.nat_types[key] = (await nat).outcome
                except PhoneError as exc:
                    m.notes.append(f"Check NAT type gave no answer: {exc}")
            else:
                m.notes.append("Check NAT type: result of the same client-side network measured in an earlier cell")
            m.nat_type = self.nat_types.get(key)
        finally:
            if not login.done():
                login.cancel()
            with contextlib.suppress(Exception):
                await phone.close()
        m.seconds = round(time.monotonic() - t0, 2)
        return m

    async def _login(self, cell: Cell, url: str, station: str, m: Measured) -> bool:
        host = cell.client_host
        api = UcApi(
            url,
            verify=self.stub.ca_file,
            timeout=self.timing.login,
            socket_factory=lambda: self.lab.socket(host, socket.SOCK_STREAM),
        )
        try:
            await api.login(station, password(station))
            return True
        except UcApiError as exc:
            m.notes.append(f"UC login: {exc}")
            return False
        finally:
            await api.aclose()

    async def _registers(self, phone: Phone, m: Measured) -> bool:
        try:
            await registered(phone, timeout=self.timing.register)
            return True
        except PhoneError as exc:
            try:
                answer = await phone.wait_event(lambda e: isinstance(e, p.RegState), 0.05, 0, "a REGISTER answer")
                said = f"the registrar answered {answer.code} {answer.reason}" if isinstance(answer, p.RegState) else ""
            except PhoneError:
                said = "no answer from the registrar"
            m.notes.append(f"VoIP registration: {exc}; {said}")
            return False

    async def _call(self, cell: Cell, phone: Phone, station: str, m: Measured) -> None:
        t = self.timing
        out: Call | None = None
        try:
            out = await self.office.dial(self.stub.sip_uri(station))
            rang = time.monotonic()
            try:
                inc = await phone.incoming(timeout=t.ring if cell.stun == "on" else t.ring_without_stun)
            except PhoneError:
                m.rings = False
                return
            m.rings = True
            if cell.stun == "off":
                m.notes.append(f"rang {time.monotonic() - rang:.1f} s after the call (its STUN server does not answer)")
            await inc.answer()
            await out.established(timeout=t.established)
            verdict = await audio_between(out, inc, within=t.audio)
            m.audio = verdict.kind
            m.audio_detail = verdict.explain()
            documented = expect(cell).audio
            ok = documented is None or _audio_agrees(documented, verdict.kind)
            record_verdict(self.lab, cell.id, documented or "not documented", verdict, ok)
            m.ice_pair = await ice_pair(inc)
        except PhoneError as exc:
            m.notes.append(f"call: {exc}")
        finally:
            if out is not None:
                with contextlib.suppress(PhoneError):
                    await out.hangup(timeout=2)


async def ice_pair(call: Call) -> str | None:
    """The RTP component's selected ICE pair as the client's call statistics show it
    ("local type/remote type", e.g. srflx/host); None without ICE."""
    stream = (await call.report()).stream
    pair = stream.ice.rtp if stream is not None and stream.ice is not None else None
    return f"{pair.local_type}/{pair.remote_type}" if pair else None
