"""A user's network interface attached to a segment of a lab, and given back.

An external host (`model.External`) is a system the lab does not run: a VM or an appliance
reached through a network interface of this machine (the VM's tap, or one end of a veth).
For the run's life that interface is the host's switch port: moved into the run's switch
namespace under the port's name and ifindex (`p<k>`, 1000 + k: the switch's numbering holds)
and enslaved to its segment's bridge. It is given back to the namespace the orchestrator
started in, under its own name and ifindex, in its own up/down state and with its own alias,
*before* the switch namespace is deleted: a veth or a tap would be destroyed with it.

Nothing else of the host is changed. To refuse what must not be attached, the host's links,
addresses and default routes are read (never written):

    no such interface             a typo, or the VM is not running
    held by another run           one system, one lab at a time (`uclab clean` frees a dead run's)
    carries the default route     the machine's own uplink, never a system under test
    carries the host's addresses  the machine's own network (an IPv6 link-local address is not one)
    is a port of a bridge or bond the host's bridge would lose it; release it first

The attachment is recorded in the run's meta.json (`external`) before the interface moves,
so `uclab clean` and the reaper give it back after a crash (`give_back`, from runs.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

from . import netns
from .errors import LabError

RT_SCOPE_LINK = 253
META_KEY = "external"
"""the run's meta.json key listing its attached interfaces"""


class ExternalInterfaceError(LabError):
    """The interface named for an external system cannot be attached (bad input: exit 2)."""


@dataclass(frozen=True)
class Attachment:
    """One interface of this machine lent to a run: where it came from and where it is."""

    host: str
    """the external host of the topology"""
    ifname: str
    """the host's interface name in the topology"""
    interface: str
    """its name on this machine"""
    index: int
    up: bool
    alias: str
    port: str
    """its name in the switch namespace while attached"""
    port_index: int
    returned: bool = False

    def record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: Any) -> Attachment | None:
        """The attachment a meta.json entry describes, or None for an entry that is not one."""
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except (TypeError, KeyError):
            return None


@contextlib.contextmanager
def _host_netlink() -> Iterator[IPRoute]:
    """A netlink socket in the host's namespace, used (and closed) inside the block."""
    with netns.at_home():
        ipr = IPRoute()
        try:
            yield ipr
        finally:
            ipr.close()


@contextlib.contextmanager
def _netlink_in(ns: str) -> Iterator[IPRoute]:
    with netns.entered(ns):
        ipr = IPRoute()
        try:
            yield ipr
        finally:
            ipr.close()


# -- what may be attached ---------------------------------------------------------------------


def _default_route_links(ipr: IPRoute) -> set[int]:
    """Ifindexes that carry a default route of the host (IPv4 or IPv6, any table)."""
    found: set[int] = set()
    for family in (socket.AF_INET, socket.AF_INET6):
        for route in ipr.get_routes(family=family):  # every table
            if route["dst_len"] != 0:
                continue
            oif = route.get_attr("RTA_OIF")
            if oif:
                found.add(int(oif))
            for hop in route.get_attr("RTA_MULTIPATH") or []:
                found.add(int(hop["oif"]))
    return found


def _host_addresses(ipr: IPRoute, index: int) -> list[str]:
    """The host's addresses on a link; an IPv6 link-local address is the link's own, not one."""
    out = []
    for addr in ipr.get_addr(index=index):
        if addr["family"] == socket.AF_INET6 and addr["scope"] == RT_SCOPE_LINK:
            continue
        out.append(f"{addr.get_attr('IFA_ADDRESS')}/{addr['prefixlen']}")
    return out


def inspect(host: str, name: str) -> Attachment:
    """What the host's namespace has under `name`, or ExternalInterfaceError saying why it may not be attached.

    The returned attachment has no port yet (`port` empty); `for_port` completes it."""
    with _host_netlink() as ipr:
        found = ipr.link_lookup(ifname=name)
        if not found:
            raise ExternalInterfaceError(
                f"external system {host}: there is no network interface {name!r} on this machine; "
                "name the interface the system is reached through (`ip link` lists them)"
            )
        index = int(found[0])
        link = ipr.link("get", index=index)[0]
        if index in _default_route_links(ipr):
            raise ExternalInterfaceError(
                f"external system {host}: {name} carries this machine's default route; the lab attaches "
                "only the interface of a system under test (its VM's tap or veth), never the machine's own uplink"
            )
        addresses = _host_addresses(ipr, index)
        if addresses:
            raise ExternalInterfaceError(
                f"external system {host}: {name} carries this machine's addresses ({', '.join(addresses)}); "
                "the lab attaches only an interface without addresses of this machine (the system has its own)"
            )
        master = link.get_attr("IFLA_MASTER")
        if master:
            owner = ipr.link("get", index=int(master))[0].get_attr("IFLA_IFNAME")
            raise ExternalInterfaceError(
                f"external system {host}: {name} is a port of {owner} on this machine; release it first "
                f"(ip link set {name} nomaster): the lab attaches it alone"
            )
        return Attachment(
            host=host,
            ifname="",
            interface=name,
            index=index,
            up=bool(link["flags"] & 1),
            alias=str(link.get_attr("IFLA_IFALIAS") or ""),
            port="",
            port_index=0,
        )


def held_message(host: str, name: str, run_id: str, alive: bool) -> str:
    """Why an interface another run holds cannot be attached, and what to do."""
    if alive:
        return (
            f"external system {host}: interface {name} is attached to run {run_id}, which is live; "
            f"bring that lab down first (uclab down {run_id})"
        )
    return f"external system {host}: interface {name} is still held by run {run_id}, which died; `uclab clean` gives it back"


# -- attach and give back ---------------------------------------------------------------------


def attach(att: Attachment, switch: str, bridge: int, alias: str) -> None:
    """Move the interface into the switch namespace as its port and plug it into `bridge`."""
    fd = os.open(netns.path(switch), os.O_RDONLY)
    try:
        with _host_netlink() as ipr:
            ipr.link("set", index=att.index, net_ns_fd=fd, ifname=att.port, new_ifindex=att.port_index)
    except NetlinkError as exc:
        raise ExternalInterfaceError(
            f"external system {att.host}: {att.interface} could not be moved into the lab ({exc.args[-1]}); "
            "attach a tap or veth (a bridge, a loopback or a physical uplink cannot be lent)"
        ) from None
    finally:
        os.close(fd)
    with _netlink_in(switch) as ipr:
        ipr.link("set", index=att.port_index, master=bridge, state="up", ifalias=alias)


def give_back(att: Attachment, switch: str) -> str:
    """Return the interface to the host's namespace as it was; a sentence saying what happened."""
    if not netns.exists(switch):
        return f"{att.interface}: the switch namespace {switch} is gone; nothing to give back"
    with _netlink_in(switch) as ipr:
        try:
            ipr.link("get", index=att.port_index)
        except NetlinkError:
            return f"{att.interface}: not in {switch} (never moved there, or already back)"
        ipr.link("set", index=att.port_index, master=0, state="down", ifalias=att.alias or "")
        name = _move_home(ipr, att)
    with _host_netlink() as host:
        found = host.link_lookup(ifname=name)
        if found and att.up:
            host.link("set", index=int(found[0]), state="up")
    renamed = f" as {name} ({att.interface} was taken meanwhile)" if name != att.interface else ""
    return f"{att.interface}: given back to the host{renamed}, {'up' if att.up else 'down'}"


def _move_home(ipr: IPRoute, att: Attachment) -> str:
    """Move the port to the host's namespace under its own name (and ifindex when still free)."""
    home = netns.home_fd()
    attempts: list[dict[str, Any]] = [
        {"ifname": att.interface, "new_ifindex": att.index},
        {"ifname": att.interface},
        {"ifname": f"uclab{att.port_index}"},
    ]
    for kw in attempts:
        try:
            ipr.link("set", index=att.port_index, net_ns_fd=home, **kw)
            return str(kw["ifname"])
        except NetlinkError as exc:
            last = exc
    raise LabError(f"{att.interface} could not be given back to the host: {last}")
