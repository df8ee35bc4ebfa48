"""Splitting a run over shards: `--shard K/N`, the split itself and what balances it.

Pure logic, no I/O but reading a durations file. Every shard computes the same split from
the same inputs (the selection in collection order, N, the durations), so shards on
different machines need no coordinator: they agree as long as they get the same commit,
arguments and durations file, which each shard records and `uclab report merge` checks.

The split is by test file (pytest's loadfile unit: a module's lab fixtures stay in one
process) or by matrix cell. Each item weighs its recorded seconds; an item without a record
weighs the median of the recorded ones (1 when none is recorded: a split by count). Items
go heaviest first to the least-loaded shard (longest-processing-time first), ties broken by
name and shard number, so the split is deterministic.
"""

from __future__ import annotations

import argparse
import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

from reports.runinfo import DURATIONS, Durations, Shard, read_durations

SHARD_RE = re.compile(r"(\d+)/(\d+)")


def parse_shard(text: str) -> Shard:
    """`K/N` with whole numbers 1 <= K <= N, e.g. `2/4`."""
    m = SHARD_RE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not K/N: use whole numbers with 1 <= K <= N, e.g. 1/2 or 3/4")
    k, n = int(m[1]), int(m[2])
    if n < 1:
        raise ValueError(f"{text!r}: N must be at least 1, e.g. 1/2 or 3/4")
    if not 1 <= k <= n:
        allowed = ", ".join(f"{i}/{n}" for i in range(1, n + 1)) if n <= 8 else f"1/{n}, 2/{n}, ... {n}/{n}"
        raise ValueError(f"{text!r}: K must be between 1 and N: {allowed}")
    return Shard(index=k, total=n)


def shard_arg(text: str) -> Shard:
    """argparse type for --shard: a bad value is a usage error naming the allowed forms."""
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def count_arg(text: str) -> int:
    """argparse type for --shards N: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of shards: use a whole number >= 1, e.g. 2")
    return int(text)


def split(items: Sequence[str], total: int, durations: Mapping[str, float]) -> list[list[str]]:
    """`items` in `total` parts of about equal recorded seconds; each part keeps the items'
    order. The same inputs give the same parts on every machine."""
    known = [durations[i] for i in items if i in durations]
    default = statistics.median(known) if known else 1.0
    weight = {i: max(0.0, float(durations.get(i, default))) for i in items}
    loads = [0.0] * total
    owner: dict[str, int] = {}
    for item in sorted(items, key=lambda i: (-weight[i], i)):
        k = min(range(total), key=lambda s: (loads[s], s))
        owner[item] = k
        loads[k] += weight[item]
    return [[i for i in items if owner[i] == k] for k in range(total)]


def find_durations(explicit: Path | None, runs: Path, want: str) -> tuple[Durations, str | None]:
    """The durations to balance by: the file (or run directory) given, else those of the
    newest run under `runs` that recorded some `want` ("files" or "cells"), else none (equal
    weights); and where they came from."""
    if explicit is not None:
        return read_durations(explicit), str(explicit)
    files = sorted(runs.glob(f"*/{DURATIONS}"), key=lambda f: f.stat().st_mtime, reverse=True) if runs.is_dir() else []
    for file in files:
        try:
            durations = read_durations(file)
        except ValueError:
            continue  # an unreadable old record only means no balance from it
        if getattr(durations, want):
            return durations, str(file)
    return Durations(), None
