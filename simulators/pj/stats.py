"""What a call's media actually did: RTP counters, jitter, loss, MOS, ICE pair, peer address.

`parse_ice` reads the ICE part of `Call.dump()` (pjsua2 exposes no ICE transport info):

    ICE role: Controlling, state: Negotiation Success, comp_cnt: 2
       [0]: L:192.168.1.10:49156 (h) --> R:192.168.1.10:49281 (h)
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from .emodel import estimate

CAND_TYPES = {"h": "host", "s": "srflx", "r": "relay", "p": "prflx"}
_ICE_STATE = re.compile(r"ICE role: (\w+), state: ([^,]+),")
_ICE_PAIR = re.compile(r"\[(\d+)\]: L:(\S+) \((\w)\) --> R:(\S+) \((\w)\)")


class IcePair(BaseModel):
    component: int
    local: str
    local_type: str
    remote: str
    remote_type: str


class IceReport(BaseModel):
    role: str
    state: str
    pairs: list[IcePair]

    @property
    def ok(self) -> bool:
        return self.state.lower().endswith("success")

    @property
    def rtp(self) -> IcePair | None:
        return next((p for p in self.pairs if p.component == 1), None) or (self.pairs[0] if self.pairs else None)


def parse_ice(dump: str) -> IceReport | None:
    m = _ICE_STATE.search(dump)
    if not m:
        return None
    pairs = [
        IcePair(
            component=int(p.group(1)) + 1,
            local=p.group(2),
            local_type=CAND_TYPES.get(p.group(3), p.group(3)),
            remote=p.group(4),
            remote_type=CAND_TYPES.get(p.group(5), p.group(5)),
        )
        for p in _ICE_PAIR.finditer(dump[m.end() :])
    ]
    return IceReport(role=m.group(1), state=m.group(2).strip(), pairs=pairs)


class StreamReport(BaseModel):
    codec: str
    clock_rate: int
    local_rtp: str
    remote_rtp_sdp: str
    remote_rtp_seen: str
    rx_packets: int
    tx_packets: int
    rx_lost: int
    rx_loss_pct: float
    rx_jitter_ms: float
    rtt_ms: float | None
    jitter_buffer_ms: float | None
    mos: float
    r_factor: float
    ice: IceReport | None = None


def _addr(value: Any) -> str:
    return str(value or "")


def read_stream(call: Any, med_idx: int) -> StreamReport:
    """Collect the stream's facts; call on the pjsua2 thread."""
    info = call.getStreamInfo(med_idx)
    stat = call.getStreamStat(med_idx)
    tp = call.getMedTransportInfo(med_idx)
    rx = stat.rtcp.rxStat
    lost, got = int(rx.loss), int(rx.pkt)
    loss_pct = 100.0 * lost / (lost + got) if (lost + got) else 0.0
    jitter_ms = float(rx.jitterUsec.mean) / 1000.0 if rx.jitterUsec.n else 0.0
    rtt_ms = float(stat.rtcp.rttUsec.mean) / 1000.0 if stat.rtcp.rttUsec.n else None
    jb = float(stat.jbuf.avgDelayMsec) if stat.jbuf.avgDelayMsec else None
    est = estimate(str(info.codecName), loss_pct=loss_pct, rtt_ms=rtt_ms, jitter_ms=jitter_ms, jitter_buffer_ms=jb)
    return StreamReport(
        codec=f"{info.codecName}/{info.codecClockRate}",
        clock_rate=int(info.codecClockRate),
        local_rtp=_addr(tp.localRtpName),
        remote_rtp_sdp=_addr(info.remoteRtpAddress),
        remote_rtp_seen=_addr(tp.srcRtpName),
        rx_packets=got,
        tx_packets=int(stat.rtcp.txStat.pkt),
        rx_lost=lost,
        rx_loss_pct=round(loss_pct, 2),
        rx_jitter_ms=round(jitter_ms, 3),
        rtt_ms=None if rtt_ms is None else round(rtt_ms, 3),
        jitter_buffer_ms=jb,
        mos=est.mos,
        r_factor=est.r,
        ice=parse_ice(str(call.dump(True, ""))),
    )
