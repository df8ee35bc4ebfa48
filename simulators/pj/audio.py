"""Audio adapters on pjsua2's conference bridge: a tone source and a listening port.

`TonePlayer` transmits one device's tone; `ReceivedAudio` is an AudioMediaPort that each
received stream is connected to: it runs the tone detector on every frame (pjmedia's
clock thread) and keeps the last seconds of audio for a WAV snapshot.
"""

from __future__ import annotations

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


class ReceivedAudio(pj.AudioMediaPort):  # type: ignore[misc]
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
