"""SIP ladders of a run's calls, drawn as SVG from what the captures saw.

One column per address. A message that crosses a router shows once per side: on the LAN
side from the phone's address, on the WAN side from the router's public address, so a NAT's
translation and a SIP ALG's rewriting (the SDP's c=/m= lines under each arrow) are visible
side by side. The same message seen at several capture points on the same path (both ends
of one segment, say) is drawn once.

A call is the INVITE dialogs that start within `LEG_WINDOW` of each other: the system is a
B2BUA, so the caller's dialog and the callee's dialog are two Call-IDs of one call.

    names = address_names(topology_json)
    for ladder in call_ladders(messages, names):
        svg_text = render(ladder)
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .sip import SipMessage

LEG_WINDOW = 2.0
"""seconds: INVITE dialogs starting this close together are legs of one call"""
SAME_WINDOW = 0.5
"""seconds: the same message at two capture points on one path within this is one arrow"""
COL_W = 190
ROW_H = 40
TOP = 64
LEFT = 78


@dataclass
class Arrow:
    t: float
    src: str
    dst: str
    message: SipMessage
    points: list[str] = field(default_factory=list)

    @property
    def colour(self) -> str:
        status = self.message.status
        if status is None:
            return "#1f5fbf"
        if status >= 400:
            return "#c62828"
        return "#2e7d32" if status >= 200 else "#6d6d6d"

    def detail(self) -> str:
        m = self.message
        sdp = " ".join(s.replace("IN IP4 ", "") for s in m.sdp)
        return f"{m.transport} {m.sport}→{m.dport}" + (f"  SDP {sdp}" if sdp else "")


@dataclass
class Ladder:
    title: str
    call_ids: list[str]
    columns: list[str]
    names: dict[str, str]
    arrows: list[Arrow]

    @property
    def start(self) -> float:
        return self.arrows[0].t if self.arrows else 0.0

    @property
    def end(self) -> float:
        return self.arrows[-1].t if self.arrows else 0.0


def address_names(topology: dict[str, Any]) -> dict[str, str]:
    """{address: "node interface"} from a run's topology.json (the VPN tunnels included)."""
    names: dict[str, str] = {}
    for kind in ("hosts", "routers"):
        for node, spec in (topology.get(kind) or {}).items():
            for ifname, iface in (spec.get("interfaces") or {}).items():
                for address in iface.get("address") or []:
                    names[str(address)] = f"{node} {ifname}"
    for vname, vpn in (topology.get("vpns") or {}).items():
        for client, cspec in (vpn.get("clients") or {}).items():
            if cspec.get("address"):
                names[str(cspec["address"])] = f"{client} {vname}"
        if vpn.get("server_address"):
            names[str(vpn["server_address"])] = f"{vpn.get('server')} {vname}"
    return names


def observations(messages: Iterable[SipMessage]) -> list[Arrow]:
    """One arrow per distinct observation (see the module docstring)."""
    arrows: list[Arrow] = []
    last: dict[tuple[Any, ...], Arrow] = {}
    for m in sorted(messages, key=lambda m: m.t):
        key = m.identity()
        seen = last.get(key)
        if seen is not None and m.t - seen.t <= SAME_WINDOW:
            if m.point not in seen.points:
                seen.points.append(m.point)
            continue
        arrow = Arrow(m.t, m.src, m.dst, m, [m.point])
        arrows.append(arrow)
        last[key] = arrow
    return arrows


def invite_dialogs(messages: Iterable[SipMessage]) -> list[tuple[float, str]]:
    """(first INVITE time, Call-ID) of every dialog that has an INVITE, in time order."""
    first: dict[str, float] = {}
    for m in messages:
        if m.is_request and m.method == "INVITE" and m.call_id not in first:
            first[m.call_id] = m.t
    return sorted((t, cid) for cid, t in first.items())


def group_calls(messages: list[SipMessage]) -> list[list[str]]:
    """Call-IDs grouped into calls (legs whose first INVITEs are within LEG_WINDOW)."""
    groups: list[tuple[float, list[str]]] = []
    for t, cid in invite_dialogs(messages):
        if groups and t - groups[-1][0] <= LEG_WINDOW:
            groups[-1][1].append(cid)
        else:
            groups.append((t, [cid]))
    return [cids for _, cids in groups]


def _title(arrows: list[Arrow], n: int) -> str:
    invite = next((a.message for a in arrows if a.message.method == "INVITE" and a.message.is_request), None)
    target = invite.first_line.split()[1] if invite and len(invite.first_line.split()) > 1 else "?"
    return f"call {n}: INVITE {target}"


ORDER_EXHAUSTIVE = 8
"""up to this many columns the order is the best of all (first column fixed); beyond, first seen"""


def column_order(arrows: list[Arrow]) -> list[str]:
    """Columns with the caller's address first and the others placed so that arrows are as
    short as they can be: each hop of the path then sits between neighbouring columns."""
    seen: list[str] = []
    for a in arrows:
        for address in (a.src, a.dst):
            if address not in seen:
                seen.append(address)
    if len(seen) <= 2 or len(seen) > ORDER_EXHAUSTIVE:
        return seen
    hops: dict[tuple[str, str], int] = {}
    for a in arrows:
        key = (a.src, a.dst) if a.src < a.dst else (a.dst, a.src)
        hops[key] = hops.get(key, 0) + 1
    first, rest = seen[0], seen[1:]

    def cost(order: tuple[str, ...]) -> int:
        pos = {c: i for i, c in enumerate(order)}
        return sum(n * abs(pos[x] - pos[y]) for (x, y), n in hops.items())

    best = min(((first, *perm) for perm in itertools.permutations(rest)), key=cost)
    return list(best)


def ladder_of(messages: list[SipMessage], call_ids: list[str], names: dict[str, str], title: str) -> Ladder:
    mine = [m for m in messages if m.call_id in set(call_ids)]
    arrows = observations(mine)
    columns = column_order(arrows)
    return Ladder(title, call_ids, columns, {c: names.get(c, "") for c in columns}, arrows)


def call_ladders(messages: list[SipMessage], names: dict[str, str]) -> list[Ladder]:
    """A ladder per call of the run (see group_calls), in time order."""
    out = []
    for n, cids in enumerate(group_calls(messages), 1):
        lad = ladder_of(messages, cids, names, "")
        lad.title = _title(lad.arrows, n)
        out.append(lad)
    return out


# -- SVG ----------------------------------------------------------------------------------------


def _x(ladder: Ladder, address: str) -> int:
    return LEFT + COL_W // 2 + ladder.columns.index(address) * COL_W


def render(ladder: Ladder) -> str:
    """The ladder as a standalone SVG (hover an arrow for its capture points and headers)."""
    width = LEFT + COL_W * max(1, len(ladder.columns)) + 20
    height = TOP + ROW_H * (len(ladder.arrows) + 1)
    e = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ladder" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        '<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    ]
    for address in ladder.columns:
        x = _x(ladder, address)
        out.append(f'<text x="{x}" y="18" text-anchor="middle" font-weight="bold">{e(address)}</text>')
        out.append(f'<text x="{x}" y="32" text-anchor="middle" fill="#555">{e(ladder.names.get(address, ""))}</text>')
        out.append(f'<line x1="{x}" y1="40" x2="{x}" y2="{height - 8}" stroke="#bbb" stroke-dasharray="4 3"/>')
    t0 = ladder.start
    for i, a in enumerate(ladder.arrows):
        y = TOP + ROW_H * i + 16
        x1, x2 = _x(ladder, a.src), _x(ladder, a.dst)
        mid = (x1 + x2) // 2
        tip = f"{a.message.first_line}\nseen at: {', '.join(a.points)}\n{a.message.headers}"
        out.append(f'<g class="msg" data-call-id="{e(a.message.call_id)}"><title>{e(tip)}</title>')
        out.append(f'<text x="6" y="{y + 4}" fill="#777">+{a.t - t0:.3f}s</text>')
        out.append(
            f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{a.colour}" stroke-width="1.6" marker-end="url(#arr)"/>'
        )
        out.append(
            f'<text x="{mid}" y="{y - 5}" text-anchor="middle" fill="{a.colour}" font-weight="bold">{e(a.message.label)}</text>'
        )
        out.append(
            f'<text x="{mid}" y="{y + 13}" text-anchor="middle" fill="#444" font-size="10">{e(a.detail())}</text>'
        )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
