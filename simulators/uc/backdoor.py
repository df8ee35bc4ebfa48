"""The stub's internals, for its own self-tests and benchmarks: never for a conformance verdict.

A verdict rests on what a user, an administrator or the wire can see (phones, the UC API,
captures), so the suites may not import this module (tests/uc/test_boundaries.py). The
stub's tests and the benchmarks look behind the API with it:

    with backdoor.open_state(stub) as state: ...     # the SQLite state (state/), closed after
    await backdoor.core(stub, "status")              # a call core control op (callcore/main.py)
    await backdoor.server(stub, "registrations")     # a uc-server control op (server.py)
    backdoor.kamailio_rpc(stub).registrations()      # Kamailio's RPC (edge/kamailio.py)
"""

from __future__ import annotations

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
