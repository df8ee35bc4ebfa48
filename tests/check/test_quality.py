"""Published limits on link quality (quality.LIMITS, each with its source)."""

from __future__ import annotations

from uclab.check.quality import CISCO, G109, G114, rate


def test_within_all_limits() -> None:
    assert rate("d", "PCMA/8000", 250, 5.0, 0.5, 60.0, 90.0, 90.0).warnings == []


def test_each_limit_with_its_source() -> None:
    r = rate("d", "PCMA/8000", 250, 40.0, 2.0, 600.0, 450.0, 60.0)
    sources = [next(s for s in (CISCO, G114, G109) if s in w) for w in r.warnings]
    assert sources == [CISCO, G114, CISCO, CISCO, G109]
    assert r.warnings[0] == (
        "d: one way delay 450 ms exceeds 150 ms (Cisco, Enterprise QoS Solution Reference Network Design Guide, "
        '"QoS Requirements of Voice": one-way latency should be no more than 150 ms)'
    )
    assert r.mos < 3.2
