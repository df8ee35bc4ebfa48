"""One report from the run directories of a run's shards (`uclab report merge`).

A shard records what it ran (results.jsonl, junit.xml, allure-results, matrix.json) and
its run record (run.json, reports/runinfo.py). Merging concatenates the recorded results
and renders them with the same code an unsharded run uses (`build_summary`, Allure, the
matrix report), so a merged report's verdicts are those of one run over the same tests
by construction, however a verdict is computed.

The set must be whole: one directory per shard 1..N of one split, from the same source
(commit and local changes), release profile, selection and durations. Anything else is
refused with the reason (MergeError), before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import allure
from .matrix import headline as matrix_headline
from .matrix import summarise, write
from .runinfo import RecordError, RunRecord, read_record, write_durations, write_record
from .summary import build_summary


class MergeError(ValueError):
    """The directories are not the whole set of one run's shards; the message says why."""


@dataclass(frozen=True)
class ShardDir:
    path: Path
    record: RunRecord

    @property
    def name(self) -> str:
        return f"{self.path} (shard {self.record.shard})"


@dataclass(frozen=True)
class Merged:
    """What a merge wrote: its record and the exit code it stands for (0 held, 1 failed)."""

    record: RunRecord
    headline: str
    code: int


def check_set(dirs: list[Path]) -> list[ShardDir]:
    """The shards in order 1..N, or a MergeError saying why `dirs` are not one whole set."""
    try:
        shards = [ShardDir(d, read_record(d)) for d in dirs]
    except RecordError as exc:
        raise MergeError(str(exc)) from None
    for s in shards:
        if s.record.shard is None:
            raise MergeError(f"{s.path} is a merged report, not a shard: merge the shard directories themselves")
        if s.record.finished is None:
            raise MergeError(f"{s.name} did not finish (its run.json has no end time): run that shard again")
    first = shards[0]
    for s in shards[1:]:
        _same(first, s)
    by_index: dict[int, ShardDir] = {}
    for s in shards:
        assert s.record.shard is not None
        if s.record.shard.index in by_index:
            raise MergeError(f"shard {s.record.shard} given twice: {by_index[s.record.shard.index].path} and {s.path}")
        by_index[s.record.shard.index] = s
    total = first.record.shard.total if first.record.shard else 1
    missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in by_index]
    if missing:
        given = ", ".join(f"{k}/{total}" for k in sorted(by_index))
        raise MergeError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing (given: {given})")
    return [by_index[k] for k in sorted(by_index)]


def _same(a: ShardDir, b: ShardDir) -> None:
    """MergeError unless shards `a` and `b` belong to one run."""
    ra, rb = a.record, b.record
    if ra.kind != rb.kind:
        raise MergeError(
            f"cannot merge a conformance run with a matrix sweep: {a.path} is a {ra.kind}, {b.path} a {rb.kind}"
        )
    if ra.source != rb.source:
        raise MergeError(
            f"shards come from different commits: {a.name} ran {ra.source}, {b.name} ran {rb.source}; "
            "run every shard from the same commit"
        )
    if ra.profile != rb.profile:
        raise MergeError(
            f"shards target different release profiles: {a.name} ran {ra.profile or 'every profile'}, "
            f"{b.name} ran {rb.profile or 'every profile'}"
        )
    assert ra.shard is not None and rb.shard is not None
    if ra.shard.total != rb.shard.total:
        raise MergeError(f"shards of different splits: {a.path} is shard {ra.shard}, {b.path} is shard {rb.shard}")
    if ra.selection != rb.selection:
        raise MergeError(
            f"shards ran different selections: {a.name} and {b.name} collected different tests or arguments; "
            "run every shard with the same arguments"
        )
    if ra.plan != rb.plan:
        raise MergeError(
            f"shards were split differently: {a.name} balanced by {ra.plan.durations_from or 'equal weights'}, "
            f"{b.name} by {rb.plan.durations_from or 'equal weights'}; give every shard the same --durations"
        )


def check_matrices(shards: list[ShardDir]) -> list[ShardDir] | None:
    """The shards' matrix directories as a checked set, or None when no shard swept the matrix."""
    has = [(s.path / "matrix" / "run.json").exists() for s in shards]
    if not any(has):
        return None
    if not all(has):
        with_m, without = shards[has.index(True)], shards[has.index(False)]
        raise MergeError(
            f"{with_m.name} has a support matrix and {without.name} has none: run every shard with the matrix, "
            "or every one with --no-matrix"
        )
    return check_set([s.path / "matrix" for s in shards])


def combined_pytest_rc(codes: list[int]) -> int:
    """pytest's exit code for the whole set: a shard with nothing to run (5) does not count
    unless no shard ran anything."""
    ran = [c for c in codes if c != 5]
    if not ran:
        return 5
    return next((c for c in ran if c), 0)


def merge(shards: list[ShardDir], out: Path, history: bytes | None = None) -> Merged:
    """Write the merged report of the checked set `shards` into `out` (already prepared)."""
    t0 = time.time()
    first = shards[0].record
    matrices = check_matrices(shards) if first.kind == "run" else shards
    headline = ""
    codes: dict[str, int] = {}
    if first.kind == "run":
        _concat([s.path / "results.jsonl" for s in shards], out / "results.jsonl")
        merge_junit([s.path / "junit.xml" for s in shards], out / "junit.xml")
        results = [s.path / "allure-results" for s in shards]
        _link_tree(results, out / "allure-results")
        codes["pytest"] = combined_pytest_rc([s.record.exit_codes.get("pytest", 0) for s in shards])
        summary = build_summary(out, profile=first.profile, pytest_rc=codes["pytest"])
        headline = summary.headline
        allure.generate(out, results, name=f"uclab run ({len(shards)} shards merged)", history=history)
    if matrices is not None:
        where = out / "matrix" if first.kind == "run" else out
        where.mkdir(exist_ok=True)
        report = merge_matrix(matrices, where)
        codes["matrix"] = 1 if report["summary"]["disagree"] else 0
        if matrices is not shards:
            _write_merged_record(matrices, where, {"matrix": codes["matrix"]}, t0)
        if not headline:
            headline = matrix_headline(report["summary"])
    code = codes.get("pytest", 0) or codes.get("matrix", 0)
    codes["uclab"] = code
    write_durations(out)
    record = _write_merged_record(shards, out, codes, t0)
    return Merged(record, headline, code)


def _write_merged_record(shards: list[ShardDir], out: Path, codes: dict[str, int], t0: float) -> RunRecord:
    totals = {f"shard {s.record.shard}": s.record.timings.get("total", 0.0) for s in shards}
    timings = totals | {
        "longest shard": max(totals.values(), default=0.0),
        "all shards": round(sum(totals.values()), 1),
        "merge": round(time.time() - t0, 1),
    }
    record = shards[0].record.model_copy(
        update={
            "shard": None,
            "started": min(s.record.started for s in shards),
            "finished": time.time(),
            "timings": timings,
            "exit_codes": codes,
            "merged_from": [str(s.path) for s in shards],
        }
    )
    write_record(out, record)
    return record


def _concat(files: list[Path], out: Path) -> None:
    with open(out, "wb") as dst:
        for f in files:
            if f.exists():
                data = f.read_bytes()
                dst.write(data if not data or data.endswith(b"\n") else data + b"\n")


def _link_tree(dirs: list[Path], out: Path) -> None:
    """Every file of `dirs` in `out` (hard links where the filesystem allows): Allure's
    result files are named by UUID, so shards never collide."""
    out.mkdir(exist_ok=True)
    for d in dirs:
        for f in sorted(d.iterdir()) if d.is_dir() else []:
            target = out / f.name
            if f.is_file() and not target.exists():
                try:
                    os.link(f, target)
                except OSError:
                    shutil.copy2(f, target)


def merge_junit(files: list[Path], out: Path) -> None:
    """One JUnit file holding every shard's test cases in one suite, its counts recomputed."""
    cases: list[ET.Element] = []
    seconds = 0.0
    stamps: list[str] = []
    hosts: list[str] = []
    for f in files:
        if not f.exists():
            continue
        root = ET.parse(f).getroot()
        for suite in [root] if root.tag == "testsuite" else root.iter("testsuite"):
            cases += suite.findall("testcase")
            seconds += float(suite.get("time") or 0.0)
            stamps += [suite.get("timestamp") or ""]
            hosts += [suite.get("hostname") or ""]
    count = {k: sum(1 for c in cases for _ in c.findall(k)) for k in ("failure", "error", "skipped")}
    suite = ET.Element(
        "testsuite",
        name="pytest",
        errors=str(count["error"]),
        failures=str(count["failure"]),
        skipped=str(count["skipped"]),
        tests=str(len(cases)),
        time=f"{seconds:.3f}",
        timestamp=min((s for s in stamps if s), default=""),
        hostname=",".join(sorted({h for h in hosts if h})),
    )
    suite.extend(cases)
    root = ET.Element("testsuites", name="pytest tests")
    root.append(suite)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


def merge_matrix(shards: list[ShardDir], out: Path) -> dict[str, Any]:
    """One matrix report of the shards' cells, in the selection's order."""
    reports = [json.loads((s.path / "matrix.json").read_text()) for s in shards]
    by_id = {c["id"]: c for r in reports for c in r["cells"]}
    cells = [by_id[i] for i in shards[0].record.selection.items if i in by_id]
    report: dict[str, Any] = {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": max((float(r["seconds"]) for r in reports), default=0.0),
        "jobs": sum(int(r["jobs"]) for r in reports),
        "evidence": [e for r in reports for e in r.get("evidence", [])],
        "cells": cells,
        "summary": summarise(cells),
        "shards": {str(s.record.shard): r["seconds"] for s, r in zip(shards, reports)},
    }
    write(report, out)
    return report
