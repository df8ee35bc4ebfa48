"""Link impairment (delay, jitter, loss, rate) on one interface, both directions.

The usual tool, tc netem, is not in this kernel (CONFIG_NET_SCH_NETEM is unset; see
docs/ARCHITECTURE.md). So each effect uses the kernel part that exists:

* loss: nftables `numgen random` drops of IP packets on the *receiving* side of each
  direction (netdev ingress of the switch port for the node's egress, of the node's
  interface for its ingress), so a sender never sees an error, as with loss on a wire.
  ARP frames are spared: loss models the IP path the lab measures, and neighbour
  discovery that fails three times in a row (ARP retries only once a second) would leave
  a link dead for seconds, at random;
* rate: a tbf qdisc on both ends of the veth (node side = egress, switch side = ingress);
* delay and jitter: packets are queued (iptables-nft NFQUEUE in mangle POSTROUTING and
  PREROUTING of the interface) to a delay-line process in the node that releases them
  after the delay (delayline.py).

All rules are written to `<run>/nft/<node>.impair.{nft,rules}` before loading.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from . import nftlib
from .errors import LabError
from .process import LabProcess, run, spawn

if TYPE_CHECKING:
    from .links import Links
    from .model import Impairment

QUEUE_BASE = 100  # queues 100+2k (egress) and 101+2k (ingress) for the node's k-th interface


class Impairments:
    """The impairments of one lab, kept so they can be changed and removed at runtime."""

    def __init__(self, net: Links):
        self.net = net
        self.current: dict[tuple[str, str], Impairment] = {}
        self.delaylines: dict[tuple[str, str], LabProcess] = {}

    def set(self, node: str, ifname: str, imp: Impairment | None) -> None:
        key = (node, ifname)
        self._clear(node, ifname)
        if imp is None or not (imp.delay_ms or imp.jitter_ms or imp.loss_pct or imp.rate_kbit):
            self.current.pop(key, None)
        else:
            self.current[key] = imp
            self._apply(node, ifname, imp)
        self._load_loss(node, ifname, imp.loss_pct if imp else 0.0)

    def _queues(self, node: str, ifname: str) -> tuple[int, int]:
        k = list(self.net.topo.node(node).interfaces).index(ifname)
        return QUEUE_BASE + 2 * k, QUEUE_BASE + 2 * k + 1

    def _apply(self, node: str, ifname: str, imp: Impairment) -> None:
        net = self.net
        if imp.rate_kbit:
            for where, idx in self._ends(node, ifname):
                net.ipr(where).tc(
                    "add", "tbf", index=idx, handle="1:", rate=f"{imp.rate_kbit}kbit",
                    burst=max(1600, imp.rate_kbit * 1000 // 8 // 50), latency="100ms",
                )  # fmt: skip
        if imp.delay_ms or imp.jitter_ms:
            egress, ingress = self._queues(node, ifname)
            proc = spawn(
                net.ns(node),
                [
                    sys.executable, "-m", "simulators.net.delayline",
                    "--queue", str(egress), "--queue", str(ingress),
                    "--delay-ms", str(imp.delay_ms), "--jitter-ms", str(imp.jitter_ms),
                ],
                name=f"delayline-{ifname}",
                host=node,
                log=net.run.path("logs", f"{node}.delayline-{ifname}.log"),
                watch=True,
            )  # fmt: skip
            self.delaylines[(node, ifname)] = proc
            proc.wait_for(r"^ready$", timeout=10.0)
            rules = net.run.path("nft", f"{node}.{ifname}.impair.rules")
            rules.write_text(
                f"# uclab run {net.run.run_id}: delay {imp.delay_ms} ms +- {imp.jitter_ms} ms on {node}:{ifname}\n"
                "*mangle\n"
                f"-A POSTROUTING -o {ifname} -m comment --comment uclab:{net.run.run_id} "
                f"-j NFQUEUE --queue-num {egress}\n"
                f"-A PREROUTING -i {ifname} -m comment --comment uclab:{net.run.run_id} "
                f"-j NFQUEUE --queue-num {ingress}\n"
                "COMMIT\n"
            )
            result = run(net.ns(node), ["iptables-nft-restore", "--noflush", str(rules)], check=False)
            if result.returncode != 0:
                raise LabError(f"iptables-nft-restore rejected {rules}: {result.stderr.strip()}")

    def _clear(self, node: str, ifname: str) -> None:
        net = self.net
        for where, idx in self._ends(node, ifname):
            try:
                net.ipr(where).tc("del", index=idx, handle="1:")
            except Exception:
                pass
        proc = self.delaylines.pop((node, ifname), None)
        if proc is not None:
            egress, ingress = self._queues(node, ifname)
            tag = f"uclab:{net.run.run_id}"
            for chain, flag, queue in (("POSTROUTING", "-o", egress), ("PREROUTING", "-i", ingress)):
                run(
                    net.ns(node),
                    ["iptables-nft", "-t", "mangle", "-D", chain, flag, ifname, "-m", "comment", "--comment", tag,
                     "-j", "NFQUEUE", "--queue-num", str(queue)],
                    check=False,
                )  # fmt: skip
            proc.stop(timeout=1.0)

    def _ends(self, node: str, ifname: str) -> list[tuple[str, int]]:
        return [(node, self.net.ifindex(node, ifname)), ("_sw", self.net.port_of(node, ifname).index)]

    def _load_loss(self, node: str, ifname: str, loss_pct: float) -> None:
        """Drop on the receiving side of each direction, so senders see nothing (as on a wire):
        netdev ingress of the switch port (node egress) and of the node's interface (node ingress)."""
        net = self.net
        port = net.port_of(node, ifname)
        threshold = round(loss_pct * 1000)
        for where, ns, device in ((node, net.ns(node), ifname), ("_sw", net.switch, port.name)):
            table = f"uclab_{net.run.run_id}_loss_{device}"
            text = f"table netdev {table}\ndelete table netdev {table}\n"
            if threshold:
                drop = "drop" if threshold >= 100000 else f"numgen random mod 100000 < {threshold} drop"
                text += (
                    f"table netdev {table} {{\n  chain ingress {{\n"
                    f'    type filter hook ingress device "{device}" priority -500; policy accept;\n'
                    f"    meta protocol ip {drop};\n  }}\n}}\n"
                )
            path = net.run.path("nft", f"{node}.{ifname}.loss.{'node' if where == node else 'switch'}.nft")
            path.write_text(text)
            try:
                nftlib.load_file(ns, path)
            except nftlib.NftError as exc:
                raise LabError(f"nft rejected the loss table for {node}:{ifname} ({path}):\n{exc}") from None

    def stop(self) -> None:
        for proc in self.delaylines.values():
            proc.stop(timeout=1.0)
        self.delaylines.clear()
