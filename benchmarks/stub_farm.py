"""A farm of registered pjsua2 devices for benchmarks/stub_calls.py (one call per device).

    python -m benchmarks.stub_farm --role caller|callee --spec '<json>'

Started by the lab in a host. The process imports pjsua2 once and forks one child per
four devices (pjsua2-python 2.15.1 holds 4 calls per process); each device has its own
account, tone generator and recorder, wired to its own call only. Each device registers
with the stub, then:

* callee: answers the incoming call, plays its tone, records what it receives, and
  measures the second before the common end time (`schedule_file`, written before the
  first call) like the caller does;
* caller: at `start_at + index * stagger` (monotonic clock, shared by all processes of
  the host) dials its callee, plays its tone, records, hangs up at `end_at` and measures
  the second before.

Received audio is kept as raw frames and judged once with numpy (one FFT per call), not
per frame, so a hundred devices fit on two cores. Output, one line each:

    FARM READY n=50                       every child registered
    RESULT {"device": ..., "heard_hz": ..., "share": ..., "established": t, "ended": t}
    FARM FAILED ...
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import threading
import time
from typing import Any

import numpy as np
import pjsua2 as pj

from simulators.parent_death import die_with_parent
from simulators.pj.audio import TonePlayer
from simulators.pj.config import EndpointConfig, TransportSpec
from simulators.pj.runtime import PjRuntime

CLOCK = 8000
FRAME_MS = 20


class Recorder(pj.AudioMediaPort):  # type: ignore[misc]
    """Keeps received frames with their arrival time; no per-frame analysis."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.frames: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, CLOCK, 1, FRAME_MS * 1000, 16)
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: Any) -> None:
        if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            with self.lock:
                self.frames.append((time.monotonic(), bytes(frame.buf)))

    def dominant(self, start: float, end: float) -> tuple[float, float, int]:
        """(frequency Hz, share of the energy in +-10 Hz around it, samples) over [start, end]."""
        with self.lock:
            data = b"".join(buf for t, buf in self.frames if start <= t <= end)
        samples = np.frombuffer(data, dtype="<i2").astype(np.float64)
        if samples.size < CLOCK // 4 or not samples.any():
            return 0.0, 0.0, int(samples.size)
        power = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) ** 2
        freqs = np.fft.rfftfreq(samples.size, 1 / CLOCK)
        peak = int(np.argmax(power[1:]) + 1)
        near = (freqs > freqs[peak] - 10) & (freqs < freqs[peak] + 10)
        return float(freqs[peak]), float(power[near].sum() / power.sum()), int(samples.size)


class Leg(pj.Call):  # type: ignore[misc]
    def __init__(self, device: Device, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(device.account, call_id)
        self.device = device

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.device.established = time.monotonic()
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.device.ended = time.monotonic()
            self.device.end_reason = f"{info.lastStatusCode} {info.lastReason}"
            self.device.done.set()

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()
        for mi in info.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                am = self.getAudioMedia(int(mi.index))
                am.startTransmit(self.device.recorder)
                self.device.tone.gen.startTransmit(am)


class Account(pj.Account):  # type: ignore[misc]
    def __init__(self, device: Device) -> None:
        super().__init__()
        self.device = device
        self.registered = threading.Event()
        self.reg_code = 0

    def onRegState(self, prm: Any) -> None:
        self.reg_code = int(prm.code)
        if 200 <= prm.code < 300 and prm.expiration > 0:
            self.registered.set()

    def onIncomingCall(self, prm: Any) -> None:
        leg = Leg(self.device, prm.callId)
        self.device.call = leg
        op = pj.CallOpParam()
        op.statusCode = 200
        leg.answer(op)


class Device:
    def __init__(self, rt: PjRuntime, spec: dict[str, Any], index: int) -> None:
        self.rt = rt
        self.spec = spec
        self.index = index
        entry = spec["devices"][index]
        self.user: str = entry["user"]
        self.freq: int = entry["freq"]
        self.target: str | None = entry.get("target")
        self.account: Any = None
        self.call: Any = None
        self.tone: Any = None
        self.recorder: Any = None
        self.established = 0.0
        self.ended = 0.0
        self.end_reason = ""
        self.done = threading.Event()

    def start(self) -> None:
        self.tone = TonePlayer(self.freq, CLOCK)
        self.recorder = Recorder(f"rec-{self.user}")
        ac = pj.AccountConfig()
        registrar = self.spec["registrar"]
        ac.idUri = f"sip:{self.user}@{registrar.split(':')[0]}"
        ac.regConfig.registrarUri = f"sip:{registrar}"
        ac.regConfig.timeoutSec = 300
        cred = pj.AuthCredInfo("digest", "*", self.user, 0, self.spec["password_format"].format(user=self.user))
        ac.sipConfig.authCreds.append(cred)
        lo = self.spec["rtp_base"] + self.index * 8
        ac.mediaConfig.transportConfig.boundAddress = self.spec["bind"]
        ac.mediaConfig.transportConfig.port = lo
        ac.mediaConfig.transportConfig.portRange = 8
        ac.natConfig.iceEnabled = False
        self.account = Account(self)
        self.account.create(ac, True)

    def dial(self) -> None:
        self.call = Leg(self)
        self.call.makeCall(f"sip:{self.target}@{self.spec['registrar']}", pj.CallOpParam(True))

    def hangup(self) -> None:
        if self.call is not None:
            self.call.hangup(pj.CallOpParam())

    def release(self) -> None:
        self.rt.ep.hangupAllCalls()
        self.call = None
        if self.account is not None:
            self.account.shutdown()
        self.account = None
        self.recorder = None
        self.tone = None


def child(spec: dict[str, Any], indexes: list[int], role: str, ready_fd: int) -> int:
    rt = PjRuntime(
        EndpointConfig(
            bind=spec["bind"],
            transports=[TransportSpec(kind="udp", port=0)],
            codecs=["PCMA/8000"],
            clock_rate=CLOCK,
            max_calls=4,
            user_agent=f"uclab-farm/{indexes[0]}",
            log_level=0,
        ),
        poll_ms=20,
    )
    rt.start()
    devices = [Device(rt, spec, i) for i in indexes]
    for dev in devices:
        rt.run(dev.start)
        rt.add_cleanup(dev.release)
    for dev in devices:
        if not dev.account.registered.wait(15):
            os.write(ready_fd, f"failed {dev.user}: registration answered {dev.account.reg_code}\n".encode())
            rt.stop()
            return 1
    os.write(ready_fd, b"ready\n")
    os.close(ready_fd)
    threads = [threading.Thread(target=run_device, args=(dev, role)) for dev in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rt.stop(timeout=2.0)
    return 0


def run_device(dev: Device, role: str) -> None:
    spec, rt = dev.spec, dev.rt
    window = spec.get("window_s", 1.0)
    if role == "caller":
        start_at = spec["start_at"] + dev.index * spec["stagger_s"]
        time.sleep(max(0.0, start_at - time.monotonic()))
        rt.run(dev.dial)
        end_at = spec["end_at"]
        time.sleep(max(0.0, end_at - time.monotonic()))
        heard, share, n = dev.recorder.dominant(end_at - window - 0.1, end_at - 0.1)
        rt.run(dev.hangup)
        dev.done.wait(5)
    else:
        # the common end time is written by the orchestrator before any call is placed
        deadline = time.monotonic() + spec.get("timeout_s", 120)
        while not dev.established and not dev.done.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        end_at = json.loads(open(spec["schedule_file"]).read())["end_at"]
        time.sleep(max(0.0, end_at - time.monotonic()))
        heard, share, n = dev.recorder.dominant(end_at - window - 0.1, end_at - 0.1)
        dev.done.wait(5)
    result = {
        "device": dev.user,
        "sent_hz": dev.freq,
        "heard_hz": round(heard, 1),
        "share": round(share, 3),
        "samples": n,
        "established": dev.established,
        "ended": dev.ended,
        "end": dev.end_reason,
    }
    os.write(1, ("RESULT " + json.dumps(result) + "\n").encode())  # one write: lines of children never mix


def main() -> int:
    parser = argparse.ArgumentParser(description="benchmark device farm")
    parser.add_argument("--role", choices=["caller", "callee"], required=True)
    parser.add_argument("--spec", required=True)
    args = parser.parse_args()
    spec = json.loads(args.spec)
    pids, pipes = [], {}
    per = spec.get("devices_per_process", 4)
    groups = [list(range(i, min(i + per, len(spec["devices"])))) for i in range(0, len(spec["devices"]), per)]
    for index, group in enumerate(groups):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            code = 1
            try:
                die_with_parent(signal.SIGKILL)
                code = child(spec, group, args.role, write_fd)
            except BaseException as exc:
                print(f"FARM FAILED child {index}: {type(exc).__name__}: {exc}", flush=True)
            finally:
                sys.stdout.flush()
                os._exit(code)
        os.close(write_fd)
        pids.append(pid)
        pipes[read_fd] = index
    answers: dict[int, str] = {}
    deadline = time.monotonic() + 30
    while len(answers) < len(pipes) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd for fd in pipes if pipes[fd] not in answers], [], [], 1.0)
        for fd in ready:
            answers[pipes[fd]] = os.read(fd, 4096).decode(errors="replace").strip() or "failed exited"
    bad = {i: a for i, a in answers.items() if a != "ready"}
    if len(answers) < len(pipes) or bad:
        print(f"FARM FAILED {len(pipes) - len(answers)} silent, {bad}", flush=True)
    else:
        print(f"FARM READY n={len(spec['devices'])} processes={len(pipes)}", flush=True)
    for pid in pids:
        os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
