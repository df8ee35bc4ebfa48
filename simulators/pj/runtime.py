"""PjRuntime: one pjsua2 Endpoint, owned by one thread, fed through a work queue.

The thread creates the library (`threadCnt=0`, `mainThreadOnly=True`, null audio device),
opens the SIP transports bound to the configured address (any address by default, as an
application binds; then Via, Contact and SDP carry `published`, the source the host's routes
pick towards `route_to`, so a client behind a VPN advertises its tunnel address), then loops: run queued work, then
`libHandleEvents(poll_ms)`. Every pjsua2 call and every pjsua2 callback of SIP origin
happens on this thread; other threads hand it work with `submit` (a Future) or `run`
(wait for the result). Media callbacks (received frames) come from pjmedia's clock thread.

Shutdown (`stop`): run the cleanup hooks (newest first: they drop calls, players,
accounts), collect garbage, then `libDestroy(PJSUA_DESTROY_NO_NETWORK)`; a few ms.

NOTE media teardown (pjsip 2.15.1): the conference bridge removes a port asynchronously,
in its clock thread, while pjsua destroys the call's media transport right after queueing
the removal. A clock tick that still writes the bridge's audio into the stream (anything
transmitting to the call: a tone, a bridged leg) then sends RTP through the destroyed
transport; with ICE that is `pj_ice_strans_sendto2(NULL, ...)`, a SIGSEGV ("segfault at
e80") in the thread "clock". Upstream fixed it after 2.15.1 (pjproject PRs 4281, 4301).
The same race frees a Python AudioMediaPort (a call's ReceivedAudio) that the stream still
transmits into: its destructor only queues its removal, the clock thread then calls into a
half-destroyed Python object ("'ReceivedAudio' object has no attribute 'closed'", "Immortal
interned string died", segfaults in libpython).
Every Call subclass must therefore call `release_stream()` from `onStreamDestroyed`. pjsua2
calls it either after pjsua queued the stream's removal (hangup, re-INVITE), or, when the
call is DISCONNECTED, before (pjsua2's Call.processStateChange, ahead of onCallState); in
that case release_stream first disconnects every connection to and from the stream's port.
Then it holds the teardown until the bridge started two more ticks (`settle_bridge`): no
tick writes into the stream, or from it into a port about to be freed, any more.
The same teardown also frees the call's Python ports: see the NOTE in audio.py (BridgePort).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import pjsua2 as pj

from .audio import BridgeClock
from .config import ANY_ADDRESS, EndpointConfig, TransportKind
from .stunprobe import route_source

log = logging.getLogger("uclab.pj")
T = TypeVar("T")

_KIND = {"udp": pj.PJSIP_TRANSPORT_UDP, "tcp": pj.PJSIP_TRANSPORT_TCP, "tls": pj.PJSIP_TRANSPORT_TLS}


class PjError(RuntimeError):
    """A pjsua2 operation failed; the message says which and why."""


def describe(exc: BaseException) -> str:
    """A readable message for a pjsua2 exception (pj.Error carries info())."""
    info = getattr(exc, "info", None)
    if callable(info):
        with contextlib.suppress(Exception):
            return str(info(False)).strip()
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class TransportInfo:
    kind: TransportKind
    id: int
    address: str
    port: int


def published_address(config: EndpointConfig) -> str | None:
    """What SIP and SDP advertise: None (the bound address, or pjsip's choice) unless bound
    to any address with a registrar to route towards."""
    if config.bind != ANY_ADDRESS or config.route_to is None:
        return None
    try:
        return route_source(config.route_to)
    except OSError:  # no route (yet): pjsip's own choice, the registration then fails loudly
        return None


class _Endpoint(pj.Endpoint):  # type: ignore[misc]
    def __init__(self, runtime: PjRuntime) -> None:
        super().__init__()
        self._runtime = runtime

    def onNatDetectionComplete(self, prm: Any) -> None:
        self._runtime._dispatch("nat_detected", prm)

    def onNatCheckStunServersComplete(self, prm: Any) -> None:
        self._runtime._dispatch("stun_checked", prm)

    def onTransportState(self, prm: Any) -> None:
        self._runtime._dispatch("transport_state", prm)


class PjRuntime:
    def __init__(self, config: EndpointConfig, *, poll_ms: int = 5) -> None:
        self.config = config
        self.poll_ms = poll_ms
        self.ep: Any = None
        self.transports: dict[TransportKind, TransportInfo] = {}
        self.published: str | None = None
        """the address Via, Contact and SDP carry when bound to any address (published_address)"""
        self.handlers: dict[str, list[Callable[[Any], None]]] = {}
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._cleanups: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._stopping = False
        self.timings: dict[str, float] = {}
        self.bridge_clock: BridgeClock | None = None
        self.settles = {"count": 0, "timeouts": 0}
        """how often a stream teardown waited for the bridge (settle_bridge), and gave up"""

    # -- lifecycle --------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> PjRuntime:
        if self._thread is not None:
            raise PjError("runtime already started")
        self._thread = threading.Thread(target=self._main, name="pjsua2", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise PjError(f"pjsua2 did not start within {timeout}s")
        if self._start_error is not None:
            raise PjError(f"pjsua2 failed to start: {describe(self._start_error)}") from self._start_error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Release every pjsua2 object and destroy the library; idempotent."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._stopping = True
        self._queue.put(None)
        thread.join(timeout)

    def add_cleanup(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the pjsua2 thread before the library is destroyed (newest first)."""
        self._cleanups.append(fn)

    def set_stun_servers(self, servers: list[str]) -> None:
        """Replace the STUN servers ICE uses (on the pjsua2 thread); resolved in the background."""
        self.ep.natUpdateStunServers(pj.StringVector(servers), False)

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Run `fn` on the pjsua2 thread at its next turn (also when called from that thread)."""

        def job() -> None:
            fn()  # the result is dropped: a kept result could keep a pjsua2 object alive

        self._queue.put((job, Future()))

    def release_stream(self, call: Any, stream_idx: int) -> None:
        """Take a call's stream off the bridge before pjsua destroys it (pjsua2 thread).

        For `Call.onStreamDestroyed(prm)`: `rt.release_stream(self, prm.streamIdx)`. When
        the stream's port is still on the bridge (DISCONNECTED: pjsua removes it only after
        onCallState), every connection to and from it is stopped first; then the teardown
        waits for the bridge (see the module NOTE).
        """
        slot = _stream_slot(call, stream_idx)
        if slot >= 0:
            self.isolate_port(slot)
        self.settle_bridge()

    def isolate_port(self, slot: int) -> int:
        """Stop every transmission to and from bridge port `slot`; how many were stopped.

        Only for a port whose removal is not queued yet: a disconnect queued after the
        removal disconnects the other port from everything (pjsip 2.15 asynchronous bridge).
        """
        ports = self.ep.mediaEnumPorts2()  # keep the vector alive while using its items
        by_id = {int(m.getPortId()): m for m in ports}
        target = by_id.get(slot)
        if target is None:
            return 0
        stopped = 0
        for pid, media in by_id.items():
            if pid == slot:
                continue
            with contextlib.suppress(pj.Error):
                if slot in media.getPortInfo().listeners:
                    media.stopTransmit(target)
                    stopped += 1
        with contextlib.suppress(pj.Error):
            for pid in list(target.getPortInfo().listeners):
                if pid in by_id:
                    target.stopTransmit(by_id[pid])
                    stopped += 1
        return stopped

    def settle_bridge(self, ticks: int = 2, timeout: float = 0.3) -> bool:
        """Wait (pjsua2 thread) until the bridge started `ticks` more clock ticks.

        Call it from `Call.onStreamDestroyed`: the stream's port removal is queued; once two
        more ticks started, the bridge has applied it and finished every tick that could
        still write into the port (see the module NOTE and `BridgeClock`). The GIL is
        released while waiting, so the clock thread's Python ports keep running. False on
        timeout (the teardown then goes on unguarded).
        """
        self.settles["count"] += 1
        clock = self.bridge_clock
        if clock is None:
            time.sleep(ticks * 0.02)
            return True
        ok = clock.wait(ticks, timeout)
        if not ok:
            self.settles["timeouts"] += 1
            log.warning("the conference bridge did not tick %d times within %.2fs", ticks, timeout)
        return ok

    def on(self, event: str, handler: Callable[[Any], None]) -> None:
        """Subscribe to endpoint callbacks: nat_detected, stun_checked, transport_state."""
        self.handlers.setdefault(event, []).append(handler)

    # -- handing work to the pjsua2 thread -----------------------------------------------

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        fut: Future[T] = Future()
        if self._stopping or self._thread is None or not self._thread.is_alive():
            fut.set_exception(PjError("the pjsua2 runtime is not running"))
            return fut
        if self.in_loop():
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)
            return fut
        self._queue.put((fn, fut))
        return fut

    def run(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        return self.submit(fn).result(timeout)

    # -- the thread ----------------------------------------------------------------------

    def _dispatch(self, event: str, prm: Any) -> None:
        for handler in list(self.handlers.get(event, [])):
            try:
                handler(prm)
            except Exception:
                log.exception("handler for %s failed", event)

    def _create(self) -> None:
        t0 = time.perf_counter()
        cfg = self.config
        ep = self.ep = _Endpoint(self)
        ep.libCreate()
        init_openssl_digests()
        ec = pj.EpConfig()
        ec.uaConfig.threadCnt = 0
        ec.uaConfig.mainThreadOnly = True
        ec.uaConfig.maxCalls = cfg.max_calls
        ec.uaConfig.userAgent = cfg.user_agent
        ec.uaConfig.natTypeInSdp = 0
        ec.uaConfig.stunIgnoreFailure = True
        for server in cfg.nameservers:
            ec.uaConfig.nameserver.append(server)
        ec.logConfig.level = cfg.log_level
        ec.logConfig.consoleLevel = cfg.log_level
        ec.medConfig.clockRate = cfg.clock_rate
        ec.medConfig.sndClockRate = cfg.clock_rate
        ec.medConfig.sndAutoCloseTime = -1
        ec.medConfig.noVad = True
        ec.medConfig.ecTailLen = 0
        ep.libInit(ec)
        ep.audDevManager().setNullDev()
        self.published = published_address(cfg)
        for spec in cfg.transports:
            tc = pj.TransportConfig()
            tc.boundAddress = cfg.bind
            if self.published:
                tc.publicAddress = self.published
            tc.port = spec.resolved_port
            if spec.kind == "tls":
                tls = cfg.tls
                tc.tlsConfig.verifyServer = tls.verify_server
                tc.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
                if tls.ca_file:
                    tc.tlsConfig.CaListFile = str(tls.ca_file)
                if tls.cert_file and tls.key_file:
                    tc.tlsConfig.certFile = str(tls.cert_file)
                    tc.tlsConfig.privKeyFile = str(tls.key_file)
            tid = ep.transportCreate(_KIND[spec.kind], tc)
            info = ep.transportGetInfo(tid)
            host, _, port = str(info.localName).rpartition(":")
            self.transports[spec.kind] = TransportInfo(spec.kind, tid, host, int(port))
        apply_codecs(ep, cfg.codecs)
        ep.libStart()
        self.bridge_clock = BridgeClock(ep.audDevManager().getPlaybackDevMedia(), cfg.clock_rate)
        if cfg.stun_servers:
            # resolved in the background: an unreachable server must not stall start-up
            self.set_stun_servers(cfg.stun_servers)
        self.timings["lib_start_ms"] = (time.perf_counter() - t0) * 1000

    def _main(self) -> None:
        try:
            self._create()
        except BaseException as exc:
            self._start_error = exc
            self._started.set()
            self._destroy()
            return
        self._started.set()
        ep = self.ep
        q = self._queue
        poll = self.poll_ms
        while True:
            stop = False
            while True:
                try:
                    item = q.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                self._run_item(*item)
                item = None  # no frame of this loop may keep a job (or its result) alive
            if stop:
                break
            ep.libHandleEvents(poll)
        self._destroy()

    @staticmethod
    def _run_item(fn: Callable[[], Any], fut: Future[Any]) -> None:
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(fn())
        except BaseException as exc:
            fut.set_exception(exc)

    def _destroy(self) -> None:
        self._fail_queued()
        while self._cleanups:
            self._run_cleanup(self._cleanups.pop())
            self._fail_queued()  # work a cleanup queued (e.g. forgetting a call) holds objects too
        if self.bridge_clock is not None:
            self.bridge_clock.close()
            self.bridge_clock = None  # streams destroyed from here on wait by time (settle_bridge)
        gc.collect()
        if os.environ.get("UCLAB_PJ_DEBUG"):
            _report_leaks()
        if self.ep is not None:
            with contextlib.suppress(Exception):
                self.ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
            self.ep = None

    @staticmethod
    def _run_cleanup(fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:
            log.exception("cleanup failed")

    def _fail_queued(self) -> None:
        """Drop queued work (failing its futures): its closures may hold pjsua2 objects."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item[1].set_exception(PjError("the pjsua2 runtime stopped"))
            del item


def _stream_slot(call: Any, stream_idx: int) -> int:
    """The bridge port of `call`'s audio stream `stream_idx`; -1 once pjsua removed it."""
    try:
        info = call.getInfo()  # keep alive while iterating its media vector
    except pj.Error:
        return -1
    for mi in info.media:
        if int(mi.index) == stream_idx and mi.type == pj.PJMEDIA_TYPE_AUDIO:
            return int(mi.audioConfSlot)
    return -1


def _report_leaks() -> None:
    """Print pjsua2 objects still alive before libDestroy (they would crash at exit)."""
    left = [o for o in gc.get_objects() if isinstance(o, (pj.Call, pj.Media, pj.Account))]
    for obj in left:
        holders = [type(r).__name__ for r in gc.get_referrers(obj) if r is not left]
        print(f"pjsua2 object alive at shutdown: {type(obj).__name__} held by {holders}", file=sys.stderr, flush=True)


def apply_codecs(ep: Any, wanted: list[str]) -> None:
    """Enable exactly `wanted` (names like 'PCMA' or 'PCMA/8000'), best first."""
    available = [str(c.codecId) for c in ep.codecEnum2()]
    chosen: list[str] = []
    for name in wanted:
        match = [c for c in available if c == name or c.startswith(name.rstrip("/") + "/")]
        if not match:
            raise PjError(f"codec {name!r} is not available; available: {', '.join(available)}")
        chosen.append(match[0])
    for codec in available:
        ep.codecSetPriority(codec, 0)
    for rank, codec in enumerate(chosen):
        ep.codecSetPriority(codec, 254 - rank)


def init_openssl_digests() -> None:
    """Register OpenSSL's digests before any SIP digest challenge is answered.

    pjsip 2.15 computes digest auth through OpenSSL's EVP_get_digestbyname("MD5"); the
    bundled OpenSSL 1.0.2 knows no digest until initialised, which pjsip does only when it
    opens a TLS socket. Without this every 401/407 fails with PJ_ENOTSUP ("The algorithm
    (MD5) referenced by algorithm_type is not supported") and nothing registers.
    """
    import ctypes

    ctypes.CDLL(pj._pjsua2.__file__).OpenSSL_add_all_digests()
