"""A delay line for link impairment: packets from NFQUEUE are released after a delay.

This kernel has no netem qdisc (CONFIG_NET_SCH_NETEM unset) and no fq (so no BPF
earliest-departure-time trick), so delay and jitter are applied here: each queued packet
gets a release time `now + delay ± jitter` (uniform), never earlier than the packet
before it (a link keeps order), and its ACCEPT verdict is sent at that time. Only packet
metadata is copied to userspace (COPY_META). Loss and rate stay in the kernel (nft
numgen, tbf; see impair.py).

    python -m simulators.net.delayline --queue N --delay-ms D [--jitter-ms J] [--seed S] ...

Several `--queue` options may be given (e.g. egress and ingress of one interface);
they share the delay settings. Prints "ready" once every queue is bound.
"""

from __future__ import annotations

import argparse
import heapq
import random
import select
import signal
import sys
import time
from typing import Any


class DelayLine:
    """Release-time bookkeeping, without I/O: time is passed in."""

    def __init__(self, delay_s: float, jitter_s: float, rng: random.Random):
        self.delay_s = delay_s
        self.jitter_s = jitter_s
        self.rng = rng
        self.last_release: dict[int, float] = {}
        self.heap: list[tuple[float, int, Any]] = []
        self._seq = 0

    def admit(self, queue: int, now: float, packet: Any) -> float:
        jitter = self.rng.uniform(-self.jitter_s, self.jitter_s) if self.jitter_s else 0.0
        release = max(now + max(0.0, self.delay_s + jitter), self.last_release.get(queue, 0.0))
        self.last_release[queue] = release
        self._seq += 1
        heapq.heappush(self.heap, (release, self._seq, packet))
        return release

    def due(self, now: float) -> list[Any]:
        out = []
        while self.heap and self.heap[0][0] <= now:
            out.append(heapq.heappop(self.heap)[2])
        return out

    def next_release(self) -> float | None:
        return self.heap[0][0] if self.heap else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="uclab-delayline")
    parser.add_argument("--queue", type=int, action="append", required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    from netfilterqueue import COPY_META, NetfilterQueue

    line = DelayLine(args.delay_ms / 1000, args.jitter_ms / 1000, random.Random(args.seed))
    queues = []
    for num in args.queue:
        nfq = NetfilterQueue()

        def on_packet(pkt: Any, num: int = num) -> None:
            line.admit(num, time.monotonic(), pkt)

        nfq.bind(num, on_packet, max_len=4096, mode=COPY_META)
        queues.append(nfq)
    fds = {nfq.get_fd(): nfq for nfq in queues}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    try:
        while not stopping:
            nxt = line.next_release()
            timeout = 0.5 if nxt is None else max(0.0, nxt - time.monotonic())
            try:
                ready, _, _ = select.select(list(fds), [], [], timeout)
            except InterruptedError:
                continue
            for fd in ready:
                fds[fd].run(block=False)
            for pkt in line.due(time.monotonic()):
                pkt.accept()
    finally:
        for pkt in line.due(float("inf")):
            pkt.accept()
        for nfq in queues:
            nfq.unbind()
    return 0


if __name__ == "__main__":
    sys.exit(main())
