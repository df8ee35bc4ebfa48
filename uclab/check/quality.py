"""Link quality of a measured call, rated against published limits. Pure.

From each end's RTP statistics (pjsua2 stream stats, simulators/pj/stats.py): the receive
jitter (RFC 3550 interarrival jitter), the packet loss, the round-trip time from RTCP, and an
E-model rating R with its MOS (ITU-T G.107, simulators/pj/emodel.py). The documents (004) give
no quality limits; these are the published ones, each with its source:

| measure | limit | source |
|---|---|---|
| one-way delay | 150 ms | Cisco, Enterprise QoS Solution Reference Network Design Guide, "QoS Requirements of Voice": one-way latency no more than 150 ms |
| one-way delay | 400 ms | ITU-T G.114 (05/2003): 400 ms should not be exceeded for general network planning |
| jitter | 30 ms | Cisco, same chapter: average one-way jitter under 30 ms |
| packet loss | 1 % | Cisco, same chapter: loss no more than 1 percent |
| E-model R | 70 (MOS 3.6) | ITU-T G.109 (09/1999) Table 1: below R 70 "many users dissatisfied" (G.107 Annex B maps R to MOS) |

A value past a limit is a warning (the site works, the calls will sound worse); the audio
verdicts decide whether a site works at all. One-way delay here is the E-model's estimate:
half the round-trip time (the client's RTCP report, else an ICMP echo over its access path)
plus the jitter buffer, packetisation and look-ahead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from simulators.pj.emodel import r_to_mos
from simulators.pj.stats import StreamReport

CISCO = 'Cisco, Enterprise QoS Solution Reference Network Design Guide, "QoS Requirements of Voice"'
G114 = "ITU-T G.114 (05/2003), one-way transmission time"
G109 = "ITU-T G.109 (09/1999) Table 1, speech transmission quality categories (MOS via ITU-T G.107 Annex B)"


@dataclass(frozen=True)
class Limit:
    measure: str
    unit: str
    limit: float
    source: str
    says: str


LIMITS = (
    Limit("one_way_delay_ms", "ms", 150.0, CISCO, "one-way latency should be no more than 150 ms"),
    Limit(
        "one_way_delay_ms",
        "ms",
        400.0,
        G114,
        "a one-way delay of 400 ms should not be exceeded for general network planning",
    ),
    Limit("jitter_ms", "ms", 30.0, CISCO, "average one-way jitter should be targeted under 30 ms"),
    Limit("loss_pct", "%", 1.0, CISCO, "loss should be no more than 1 percent"),
)
R_LIMIT = 70.0
"""G.109: R 70-80 'medium' (some users dissatisfied), 60-70 'low' (many users dissatisfied)"""


@dataclass
class Rating:
    direction: str
    codec: str
    packets: int
    jitter_ms: float
    loss_pct: float
    rtt_ms: float | None
    one_way_delay_ms: float
    r: float
    mos: float
    warnings: list[str] = field(default_factory=list)
    rtt_source: str = "RTCP"  # RTCP (the client's own report) | ICMP (the access path) | none

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def one_way_delay(stream: StreamReport) -> float:
    """The E-model's mouth-to-ear delay as simulators/pj/emodel.estimate computes it."""
    from simulators.pj.emodel import CODEC_DELAY

    frame, lookahead = CODEC_DELAY.get(stream.codec.split("/")[0], (20.0, 0.0))
    buffer = stream.jitter_buffer_ms if stream.jitter_buffer_ms is not None else 2 * stream.rx_jitter_ms + frame
    return round((stream.rtt_ms or 0.0) / 2 + buffer + frame + lookahead, 1)


def rate(
    direction: str,
    codec: str,
    packets: int,
    jitter_ms: float,
    loss_pct: float,
    rtt_ms: float | None,
    one_way_delay_ms: float,
    r: float,
) -> Rating:
    out = Rating(direction, codec, packets, jitter_ms, loss_pct, rtt_ms, one_way_delay_ms, r, round(r_to_mos(r), 2))
    values = {"one_way_delay_ms": one_way_delay_ms, "jitter_ms": jitter_ms, "loss_pct": loss_pct}
    for limit in LIMITS:
        value = values[limit.measure]
        if value > limit.limit:
            out.warnings.append(
                f"{direction}: {limit.measure.replace('_', ' ').replace(' ms', '').replace(' pct', '')} {value:g} {limit.unit} "
                f"exceeds {limit.limit:g} {limit.unit} ({limit.source}: {limit.says})"
            )
    if r < R_LIMIT:
        out.warnings.append(
            f"{direction}: E-model R {r:g} (MOS {out.mos:g}) is below {R_LIMIT:g} ({G109}: many users dissatisfied)"
        )
    return out


def rate_stream(direction: str, stream: StreamReport) -> Rating:
    return rate(
        direction,
        stream.codec,
        stream.rx_packets,
        stream.rx_jitter_ms,
        stream.rx_loss_pct,
        stream.rtt_ms,
        one_way_delay(stream),
        stream.r_factor,
    )
