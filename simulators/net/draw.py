"""Pictures and text summaries of topologies.

`dot` renders a topology as Graphviz source (segments as ellipses with their subnet,
hosts as boxes, routers as octagons labelled with their NAT, firewall, ALG and port
forwards, VPN tunnels dashed); `svg` runs `dot -Tsvg` on it. `colours` (node name -> fill
colour, e.g. a verdict's) overrides the default fill of those hosts and routers. `summary` is the same
information as text for terminals and logs.
"""

from __future__ import annotations

import subprocess

from .errors import LabError
from .model import Router, Topology
from .routing import vpn_ifname


def _router_details(spec: Router) -> list[str]:
    lines: list[str] = []
    if spec.nat:
        preset = spec.nat.is_preset
        mapping, filtering, alloc = spec.nat.behaviour
        lines.append(f"NAT {preset.value if preset else 'custom'}")
        if not preset:
            lines.append(f"map {mapping.value} / filter {filtering.value} / {alloc.value}")
        if spec.nat.hairpinning:
            lines.append("hairpinning")
    fw = spec.effective_firewall
    if fw.mode.value != "none":
        lines.append(f"firewall {fw.mode.value}")
        for rule in fw.rules:
            lines.append(f"  {rule.proto} {rule.ports} {rule.direction}")
    if spec.sip_alg.mode != "none":
        lines.append(f"SIP ALG {spec.sip_alg.mode}" + (f": {spec.sip_alg.behaviour}" if spec.sip_alg.behaviour else ""))
    for fwd in spec.port_forwards:
        lines.append(f"fwd {fwd.proto}/{fwd.port} -> {fwd.to}")
    return lines


def _router_label(name: str, spec: Router) -> str:
    return "\\n".join([name, *_router_details(spec)])


def dot(topo: Topology, colours: dict[str, str] | None = None) -> str:
    colours = colours or {}
    out = [
        f'graph "{topo.name}" {{',
        '  graph [fontname="Helvetica", fontsize=11, rankdir=LR, label="' + topo.name + '"];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for seg, spec in topo.segments.items():
        out.append(f'  "seg:{seg}" [shape=ellipse, style=filled, fillcolor="#e8f0fe", label="{seg}\\n{spec.subnet}"];')
    for host, hspec in topo.hosts.items():
        services = ", ".join(s.kind for s in hspec.services)
        label = host + (f"\\n[{services}]" if services else "")
        fill = f', style="rounded,filled", fillcolor="{colours[host]}"' if host in colours else ", style=rounded"
        out.append(f'  "{host}" [shape=box{fill}, label="{label}"];')
        for place, loc in hspec.roaming.items():
            out.append(f'  "{host}" -- "seg:{loc.segment}" [style=dotted, label="roam {place}: {loc.address}"];')
    for router, rspec in topo.routers.items():
        fill = colours.get(router, "#fff4e0")
        out.append(
            f'  "{router}" [shape=octagon, style=filled, fillcolor="{fill}", label="{_router_label(router, rspec)}"];'
        )
    for node, nspec in topo.nodes.items():
        for ifname, iface in nspec.interfaces.items():
            addrs = ", ".join(str(a) for a in iface.address)
            extra = " (pcap)" if iface.capture else ""
            if iface.impair:
                i = iface.impair
                extra += f"\\nnetem {i.delay_ms}ms±{i.jitter_ms} loss {i.loss_pct}%"
            out.append(f'  "{node}" -- "seg:{iface.segment}" [label="{ifname} {addrs}{extra}"];')
    for vname, vpn in topo.vpns.items():
        dev = vpn_ifname(topo, vname)
        for client, cspec in vpn.clients.items():
            addr = cspec.address or "no address"
            out.append(
                f'  "{client}" -- "{vpn.server}" [style=dashed, color="#2a7", '
                f'label="VPN {vname} ({dev})\\n{addr} -> {vpn.server_address}"];'
            )
    out.append("}")
    return "\n".join(out) + "\n"


def svg(topo: Topology, colours: dict[str, str] | None = None) -> bytes:
    try:
        result = subprocess.run(["dot", "-Tsvg"], input=dot(topo, colours).encode(), capture_output=True, timeout=30)
    except FileNotFoundError:
        raise LabError("graphviz 'dot' is not installed; run make setup (apt package graphviz)") from None
    if result.returncode != 0:
        raise LabError(f"dot failed: {result.stderr.decode(errors='replace')}")
    return result.stdout


def summary(topo: Topology) -> str:
    lines = [f"topology {topo.name}: {topo.description.strip()}".rstrip(": ")]
    if topo.refs:
        lines.append(f"  refs: {', '.join(topo.refs)}")
    lines.append("  segments:")
    for seg, spec in topo.segments.items():
        lines.append(f"    {seg:<14} {spec.subnet}" + (f"  ({spec.description})" if spec.description else ""))
    lines.append("  hosts:")
    for host, hspec in topo.hosts.items():
        addrs = "; ".join(f"{n} {', '.join(map(str, i.address))} on {i.segment}" for n, i in hspec.interfaces.items())
        svc = f"  services: {', '.join(s.kind for s in hspec.services)}" if hspec.services else ""
        lines.append(f"    {host:<14} {addrs}{svc}")
        for place, loc in hspec.roaming.items():
            lines.append(
                f"    {'':<14} roams to {place}: {loc.address} on {loc.segment}" + (" (VPN up)" if loc.vpn else "")
            )
    lines.append("  routers:")
    for router, rspec in topo.routers.items():
        addrs = "; ".join(f"{n} {', '.join(map(str, i.address))} on {i.segment}" for n, i in rspec.interfaces.items())
        lines.append(f"    {router:<14} {addrs}")
        lines.append(f"    {'':<14} {' | '.join(_router_details(rspec)) or 'plain router (no NAT, no firewall)'}")
    if topo.vpns:
        lines.append("  vpns:")
        for vname, vpn in topo.vpns.items():
            clients = ", ".join(f"{c} {s.address or '(no address)'}" for c, s in vpn.clients.items())
            lines.append(
                f"    {vname:<14} server {vpn.server} {vpn.server_address}/{vpn.subnet.prefixlen}; clients {clients}"
            )
    return "\n".join(lines)
