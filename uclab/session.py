"""A lab session: the running lab, its system and the phones an engineer started, driven by
name the way a user drives them (`uclab phone`, `uclab audio`, `uclab router` and the steps
of a `uclab repro` scenario all act through one session).

    session = LabSession(lab)
    await session.start_system("office")                       # the stub on the system host
    await session.start_phone("home", "home_pc", "200", server="public")
    await session.start_phone("desk", "office_pc", "202", client="desk_phone")
    await session.dial("desk", "200"); await session.answer("home")
    verdict = await session.audio("desk", "home")              # recorded as evidence
    await session.close()                                      # calls.json for the evidence page

Every action returns what a user would see as one sentence; a request that cannot be carried
out raises SessionError (`code` 1), one that names something that does not exist or is
malformed raises it with `code` 2.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from simulators.harness import desk_phone, registered, voip_client
from simulators.net.errors import LabError, TopologyError
from simulators.netcheck import SIP_LOG_LEVEL, record_verdict
from simulators.phone import protocol as pp
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.launch import start_phone
from simulators.phone.media import audio_between, save_evidence
from simulators.phone.verdict import AudioVerdict
from simulators.system import SYSTEM_HOST, ExternalSystem

if TYPE_CHECKING:
    from simulators.lab import Lab
    from simulators.uc.service import Stub

ClientKind = Literal["myportal_voip", "desk_phone"]
CLIENTS: tuple[str, ...] = ("myportal_voip", "desk_phone")
CALLS = "calls.json"
"""evidence/calls.json: every call's states and what each side heard, in wall-clock time"""
DIGITS = re.compile(r"^[0-9*#A-D]+$")
NUMBER = re.compile(r"^[0-9*#]{1,16}$")
ENDPOINT = re.compile(r"^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$")
REGISTER_TIMEOUT = 5.0
RING_TIMEOUT = 5.0
STATE_TIMEOUT = 5.0


class SessionError(Exception):
    """An action that cannot be done; `code` 1: the lab cannot do it now, 2: bad input."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def wall_offset() -> float:
    """Add to a monotonic time (the phones' event clock) to get wall-clock (the pcaps' clock)."""
    return time.time() - time.monotonic()


@dataclass
class SessionPhone:
    """One phone of the session and how it was set up."""

    name: str
    phone: Phone
    host: str
    user: str
    client: ClientKind
    server: str
    """where it registers: address:port (the LAN door, a public door, or the LAN SIP port)"""
    started_at: float = field(default_factory=time.monotonic)

    def describe(self) -> str:
        kind = "myPortal @work VoIP" if self.client == "myportal_voip" else "desk phone"
        return f"{self.name}: {kind} of {self.user} on {self.host}, registrar {self.server}"


class LabSession:
    """The lab, its system and its phones, by name."""

    def __init__(
        self, lab: Lab, stub: Stub | ExternalSystem | None = None, *, external_system: str | None = None
    ) -> None:
        self.lab = lab
        self.stub = stub
        if stub is None and SYSTEM_HOST in lab.topo.external_hosts:
            self.stub = ExternalSystem.of(lab)  # a system under test outside the lab: phones register there
        self.external_system = external_system
        self.phones: dict[str, SessionPhone] = {}
        self.verdicts: list[dict[str, Any]] = []

    # -- evidence -------------------------------------------------------------------------

    def capture_everywhere(self) -> int:
        """Capture both sides of every router and every interface of the system host (where
        the topology does not already), so the ladders show each message on both sides of a
        NAT or ALG; returns how many captures were started."""
        taken = {(c.host, c.ifname) for c in self.lab.captures}
        wanted = [(r, i) for r, spec in self.lab.topo.routers.items() for i in spec.interfaces]
        system = self.lab.topo.hosts.get(self.external_system or SYSTEM_HOST)
        if system is not None:
            wanted += [(self.external_system or SYSTEM_HOST, i) for i in system.interfaces]
        started = 0
        for host, ifname in wanted:
            if (host, ifname) not in taken:
                self.lab.capture(host, ifname)
                started += 1
        return started

    # -- the system -----------------------------------------------------------------------

    async def start_system(self, config: Any = "office", **options: Any) -> str:
        """Start the UC server stub on the system host (`config`: an example name, a file or a SystemConfig)."""
        from simulators.uc.service import StubError, start_stub

        if isinstance(self.stub, ExternalSystem):
            raise SessionError(
                f"the system under test is external ({self.stub.host} via {self.stub.interface}); "
                "the lab starts no UC server stub there",
                2,
            )
        if self.stub is not None:
            raise SessionError(f"the system already runs on {self.stub.host}")
        if SYSTEM_HOST not in self.lab.topo.hosts:
            raise SessionError(
                f"topology {self.lab.topo.name} has no host named {SYSTEM_HOST!r} for the system; "
                f"hosts: {', '.join(self.lab.topo.hosts)}",
                2,
            )
        try:
            stub = await start_stub(self.lab, SYSTEM_HOST, config=config, **options)
        except StubError as exc:
            raise SessionError(f"the system did not start: {exc}") from None
        self.stub = stub
        ms = stub.timings.get("ready_ms", 0)
        return f"system: UC server on {SYSTEM_HOST} at {stub.lan_ip} ready in {ms:.0f} ms"

    def _system(self) -> Stub | ExternalSystem:
        if self.stub is None:
            raise SessionError("no system runs in this lab; bring it up with `uclab up FILE --system`")
        return self.stub

    # -- phones ---------------------------------------------------------------------------

    def resolve_server(self, client: str, server: str, transport: str | None = None) -> str:
        """LAN, public (the first public door) or ADDRESS:PORT -> the registrar address:port."""
        stub = self._system()
        if client == "desk_phone" or transport == "udp":
            if server.lower() not in ("lan", f"{stub.lan_ip}:5060"):
                raise SessionError(f"SIP over UDP registers at the system's LAN address:5060; got server {server!r}", 2)
            return f"{stub.lan_ip}:5060"
        if server.lower() == "lan":
            return stub.door
        if server.lower() == "public":
            if not stub.door_endpoints:
                raise SessionError(
                    f"topology {self.lab.topo.name} forwards no public port to {stub.door}; use --server LAN", 2
                )
            return stub.door_endpoints[0]
        if not ENDPOINT.match(server):
            raise SessionError(
                f"server {server!r}: give LAN, public or PUBLIC-ADDRESS:PORT, e.g. 198.51.100.120:8802", 2
            )
        return server

    async def start_phone(
        self,
        name: str,
        host: str,
        user: str,
        client: str = "myportal_voip",
        server: str = "LAN",
        *,
        register: bool = True,
        transport: str | None = None,
        keepalive_s: int | None = None,
        **settings: Any,
    ) -> str:
        """Start a phone as its user sets it up: a myPortal @work client (TLS to 8802 at
        `server`, or `transport="udp"`: the system's 5060) or a desk phone (UDP 5060)."""
        if not re.match(r"^[a-z][a-z0-9_]{0,23}$", name):
            raise SessionError(f"phone name {name!r}: lower-case letters, digits and _, starting with a letter", 2)
        if name in self.phones:
            raise SessionError(f"a phone named {name} runs already (on {self.phones[name].host})", 2)
        if host not in self.lab.topo.hosts:
            raise SessionError(
                f"no host {host!r} in topology {self.lab.topo.name}; hosts: {', '.join(self.lab.topo.hosts)}", 2
            )
        if client not in CLIENTS:
            raise SessionError(f"client {client!r}: one of {', '.join(CLIENTS)}", 2)
        if not NUMBER.match(user):
            raise SessionError(f"user {user!r}: the station's call number, e.g. 200", 2)
        stub = self._system()
        if not isinstance(stub, ExternalSystem) and stub.config.user(user) is None:
            raise SessionError(f"user {user} is not configured on the system", 2)
        registrar = self.resolve_server(client, server, transport)
        udp = client == "desk_phone" or transport == "udp"
        base = desk_phone(stub, user) if udp else voip_client(stub, user, registrar)
        if keepalive_s is not None:
            base["registration"]["keepalive_s"] = keepalive_s
        ice = settings.pop("ice", client == "myportal_voip")
        try:
            phone = await start_phone(self.lab, host, name, ice=ice, log_level=SIP_LOG_LEVEL, **base, **settings)
        except PhoneError as exc:
            raise SessionError(f"phone {name} did not start: {exc}") from None
        entry = SessionPhone(name, phone, host, user, client, registrar)  # type: ignore[arg-type]
        self.phones[name] = entry
        if not register:
            return f"{entry.describe()}: started"
        try:
            await registered(phone, timeout=REGISTER_TIMEOUT)
        except PhoneError:
            return f"{entry.describe()}: started, NOT registered within {REGISTER_TIMEOUT:.0f} s"
        return f"{entry.describe()}: registered"

    def phone(self, name: str) -> SessionPhone:
        entry = self.phones.get(name)
        if entry is None:
            known = ", ".join(self.phones) or "none (start one with `uclab phone RUN start NAME ...`)"
            raise SessionError(f"no phone named {name!r}; phones: {known}", 2)
        return entry

    def uri(self, entry: SessionPhone, number: str) -> str:
        if not NUMBER.match(number):
            raise SessionError(f"{number!r} is not a call number (digits, * and #)", 2)
        stub = self._system()
        return stub.sip_uri(number) if entry.server.endswith(":5060") else stub.door_uri(number, entry.server)

    def active_call(self, name: str, what: str) -> Call:
        entry = self.phone(name)
        calls = [c for c in entry.phone.calls.values() if c.state != "disconnected"]
        if not calls:
            raise SessionError(f"{name} has no call to {what}")
        return calls[-1]

    # -- calls ----------------------------------------------------------------------------

    async def dial(self, name: str, number: str) -> str:
        entry = self.phone(name)
        uri = self.uri(entry, number)
        try:
            call = await entry.phone.dial(uri, timeout=20.0)
        except PhoneError as exc:
            raise SessionError(f"{name} could not call {number}: {exc}") from None
        state = await self._progress(call)
        return f"{name}: call {call.id} to {number}: {state}"

    async def _progress(self, call: Call, timeout: float = RING_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while call.state not in ("early", "confirmed", "disconnected") and time.monotonic() < deadline:
            with_timeout = deadline - time.monotonic()
            try:
                await call.phone.wait_event(
                    lambda e: isinstance(e, pp.CallState) and e.call == call.id,
                    with_timeout,
                    call.phone.mark(),
                    "call progress",
                )
            except PhoneError:
                break
        if call.state == "early":
            return "ringing"
        if call.state == "confirmed":
            return "connected"
        if call.state == "disconnected":
            return f"ended ({call.code} {call.reason})"
        return f"calling, no ringing within {timeout:.0f} s"

    async def answer(self, name: str, timeout: float = RING_TIMEOUT) -> str:
        entry = self.phone(name)
        ringing = [c for c in entry.phone.calls.values() if c.direction == "in" and c.state in ("incoming", "early")]
        try:
            call = ringing[0] if ringing else await entry.phone.incoming(timeout=timeout)
        except PhoneError:
            raise SessionError(f"{name} is not ringing (nothing within {timeout:.0f} s)") from None
        entry.phone._claimed.add(call.id)
        try:
            await call.answer(timeout=STATE_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name} could not answer: {exc}") from None
        return f"{name}: answered call {call.id} from {call.remote_uri}: connected"

    async def rings(self, name: str, timeout: float = RING_TIMEOUT) -> bool:
        """Whether the phone rings now or starts ringing within `timeout` (an incoming call
        still being offered: one that rang and was cancelled before does not count)."""
        entry = self.phone(name)

        def offered() -> bool:
            return any(c.direction == "in" and c.state in ("incoming", "early") for c in entry.phone.calls.values())

        deadline = time.monotonic() + timeout
        while not offered():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await entry.phone.wait_event(
                    lambda e: isinstance(e, pp.IncomingCall), left, entry.phone.mark(), "ringing"
                )
            except PhoneError:
                return False
        return True

    async def hangup(self, name: str) -> str:
        call = self.active_call(name, "hang up")
        try:
            await call.hangup(timeout=STATE_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name} could not hang up: {exc}") from None
        return f"{name}: call {call.id} ended"

    async def hold(self, name: str) -> str:
        call = self.active_call(name, "hold")
        try:
            await call.hold(timeout=STATE_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name} could not hold: {exc}") from None
        return f"{name}: call {call.id} on hold"

    async def retrieve(self, name: str) -> str:
        call = self.active_call(name, "retrieve")
        try:
            await call.retrieve(timeout=STATE_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name} could not retrieve: {exc}") from None
        return f"{name}: call {call.id} retrieved"

    async def transfer(self, name: str, number: str) -> str:
        entry = self.phone(name)
        call = self.active_call(name, "transfer")
        try:
            await call.transfer(self.uri(entry, number), timeout=STATE_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name} could not transfer to {number}: {exc}") from None
        return f"{name}: call {call.id} transferred to {number}"

    async def dtmf(self, name: str, digits: str) -> str:
        if not DIGITS.match(digits):
            raise SessionError(f"DTMF {digits!r}: digits 0-9, *, #, A-D", 2)
        call = self.active_call(name, "send DTMF on")
        try:
            await call.send_dtmf(digits, timeout=STATE_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name} could not send DTMF: {exc}") from None
        return f"{name}: sent DTMF {digits} on call {call.id}"

    # -- registration and settings --------------------------------------------------------

    async def register(self, name: str) -> str:
        entry = self.phone(name)
        try:
            ev = await entry.phone.register(timeout=REGISTER_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name}: no answer to REGISTER: {exc}") from None
        ok = 200 <= ev.code < 300 and ev.expires > 0
        text = f"{name}: registration {'active' if ok else 'refused'} at {entry.server} ({ev.code} {ev.reason})"
        if not ok:
            raise SessionError(text)
        return text

    async def unregister(self, name: str) -> str:
        entry = self.phone(name)
        try:
            ev = await entry.phone.unregister(timeout=REGISTER_TIMEOUT)
        except PhoneError as exc:
            raise SessionError(f"{name}: no answer to the un-REGISTER: {exc}") from None
        return f"{name}: unregistered ({ev.code} {ev.reason})"

    async def is_registered(self, name: str) -> bool:
        status = await self.phone(name).phone.status()
        return bool(status.registered)

    async def status(self, name: str) -> str:
        entry = self.phone(name)
        st = await entry.phone.status()
        lines = [entry.describe(), f"  registered: {'yes' if st.registered else 'no'}"]
        for call in entry.phone.calls.values():
            lines.append(
                f"  call {call.id} {call.direction} {call.remote_uri}: {call.state}, media {call.media} {call.codec}"
            )
        if not entry.phone.calls:
            lines.append("  no calls")
        return "\n".join(lines)

    async def check_nat(self, name: str) -> tuple[str, str]:
        """(outcome, what Check NAT type shows)."""
        result = await self.phone(name).phone.check_nat_type()
        return result.outcome, f"{name}: Check NAT type: {result.message} ({result.reason})"

    async def check_ice(self, name: str) -> tuple[str, str]:
        result = await self.phone(name).phone.check_ice_status()
        via = f" via {result.server}" if result.server else ""
        return result.status, f"{name}: Check ICE status: {result.status}{via}"

    # -- audio ----------------------------------------------------------------------------

    def _pair(self, a: str, b: str) -> tuple[Call, Call]:
        return self.active_call(a, "judge audio on"), self.active_call(b, "judge audio on")

    async def audio(
        self, a: str, b: str, expected: str = "two-way", within: float = 3.0
    ) -> tuple[bool, AudioVerdict, str]:
        """Judge the audio between the calls of two phones (recorded in evidence); (held, verdict, text)."""
        ca, cb = self._pair(a, b)
        since = time.monotonic()
        verdict = await audio_between(ca, cb, within=within)
        ok = verdict.kind == expected
        wavs = [] if ok else await save_evidence(ca, cb)
        label = f"{a} <-> {b}"
        record_verdict(self.lab, label, expected, verdict, ok, wavs)
        self.verdicts.append({"label": label, "since": since + wall_offset(), "until": time.time(), "ok": ok})
        lines = [f"audio {label}: {verdict.kind}" + (f" ({verdict.direction})" if verdict.direction else "")]
        for d in (verdict.a_to_b, verdict.b_to_a):
            lines.append(
                f"  {d}: heard {d.heard_ms:.0f} ms" + (f", after {d.delay_ms:.0f} ms" if d.delay_ms is not None else "")
            )
        for call in (ca, cb):
            lines.append("  " + await self._stream_line(call))
        if wavs:
            lines.append("  received audio saved: " + ", ".join(str(w) for w in wavs))
        return ok, verdict, "\n".join(lines)

    async def _stream_line(self, call: Call) -> str:
        try:
            report = await call.report()
        except PhoneError as exc:
            return f"{call.phone.name}: no stream figures ({exc})"
        s = report.stream
        if s is None:
            return f"{call.phone.name}: no audio stream"
        return (
            f"{call.phone.name}: {s.codec}, local {s.local_rtp}, SDP says {s.remote_rtp_sdp}, RTP from "
            f"{s.remote_rtp_seen or '-'}; rx {s.rx_packets} pkts lost {s.rx_loss_pct:.1f}%, jitter "
            f"{s.rx_jitter_ms:.1f} ms, tx {s.tx_packets}, MOS {s.mos:.1f}"
        )

    # -- the network ----------------------------------------------------------------------

    def router(self, name: str, **changes: Any) -> str:
        try:
            self.lab.reconfigure_router(name, **changes)
        except TopologyError as exc:
            raise SessionError(f"router {name}: {exc}", 2) from None
        except LabError as exc:
            raise SessionError(str(exc), 2 if "no router" in str(exc) else 1) from None
        said = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in changes.items())
        return f"router {name}: {said} (connections forgotten)"

    def roam(self, host: str, place: str | None) -> str:
        try:
            self.lab.roam(host, place)
        except LabError as exc:
            raise SessionError(str(exc), 2) from None
        return f"{host} moved to {place or 'its home segment'}"

    def impair(self, host: str, ifname: str, **kw: Any) -> str:
        try:
            self.lab.impair(host, ifname, **kw)
        except (LabError, ValueError) as exc:
            raise SessionError(f"impair {host}/{ifname}: {exc}", 2) from None
        said = ", ".join(f"{k} {v}" for k, v in kw.items()) or "cleared"
        return f"link {host}/{ifname}: {said}"

    # -- the end --------------------------------------------------------------------------

    def calls_record(self) -> list[dict[str, Any]]:
        """Every call of every phone: states and heard tones in wall-clock seconds."""
        off = wall_offset()
        out = []
        for entry in self.phones.values():
            owners = entry.phone.owners
            for call in entry.phone.calls.values():
                states = [
                    {"t": e.t + off, "state": e.state, "code": e.code, "reason": e.reason}
                    for e in entry.phone.events
                    if isinstance(e, pp.CallState) and e.call == call.id
                ]
                heard = {
                    owners.get(f, f"{f} Hz"): [(a + off, None if b is None else b + off) for a, b in spans]
                    for f, spans in call.timeline.intervals.items()
                }
                out.append(
                    {
                        "phone": entry.name,
                        "call": call.id,
                        "direction": call.direction,
                        "remote": call.remote_uri,
                        "states": states,
                        "heard": heard,
                    }
                )
        return out

    def write_calls(self) -> Path:
        path = self.lab.dir / "evidence" / CALLS
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"calls": self.calls_record(), "verdicts": self.verdicts}, indent=1))
        return path

    async def close(self) -> None:
        """Write the calls' evidence, stop the phones, then the system."""
        if self.lab.run is not None:
            self.write_calls()
        for entry in reversed(list(self.phones.values())):
            await entry.phone.close()
        self.phones.clear()
        if self.stub is not None:
            await asyncio.to_thread(self.stub.stop)
            self.stub = None
