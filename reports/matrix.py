"""The support matrix report: the cells a sweep recorded, set against the documents.

`uclab matrix` (uclab/matrix_sweep.py) measures; this module only reads what it recorded:

    <out>/matrix.json    every cell: dimensions, documented expectation with rule IDs and
                         reasons, measured outcome, disagreements
    <out>/matrix.md      the readable table, disagreements first
    <out>/matrix.html    the same table for a browser
"""

from __future__ import annotations

import html
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

COLUMNS = ("login", "register", "rings", "audio", "nat_type")


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


def empty_report(seconds: float = 0.0) -> dict[str, Any]:
    """The report of a sweep with no cells (a shard whose part is empty)."""
    return {"generated": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": seconds, "jobs": 0, "evidence": [],
            "cells": [], "summary": summarise([])}  # fmt: skip


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
