"""The lab's DNS server (dnsmasq in a lab host) for the office router's public name (004:219,
004:246), and the clients that resolve through it, never through the machine's resolver."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from simulators.lab import Lab
from simulators.net import dns
from simulators.net.builder import TopologyBuilder
from simulators.net.errors import LabError
from simulators.phone.ucapi import UcApi, UcApiUnreachable

NAME = "pbx.huber.example"


def test_argv_answers_only_its_records_and_reads_nothing_of_the_host() -> None:
    from ipaddress import IPv4Address
    from pathlib import Path

    argv = dns.argv([IPv4Address("192.0.2.53")], {NAME: "198.51.100.120"}, Path("/run/x.pid"))
    for flag in (
        "--no-resolv",
        "--no-hosts",
        "--conf-file=/dev/null",
        "--bind-interfaces",
        "--listen-address=192.0.2.53",
    ):
        assert flag in argv
    assert f"--address=/{NAME}/198.51.100.120" in argv
    with pytest.raises(LabError, match="is not a host name"):
        dns.argv([IPv4Address("192.0.2.53")], {"not a name": "198.51.100.120"}, Path("/run/x.pid"))


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    topo = (
        TopologyBuilder("dns_lab")
        .segment("pub", "192.0.2.0/24")
        .host(
            "dns",
            eth0=("pub", "192.0.2.53"),
            services=[{"kind": "dns", "options": {"records": {NAME: "198.51.100.120"}}}],
        )
        .host("pc", eth0=("pub", "192.0.2.50"))
        .build()
    )
    with Lab(topo) as running:
        yield running


def test_a_lab_host_resolves_the_name_and_nothing_else(lab: Lab) -> None:
    sock = lab.socket("pc")
    try:
        assert dns.resolve(sock, "192.0.2.53", NAME) == "198.51.100.120"
        with pytest.raises(dns.DnsError, match=r"answered REFUSED for example\.com"):
            dns.resolve(sock, "192.0.2.53", "example.com")
    finally:
        sock.close()
    log = (lab.dir / "logs" / "dns.dns.log").read_text()
    assert f"query[A] {NAME} from 192.0.2.50" in log


async def test_a_uc_client_in_a_lab_host_never_asks_the_machines_resolver(lab: Lab) -> None:
    api = UcApi(
        f"https://{NAME}:8802", verify=False, timeout=1.0, socket_factory=lambda: lab.socket("pc", socket.SOCK_STREAM)
    )
    with pytest.raises(UcApiUnreachable, match="resolves names only through a lab DNS server"):
        await api.system()
    await api.aclose()
