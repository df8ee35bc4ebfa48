"""Link impairment: measured RTT and loss match netem's settings within tolerance."""

from __future__ import annotations

import select
import statistics
import threading
import time
from typing import Any

from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.peers.traffic import udp_echo


def measure(lab: Lab, count: int, spacing: float = 0.002) -> tuple[list[float], int]:
    """Send `count` numbered datagrams to b's echo; return RTTs (ms) of those that came back."""
    sock = lab.socket("a")
    sock.bind(("192.168.5.1", 0))
    sent: dict[int, float] = {}
    rtts: list[float] = []
    done = threading.Event()

    def receive() -> None:
        while not done.is_set() or select.select([sock], [], [], 0.3)[0]:
            if select.select([sock], [], [], 0.05)[0]:
                data = sock.recv(100)
                rtts.append((time.monotonic() - sent[int(data)]) * 1000)

    with udp_echo(lab, "b", 7000):
        receiver = threading.Thread(target=receive)
        receiver.start()
        for i in range(count):
            sent[i] = time.monotonic()
            sock.sendto(str(i).encode(), ("192.168.5.2", 7000))
            time.sleep(spacing)
        time.sleep(0.3)  # stragglers of the last packets (delays here are <= 60 ms)
        done.set()
        receiver.join()
    sock.close()
    return rtts, count


def link(impair: dict[str, Any]) -> Any:
    return (
        TopologyBuilder("impaired")
        .segment("lan", "192.168.5.0/24")
        .host("a", eth0={"segment": "lan", "address": "192.168.5.1", "impair": impair})
        .host("b", eth0=("lan", "192.168.5.2"))
        .build()
    )


def test_delay_adds_up_both_ways(lab_factory: Any) -> None:
    lab: Lab = lab_factory(link({"delay_ms": 20}))
    rtts, _ = measure(lab, 40, spacing=0.01)
    assert len(rtts) == 40
    assert 39 <= statistics.median(rtts) <= 48, rtts  # 2 x 20 ms plus a little


def test_jitter_spreads_the_delay(lab_factory: Any) -> None:
    lab: Lab = lab_factory(link({"delay_ms": 20, "jitter_ms": 8}))
    rtts, _ = measure(lab, 60, spacing=0.01)
    assert 36 <= statistics.median(rtts) <= 48
    assert max(rtts) - min(rtts) > 8


def test_loss_matches_within_tolerance(lab_factory: Any) -> None:
    lab: Lab = lab_factory(link({"loss_pct": 20}))
    rtts, sent = measure(lab, 600, spacing=0.0005)
    delivered = len(rtts) / sent  # two lossy passes: 0.8 * 0.8 = 0.64
    assert 0.55 <= delivered <= 0.73, delivered


def test_loss_spares_neighbour_discovery(lab_factory: Any) -> None:
    """Total IP loss, yet a resolves b's hardware address: ARP is never dropped, so a lossy
    link cannot fail the lab's readiness check by losing three ARP rounds in a row."""
    lab: Lab = lab_factory(link({"loss_pct": 100}), verify=False)
    rtts, _ = measure(lab, 5, spacing=0.01)
    assert rtts == []
    neighbours = lab.exec("a", ["ip", "neigh", "show", "192.168.5.2"]).stdout
    assert "lladdr" in neighbours, neighbours


def test_impairment_can_change_at_runtime(lab_factory: Any) -> None:
    lab: Lab = lab_factory(link({"delay_ms": 30}))
    lab.impair("a", "eth0")  # cleared
    rtts, _ = measure(lab, 20, spacing=0.005)
    assert statistics.median(rtts) < 5
