"""nftables rulesets for routers, generated as readable text from the router spec.

One table per router, named after the run (`uclab_<run>`), holding:

* `ct_setup` (prerouting/output): the UDP binding timeout (`ct timeout`) and, for
  `sip_alg: kernel`, the kernel SIP helper on UDP/TCP 5060.
* `nat_pre` / `nat_post`: port forwards (DNAT), endpoint- or address-dependent filtering
  through a dynamic map of live mappings, hairpinning, and source NAT whose shape gives the
  mapping behaviour and port allocation:

  | mapping                    | preserve                 | random                              |
  |----------------------------|--------------------------|-------------------------------------|
  | endpoint-independent       | masquerade               | snat to jhash(src, sport)           |
  | address-dependent          | (impossible)             | snat to jhash(src, sport, dst)      |
  | address-and-port-dependent | (impossible)             | masquerade random                   |

  Hashed ports come from 49152-65535 with a per-run seed, so they look random but one
  internal endpoint keeps its port for the same key, which is what the behaviour means.
* `nat_record` (postrouting, after SNAT): stores each UDP mapping (external port ->
  internal address and port) and, for address-dependent filtering, the remote addresses
  it has sent to. Entries expire with the binding timeout and are refreshed by outbound
  packets, as a NAT binding is.
* `nat_filter` / `nat_filter_in`: a NAT forwards nothing unsolicited from outside unless
  its filtering says so (then `nat_pre` has DNATed it) or a port forward exists. Dropping
  new inbound flows *before* conntrack confirms them also stops the kernel from
  re-mapping an inside flow after a stray packet arrived first (NOTES-platform.md).
* `firewall` / `firewall_in`: stateful, stateless (the port rules, no connection state)
  or strict (stateful and no UDP at all), applied where traffic crosses the outside.

The NFQUEUE hook for faulty SIP ALGs is not expressible in this kernel's nft (no `queue`
expression); it is an iptables-nft rule file, see `alg.py`.
"""

from __future__ import annotations

import zlib
from ipaddress import IPv4Address

from .model import Behaviour, Firewall, FirewallMode, Nat, PortAllocation, PortRule, Router, Topology
from .routing import vpn_endpoint

HASH_PORTS = (49152, 16384)  # offset, count: 49152-65535


def reload_prefix(run_id: str) -> str:
    """Prepend to a ruleset to replace a loaded table atomically (slower than a first load)."""
    table = table_name(run_id)
    return f"table ip {table}\ndelete table ip {table}\n"


def table_name(run_id: str) -> str:
    return f"uclab_{run_id}"


def _seed(run_id: str, router: str) -> int:
    return zlib.crc32(f"{run_id}/{router}".encode()) & 0x7FFFFFFF


def _rule_matches(rule: PortRule) -> list[str]:
    lo, hi = rule.bounds
    ports = str(lo) if lo == hi else f"{lo}-{hi}"
    return [f"{rule.proto} dport {ports}", f"{rule.proto} sport {ports}"]


def router_ruleset(topo: Topology, name: str, run_id: str) -> str:
    spec = topo.routers[name]
    wan_ip = wan_address(spec)
    vpn_ports = [
        v.port for v in topo.vpns.values() if v.server == name and vpn_endpoint(topo, _vpn_name(topo, v)) == wan_ip
    ]
    body = _conntrack(spec)
    if spec.nat and wan_ip is not None:
        body += _nat(spec.nat, spec, wan_ip, _seed(run_id, name), vpn_ports)
    body += _firewall(spec, vpn_ports)
    header = [
        f"# uclab run {run_id}: router {name} of topology {topo.name}",
        f"# nat: {_describe_nat(spec)}; firewall: {spec.effective_firewall.mode.value}; sip_alg: {spec.sip_alg.mode}",
        f"table ip {table_name(run_id)} {{",
    ]
    return "\n".join([*header, *body, "}"]) + "\n"


# -- conntrack setup: binding timeout, kernel SIP helper ------------------------------------


def _conntrack(spec: Router) -> list[str]:
    body: list[str] = []
    ct_rules: list[str] = []
    if spec.nat:
        t = spec.nat.udp_timeout_s
        body.append(
            f"  ct timeout udp_binding {{ protocol udp; l3proto ip; policy = {{ unreplied : {t}, replied : {t} }}; }}"
        )
        ct_rules.append('meta l4proto udp ct state new ct timeout set "udp_binding"')
    if spec.sip_alg.mode == "kernel":
        body.append('  ct helper sip_udp { type "sip" protocol udp; l3proto ip; }')
        body.append('  ct helper sip_tcp { type "sip" protocol tcp; l3proto ip; }')
        ct_rules.append('udp dport 5060 ct state new ct helper set "sip_udp"')
        ct_rules.append('tcp dport 5060 ct state new ct helper set "sip_tcp"')
    if ct_rules:
        body.append(_chain("ct_setup", "type filter hook prerouting priority filter; policy accept;", ct_rules))
        body.append(_chain("ct_setup_out", "type filter hook output priority filter; policy accept;", ct_rules))
    return body


# -- NAT --------------------------------------------------------------------------------------


def _nat(nat: Nat, spec: Router, wan_ip: IPv4Address, seed: int, vpn_ports: list[int]) -> list[str]:
    out = spec.outside
    return [
        *_nat_tables(nat),
        _chain("nat_pre", "type nat hook prerouting priority dstnat; policy accept;", _nat_pre(nat, spec, wan_ip)),
        _chain(
            "nat_post", "type nat hook postrouting priority srcnat; policy accept;", _nat_post(nat, out, wan_ip, seed)
        ),
        *_nat_record(nat, out),
        _chain(
            "nat_filter",
            "type filter hook forward priority filter - 10; policy accept;",
            [f'iifname "{out}" ct status dnat accept', f'iifname "{out}" ct state new drop'],
        ),
        _chain(
            "nat_filter_in",
            "type filter hook input priority filter - 10; policy accept;",
            [*(f'iifname "{out}" udp dport {p} accept' for p in vpn_ports), f'iifname "{out}" ct state new drop'],
        ),
    ]


def _needs_map(nat: Nat) -> bool:
    """Whether inbound packets are matched against the recorded mappings (cone filtering, hairpinning)."""
    return nat.filtering is not Behaviour.ADDRESS_AND_PORT_DEPENDENT or nat.hairpinning


def _nat_tables(nat: Nat) -> list[str]:
    """The dynamic map of live mappings and, for address-dependent filtering, the peers each has sent to."""
    t = nat.udp_timeout_s
    tables: list[str] = []
    if _needs_map(nat):
        tables.append(
            f"  map cone_map {{ type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout {t}s; }}"
        )
    if nat.filtering is Behaviour.ADDRESS_DEPENDENT:
        tables.append(f"  set cone_peers {{ type inet_service . ipv4_addr; flags dynamic,timeout; timeout {t}s; }}")
    return tables


def _nat_pre(nat: Nat, spec: Router, wan_ip: IPv4Address) -> list[str]:
    """DNAT: port forwards, then inbound packets the filtering lets through to their mapping."""
    out, filtering = spec.outside, nat.filtering
    pre: list[str] = []
    for fwd in spec.port_forwards:
        addr, port = fwd.target
        pre.append(f'iifname "{out}" {fwd.proto} dport {fwd.port} dnat ip to {addr}:{port}')
        if nat.hairpinning:
            pre.append(f'iifname != "{out}" ip daddr {wan_ip} {fwd.proto} dport {fwd.port} dnat ip to {addr}:{port}')
    if filtering is Behaviour.ENDPOINT_INDEPENDENT:
        pre.append(f'iifname "{out}" ip daddr {wan_ip} udp dport @cone_map dnat ip to udp dport map @cone_map')
    elif filtering is Behaviour.ADDRESS_DEPENDENT:
        pre.append(
            f'iifname "{out}" ip daddr {wan_ip} udp dport . ip saddr @cone_peers dnat ip to udp dport map @cone_map'
        )
    if nat.hairpinning:
        pre.append(f'iifname != "{out}" ip daddr {wan_ip} udp dport @cone_map dnat ip to udp dport map @cone_map')
    return pre


def _nat_post(nat: Nat, out: str, wan_ip: IPv4Address, seed: int) -> list[str]:
    """Source NAT whose shape gives the mapping behaviour and the port allocation (the table at the top)."""
    mapping, _, allocation = nat.behaviour
    offset, count = HASH_PORTS
    post: list[str] = []
    if nat.hairpinning:
        post.append(f'oifname != "{out}" ct original ip daddr {wan_ip} snat ip to {wan_ip}')
    if mapping is Behaviour.ENDPOINT_INDEPENDENT and allocation is PortAllocation.PRESERVE:
        post.append(f'oifname "{out}" snat ip to {wan_ip}')
    elif mapping is Behaviour.ENDPOINT_INDEPENDENT:
        for proto in ("udp", "tcp"):
            post.append(
                f'oifname "{out}" meta l4proto {proto} snat ip to {wan_ip} : '
                f"jhash ip saddr . {proto} sport mod {count} seed {seed:#x} offset {offset}"
            )
    elif mapping is Behaviour.ADDRESS_DEPENDENT:
        for proto in ("udp", "tcp"):
            post.append(
                f'oifname "{out}" meta l4proto {proto} snat ip to {wan_ip} : '
                f"jhash ip saddr . {proto} sport . ip daddr mod {count} seed {seed:#x} offset {offset}"
            )
    else:
        post.append(f'oifname "{out}" meta l4proto {{ tcp, udp }} snat ip to {wan_ip} random')
    post.append(f'oifname "{out}" snat ip to {wan_ip}')
    return post


def _nat_record(nat: Nat, out: str) -> list[str]:
    """After SNAT, store each UDP mapping (and the peers it has sent to) for the filtering to use."""
    record: list[str] = []
    if _needs_map(nat):
        record.append(
            f'oifname "{out}" meta l4proto udp ct status snat '
            "update @cone_map { udp sport : ct original ip saddr . ct original proto-src }"
        )
    if nat.filtering is Behaviour.ADDRESS_DEPENDENT:
        record.append(f'oifname "{out}" meta l4proto udp ct status snat update @cone_peers {{ udp sport . ip daddr }}')
    if not record:
        return []
    return [_chain("nat_record", "type filter hook postrouting priority srcnat + 1; policy accept;", record)]


# -- firewall ---------------------------------------------------------------------------------


def _firewall(spec: Router, vpn_ports: list[int]) -> list[str]:
    fw, out = spec.effective_firewall, spec.outside
    if fw.mode in (FirewallMode.STATEFUL, FirewallMode.STRICT):
        fwd_rules, in_rules = _stateful(fw, out, vpn_ports)
    elif fw.mode is FirewallMode.STATELESS:
        fwd_rules, in_rules = _stateless(fw, out, vpn_ports)
    else:
        return []
    return [
        _chain("firewall", "type filter hook forward priority filter; policy accept;", fwd_rules),
        _chain("firewall_in", "type filter hook input priority filter; policy accept;", in_rules),
    ]


def _stateful(fw: Firewall, out: str, vpn_ports: list[int]) -> tuple[list[str], list[str]]:
    """Replies and port forwards pass, other inbound is dropped; strict also drops all UDP."""
    fwd_rules: list[str] = []
    if fw.mode is FirewallMode.STRICT:
        fwd_rules += [f'iifname "{out}" meta l4proto udp drop', f'oifname "{out}" meta l4proto udp drop']
    fwd_rules += [
        "ct state established,related accept",
        f'iifname "{out}" ct status dnat accept',
        f'iifname "{out}" drop',
    ]
    in_rules = [
        "ct state established,related accept",
        *(f'iifname "{out}" udp dport {p} accept' for p in vpn_ports),
        f'iifname "{out}" drop',
    ]
    return fwd_rules, in_rules


def _stateless(fw: Firewall, out: str, vpn_ports: list[int]) -> tuple[list[str], list[str]]:
    """Only the port rules pass, in their direction, with no connection state."""
    fwd_rules: list[str] = []
    in_rules: list[str] = []
    for rule in fw.rules:
        for match in _rule_matches(rule):
            if rule.direction in ("both", "inbound"):
                fwd_rules.append(f'iifname "{out}" {match} accept')
            if rule.direction in ("both", "outbound"):
                fwd_rules.append(f'oifname "{out}" {match} accept')
            if rule.direction in ("both", "inbound"):
                in_rules.append(f'iifname "{out}" {match} accept')
    in_rules += [f'iifname "{out}" udp dport {p} accept' for p in vpn_ports]
    in_rules.append(f'iifname "{out}" drop')
    fwd_rules += [f'iifname "{out}" drop', f'oifname "{out}" drop']
    return fwd_rules, in_rules


# -- helpers ----------------------------------------------------------------------------------


def _vpn_name(topo: Topology, vpn: object) -> str:
    return next(n for n, v in topo.vpns.items() if v is vpn)


def _chain(name: str, header: str, rules: list[str]) -> str:
    inner = "".join(f"    {r};\n" for r in rules)
    return f"  chain {name} {{\n    {header}\n{inner}  }}"


def _describe_nat(spec: Router) -> str:
    if spec.nat is None:
        return "none"
    mapping, filtering, allocation = spec.nat.behaviour
    preset = spec.nat.is_preset
    name = f"{preset.value} = " if preset else ""
    return (
        f"{name}mapping {mapping.value}, filtering {filtering.value}, ports {allocation.value}, "
        f"hairpinning {'on' if spec.nat.hairpinning else 'off'}, udp timeout {spec.nat.udp_timeout_s}s"
    )


def wan_address(spec: Router) -> IPv4Address | None:
    return spec.interfaces[spec.outside].primary if spec.outside in spec.interfaces else None
