"""Sharded runs on this machine: wall time of the catalogue + matrix with 1, 2, 4 shards
side by side, and the projected wall time on N machines.

    python -m benchmarks.shards [--shards 1 2 4] [--no-matrix] [--matrix-only ID ...]
                                [--out DIR] [-- PYTEST ARGS]

Each N is one `uclab run --shards N` (the N shards as processes, each with cores // N
workers, then the merge). The floor is the same run with one shard, measured in the same
invocation: side by side on this machine's cores the ratio shows what sharding costs or
saves here (2 cores bound it). The projection for N machines is the longest shard's own
time plus the merge: each machine runs one shard and the merge waits for the last one. It
is an upper bound: here each shard shared the cores with its siblings and had cores // N
workers, there it has a machine of its own. The times are those the shards recorded in
their run.json.

Without PYTEST ARGS the whole catalogue (suites/) and the whole matrix run: about a quarter
hour per N on this machine. Writes <out>/shards.json and a table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def measure(n: int, out: Path, matrix: bool, matrix_only: list[str], pytest_args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "uclab", "run", "--shards", str(n), "--out", str(out)]
    cmd += [] if matrix else ["--no-matrix"]
    cmd += [a for p in matrix_only for a in ("--matrix-only", p)]
    t0 = time.monotonic()
    done = subprocess.run([*cmd, "--", *pytest_args], cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - t0
    record = json.loads((out / "run.json").read_text()) if (out / "run.json").exists() else {}
    timings = record.get("timings", {})
    shards = [float(v) for k, v in timings.items() if k.startswith("shard ")]
    headline = next((line for line in done.stdout.splitlines() if line.startswith("uclab run ")), done.stderr[-300:])
    return {
        "shards": n,
        "exit": done.returncode,
        "wall_s": round(wall, 1),
        "shard_s": shards,
        "merge_s": timings.get("merge"),
        "projected_s": round(max(shards, default=0.0) + float(timings.get("merge", 0.0)), 1),
        "headline": headline,
        "out": str(out),
    }


def table(rows: list[dict[str, Any]]) -> str:
    floor = rows[0]["wall_s"] if rows and rows[0]["shards"] == 1 else None
    lines = ["| shards | wall here (s) | ratio to 1 shard | shards' own times (s) | merge (s) | on N machines (s) | exit |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        ratio = f"{r['wall_s'] / floor:.2f}" if floor else "-"
        shard_times = ", ".join(f"{s:.0f}" for s in r["shard_s"])
        lines.append(
            f"| {r['shards']} | {r['wall_s']:.0f} | {ratio} | {shard_times} | {r['merge_s']} | {r['projected_s']:.0f} "
            f"| {r['exit']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.shards", description=__doc__.split("\n")[0])
    p.add_argument("--shards", type=int, nargs="+", default=[1, 2, 4], help="shard counts, 1 first for the floor")
    p.add_argument("--no-matrix", action="store_true")
    p.add_argument("--matrix-only", action="append", default=[], metavar="PATTERN")
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "runs" / time.strftime("bench-shards-%Y%m%d-%H%M%S"))
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if any(n < 1 for n in args.shards):
        p.error("--shards: every count must be at least 1")
    pytest_args = [a for a in args.pytest_args if a != "--"]
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.shards:
        print(f"[shards] {n} shard(s) ...", file=sys.stderr, flush=True)
        rows.append(measure(n, args.out / f"n{n}", not args.no_matrix, args.matrix_only, pytest_args))
        print(f"[shards] {n}: {rows[-1]['wall_s']} s; {rows[-1]['headline']}", file=sys.stderr, flush=True)
    (args.out / "shards.json").write_text(json.dumps({"pytest_args": pytest_args, "rows": rows}, indent=1) + "\n")
    print(table(rows))
    print(f"data: {args.out / 'shards.json'}")
    return 0 if all(r["exit"] in (0, 1) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
