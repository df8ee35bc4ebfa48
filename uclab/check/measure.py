"""What a user at each site does, done with real phones against the real stub, and what they see.

Per client, in the order a user goes (004 1.2, 1.4, 1.5; the check NAT/ICE steps of 004:352-366):

    login            myPortal @work logs in at the address the site uses: the LAN address:8802
                     (office, VPN) or the office router's public name or address and external port
    nat_type         Settings > VoIP > Advanced ICE settings > Check NAT type (runs meanwhile)
    ice_status       ... > Check ICE status
    register         Enable VoIP: the registration (TLS 8802; a desk phone: UDP 5060 on the LAN)
    rings            the office counterpart calls the client: it rings and is answered
    audio_in         that call's audio, per direction (two-way is what works)
    outgoing         the client calls the office counterpart: the call connects
    audio_out        that call's audio, per direction
    binding_timeout  that call still has two-way audio after the NAT binding timeout and after a
                     re-INVITE from each side
    hold             the client holds and retrieves the call; two-way audio again

Each step is a `Check` (ok True/False, or None when it was not reached or does not apply) with
what was measured in a partner's words; the audio steps also go to the run's
evidence/media-verdicts.json, the phones' SIP into evidence/sip-ladder.txt, and the routers'
pcaps stay in the run directory. Link quality comes from both ends' RTP statistics of the
outgoing call (quality.py).

A `Bench` is one running lab with the stub and an office counterpart per site; `measure_site`
runs the steps for every client of a site; sites are measured concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulators.harness import desk_phone, reg, registered
from simulators.lab import Lab
from simulators.net import dns
from simulators.netcheck import SIP_LOG_LEVEL, record_verdict
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.launch import start_phone
from simulators.phone.media import audio_between
from simulators.phone.ucapi import UcApi, UcApiError
from simulators.phone.verdict import AudioVerdict
from simulators.uc.service import Stub, start_stub

from .build import BINDING_TIMEOUT_S, DNS_ADDRESS, STUN_ADDRESSES, Built, ClientPlan, SitePlan, password
from .model import Access, Client
from .quality import rate_stream
from .verdict import Check, SiteMeasurement

Progress = Callable[[str, str], None]
"""(site, what happens now) for the terminal"""

LOGIN_TIMEOUT = 3.0
REGISTER_TIMEOUT = 6.0
RING_TIMEOUT = 5.0
DIAL_TIMEOUT = 20.0
AUDIO_WITHIN = 3.0
NAT_CHECK_TIMEOUT = 15.0
REGISTER_EXPIRES = 60


def stub_options(built: Built) -> dict[str, Any]:
    """The system for the customer; a call core worker anchors two calls, and every site has
    one call at a time (plus one ending while the next starts)."""
    return {"config": built.system_config(), "public_names": built.public_names, "workers": max(3, len(built.sites))}


class Stations:
    """Fresh stations per measurement, so a registration an earlier network left behind (its
    un-REGISTER lost) cannot hold the next one's station (TRB-2)."""

    def __init__(self, myportal: list[str], desk: list[str]) -> None:
        self._pools = {Client.MYPORTAL_VOIP: myportal, Client.DESK_PHONE: desk}
        self._next = {Client.MYPORTAL_VOIP: 0, Client.DESK_PHONE: 0}

    def take(self, kind: Client) -> str:
        pool = self._pools[kind]
        station = pool[self._next[kind] % len(pool)]
        self._next[kind] += 1
        return station


class Bench:
    """One running customer network: the lab, the stub, an office counterpart per site."""

    def __init__(self, lab: Lab, stub: Stub, built: Built, peers: dict[str, Phone], stations: Stations) -> None:
        self.lab = lab
        self.stub = stub
        self.built = built
        self.peers = peers
        self.stations = stations
        self.label = ""

    @classmethod
    async def start(cls, built: Built, run_root: Path | None, stations: Stations) -> Bench:
        lab = await asyncio.to_thread(lambda: Lab(built.topology, run_root=run_root).up())
        try:
            stub = await start_stub(lab, "system", **stub_options(built))
            peers: dict[str, Phone] = {}
            for plan in built.sites.values():
                peers[plan.name] = await start_phone(
                    lab,
                    plan.peer_host,
                    f"{plan.key}_peer",
                    log_level=SIP_LOG_LEVEL,
                    **desk_phone(stub, plan.peer_station),
                )
            await asyncio.gather(*(registered(p) for p in peers.values()))
        except BaseException:
            await asyncio.to_thread(lab.down)
            raise
        return cls(lab, stub, built, peers, stations)

    async def close(self) -> None:
        from simulators.netcheck import write_sip_ladder

        for phone in self.peers.values():
            with contextlib.suppress(Exception):
                await phone.close()
        self.stub.stop()
        with contextlib.suppress(Exception):
            write_sip_ladder(self.lab)
        await asyncio.to_thread(self.lab.down)

    def reconfigure(self, routers: dict[str, dict[str, Any]]) -> None:
        for router, changes in routers.items():
            self.lab.reconfigure_router(router, **changes)

    async def restart_stub(self, built: Built) -> None:
        self.stub.stop()
        self.stub = await start_stub(self.lab, "system", **stub_options(built))
        self.built = built
        await asyncio.gather(*(p.register() for p in self.peers.values()))

    # -- one site ---------------------------------------------------------------------------

    async def measure_site(self, site: str, progress: Progress) -> SiteMeasurement:
        t0 = time.monotonic()
        plan = self.built.sites[site]
        out = SiteMeasurement(site)
        for cp in plan.clients:
            await ClientRun(self, plan, cp, out, progress).run()
        out.seconds = time.monotonic() - t0
        return out


class ClientRun:
    def __init__(self, bench: Bench, plan: SitePlan, cp: ClientPlan, out: SiteMeasurement, progress: Progress) -> None:
        self.bench = bench
        self.lab = bench.lab
        self.plan = plan
        self.cp = cp
        self.out = out
        self.progress = progress
        self.station = bench.stations.take(cp.kind)
        self.peer = bench.peers[plan.name]
        self.rtt: asyncio.Future[float | None] | None = None

    def check(self, step: str, ok: bool | None, measured: str, since: float) -> None:
        self.out.checks.append(Check(step, self.cp.label, ok, measured, time.monotonic() - since))
        mark = {True: "ok", False: "FAILED", None: "-"}[ok]
        self.progress(self.plan.name, f"{self.cp.label}: {step} {mark}: {measured}")

    def skipped(self, *steps: str, why: str) -> None:
        for step in steps:
            self.out.checks.append(Check(step, self.cp.label, None, why))

    async def run(self) -> None:
        myportal = self.cp.kind is Client.MYPORTAL_VOIP
        login = asyncio.ensure_future(self.login()) if myportal else None
        self.rtt = asyncio.ensure_future(self.path_rtt())
        t = time.monotonic()
        try:
            phone = await self.start_phone()
        except PhoneError as exc:
            self.check("register", False, f"the VoIP client did not start: {exc}", t)
            if login is not None:
                await login
            return
        try:
            nat = asyncio.ensure_future(phone.check_nat_type(NAT_CHECK_TIMEOUT)) if myportal else None
            if myportal:
                await self.ice_status(phone)
            ok = await self.registered(phone)
            if login is not None:
                await login
            if ok:
                await self.incoming(phone)
                await self.outgoing(phone)
            else:
                self.skipped(
                    "rings",
                    "audio_in",
                    "outgoing",
                    "audio_out",
                    "binding_timeout",
                    "hold",
                    why="not reached: no VoIP registration",
                )
            if nat is not None:
                await self.nat_type(nat)
        finally:
            if login is not None and not login.done():
                login.cancel()
            if not self.rtt.done():
                self.rtt.cancel()
            with contextlib.suppress(Exception):
                await phone.close()

    # -- steps -------------------------------------------------------------------------------

    def _resolver(self) -> Callable[[str], Any] | None:
        if self.plan.login_name is None:
            return None

        def ask(name: str) -> str:
            sock = self.lab.socket(self.cp.host)
            try:
                return dns.resolve(sock, DNS_ADDRESS, name)
            finally:
                sock.close()

        async def resolve(name: str) -> str:
            return await asyncio.to_thread(ask, name)

        return resolve

    async def login(self) -> None:
        t = time.monotonic()
        host = self.cp.host
        api = UcApi(
            f"https://{self.plan.login}",
            verify=str(self.bench.stub.ca_file),
            timeout=LOGIN_TIMEOUT,
            socket_factory=lambda: self.lab.socket(host, socket.SOCK_STREAM),
            resolve=self._resolver(),
        )
        try:
            await api.login(self.station, password(self.bench.stub.config.system.mode, self.station))
            self.check("login", True, f"logged in at {self.plan.login}", t)
        except UcApiError as exc:
            self.check("login", False, f"login at {self.plan.login}: {exc}", t)
        finally:
            await api.aclose()

    async def start_phone(self) -> Phone:
        settings: dict[str, Any]
        if self.cp.kind is Client.DESK_PHONE:
            # with ICE, as the support matrix's udp5060 column: the stub offers its server-reflexive
            # address as the default candidate, which a phone without ICE behind a stateful
            # router never reaches (its own RTP goes there, the system's is dropped as new)
            settings = desk_phone(self.bench.stub, self.station, ice=True)
        else:
            registration = reg(self.plan.login, self.station, "tls")
            registration["expires"] = REGISTER_EXPIRES
            settings = {"registration": registration, "transports": [{"kind": "tls", "port": 0}], "ice": True}
            if self.plan.login_name:
                settings["nameservers"] = [DNS_ADDRESS]
        if self.plan.bind_any:
            settings["bind"] = "0.0.0.0"
        name = f"{self.cp.host}_{self.station}"
        return await start_phone(self.lab, self.cp.host, name, user=self.station, log_level=SIP_LOG_LEVEL, **settings)

    async def ice_status(self, phone: Phone) -> None:
        t = time.monotonic()
        try:
            result = await phone.check_ice_status()
        except PhoneError as exc:
            self.check("ice_status", False, f"Check ICE status gave no answer: {exc}", t)
            return
        self.check("ice_status", result.status == "available", f"ICE status: {result.status}", t)

    async def nat_type(self, task: asyncio.Future[Any]) -> None:
        t = time.monotonic()
        try:
            result = await task
        except PhoneError as exc:
            self.check("nat_type", False, f"Check NAT type gave no answer: {exc}", t)
            return
        self.check("nat_type", None, f"{result.message} ({result.reason})", t)

    async def registered(self, phone: Phone) -> bool:
        t = time.monotonic()
        where = self.plan.login if self.cp.kind is Client.MYPORTAL_VOIP else f"{self.bench.stub.lan_ip}:5060"
        try:
            await registered(phone, timeout=REGISTER_TIMEOUT)
        except PhoneError as exc:
            self.check("register", False, f"no VoIP registration at {where} within {REGISTER_TIMEOUT:.0f} s ({exc})", t)
            return False
        self.check("register", True, f"registered at {where}", t)
        return True

    async def _audio(self, a: Call, b: Call, step: str, label: str, since: float | None = None) -> AudioVerdict:
        v = await audio_between(a, b, within=AUDIO_WITHIN, since=since)
        record_verdict(
            self.lab,
            f"{self.plan.name} / {self.bench.label} / {self.cp.label}: {label}",
            "two-way",
            v,
            v.kind == "two-way",
        )
        return v

    async def incoming(self, phone: Phone) -> None:
        t = time.monotonic()
        out: Call | None = None
        try:
            out = await self.peer.dial(self.bench.stub.sip_uri(self.station), timeout=DIAL_TIMEOUT)
            try:
                inc = await phone.incoming(timeout=RING_TIMEOUT)
            except PhoneError:
                self.check(
                    "rings", False, f"the client did not ring within {RING_TIMEOUT:.0f} s of a call from the office", t
                )
                self.skipped("audio_in", why="not reached: no incoming call")
                return
            await inc.answer()
            await out.established(timeout=5)
            self.check("rings", True, "rang and was answered", t)
            t = time.monotonic()
            v = await self._audio(out, inc, "audio_in", "call from the office")
            self.check("audio_in", v.kind == "two-way", v.explain(), t)
        except PhoneError as exc:
            self.check("rings", False, f"call from the office: {exc}", t)
        finally:
            if out is not None:
                with contextlib.suppress(PhoneError):
                    await out.hangup(timeout=2)

    async def outgoing(self, phone: Phone) -> None:
        t = time.monotonic()
        stub = self.bench.stub
        uri = (
            stub.door_uri(self.plan.peer_station, self.plan.login)
            if self.cp.kind is Client.MYPORTAL_VOIP
            else stub.sip_uri(self.plan.peer_station)
        )
        out: Call | None = None
        try:
            out = await phone.dial(uri, timeout=DIAL_TIMEOUT)
            try:
                inc = await self.peer.incoming(timeout=RING_TIMEOUT)
            except PhoneError:
                self.check(
                    "outgoing", False, f"the office did not ring within {RING_TIMEOUT:.0f} s of the client's call", t
                )
                self.skipped(
                    "audio_out", "binding_timeout", "hold", why="not reached: the outgoing call did not connect"
                )
                return
            await inc.answer()
            await out.established(timeout=5)
            self.check("outgoing", True, "the office rang, answered, the call connected", t)
            t = time.monotonic()
            v = await self._audio(out, inc, "audio_out", "call to the office")
            self.check("audio_out", v.kind == "two-way", v.explain(), t)
            if v.kind != "two-way":
                self.skipped("binding_timeout", "hold", why="not reached: no two-way audio")
                return
            await self.binding_timeout(out, inc)
            await self.hold(out, inc)
        except PhoneError as exc:
            self.check("outgoing", False, f"call to the office: {exc}", t)
        finally:
            if out is not None:
                with contextlib.suppress(PhoneError):
                    await out.hangup(timeout=2)

    async def binding_timeout(self, out: Call, inc: Call) -> None:
        t = time.monotonic()
        since = t + BINDING_TIMEOUT_S + 0.5
        v = await self._audio(out, inc, "binding_timeout", "after the NAT binding timeout", since=since)
        if v.kind != "two-way":
            self.check(
                "binding_timeout", False, f"after the {BINDING_TIMEOUT_S} s NAT binding timeout: {v.explain()}", t
            )
            return
        await self.quality(out, inc)  # before the re-INVITEs: each one starts the streams' statistics anew
        for side, name in ((inc, "the office"), (out, "the client")):
            try:
                await side.retrieve()
            except PhoneError as exc:
                self.check("binding_timeout", False, f"re-INVITE from {name} failed: {exc}", t)
                return
            v = await self._audio(out, inc, "binding_timeout", f"after a re-INVITE from {name}")
            if v.kind != "two-way":
                self.check("binding_timeout", False, f"after a re-INVITE from {name}: {v.explain()}", t)
                return
        self.check(
            "binding_timeout",
            True,
            f"two-way audio after the {BINDING_TIMEOUT_S} s binding timeout and a re-INVITE from each side",
            t,
        )

    async def hold(self, out: Call, inc: Call) -> None:
        t = time.monotonic()
        try:
            await out.hold()
            await out.retrieve()
        except PhoneError as exc:
            self.check("hold", False, f"hold/retrieve: {exc}", t)
            return
        v = await self._audio(out, inc, "hold", "after hold and retrieve")
        self.check("hold", v.kind == "two-way", f"held and retrieved; audio {v.explain()}", t)

    async def path_rtt(self) -> float | None:
        """The round-trip time of the client's access path, by ICMP echo from its host: to the
        system for office and VPN clients, to the public STUN server for Internet clients (the
        office router answers no unsolicited packet on its public side)."""
        target = STUN_ADDRESSES[0] if self.plan.access is Access.INTERNET else str(self.bench.stub.lan_ip)
        result = await asyncio.to_thread(
            self.lab.exec, self.cp.host, ["ping", "-n", "-q", "-c", "5", "-i", "0.2", "-W", "1", target], 5.0
        )
        m = re.search(r"= [\d.]+/([\d.]+)/", result.stdout)
        return float(m.group(1)) if m else None

    async def quality(self, out: Call, inc: Call) -> None:
        """Both ends' receive statistics (jitter, loss, codec) of the call; the round trip is the
        client's own RTCP measurement when pjmedia has one yet (it reports every ~5 s), else the
        access path's ICMP round trip (`path_rtt`)."""
        try:
            client, office = (await out.report()).stream, (await inc.report()).stream
        except PhoneError:
            return
        rtt = client.rtt_ms if client is not None and client.rtt_ms is not None else None
        source = "RTCP"
        if rtt is None and self.rtt is not None:
            rtt, source = await self.rtt, "ICMP"
        names = ("office -> client (received by the client)", "client -> office (received by the office)")
        for stream, direction in zip((client, office), names, strict=True):
            if stream is not None:
                rated = rate_stream(f"{self.cp.label}: {direction}", stream.model_copy(update={"rtt_ms": rtt}))
                rated.rtt_source = source if rtt is not None else "none"
                self.out.quality.append(rated)
