"""`uclab report merge DIR... --out DIR [--history DIR]`: one report of a run's shards.

The directories are the run directories of shards 1..N of one `uclab run --shard K/N` (or
`uclab matrix --shard K/N`); the merged report has the same files as one run: summary
(md/html/json), junit.xml, results.jsonl, allure-results with the Allure report, matrix/,
run.json and durations.json. Exit 0 when everything held, 1 when a check failed, 2 when the
directories are not one whole set of shards (the message says which and why).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reports import allure
from reports.merge import MergeError, check_set, merge
from uclab.rundir import UsageError, prepare_out

from .common import Subparsers, fail


def register(sub: Subparsers) -> None:
    rp = sub.add_parser("report", help="reports from recorded run directories")
    what = rp.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    m = what.add_parser("merge", help="merge the run directories of all shards of a run into one report")
    m.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="the shards' run directories")
    m.add_argument("--out", type=Path, required=True, metavar="DIR", help="where the merged report goes")
    m.add_argument("--history", type=Path, default=None, metavar="DIR", help="continue this report's Allure history")
    m.set_defaults(fn=run_merge)


def run_merge(args: argparse.Namespace) -> int:
    try:
        return merge_into(list(args.dirs), args.out, args.history)
    except (MergeError, UsageError) as exc:
        return fail(str(exc))


def merge_into(dirs: list[Path], out: Path, history_from: Path | None) -> int:
    """Check the set, then write the merged report to `out`; the merge's exit code."""
    shards = check_set([d.resolve() for d in dirs])
    target = out.resolve()
    if any(s.path == target for s in shards):
        raise UsageError(f"--out {out}: is one of the shards given; choose another directory")
    try:
        history = allure.read_history(history_from) if history_from is not None else None
    except allure.HistoryError as exc:
        raise UsageError(str(exc)) from None
    merged = merge(shards, prepare_out(target, "merged", keep=[s.path for s in shards]), history)
    print(merged.headline + f" ({len(shards)} shards merged)")
    print(f"report: {target}/summary.md" if merged.record.kind == "run" else f"report: {target}/matrix.md")
    return merged.code
