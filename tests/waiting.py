"""Waiting for what a test can only observe after the fact: a process's log line, a link gone."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], timeout: float) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass; its last answer decides."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())
