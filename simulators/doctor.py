"""`uclab doctor`: is this host able to run the lab, and if not, what to install.

Each check either passes or names the fix. Kernel features are tried for real inside a
throw-away namespace (create it, load an nft table with a SIP helper and a ct timeout,
add an NFQUEUE rule), because a feature that is "configured" but refuses at runtime is
exactly what wastes an afternoon.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass

BINARIES = {
    "ip": "iproute2",
    "nft": "nftables",
    "iptables-nft-restore": "iptables",
    "conntrack": "conntrack",
    "tcpdump": "tcpdump",
    "tshark": "tshark",
    "ping": "iputils-ping",
    "turnserver": "coturn",
    "turnutils_natdiscovery": "coturn",
    "wireguard-go": "wireguard-go",
    "wg": "wireguard-tools",
    "dot": "graphviz",
    "kamailio": "kamailio",
    "sipp": "sip-tester",
    "baresip": "baresip",
    "dnsmasq": "dnsmasq-base",
}
PY_MODULES = {
    "pyroute2": "pyroute2",
    "pydantic": "pydantic",
    "yaml": "pyyaml",
    "netfilterqueue": "netfilterqueue (needs libnetfilter-queue-dev to build)",
    "scapy": "scapy",
    "cryptography": "cryptography",
    "allure_pytest": "allure-pytest",
    "pjsua2": "pjsua2-python==2.15.1",
    "dns": "dnspython",
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    fix: str = ""


def _capabilities_ok() -> Check:
    if os.geteuid() == 0:
        return Check("root or CAP_NET_ADMIN", True, "running as root")
    try:
        with open("/proc/self/status") as f:
            cap = next(int(line.split()[1], 16) for line in f if line.startswith("CapEff"))
    except (OSError, StopIteration):
        cap = 0
    has = bool(cap & (1 << 12)) and bool(cap & (1 << 21))  # NET_ADMIN, SYS_ADMIN (mounts for netns)
    return Check(
        "root or CAP_NET_ADMIN",
        has,
        "capabilities present" if has else "not root",
        "run as root (namespaces need CAP_NET_ADMIN and CAP_SYS_ADMIN)",
    )


def _kernel_checks() -> list[Check]:
    from .net import netns, nftlib, process

    name = f"ucl-doctor-{os.getpid()}"
    checks: list[Check] = []
    try:
        netns.create(name)
    except OSError as exc:
        return [Check("network namespaces", False, str(exc), "run as root on a kernel with CONFIG_NET_NS")]
    try:
        checks.append(Check("network namespaces", True, "create/delete works"))
        tries: list[tuple[str, str, str]] = [
            (
                "nftables (libnftables)",
                "table ip t { chain c { type nat hook postrouting priority srcnat; masquerade; }; }",
                "apt-get install nftables",
            ),
            (
                "conntrack SIP helper",
                'table ip h { ct helper s { type "sip" protocol udp; l3proto ip; }; }',
                "a kernel with nf_conntrack_sip / nf_nat_sip",
            ),
            (
                "conntrack timeout objects",
                "table ip o { ct timeout u { protocol udp; l3proto ip; policy = { unreplied : 30 }; }; }",
                "a kernel with CONFIG_NF_CONNTRACK_TIMEOUT",
            ),
            (
                "dynamic nft maps (cone NATs)",
                "table ip m { map x { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 30s; }; }",
                "nftables >= 1.0",
            ),
        ]
        for label, rules, fix in tries:
            try:
                nftlib.command(name, rules)
                checks.append(Check(label, True))
            except Exception as exc:
                checks.append(Check(label, False, str(exc).splitlines()[0] if str(exc) else "failed", fix))
        if shutil.which("iptables-nft"):
            result = process.run(
                name,
                ["iptables-nft", "-t", "mangle", "-A", "FORWARD", "-p", "udp", "-j", "NFQUEUE", "--queue-num", "0"],
                check=False,
            )
            checks.append(
                Check(
                    "NFQUEUE target (faulty SIP ALGs)",
                    result.returncode == 0,
                    result.stderr.strip(),
                    "a kernel with CONFIG_NETFILTER_XT_TARGET_NFQUEUE",
                )
            )
        else:
            checks.append(
                Check("NFQUEUE target (faulty SIP ALGs)", False, "iptables-nft missing", "apt-get install iptables")
            )
    finally:
        netns.delete(name)
    checks.append(
        Check(
            "/dev/net/tun (wireguard-go)",
            os.path.exists("/dev/net/tun"),
            "",
            "a kernel with CONFIG_TUN and /dev/net/tun",
        )
    )
    return checks


def run_checks() -> list[Check]:
    checks = [_capabilities_ok()]
    for binary, package in BINARIES.items():
        path = shutil.which(binary)
        checks.append(Check(f"binary {binary}", path is not None, path or "not found", f"apt-get install {package}"))
    for module, package in PY_MODULES.items():
        try:
            importlib.import_module(module)
            checks.append(Check(f"python {module}", True))
        except Exception as exc:
            checks.append(Check(f"python {module}", False, str(exc), f"pip install {package} (make setup)"))
    if checks[0].ok:
        checks += _kernel_checks()
    return checks


def report(checks: list[Check], quiet: bool = False, out: Callable[[str], None] = print) -> bool:
    ok = all(c.ok for c in checks)
    for c in checks:
        if quiet and c.ok:
            continue
        mark = "ok " if c.ok else "FAIL"
        line = f"  [{mark}] {c.name}"
        if c.detail and not c.ok:
            line += f": {c.detail}"
        if not c.ok and c.fix:
            line += f"\n         fix: {c.fix}"
        out(line)
    missing = sorted(
        {c.fix.removeprefix("apt-get install ") for c in checks if not c.ok and c.fix.startswith("apt-get")}
    )
    if missing:
        out(f"  to install everything missing: apt-get install {' '.join(missing)}   (or: make setup)")
    out("uclab doctor: ready" if ok else "uclab doctor: NOT ready")
    return ok
