"""The last thing every forked call core process (a worker or a mixer node) runs.

`serve_until_stopped` serves the process's control ops (and `shutdown`) on its control
socket, tells the supervisor it is ready over the pipe the supervisor forked it with
(`ready ms=N`), and runs until SIGTERM, SIGINT or `shutdown`; then it stops the process's
pjsua2 runtime. worker.py (`serve_worker`) and mixer.py (`serve_node`) give it their ops.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

from ..control import Handler, serve


async def serve_until_stopped(control: Path, handlers: dict[str, Handler], rt: Any, ready_fd: int, t0: float) -> int:
    """A forked process (worker or mixer node): serve `handlers` (and `shutdown`) on its
    control socket, say ready on the pipe, run until SIGTERM/SIGINT or shutdown."""
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)

    async def shutdown(req: dict[str, Any]) -> str:
        loop.call_soon(done.set)
        return "bye"

    server = await serve(control, {**handlers, "shutdown": shutdown})
    os.write(ready_fd, f"ready ms={(time.perf_counter() - t0) * 1000:.0f}\n".encode())
    os.close(ready_fd)
    await done.wait()
    server.close()
    rt.stop()
    return 0
