"""One long-lived thread for lab operations called from inside an asyncio loop.

pyroute2's synchronous API runs its own event loop, which fails inside a thread whose loop
is already running (an `async def` test). And processes the lab starts carry
PR_SET_PDEATHSIG, which fires when the *thread* that forked them ends. Both are solved by
running such calls on a daemon thread that lives as long as the process: `on_lab_thread`
runs the function directly when the caller has no running loop (the common, fast path)
and otherwise on that thread, blocking the caller until it is done.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def _serve() -> None:
    while True:
        fn, fut = _jobs.get()
        if not fut.set_running_or_notify_cancel():
            continue
        try:
            fut.set_result(fn())
        except BaseException as exc:  # handed to the caller
            fut.set_exception(exc)


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_serve, name="uclab-lab", daemon=True)
            _thread.start()


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run(fn: Callable[[], R]) -> R:
    """Run `fn` here, or on the lab thread when this thread runs an asyncio loop."""
    if threading.current_thread() is _thread or not _in_running_loop():
        return fn()
    _ensure_thread()
    fut: Future[R] = Future()
    _jobs.put((fn, fut))
    return fut.result()


def on_lab_thread(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return run(lambda: fn(*args, **kwargs))

    return wrapper
