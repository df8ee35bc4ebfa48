"""`uclab matrix`: the support matrix, measured cell by cell and set against the documents.

    uclab matrix [--jobs 2] [--only SUBSTRING ...] [--out DIR] [--shard K/N] [--durations PATH]

Each job is a worker process (`python -m uclab.matrix_sweep worker`) with its own matrix lab
(topologies/matrix.yaml), the stub and an office desk phone; it measures its share of the
cells (suites/network/matrix_cells.py) and prints one JSON line per cell. The parent shows
progress, then writes

    <out>/matrix.json    every cell: dimensions, documented expectation with rule IDs and
                         reasons, measured outcome, disagreements, documented outcomes the lab
                         did not reproduce (with the oracle's reason)
    <out>/matrix.md      the readable table, disagreements first
    <out>/matrix.html    the same table for a browser
    <out>/run.json       the run record (reports/runinfo.py): source, shard, every cell, the split
    <out>/durations.json seconds per cell, what the next sharded sweep balances by

With `--shard K/N` it measures part K of the selected cells (uclab/shards.py); `uclab report
merge` makes one matrix of the N directories. It exits 1 when any cell's measurement
contradicts the documents (or could not be made), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reports.matrix import empty_report, summarise, write
from reports.matrix import headline as matrix_headline
from reports.runinfo import Plan, RecordError, RunRecord, Selection, Shard, write_durations, write_record
from simulators.parent_death import die_with_parent

from .rundir import RUNS, UsageError, prepare_out, source_state, uclab_version
from .shards import find_durations, shard_arg, split

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT_S = 60.0


# -- worker --------------------------------------------------------------------------------


async def _work(ids: list[str]) -> None:
    from simulators.lab import Lab
    from suites.network.matrix_cells import MatrixBench
    from suites.network.matrix_spec import cells

    wanted = [c for c in cells() if c.id in set(ids)]
    lab = await asyncio.to_thread(lambda: Lab(ROOT / "topologies" / "matrix.yaml").up())
    bench = None
    try:
        bench = await MatrixBench.start(lab)
        print(json.dumps({"ready": lab.run_id, "evidence": str(lab.dir)}), flush=True)
        for cell in wanted:
            line: dict[str, Any] = {"cell": cell.id, "evidence": str(lab.dir)}
            t0 = time.monotonic()
            try:
                line["measured"] = (await asyncio.wait_for(bench.measure(cell), CELL_TIMEOUT_S)).as_dict()
            except Exception as exc:  # one cell's failure is that cell's result, not the sweep's end
                line["error"] = f"{type(exc).__name__}: {exc}"
            line["seconds"] = round(time.monotonic() - t0, 2)
            print(json.dumps(line), flush=True)
    finally:
        if bench is not None:
            await bench.close()
        from simulators.netcheck import write_sip_ladder

        write_sip_ladder(lab)
        await asyncio.to_thread(lab.down)
        from reports.evidence import page

        page.write(lab.dir, title=f"support matrix lab {lab.run_id}: {len(wanted)} cells")


# -- sweep ---------------------------------------------------------------------------------


def select(only: list[str]) -> list[Any]:
    """The cells whose id contains all '+'-joined parts of one of `only` (every cell when
    empty); a UsageError when none does."""
    from suites.network.matrix_spec import cells

    chosen = [c for c in cells() if not only or any(all(p in c.id for p in o.split("+")) for o in only)]
    if not chosen:
        raise UsageError(
            f"no cell matches {' or '.join(only)}; cell ids look like {cells()[0].id} (uclab matrix --list)"
        )
    return chosen


def sweep(chosen: list[Any], jobs: int, out: Path) -> dict[str, Any]:
    """Measure `chosen` cells in `jobs` worker labs; the report matrix.json records."""
    from suites.network.matrix_cells import compare, unreproduced
    from suites.network.matrix_spec import expect

    jobs = max(1, min(jobs, len(chosen)))
    shares = [[c.id for c in chosen[i::jobs]] for i in range(jobs)]  # interleaved: mixed work per job
    t0 = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "uclab.matrix_sweep", "worker", *share],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=open(out / f"worker{i}.log", "w"),  # closed with the process
            text=True,
            preexec_fn=lambda: die_with_parent(signal.SIGTERM),
        )
        for i, share in enumerate(shares)
    ]
    results: dict[str, dict[str, Any]] = {}
    evidence: list[str] = []
    by_id = {c.id: c for c in chosen}
    print(f"uclab matrix: {len(chosen)} cells in {jobs} labs; report in {out}", file=sys.stderr, flush=True)
    try:
        for line in _merged_lines(procs):
            msg = json.loads(line)
            if "evidence" in msg and "cell" not in msg:
                evidence.append(msg["evidence"])
            if "cell" not in msg:
                continue
            cell = by_id[msg["cell"]]
            exp = expect(cell)
            entry: dict[str, Any] = {
                "id": cell.id,
                "cell": asdict(cell),
                "expected": asdict(exp),
                "seconds": msg.get("seconds"),
                "evidence": msg.get("evidence"),
            }
            if "error" in msg:
                entry["measured"] = None
                entry["disagreements"] = [f"not measured: {msg['error']}"]
            else:
                from suites.network.matrix_cells import Measured

                measured = Measured(**msg["measured"])
                entry["measured"] = msg["measured"]
                entry["disagreements"] = compare(exp, measured)
                entry["not_reproduced"] = unreproduced(exp, measured)
            results[cell.id] = entry
            mark = "ok" if not entry["disagreements"] else "DISAGREES: " + "; ".join(entry["disagreements"])
            if entry.get("not_reproduced") and not entry["disagreements"]:
                mark = "documented, not reproduced: " + "; ".join(entry["not_reproduced"])
            print(f"[{len(results):>3}/{len(chosen)}] {cell.id}: {mark}", file=sys.stderr, flush=True)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
            p.wait()
    missing = [c.id for c in chosen if c.id not in results]
    for cid in missing:
        cell = by_id[cid]
        results[cid] = {
            "id": cid,
            "cell": asdict(cell),
            "expected": asdict(expect(cell)),
            "measured": None,
            "disagreements": [f"not measured: its worker ended early (see {out}/worker*.log)"],
        }
    ordered = [results[c.id] for c in chosen]
    report = {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.monotonic() - t0, 1),
        "jobs": jobs,
        "evidence": evidence,
        "cells": ordered,
        "summary": summarise(ordered),
    }
    return report


def _merged_lines(procs: list[subprocess.Popen[str]]) -> Any:
    """Lines of all workers' stdout as they come."""
    import selectors

    sel = selectors.DefaultSelector()
    for p in procs:
        assert p.stdout is not None
        os.set_blocking(p.stdout.fileno(), True)
        sel.register(p.stdout, selectors.EVENT_READ)
    open_streams = len(procs)
    while open_streams:
        for key, _ in sel.select():
            line = key.fileobj.readline()  # type: ignore[union-attr]
            if not line:
                sel.unregister(key.fileobj)
                open_streams -= 1
            elif line.startswith("{"):
                yield line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="uclab matrix", description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="labs in parallel")
    parser.add_argument("--only", nargs="*", default=[], help="cells whose id contains all '+'-joined parts")
    parser.add_argument("--out", type=Path, default=None, help="report directory (default reports/runs/matrix-<time>)")
    parser.add_argument("--list", action="store_true", help="print the cell ids and exit")
    parser.add_argument("--shard", type=shard_arg, default=None, metavar="K/N", help="measure part K of N of the cells")
    parser.add_argument(
        "--durations", type=Path, default=None, metavar="PATH", help="balance --shard by this run's durations.json"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    shard = args.shard or Shard(index=1, total=1)
    try:
        chosen = select(args.only)
        if args.list:
            for cell in chosen:
                print(cell.id)
            return 0
        if args.durations is not None and not args.durations.exists():
            raise UsageError(f"--durations {args.durations}: no such file or directory")
        durations, durations_from = find_durations(args.durations, RUNS, "cells")
        out = prepare_out(args.out, "matrix")
    except (UsageError, RecordError) as exc:
        print(f"uclab matrix: {exc}", file=sys.stderr)
        return 2
    ids = [c.id for c in chosen]
    parts = split(ids, shard.total, durations.cells)
    record = RunRecord(
        kind="matrix",
        uclab_version=uclab_version(),
        source=source_state(),
        shard=shard,
        selection=Selection(items=ids, args=list(args.only)),
        plan=Plan(parts=parts, durations_from=durations_from),
        started=time.time(),
    )
    write_record(out, record)
    mine = set(record.mine)
    report = sweep([c for c in chosen if c.id in mine], args.jobs, out) if mine else empty_report()
    report["shard"] = str(shard)
    write(report, out)
    write_durations(out)
    s = report["summary"]
    code = 1 if s["disagree"] else 0
    write_record(
        out,
        record.model_copy(
            update={"finished": time.time(), "timings": {"total": report["seconds"]}, "exit_codes": {"matrix": code}}
        ),
    )
    part = f" (shard {shard}: {len(mine)} of {len(ids)} cells)" if shard.total > 1 else ""
    print(f"{matrix_headline(s)} in {report['seconds']} s{part}")
    print(f"report: {out}/matrix.md  (html: {out}/matrix.html, data: {out}/matrix.json)")
    return code


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        asyncio.run(_work(sys.argv[2:]))
    else:
        sys.exit(main())
