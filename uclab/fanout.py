"""`uclab run --shards N [--containers]`: every shard of a run side by side on this machine,
then one merged report.

    <out>/shard-K/               shard K's run directory (`uclab run --shard K/N`)
    <out>/shard-K.log            what shard K printed
    <out>/split-durations.json   the durations every shard balanced the split by
    <out>/...                    the merged report (`uclab report merge`)

The shards are processes of this checkout, or containers of the uclab image
(uclab/containers.py) with <out> mounted at /results. The durations are chosen once, here,
and handed to every shard, so all of them compute the same split. The cores are shared:
each shard gets `cores // N` pytest workers and matrix labs (at least one) unless
--workers says otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from reports.merge import MergeError, check_set, merge
from simulators.parent_death import die_with_parent

from . import conformance
from .rundir import RUNS
from .shards import find_durations

CONTAINER_RESULTS = Path("/results")
SPLIT_DURATIONS = "split-durations.json"


@dataclass(frozen=True)
class FanOut:
    prepared: conformance.Prepared
    total: int
    image: str | None
    workers: int


def prepare(request: conformance.RunRequest, total: int, image: str | None, workers: int | None) -> FanOut:
    """Check the inputs (and, for containers, the engine and image), then make the run
    directory and write the durations every shard will use."""
    conformance.check_request(request)
    if image is not None:
        from . import containers

        containers.check_image(containers.client(), image)
    durations, durations_from = find_durations(request.durations, RUNS, "files")
    prepared = conformance.prepare(request)
    (prepared.out / SPLIT_DURATIONS).write_text(durations.model_dump_json(indent=1) + "\n")
    if durations_from:
        print(f"uclab run: balancing {total} shards by {durations_from}", flush=True)
    per_shard = workers or max(1, (os.cpu_count() or 1) // total)
    return FanOut(prepared, total, image, per_shard)


def shard_argv(f: FanOut, k: int, base: Path) -> list[str]:
    """The `uclab` arguments of shard k, with run directories under `base`."""
    req = f.prepared.request
    argv = ["run", "--shard", f"{k}/{f.total}", "--out", str(base / f"shard-{k}")]
    argv += ["--durations", str(base / SPLIT_DURATIONS), "--workers", str(f.workers)]
    argv += ["--profile", req.profile] if req.profile else []
    argv += [] if req.matrix else ["--no-matrix"]
    argv += [a for pattern in req.matrix_only for a in ("--matrix-only", pattern)]
    argv += ["--uc-transport", req.uc_transport] + (["--real-time"] if req.real_time else [])
    return [*argv, "--", *(a for a in req.pytest_args if a != "--")]


def run(f: FanOut) -> int:
    out = f.prepared.out
    t0 = time.time()
    where = f"containers of {f.image}" if f.image else "processes"
    print(f"uclab run: {f.total} shards as {where}, {f.workers} workers each; report in {out}", flush=True)
    if f.image is not None:
        from . import containers

        argvs = [shard_argv(f, k, CONTAINER_RESULTS) for k in range(1, f.total + 1)]
        codes = containers.run_shards(containers.client(), f.image, argvs, out)
    else:
        codes = _run_processes([shard_argv(f, k, out) for k in range(1, f.total + 1)], out)
    for k, code in enumerate(codes, 1):
        print(f"uclab run: shard {k}/{f.total} exit {code}; log {out}/shard-{k}.log", flush=True)
    try:
        shards = check_set([out / f"shard-{k}" for k in range(1, f.total + 1)])
    except MergeError as exc:
        print(f"uclab run: the shards cannot be merged: {exc}", file=sys.stderr)
        return 1
    merged = merge(shards, out, f.prepared.history)
    print(merged.headline + f" ({f.total} shards in {time.time() - t0:.0f} s)")
    print(f"report: {out}/summary.md  (html: {out}/summary.html)")
    return merged.code


def _run_processes(argvs: list[list[str]], out: Path) -> list[int]:
    procs = []
    for k, argv in enumerate(argvs, 1):
        with open(out / f"shard-{k}.log", "wb") as log:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "uclab", *argv],
                    cwd=conformance.ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=lambda: die_with_parent(signal.SIGTERM),
                )
            )
    try:
        return [p.wait() for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
