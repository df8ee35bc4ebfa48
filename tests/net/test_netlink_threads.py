"""Netlink sockets of a lab stay in the lab, whichever thread uses them.

pyroute2 opens one netlink socket per thread, lazily, in the calling thread's namespace.
A lab socket used from another thread must still act on the lab's namespace, never on
the host's (this once made `roam` from an async test reach for a host interface).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from simulators.lab import Lab


def _names_seen_from_another_thread(lab: Lab, node: str) -> set[str]:
    assert lab.net is not None
    out: set[str] = set()

    def look() -> None:
        out.update(str(link.get_attr("IFLA_IFNAME")) for link in lab.net.ipr(node).get_links())  # type: ignore[union-attr]

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return out


def test_a_lab_socket_used_from_another_thread_sees_the_lab_not_the_host(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")
    assert _names_seen_from_another_thread(lab, "home_router") == {"lo", "lan", "wan"}
    host_links = set(os.listdir("/sys/class/net"))
    assert not host_links & {"lan", "wan"}


@pytest.mark.topology("roaming_internet")
async def test_roam_from_an_async_test_on_a_lab_built_outside_it(lab: Lab) -> None:
    host_addresses = open("/proc/net/fib_trie").read()
    lab.roam("home_pc", "office")
    assert lab.address("home_pc") == "192.168.1.52"
    assert lab.reachable("home_pc", "192.168.1.30")
    lab.roam("home_pc", None)
    assert lab.reachable("home_pc", "192.0.2.10")
    assert open("/proc/net/fib_trie").read() == host_addresses  # the host's addresses are untouched
