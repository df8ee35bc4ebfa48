"""`uclab matrix`: the support matrix, measured cell by cell and set against the documents.

    uclab matrix [--jobs 2] [--only SUBSTRING ...] [--out DIR]

Each job is a worker process (`python -m reports.matrix worker`) with its own matrix lab
(topologies/matrix.yaml), the stub and an office desk phone; it measures its share of the
cells (suites/network/matrix_cells.py) and prints one JSON line per cell. The parent shows
progress, then writes

    <out>/matrix.json    every cell: dimensions, documented expectation with rule IDs and
                         reasons, measured outcome, disagreements
    <out>/matrix.md      the readable table, disagreements first
    <out>/matrix.html    the same table for a browser

and exits 1 when any cell's measurement contradicts the documents (or could not be made).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import html
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "reports" / "runs"
CELL_TIMEOUT_S = 60.0
COLUMNS = ("login", "register", "rings", "audio", "nat_type")


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
            line: dict[str, Any] = {"cell": cell.id}
            try:
                line["measured"] = (await asyncio.wait_for(bench.measure(cell), CELL_TIMEOUT_S)).as_dict()
            except Exception as exc:  # one cell's failure is that cell's result, not the sweep's end
                line["error"] = f"{type(exc).__name__}: {exc}"
            print(json.dumps(line), flush=True)
    finally:
        if bench is not None:
            await bench.close()
        from simulators.netcheck import write_sip_ladder

        write_sip_ladder(lab)
        await asyncio.to_thread(lab.down)


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# -- sweep ---------------------------------------------------------------------------------


def _select(only: list[str]) -> list[Any]:
    from suites.network.matrix_spec import cells

    chosen = [c for c in cells() if not only or any(all(p in c.id for p in o.split("+")) for o in only)]
    if not chosen:
        raise SystemExit(f"uclab matrix: no cell matches {' or '.join(only)}; cell ids look like {cells()[0].id}")
    return chosen


def sweep(only: list[str], jobs: int, out: Path) -> dict[str, Any]:
    from suites.network.matrix_cells import compare
    from suites.network.matrix_spec import expect

    chosen = _select(only)
    jobs = max(1, min(jobs, len(chosen)))
    shares = [[c.id for c in chosen[i::jobs]] for i in range(jobs)]  # interleaved: mixed work per job
    t0 = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "reports.matrix", "worker", *share],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=open(out / f"worker{i}.log", "w"),  # closed with the process
            text=True,
            preexec_fn=_die_with_parent,
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
            if "evidence" in msg:
                evidence.append(msg["evidence"])
            if "cell" not in msg:
                continue
            cell = by_id[msg["cell"]]
            exp = expect(cell)
            entry: dict[str, Any] = {"id": cell.id, "cell": asdict(cell), "expected": asdict(exp)}
            if "error" in msg:
                entry["measured"] = None
                entry["disagreements"] = [f"not measured: {msg['error']}"]
            else:
                from suites.network.matrix_cells import Measured

                measured = Measured(**msg["measured"])
                entry["measured"] = msg["measured"]
                entry["disagreements"] = compare(exp, measured)
            results[cell.id] = entry
            mark = "ok" if not entry["disagreements"] else "DISAGREES: " + "; ".join(entry["disagreements"])
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


def summarise(cells: list[dict[str, Any]]) -> dict[str, Any]:
    disagree = [c for c in cells if c["disagreements"]]
    audio = Counter((c["measured"] or {}).get("audio") or "no call" for c in cells)
    return {
        "cells": len(cells),
        "agree": len(cells) - len(disagree),
        "disagree": len(disagree),
        "undocumented_audio": sum(1 for c in cells if c["expected"]["audio"] is None),
        "audio": dict(audio),
    }


# -- rendering -----------------------------------------------------------------------------


def _yn(value: Any) -> str:
    return "-" if value is None else ("yes" if value is True else "no" if value is False else str(value))


def _row(c: dict[str, Any]) -> list[str]:
    cell, exp, m = c["cell"], c["expected"], c["measured"] or {}
    dims = [cell["access"], cell["home_nat"], cell["office_nat"], cell["firewall"], cell["sip_alg"], cell["transport"]]
    seen = [f"{_yn(m.get(k))} ({_yn(exp[k])})" for k in COLUMNS]
    verdict = "agrees" if not c["disagreements"] else "DISAGREES: " + "; ".join(c["disagreements"])
    return [*dims, *seen, m.get("ice_pair") or "-", ", ".join(exp["rules"]), verdict]


HEAD = [
    "access", "home NAT", "office NAT", "firewall", "SIP ALG", "transport",
    "login", "registered", "rings", "audio", "Check NAT type", "ICE pair", "rules", "verdict",
]  # fmt: skip


def markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [
        "# myPortal @work VoIP support matrix",
        "",
        f"{s['cells']} cells measured in {report['seconds']} s ({report['jobs']} labs); "
        f"**{s['agree']} agree with the documents, {s['disagree']} disagree**. "
        "Each outcome reads *measured (documented)*; `-` where a step was not reached or the "
        "documents say nothing. Expectations and their reasons: matrix.json.",
        "",
        "Evidence (per lab: evidence/media-verdicts.json, evidence/sip-ladder.txt, pcaps, logs): "
        + ", ".join(f"`{e}`" for e in report.get("evidence", [])),
        "",
        "| " + " | ".join(HEAD) + " |",
        "|" + "---|" * len(HEAD),
    ]
    for c in sorted(report["cells"], key=lambda c: not c["disagreements"]):
        lines.append("| " + " | ".join(x.replace("|", "/") for x in _row(c)) + " |")
    return "\n".join(lines) + "\n"


def render_html(report: dict[str, Any]) -> str:
    s = report["summary"]
    rows = []
    for c in sorted(report["cells"], key=lambda c: not c["disagreements"]):
        cls = "bad" if c["disagreements"] else "good"
        why = html.escape("\n".join(c["expected"]["why"]))
        tds = "".join(f"<td>{html.escape(x)}</td>" for x in _row(c))
        rows.append(f'<tr class="{cls}" title="{why}">{tds}</tr>')
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEAD)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>uclab support matrix</title>
<style>body{{font-family:sans-serif}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:3px 6px}}tr.bad{{background:#fdd}}tr.good{{background:#efe}}</style></head>
<body><h1>myPortal @work VoIP support matrix</h1>
<p>{s["cells"]} cells in {report["seconds"]} s: <b>{s["agree"]} agree, {s["disagree"]} disagree</b> with the
documents. Each outcome reads <i>measured (documented)</i>; hover a row for the documented reasons.</p>
<table><tr>{head}</tr>{"".join(rows)}</table></body></html>
"""


def write(report: dict[str, Any], out: Path) -> None:
    (out / "matrix.json").write_text(json.dumps(report, indent=1))
    (out / "matrix.md").write_text(markdown(report))
    (out / "matrix.html").write_text(render_html(report))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="uclab matrix", description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="labs in parallel")
    parser.add_argument("--only", nargs="*", default=[], help="cells whose id contains all '+'-joined parts")
    parser.add_argument("--out", type=Path, default=None, help="report directory (default reports/runs/matrix-<time>)")
    parser.add_argument("--list", action="store_true", help="print the cell ids and exit")
    args = parser.parse_args(argv)
    if args.list:
        for cell in _select(args.only):
            print(cell.id)
        return 0
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    out = args.out or RUNS / time.strftime("matrix-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    report = sweep(args.only, args.jobs, out)
    write(report, out)
    s = report["summary"]
    print(f"uclab matrix: {s['agree']}/{s['cells']} cells agree with the documents in {report['seconds']} s")
    print(f"report: {out}/matrix.md  (html: {out}/matrix.html, data: {out}/matrix.json)")
    return 1 if s["disagree"] else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        asyncio.run(_work(sys.argv[2:]))
    else:
        sys.exit(main())
