"""Tones: the plan of frequencies devices transmit, a live detector, and timelines.

Pure logic, no pjsua2 and no clock: every function takes the time it needs as an argument
(seconds on the monotonic clock, which all processes on the host share).

Detection is a single-bin DFT per known tone (Goertzel-equivalent) over each received
frame. A tone is *present* in a frame when its share of the frame energy is at least
`min_share` and the frame is louder than `min_level_dbfs`. It is *heard* (an onset) after
`on_frames` present frames in a row, dated at the first of them; it stops (an offset)
after `off_frames` absent frames in a row, dated at the first absent one.

All plan frequencies sit on a 50 Hz grid at least 100 Hz apart, so with 20 ms frames
(bins 50 Hz wide) each tone falls on the zeros of every other tone's bin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import mul

# The frequencies devices transmit, one per device. Validated per codec by
# simulators.pj.tonecheck (results in tone_validation.json next to this file).
# Phones take tones from the front, the system's own tones come from the end
# (callcore/ivr.py: prompt 1150, confirmation 1050, music on hold 2350), so 17 devices
# fit besides them: a 16-party conference plus its music on hold. The last two are out of
# order because the prompt and confirmation tones stay 1150 and 1050 Hz.
TONE_PLAN: tuple[int, ...] = (
    450, 550, 650, 750, 850, 950,
    1250, 1350, 1450, 1550, 1650, 1750, 1850, 1950, 2050, 2150, 2250,
    2350, 1050, 1150,
)  # fmt: skip


@dataclass(frozen=True)
class ToneChange:
    """A tone started (on=True) or stopped being heard, at time `t` (seconds)."""

    freq: int
    on: bool
    t: float


@dataclass
class DetectorConfig:
    sample_rate: int = 16000
    min_share: float = 0.12
    min_level_dbfs: float = -50.0
    on_frames: int = 3
    off_frames: int = 4


def conference_detection(sample_rate: int = 16000) -> DetectorConfig:
    """Detection in a conference: a listener gets up to 15 talkers' tones at once, each with
    about 1/15 of the frame energy, so a tone counts from a 3 % share. Measured through
    G.711 and G.722 with 15 tones mixed (tonecheck --mix, tone_validation.json
    "conference_mix"): mixed tones >= 6 %, absent plan tones < 0.01 %, so no intermodulation
    product comes near the threshold. The release is longer (6 frames): a far talker crosses
    several mixer nodes, each jitter buffer of which may lose or conceal a frame under load
    (benchmarks/conference_bench.py), and a tone keeps being heard across such short gaps."""
    return DetectorConfig(sample_rate=sample_rate, min_share=CONFERENCE_MIN_SHARE, on_frames=3, off_frames=6)


CONFERENCE_MIN_SHARE = 0.03


class _Bin:
    __slots__ = ("cos", "freq", "sin")

    def __init__(self, freq: int, n: int, rate: int) -> None:
        w = 2.0 * math.pi * freq / rate
        self.freq = freq
        self.cos = [math.cos(w * i) for i in range(n)]
        self.sin = [math.sin(w * i) for i in range(n)]

    def power(self, x: Sequence[float]) -> float:
        re = float(sum(map(mul, x, self.cos)))
        im = float(sum(map(mul, x, self.sin)))
        return re * re + im * im


def tone_shares(samples: Sequence[int], freqs: Sequence[int], rate: int) -> tuple[float, dict[int, float]]:
    """(level in dBFS, {freq: share of frame energy}) of one frame; share 1.0 = a pure tone."""
    return _Analyzer(freqs, rate).analyze(samples)


class _Analyzer:
    def __init__(self, freqs: Sequence[int], rate: int) -> None:
        self.freqs = tuple(freqs)
        self.rate = rate
        self._bins: dict[int, list[_Bin]] = {}

    def analyze(self, samples: Sequence[int]) -> tuple[float, dict[int, float]]:
        n = len(samples)
        if n == 0:
            return -math.inf, dict.fromkeys(self.freqs, 0.0)
        bins = self._bins.get(n)
        if bins is None:
            bins = self._bins[n] = [_Bin(f, n, self.rate) for f in self.freqs]
        energy = float(sum(map(mul, samples, samples)))
        if energy <= 0.0:
            return -math.inf, dict.fromkeys(self.freqs, 0.0)
        level = 10.0 * math.log10(energy / n / (32768.0 * 32768.0))
        scale = 2.0 / (n * energy)
        return level, {b.freq: b.power(samples) * scale for b in bins}


class ToneDetector:
    """Feeds on received frames; reports which plan tones start and stop being heard."""

    def __init__(self, freqs: Iterable[int] = TONE_PLAN, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self.freqs = tuple(freqs)
        self._analyzer = _Analyzer(self.freqs, self.config.sample_rate)
        self._run: dict[int, int] = dict.fromkeys(self.freqs, 0)  # present (>0) / absent (<0) streak
        self._first: dict[int, float] = {}
        self.heard: dict[int, float] = {}  # freq -> onset time, while heard
        self.frames = 0
        self.last_level = -math.inf

    def feed(self, samples: Sequence[int], t: float) -> list[ToneChange]:
        cfg = self.config
        level, shares = self._analyzer.analyze(samples)
        self.frames += 1
        self.last_level = level
        loud = level >= cfg.min_level_dbfs
        changes: list[ToneChange] = []
        for f in self.freqs:
            present = loud and shares[f] >= cfg.min_share
            run = self._run[f]
            if present:
                run = run + 1 if run > 0 else 1
                if run == 1:
                    self._first[f] = t
                if run >= cfg.on_frames and f not in self.heard:
                    self.heard[f] = self._first[f]
                    changes.append(ToneChange(f, True, self._first[f]))
            else:
                run = run - 1 if run < 0 else -1
                if run == -1:
                    self._first[f] = t
                if -run >= cfg.off_frames and f in self.heard:
                    del self.heard[f]
                    changes.append(ToneChange(f, False, self._first[f]))
            self._run[f] = run
        return changes

    def close(self, t: float) -> list[ToneChange]:
        """The stream ended at `t`: every tone still heard stops then."""
        changes = [ToneChange(f, False, t) for f in self.heard]
        self.heard.clear()
        self._run = dict.fromkeys(self.freqs, 0)
        return changes


@dataclass
class Timeline:
    """When each tone was heard on one received stream: closed and open intervals."""

    intervals: dict[int, list[tuple[float, float | None]]] = field(default_factory=dict)

    def apply(self, change: ToneChange) -> None:
        spans = self.intervals.setdefault(change.freq, [])
        if change.on:
            if spans and spans[-1][1] is None:
                return
            spans.append((change.t, None))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], change.t)

    def extend(self, changes: Iterable[ToneChange]) -> Timeline:
        for c in changes:
            self.apply(c)
        return self

    def heard_ms(self, freq: int, start: float, end: float) -> float:
        """Milliseconds of [start, end] during which `freq` was heard."""
        total = 0.0
        for a, b in self.intervals.get(freq, []):
            lo, hi = max(a, start), min(end if b is None else b, end)
            if hi > lo:
                total += hi - lo
        return total * 1000.0

    def first_heard(self, freq: int, start: float, end: float) -> float | None:
        """The first instant in [start, end] at which `freq` was heard, or None."""
        for a, b in self.intervals.get(freq, []):
            if (b is None or b > start) and a < end:
                return max(a, start)
        return None

    def heard_at(self, t: float) -> dict[int, float]:
        """{freq: onset} of the tones being heard at instant `t`."""
        out: dict[int, float] = {}
        for f, spans in self.intervals.items():
            for a, b in spans:
                if a <= t and (b is None or b > t):
                    out[f] = a
        return out

    def freqs(self) -> set[int]:
        return set(self.intervals)

    def merged(self, other: Timeline) -> Timeline:
        """A timeline of what was heard on either stream (a device with several calls)."""
        out = Timeline()
        for src in (self, other):
            for f, spans in src.intervals.items():
                out.intervals.setdefault(f, []).extend(spans)
        for spans in out.intervals.values():
            spans.sort(key=lambda s: s[0])
        return out
