"""Capture points: a pcap per interface, recorded by tcpdump inside the interface's host.

`start` returns once tcpdump reports it is listening, so no packet sent afterwards is
missed; `stop` flushes and closes the file. Files go to `<run>/pcap/<host>-<if>.pcap`.
An external host's interface is recorded at its switch port (the lab runs nothing there).
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
    ns, device = net.capture_point(host, ifname)
    stem = f"{host}-{ifname}" + (f"-{tag}" if tag else "")
    path = net.run.path("pcap", f"{stem}.pcap")
    n = 1
    while path.exists():
        n += 1
        path = net.run.path("pcap", f"{stem}.{n}.pcap")
    argv = ["tcpdump", "-i", device, "-w", str(path), "-U", "-n", "-s", "0", "-Z", "root", "--immediate-mode"]
    if bpf:
        argv.append(bpf)
    proc = spawn(
        ns,
        argv,
        name=f"tcpdump-{stem}",
        host=host,
        log=net.run.path("logs", f"{host}.tcpdump-{ifname}.log"),
        watch=True,
    )
    proc.wait_for(r"listening on", timeout=5.0)
    return Capture(host, ifname, path, proc)
