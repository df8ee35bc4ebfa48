"""The UC API's one way to the call core, with one answer for "the call core does not answer".

Routes that act on calls ask the call core over its control socket (control.py; the stub
gives its path in ApiSettings.core_socket, by default `core.sock` next to the state file)
through `access.call_core()` (`connector`): Conference Management's
disconnect, remove, end and delete (`conference_cut`), the Conference button
(`phone_calls`, `phone_join`) and CallMe outbound (`originate`). Whatever keeps the call
core from answering (no socket: a stub started without a call core, or not up yet; a
refused connection: its process is gone; no answer within the timeout; the connection
closed mid-request) is one refusal:

    503 call_core_unreachable   "The call core did not answer; try again."

A route opens the connection before it changes the state, so when the call core cannot be
reached nothing has changed. A call core that answers with an error (reached, but it could
not carry the request out, e.g. one of its workers is gone) is 503 `call_core_failed`
with its words. The reason a connection failed is logged, not shown to the user.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from ..control import CORE_SOCKET, ControlClient, ControlError, ControlRefused
from ..state.core import State
from .errors import ApiError

log = logging.getLogger("uclab.uc.api")

UNREACHABLE = "The call core did not answer; try again."
"""the message of 503 call_core_unreachable"""
CONNECT_TIMEOUT_S = 2.0
REQUEST_TIMEOUT_S = 5.0


def core_socket(state: State) -> Path:
    """The call core's control socket of the stub whose state this is."""
    return Path(state.path).parent / CORE_SOCKET


def unreachable(reason: object) -> ApiError:
    log.warning("call core unreachable: %s", reason)
    return ApiError(503, "call_core_unreachable", UNREACHABLE)


class CallCore:
    """An open connection to the call core; `request` refuses as the module docstring says."""

    def __init__(self, client: ControlClient) -> None:
        self._client = client

    async def request(self, op: str, timeout: float | None = None, **params: Any) -> Any:
        try:
            return await self._client.request(op, timeout or REQUEST_TIMEOUT_S, **params)
        except ControlRefused as exc:
            raise ApiError(503, "call_core_failed", f"The call core could not do this: {exc.error}.") from None
        except (ControlError, OSError, ValueError) as exc:  # ValueError: a garbled answer
            raise unreachable(exc) from None


Connector = Callable[[], contextlib.AbstractAsyncContextManager[CallCore]]
"""opens a connection to the call core (`async with connect() as core`)"""


def connector(state: State, socket: Path | None = None) -> Connector:
    """How routes reach the call core: at `socket`, or (None) next to `state`'s file."""
    return lambda: call_core(socket or core_socket(state))


@contextlib.asynccontextmanager
async def call_core(path: Path) -> AsyncIterator[CallCore]:
    """The call core at `path`, connected (503 call_core_unreachable if it cannot be)."""
    try:
        client = await ControlClient.connect(path, timeout=CONNECT_TIMEOUT_S)
    except ControlError as exc:
        raise unreachable(exc) from None
    try:
        yield CallCore(client)
    finally:
        await client.close()
