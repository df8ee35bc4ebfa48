"""The floor for topology build time: a shell script that builds the same network with `ip`
and `nft` (the same namespaces, switch bridges, veths, addresses, sysctls, routes and nft
rulesets as simulators.net.network) and tears it down again.

Two styles: `plain` (one `ip` command per step, what a person writes) and `batch` (`ip
-batch` per namespace, the fastest shell can do). Both are generated from the lab's own
routing and ruleset code, so the floor builds exactly what the lab builds.
"""

from __future__ import annotations

from pathlib import Path

from simulators.net import nftables
from simulators.net.model import Topology
from simulators.net.network import FORWARDER_SYSCTLS, NODE_SYSCTLS
from simulators.net.routing import Routing


def build_script(topo: Topology, run_id: str, workdir: Path, style: str = "plain") -> tuple[str, str]:
    """(build script, teardown script) for `topo`, namespaces prefixed `flr<run_id>-`."""
    routing = Routing(topo)
    ns = {n: f"flr{run_id}-{n}" for n in [*topo.nodes, "_sw"]}
    seg_index = {s: i for i, s in enumerate(topo.segments)}
    cmds: dict[str, list[str]] = {n: [] for n in ns}  # per-namespace ip commands (batch style)
    lines = ["set -e"]
    for node, name in ns.items():
        lines.append(f"ip netns add {name}")
        values = dict(NODE_SYSCTLS)
        if node in routing.forwarders:
            values.update(FORWARDER_SYSCTLS)
        lines.append(f"ip netns exec {name} sysctl -q -w " + " ".join(f"{k}={v}" for k, v in values.items()))
    for i in seg_index.values():
        cmds["_sw"] += [f"link add br{i} type bridge", f"link set br{i} up"]
    k = 0
    for node, spec in topo.nodes.items():
        cmds[node].append("link set lo up")
        for ifname, iface in spec.interfaces.items():
            cmds["_sw"].append(f"link add p{k} type veth peer name {ifname} netns {ns[node]}")
            cmds["_sw"].append(f"link set p{k} master br{seg_index[iface.segment]} up")
            prefix = topo.segments[iface.segment].subnet.prefixlen
            node_cmds = [f"addr add {a}/{prefix} dev {ifname}" for a in iface.address]
            node_cmds.append(f"link set {ifname} up")
            k += 1
            cmds[node] += node_cmds
    route_cmds = {node: [f"route add {r}" for r in routing.routes(node)] for node in topo.nodes}
    nft_lines = []
    for router in topo.routers:
        path = workdir / f"{router}.nft"
        path.write_text(nftables.router_ruleset(topo, router, run_id))
        nft_lines.append(f"ip netns exec {ns[router]} nft -f {path}")
    if style == "batch":
        order = ["_sw", *topo.nodes]
        for node in order:
            batch = workdir / f"{node}.batch"
            batch.write_text("\n".join(cmds[node]) + "\n")
            lines.append(f"ip -n {ns[node]} -batch {batch}")
        for node in topo.nodes:
            if route_cmds[node]:
                batch = workdir / f"{node}.routes.batch"
                batch.write_text("\n".join(route_cmds[node]) + "\n")
                lines.append(f"ip -n {ns[node]} -batch {batch}")
    else:
        # veths must exist before the node side is configured: switch first, then nodes
        lines += [f"ip -n {ns['_sw']} {c}" for c in cmds["_sw"]]
        for node in topo.nodes:
            lines += [f"ip -n {ns[node]} {c}" for c in cmds[node]]
        for node in topo.nodes:
            lines += [f"ip -n {ns[node]} {c}" for c in route_cmds[node]]
    lines += nft_lines
    teardown = "\n".join(f"ip netns del {name}" for name in ns.values())
    return "\n".join(lines) + "\n", teardown + "\n"
