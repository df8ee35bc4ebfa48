"""A DNS server inside the lab (Debian's dnsmasq), and a client that asks it from a lab host.

004:219 says the office router is reached "either via the public IP address ... or via a DNS
name", and the client connects to "the public IP address or DNS of the office internet
router" (004:246). The lab serves such names from a host of its own:

    services: [{kind: dns, options: {records: {pbx.huber.example: 198.51.100.120}}}]

dnsmasq answers only the names it is given (authoritative `--address` records) on the host's
addresses; it reads no /etc/resolv.conf, /etc/hosts or configuration file and forwards
nothing, so no query ever reaches the machine's own resolver. Readiness is proven with a real
query for every record, sent from inside the host.

`resolve(sock, server, name)` asks one server for an A record over a socket the caller opened
(inside a lab host: `lab.socket(host)`), so the query is that host's traffic.
"""

from __future__ import annotations

import re
import socket
from ipaddress import IPv4Address
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from .errors import LabError
from .probe import open_socket
from .process import LabProcess, spawn

DNS_PORT = 53
NAME_RE = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


class DnsError(LabError):
    """A name did not resolve; the message says what the server answered."""


def argv(addresses: list[IPv4Address], records: dict[str, str], pid_file: Path, port: int = DNS_PORT) -> list[str]:
    """dnsmasq as an authoritative-only server for `records` on `addresses`."""
    out = [
        "dnsmasq",
        "--keep-in-foreground",
        "--log-facility=-",
        "--log-queries",
        "--conf-file=/dev/null",  # not /etc/dnsmasq.conf
        "--no-resolv",  # no upstream servers from /etc/resolv.conf
        "--no-poll",
        "--no-hosts",  # not /etc/hosts
        "--bind-interfaces",
        "--no-dhcp-interface=*",
        "--user=root",
        f"--pid-file={pid_file}",
        f"--port={port}",
    ]
    out += [f"--listen-address={a}" for a in addresses]
    for name, address in sorted(records.items()):
        if not NAME_RE.match(name):
            raise LabError(f"DNS record {name!r} is not a host name such as pbx.example.com")
        IPv4Address(address)
        out.append(f"--address=/{name}/{address}")
    return out


def resolve(sock: socket.socket, server: str, name: str, timeout: float = 2.0, port: int = DNS_PORT) -> str:
    """The A record of `name` as `server` answers it, asked through `sock` (a UDP socket)."""
    query = dns.message.make_query(name, dns.rdatatype.A)
    try:
        answer = dns.query.udp(query, server, timeout=timeout, port=port, sock=sock)
    except dns.exception.Timeout:
        raise DnsError(f"no answer from the DNS server {server} for {name} within {timeout} s") from None
    if answer.rcode() != dns.rcode.NOERROR:
        raise DnsError(f"the DNS server {server} answered {dns.rcode.to_text(answer.rcode())} for {name}")
    for rrset in answer.answer:
        for item in rrset:
            if item.rdtype == dns.rdatatype.A:
                return str(item.address)
    raise DnsError(f"the DNS server {server} has no address for {name}")


def start(
    ns: str, host: str, addresses: list[IPv4Address], records: dict[str, str], run_dir: Path, port: int = DNS_PORT
) -> LabProcess:
    if not addresses:
        raise LabError(f"the DNS server on {host} needs at least one address")
    pid = run_dir / f"{host}.dns.pid"
    proc = spawn(
        ns,
        argv(addresses, records, pid, port),
        name="dnsmasq",
        host=host,
        log=run_dir / "logs" / f"{host}.dns.log",
        watch=True,
    )
    proc.wait_for(r"started, version", timeout=10.0)
    for name, address in records.items():
        sock = open_socket(ns, socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((str(addresses[0]), 0))
            got = resolve(sock, str(addresses[0]), name, port=port)
        except DnsError as exc:
            proc.stop()
            raise LabError(f"dnsmasq on {host} does not answer: {exc}; see {proc.log}") from None
        finally:
            sock.close()
        if got != address:
            proc.stop()
            raise LabError(f"dnsmasq on {host} answers {got} for {name}, expected {address}; see {proc.log}")
    return proc
