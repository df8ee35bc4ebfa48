"""The faulty-ALG middlebox process: NFQUEUE in, a named behaviour, verdict out.

Run inside a router namespace by the lab:
    python -m simulators.net.middlebox --behaviour NAME --queue N --outside-index I [--options JSON]
It prints "ready" once bound to its queue, then one JSON line per packet it changed or
dropped (the evidence of what the ALG did).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="uclab-middlebox")
    parser.add_argument("--behaviour", required=True)
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--outside-index", type=int, required=True)
    parser.add_argument("--options", default="{}")
    args = parser.parse_args(argv)

    from netfilterqueue import NetfilterQueue
    from scapy.layers.inet import IP, TCP, UDP

    from .alg_behaviours import Packet, create

    impl = create(args.behaviour, json.loads(args.options))
    drops: dict[tuple[str, str], int] = {}  # (note, flow) -> count: media drops are logged sparsely

    def on_packet(raw: Any) -> None:
        try:
            ip = IP(raw.get_payload())
            l4 = ip[UDP] if UDP in ip else ip.get(TCP, None)
            if l4 is None:
                raw.accept()
                return
            pkt = Packet(
                proto="udp" if isinstance(l4, UDP) else "tcp",
                src=ip.src,
                sport=int(l4.sport),
                dst=ip.dst,
                dport=int(l4.dport),
                payload=bytes(l4.payload),
                outbound=raw.indev != args.outside_index,
            )
            decision = impl.handle(pkt)
            if decision.verdict == "drop":
                key = (decision.note, f"{pkt.src}:{pkt.sport}>{pkt.dst}:{pkt.dport}")
                drops[key] = drops.get(key, 0) + 1
                if drops[key] in (1, 10) or drops[key] % 500 == 0:
                    print(
                        json.dumps({"action": "drop", "count": drops[key], "note": decision.note, **_summary(pkt)}),
                        flush=True,
                    )
                raw.drop()
                return
            if decision.payload is not None and decision.payload != pkt.payload:
                l4.remove_payload()
                l4.add_payload(decision.payload)
                del ip.len, ip.chksum
                if isinstance(l4, UDP):
                    del l4.len, l4.chksum
                else:
                    del l4.chksum
                raw.set_payload(bytes(ip))
                print(json.dumps({"action": "rewrite", "note": decision.note, **_summary(pkt)}), flush=True)
            raw.accept()
        except Exception as exc:  # never wedge the queue on a bad packet
            print(json.dumps({"action": "error", "error": repr(exc)}), flush=True)
            raw.accept()

    nfq = NetfilterQueue()
    nfq.bind(args.queue, on_packet)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    try:
        nfq.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        nfq.unbind()
    return 0


def _summary(pkt: Any) -> dict[str, object]:
    first = pkt.payload.split(b"\r\n", 1)[0][:80].decode(errors="replace") if pkt.payload[:1].isalpha() else "(binary)"
    return {
        "dir": "out" if pkt.outbound else "in",
        "flow": f"{pkt.proto} {pkt.src}:{pkt.sport} > {pkt.dst}:{pkt.dport}",
        "first_line": first,
    }


if __name__ == "__main__":
    sys.exit(main())
