"""Capture points: a pcap per interface, recorded by tcpdump inside the interface's host.

`start` returns once tcpdump reports it is listening, so no packet sent afterwards is
missed; `stop` flushes and closes the file. Files go to `<run>/pcap/<host>-<if>.pcap`.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .process import LabProcess, spawn

if TYPE_CHECKING:
    from .network import Network


@dataclass
class Capture:
    host: str
    ifname: str
    path: Path
    proc: LabProcess

    def stop(self) -> Path:
        self.proc.stop(sig=signal.SIGINT, timeout=2.0)
        return self.path

    @property
    def running(self) -> bool:
        return self.proc.alive()


def start(net: Network, host: str, ifname: str, bpf: str | None = None, tag: str | None = None) -> Capture:
    net.ifindex(host, ifname)  # clear error for an unknown interface
    stem = f"{host}-{ifname}" + (f"-{tag}" if tag else "")
    path = net.run.path("pcap", f"{stem}.pcap")
    n = 1
    while path.exists():
        n += 1
        path = net.run.path("pcap", f"{stem}.{n}.pcap")
    argv = ["tcpdump", "-i", ifname, "-w", str(path), "-U", "-n", "-s", "0", "-Z", "root", "--immediate-mode"]
    if bpf:
        argv.append(bpf)
    proc = spawn(
        net.ns(host),
        argv,
        name=f"tcpdump-{stem}",
        host=host,
        log=net.run.path("logs", f"{host}.tcpdump-{ifname}.log"),
        watch=True,
    )
    proc.wait_for(r"listening on", timeout=5.0)
    return Capture(host, ifname, path, proc)
