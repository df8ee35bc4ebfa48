"""Unit tests of the E-model MOS estimate."""

from __future__ import annotations

from simulators.pj.emodel import estimate, r_to_mos


def test_clean_lan_g711_is_toll_quality() -> None:
    e = estimate("PCMA", loss_pct=0.0, rtt_ms=1.0, jitter_ms=0.2)
    assert 4.3 <= e.mos <= 4.5 and e.r > 90


def test_loss_and_delay_lower_the_score() -> None:
    clean = estimate("PCMU", loss_pct=0.0, rtt_ms=10.0, jitter_ms=1.0)
    lossy = estimate("PCMU", loss_pct=5.0, rtt_ms=10.0, jitter_ms=1.0)
    slow = estimate("PCMU", loss_pct=0.0, rtt_ms=600.0, jitter_ms=1.0)
    assert lossy.mos < clean.mos - 0.5
    assert slow.mos < clean.mos - 0.3


def test_r_to_mos_bounds() -> None:
    assert r_to_mos(-5) == 1.0 and r_to_mos(120) == 4.5 and 3.5 < r_to_mos(70) < 3.7
