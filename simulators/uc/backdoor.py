"""The stub's internals, for its own self-tests and benchmarks: never for a conformance verdict.

A verdict rests on what a user, an administrator or the wire can see (phones, the UC API,
captures), so the suites may not import this module (tests/uc/test_boundaries.py). The
stub's tests and the benchmarks look behind the API with it:

    with backdoor.open_state(stub) as state: ...     # the SQLite state (state/), closed after
    await backdoor.core(stub, "status")              # a call core control op (callcore/main.py)
    await backdoor.server(stub, "registrations")     # a uc-server control op (server.py)
    backdoor.kamailio_rpc(stub).registrations()      # Kamailio's RPC (edge/kamailio.py)
    backdoor.memory(stub)                            # {process: Resident}, its children included
    await backdoor.core_pids(stub)                   # {"worker 0": pid, ..., "mixer 0": pid, ...}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .control import ask
from .edge import kamailio
from .service import Stub
from .state.core import State


def open_state(stub: Stub) -> State:
    """The stub's SQLite state, opened in this process (close it, e.g. `with open_state(stub) as s:`)."""
    return State.open(stub.state_path, stub.config)


async def core(stub: Stub, op: str, timeout: float = 5.0, **params: Any) -> Any:
    """A call core control request: status, calls, hangup_all, set, mixers, ..."""
    return await ask(stub.core_control, op, timeout, timeout, **params)


async def server(stub: Stub, op: str, timeout: float = 5.0, **params: Any) -> Any:
    """A uc-server control request: status, connections, registrations."""
    return await ask(stub.server_control, op, timeout, timeout, **params)


def kamailio_rpc(stub: Stub) -> kamailio.Rpc:
    """Kamailio's RPC socket of the stub."""
    return kamailio.Rpc(stub.edge().rpc_socket)


def _children() -> dict[int, list[int]]:
    """Every process's children, from /proc/<pid>/stat (its 4th field is the parent)."""
    out: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()
        out.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return out


def process_tree(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """`pid` and every process descending from it (Kamailio's children, the call core's workers)."""
    children = _children() if children is None else children
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


@dataclass(frozen=True)
class Resident:
    """Memory of a process and its descendants, kB: VmRSS summed (a page shared by forked
    children counts in each of them) and PSS summed (a shared page is split between them, so
    the sum is what the group holds), over `processes` processes."""

    rss_kb: int
    pss_kb: int
    processes: int


def _rollup(pid: int) -> tuple[int, int]:
    """(Rss, Pss) kB of one process from /proc/<pid>/smaps_rollup; (0, 0) when it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


def memory(stub: Stub) -> dict[str, Resident]:
    """{process name: its memory with its descendants} for the stub's processes (kamailio,
    uc-server, uc-core with its workers and mixer nodes, coturn)."""
    children = _children()
    out = {}
    for name, proc in stub.processes.items():
        tree = [_rollup(p) for p in process_tree(proc.pid, children)]
        out[name] = Resident(sum(r for r, _ in tree), sum(p for _, p in tree), len(tree))
    return out


async def core_pids(stub: Stub) -> dict[str, int]:
    """{"worker i": pid, "mixer n": pid} of the call core's children, as they report them."""
    status = await core(stub, "status")
    out = {f"worker {w['worker']}": int(w["pid"]) for w in status["workers"] if "pid" in w}
    for node in await core(stub, "mixers"):
        if "pid" in node:
            out[f"mixer {node['node']}"] = int(node["pid"])
    return out
