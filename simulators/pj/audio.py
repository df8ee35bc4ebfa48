"""Audio adapters on pjsua2's conference bridge: a tone source and a listening port.

`TonePlayer` transmits one device's tone; `ReceivedAudio` is an AudioMediaPort that each
received stream is connected to: it runs the tone detector on every frame (pjmedia's
clock thread) and keeps the last seconds of audio for a WAV snapshot. `BridgeClock`
counts the bridge's clock ticks (see `PjRuntime.settle_bridge`).

NOTE Python ports (pjsip 2.15.1): the bridge calls every port it holds once per tick, a
port without sources too (a NULL "heart-beat" frame), until it has applied the port's
removal, which pjsua2's destructor only queues. When Python frees such a port it first
clears the object's attributes, then runs the C++ destructor, which releases the GIL and
waits for a callback in flight: the clock thread then runs `onFrameReceived` on a
half-destroyed object ("... object has no attribute 'closed'", a dict deallocated twice:
"Immortal interned string died", segfaults in libpython). `BridgePort.close()` (also its
`__del__`, which runs before the attributes are cleared) destroys the C++ side first, on
the pjsua2 thread, while the Python object is intact. Checked by
tests/phone/test_media_teardown.py (500 ports dropped under a running clock: 3 runs of 4
segfaulted with a plain AudioMediaPort, 0 of 4 with BridgePort).
"""

from __future__ import annotations

import contextlib
import threading
import time
import wave
from array import array
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj

from .tones import TONE_PLAN, DetectorConfig, ToneChange, ToneDetector

FRAME_US = 20_000


class TonePlayer:
    """A continuous sine tone on the bridge (ToneDesc.on_msec is a C short: loop 10 s)."""

    def __init__(self, freq: int, clock_rate: int = 16000) -> None:
        if not 100 <= freq <= 3400:
            raise ValueError(f"tone {freq} Hz is outside the telephone band 100-3400 Hz")
        self.freq = freq
        self.gen: Any = pj.ToneGenerator()
        self.gen.createToneGenerator(clock_rate, 1)
        desc = pj.ToneDesc()
        desc.freq1 = freq
        desc.freq2 = 0
        desc.on_msec = 10000
        desc.off_msec = 0
        desc.volume = 0
        tones = pj.ToneDescVector()
        tones.append(desc)
        self.gen.play(tones, True)

    def close(self) -> None:
        self.gen = None


class BridgePort(pj.AudioMediaPort):  # type: ignore[misc]
    """A Python port on the bridge that is destroyed safely (see the module NOTE).

    Subclasses set `closed = False` before `createPort` and return early from their
    callbacks once it is True. Close (or drop) them on the pjsua2 thread.
    """

    closed = True
    _destroyed = False

    def close(self) -> None:
        """Leave the bridge now: later callbacks find `closed`; the C++ port is destroyed."""
        self.closed = True
        if not self._destroyed:
            self._destroyed = True
            pj._pjsua2.delete_AudioMediaPort(self)  # disowns: Python will not delete it again

    def __del__(self) -> None:
        self.close()


class ReceivedAudio(BridgePort):
    """What one device receives on one stream: live tone changes and a WAV ring buffer."""

    def __init__(
        self,
        name: str,
        on_change: Callable[[list[ToneChange]], None],
        *,
        clock_rate: int = 16000,
        keep_seconds: float = 6.0,
        freqs: tuple[int, ...] = TONE_PLAN,
        detector: DetectorConfig | None = None,
    ) -> None:
        super().__init__()
        self.clock_rate = clock_rate
        self.detector = ToneDetector(freqs, detector or DetectorConfig(sample_rate=clock_rate))
        self.on_change = on_change
        self._ring: deque[bytes] = deque(maxlen=int(keep_seconds * 1_000_000 / FRAME_US))
        self._lock = threading.Lock()
        self._silence = bytes(2 * clock_rate * FRAME_US // 1_000_000)
        self.closed = False
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, clock_rate, 1, FRAME_US, 16)
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: Any) -> None:
        if self.closed:
            return
        t = time.monotonic()
        audio = frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size
        data = bytes(frame.buf) if audio else self._silence
        samples = array("h", data)
        with self._lock:
            self._ring.append(data)
            changes = self.detector.feed(samples, t)
        if changes:
            self.on_change(changes)

    def finish(self, t: float | None = None) -> None:
        """The stream is gone: tones still heard stop now."""
        with self._lock:
            changes = self.detector.close(time.monotonic() if t is None else t)
        if changes:
            self.on_change(changes)

    def recent(self, seconds: float) -> bytes:
        """The last `seconds` of received audio (16-bit mono PCM at clock_rate)."""
        frames = int(seconds * 1_000_000 / FRAME_US)
        with self._lock:
            return b"".join(list(self._ring)[-frames:])

    def save_wav(self, path: Path, seconds: float = 4.0) -> Path:
        data = self.recent(seconds)
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.clock_rate)
            w.writeframes(data)
        return path


class BridgeClock(BridgePort):
    """Counts the conference bridge's clock ticks: a silent source transmitting to the
    (null) sound device, so the bridge asks it for a frame once per tick (20 ms).

    `wait(n)` (any thread but the clock's) returns once the bridge started n more ticks.
    Two are enough to know that every tick that could still use a port whose removal was
    queued before the wait has completed (the bridge applies queued operations at some
    point of a tick; the next tick no longer lists the port).
    """

    def __init__(self, sink: Any, clock_rate: int = 16000) -> None:
        super().__init__()
        self.ticks = 0
        self.closed = False
        self._cond = threading.Condition()
        self._sink = sink
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, clock_rate, 1, FRAME_US, 16)
        self.createPort("uclab-bridge-clock", fmt)
        self.startTransmit(sink)

    def onFrameRequested(self, frame: Any) -> None:
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE  # silence: nothing is mixed
        with self._cond:
            self.ticks += 1
            self._cond.notify_all()

    def onFrameReceived(self, frame: Any) -> None:
        return  # the bridge's heart-beat frames (see the module NOTE)

    def wait(self, n: int, timeout: float) -> bool:
        """True once `n` more ticks started; False after `timeout` seconds or when closed."""
        with self._cond:
            target = self.ticks + n
            return self._cond.wait_for(lambda: self.ticks >= target or self.closed, timeout) and not self.closed

    def close(self) -> None:
        """Leave the bridge (on the pjsua2 thread)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        if not self._destroyed and self._sink is not None:
            with contextlib.suppress(pj.Error):
                self.stopTransmit(self._sink)
        self._sink = None
        super().close()
