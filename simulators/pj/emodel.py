"""An E-model (ITU-T G.107) MOS estimate from what a receiver measured. Pure.

R = R0 - Is - Id - Ie_eff + A with the default R0 - Is = 93.2 and A = 0; Id from the
one-way mouth-to-ear delay (G.107 simplified form, Cole & Rosenbluth), Ie_eff from the
codec's equipment impairment and packet-loss robustness (G.113 Appendix I values) and the
random loss percentage. MOS from R per G.107 Annex B.
"""

from __future__ import annotations

from dataclasses import dataclass

# codec -> (Ie, Bpl); G.113 Appendix I (G.711 with PLC, G.722 at 64 kbit/s, GSM-FR, iLBC)
CODEC_IMPAIRMENT: dict[str, tuple[float, float]] = {
    "PCMA": (0.0, 25.1),
    "PCMU": (0.0, 25.1),
    "G722": (0.0, 25.1),
    "GSM": (20.0, 10.0),
    "iLBC": (10.0, 32.0),
    "speex": (11.0, 20.0),
    "L16": (0.0, 25.1),
}

# codec -> (frame ms, algorithmic look-ahead ms)
CODEC_DELAY: dict[str, tuple[float, float]] = {
    "PCMA": (20.0, 0.0),
    "PCMU": (20.0, 0.0),
    "G722": (20.0, 1.5),
    "GSM": (20.0, 0.0),
    "iLBC": (30.0, 10.0),
    "speex": (20.0, 10.0),
}


@dataclass(frozen=True)
class Estimate:
    r: float
    mos: float
    delay_ms: float
    loss_pct: float
    codec: str


def r_to_mos(r: float) -> float:
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6


def delay_impairment(delay_ms: float) -> float:
    d = max(0.0, delay_ms)
    return 0.024 * d + (0.11 * (d - 177.3) if d > 177.3 else 0.0)


def estimate(
    codec: str, *, loss_pct: float, rtt_ms: float | None, jitter_ms: float, jitter_buffer_ms: float | None = None
) -> Estimate:
    """MOS from codec, random loss (%), round-trip time and receive jitter.

    One-way delay = rtt/2 (network) + jitter buffer (measured, else 2 x jitter + one frame)
    + packetisation (one frame) + look-ahead. An unknown codec is treated as G.711.
    """
    name = codec.split("/")[0]
    ie, bpl = CODEC_IMPAIRMENT.get(name, CODEC_IMPAIRMENT["PCMA"])
    frame, lookahead = CODEC_DELAY.get(name, (20.0, 0.0))
    network = (rtt_ms or 0.0) / 2.0
    buffer = jitter_buffer_ms if jitter_buffer_ms is not None else 2.0 * jitter_ms + frame
    delay = network + buffer + frame + lookahead
    ppl = max(0.0, min(100.0, loss_pct))
    ie_eff = ie + (95.0 - ie) * ppl / (ppl + bpl)
    r = 93.2 - delay_impairment(delay) - ie_eff
    return Estimate(r=round(r, 1), mos=round(r_to_mos(r), 2), delay_ms=round(delay, 1), loss_pct=ppl, codec=name)
