"""What every `uclab` command shares: exit codes, error printing, finding a live run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TypeAlias

from simulators.net import runs
from simulators.net.errors import LabError
from uclab.rundir import UsageError

EXIT_OK = 0
"""every check held"""
EXIT_FAILED = 1
"""a check failed"""
EXIT_USAGE = 2
"""bad input (arguments, files) or a host that cannot run the lab"""

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def fail(msg: str, code: int = EXIT_USAGE) -> int:
    """Print `uclab: msg` on stderr and return `code` (bad input unless told otherwise)."""
    print(f"uclab: {msg}", file=sys.stderr)
    return code


def check_outputs(**paths: str | Path | None) -> None:
    """Every output file given (option name -> path, None: not given) can be written once the
    work is done: not a directory, in an existing writable directory. A UsageError naming the
    option, before anything runs, instead of a traceback after minutes of work."""

    for name, given in paths.items():
        if given is None:
            continue
        path = Path(given)
        option = "--" + name.replace("_", "-")
        parent = path.resolve().parent
        if path.is_dir():
            raise UsageError(f"{option} {path}: is a directory; give a file name, e.g. {path / ('report.' + name)}")
        if not parent.is_dir():
            raise UsageError(f"{option} {path}: the directory {parent} does not exist; create it or give another path")
        if not os.access(parent, os.W_OK):
            raise UsageError(f"{option} {path}: the directory {parent} is not writable; give another path")


def find_run(run_id: str) -> Path:
    """The directory of run `run_id`, or a LabError naming the live runs."""
    path = runs.run_dir(run_id) if runs.RUN_ID_RE.match(run_id) else Path("/nonexistent")
    if not path.exists() and not (runs.RUN_ID_RE.match(run_id) and runs.lock_path(run_id).exists()):
        live = [r for r in sorted(runs.known_runs()) if runs.is_alive(r)]
        raise LabError(f"no run {run_id!r}; live runs: {', '.join(live) or 'none'}")
    return path
