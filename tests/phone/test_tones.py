"""Unit tests of simulators.pj.tones: the detector and timelines (synthetic signals, no pjsua2)."""

from __future__ import annotations

import math
import warnings
from array import array

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # G.711 reference codec (deprecated in 3.13; fine on 3.11)

from simulators.pj.tones import TONE_PLAN, DetectorConfig, Timeline, ToneChange, ToneDetector, tone_shares

RATE = 16000
N = 320  # 20 ms


def sine(freqs: list[int], frame: int, amp: float = 8000.0) -> list[int]:
    start = frame * N
    return [int(sum(amp * math.sin(2 * math.pi * f * (start + i) / RATE) for f in freqs)) for i in range(N)]


def run(det: ToneDetector, frames: list[list[int]], t0: float = 0.0) -> list[ToneChange]:
    out: list[ToneChange] = []
    for i, samples in enumerate(frames):
        out += det.feed(samples, t0 + i * 0.02)
    return out


def test_pure_tone_has_full_share_and_no_crosstalk() -> None:
    level, shares = tone_shares(sine([650], 0), TONE_PLAN, RATE)
    assert shares[650] == pytest.approx(1.0, abs=0.01)
    assert max(v for f, v in shares.items() if f != 650) < 0.001
    assert -20 < level < 0


def test_g711_companding_keeps_every_plan_tone_clean() -> None:
    """A-law and mu-law round trips (8 kHz) leave each plan tone dominant and the others absent."""
    for freq in TONE_PLAN:
        pcm = array("h", [int(8000 * math.sin(2 * math.pi * freq * i / 8000)) for i in range(160)]).tobytes()
        for enc, dec in ((audioop.lin2alaw, audioop.alaw2lin), (audioop.lin2ulaw, audioop.ulaw2lin)):
            back = array("h", dec(enc(pcm, 2), 2))
            _, shares = tone_shares(back, TONE_PLAN, 8000)
            assert shares[freq] > 0.95
            assert max(v for f, v in shares.items() if f != freq) < 0.01


def test_onset_after_on_frames_dated_at_first_frame() -> None:
    det = ToneDetector(config=DetectorConfig(on_frames=3, off_frames=4))
    changes = run(det, [sine([450], i) for i in range(5)], t0=10.0)
    assert changes == [ToneChange(450, True, 10.0)]
    assert det.heard == {450: 10.0}


def test_offset_after_off_frames_dated_at_first_silent_frame() -> None:
    det = ToneDetector(config=DetectorConfig(on_frames=2, off_frames=3))
    frames = [sine([450], i) for i in range(4)] + [[0] * N] * 5
    on, off = run(det, frames)
    assert on == ToneChange(450, True, 0.0)
    assert (off.freq, off.on) == (450, False)
    assert off.t == pytest.approx(0.08)


def test_short_glitch_is_not_an_onset() -> None:
    det = ToneDetector(config=DetectorConfig(on_frames=3))
    frames = [sine([550], 0), sine([550], 1)] + [[0] * N] * 3
    assert run(det, frames) == []


def test_two_mixed_tones_are_both_heard() -> None:
    det = ToneDetector()
    changes = run(det, [sine([450, 750], i, amp=5000) for i in range(4)])
    assert {c.freq for c in changes if c.on} == {450, 750}


def test_quiet_noise_hears_nothing() -> None:
    det = ToneDetector()
    quiet = [sine([450], i, amp=2.0) for i in range(6)]  # about -80 dBFS
    assert run(det, quiet) == []


def test_close_ends_open_tones() -> None:
    det = ToneDetector()
    run(det, [sine([850], i) for i in range(4)])
    assert det.close(5.0) == [ToneChange(850, False, 5.0)]
    assert det.heard == {}


def test_timeline_overlap_first_heard_and_heard_at() -> None:
    tl = Timeline().extend([ToneChange(450, True, 1.0), ToneChange(450, False, 2.0), ToneChange(450, True, 3.0)])
    assert tl.heard_ms(450, 0.0, 10.0) == pytest.approx(8000.0)
    assert tl.heard_ms(450, 1.5, 3.5) == pytest.approx(1000.0)
    assert tl.first_heard(450, 2.1, 2.9) is None
    assert tl.first_heard(450, 2.5, 4.0) == 3.0
    assert tl.heard_at(1.5) == {450: 1.0} and tl.heard_at(2.5) == {}
    assert tl.merged(Timeline().extend([ToneChange(550, True, 0.5)])).freqs() == {450, 550}
