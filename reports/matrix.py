"""The support matrix report: the cells a sweep recorded, set against the documents.

`uclab matrix` (uclab/matrix_sweep.py) measures; this module only reads what it recorded:

    <out>/matrix.json    every cell: dimensions, documented expectation with rule IDs and
                         reasons, measured outcome, disagreements, and the documented outcomes
                         the lab did not reproduce, with the oracle's reason
    <out>/matrix.md      the readable table, disagreements first
    <out>/matrix.html    a picture: a grid coloured by outcome, each cell opening its evidence
"""

from __future__ import annotations

import html
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

COLUMNS = ("login", "register", "rings", "audio", "nat_type")
AGREES, DISAGREES, NOT_REPRODUCED = "agrees", "DISAGREES", "documented, not reproduced"


def verdict(c: dict[str, Any]) -> str:
    """agrees; DISAGREES (a measurement contradicts the documents); or documented, not
    reproduced (the only contradictions are outcomes the oracle says the lab cannot produce,
    for the reason it gives): neither agreement nor failure."""
    if c["disagreements"]:
        return DISAGREES
    return NOT_REPRODUCED if c.get("not_reproduced") else AGREES


def summarise(cells: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts = Counter(verdict(c) for c in cells)
    audio = Counter((c["measured"] or {}).get("audio") or "no call" for c in cells)
    return {
        "cells": len(cells),
        "agree": verdicts[AGREES],
        "disagree": verdicts[DISAGREES],
        "not_reproduced": verdicts[NOT_REPRODUCED],
        "undocumented_audio": sum(1 for c in cells if c["expected"]["audio"] is None),
        "audio": dict(audio),
    }


def headline(summary: dict[str, Any]) -> str:
    """One line for the terminal: `uclab matrix: 200/208 cells agree with the documents`."""
    s = summary
    extra = f" ({s['not_reproduced']} documented, not reproduced)" if s.get("not_reproduced") else ""
    return f"uclab matrix: {s['agree']}/{s['cells']} cells agree with the documents{extra}"


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
    said = verdict(c)
    if said == DISAGREES:
        said += ": " + "; ".join(c["disagreements"])
    elif said == NOT_REPRODUCED:
        said += ": " + "; ".join(c["not_reproduced"])
    return [*dims, cell.get("stun", "on"), *seen, m.get("ice_pair") or "-", ", ".join(exp["rules"]), said]


HEAD = [
    "access", "home NAT", "office NAT", "firewall", "SIP ALG", "transport", "STUN",
    "login", "registered", "rings", "audio", "Check NAT type", "ICE pair", "rules", "verdict",
]  # fmt: skip


def markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [
        "# myPortal @work VoIP support matrix",
        "",
        f"{s['cells']} cells measured in {report['seconds']} s ({report['jobs']} labs); "
        f"**{s['agree']} agree with the documents, {s['disagree']} disagree**"
        + (f", {s['not_reproduced']} documented, not reproduced" if s.get("not_reproduced") else "")
        + ". "
        "Each outcome reads *measured (documented)*; `-` where a step was not reached or the "
        "documents say nothing; *documented, not reproduced*: the documented outcome did not happen, "
        "for the lab's reason given in the cell (neither agreement nor disagreement). "
        "Expectations and their reasons: matrix.json.",
        "",
        "Evidence (per lab: evidence/media-verdicts.json, evidence/sip-ladder.txt, pcaps, logs): "
        + ", ".join(f"`{e}`" for e in report.get("evidence", [])),
        "",
        "| " + " | ".join(HEAD) + " |",
        "|" + "---|" * len(HEAD),
    ]
    order = {DISAGREES: 0, NOT_REPRODUCED: 1, AGREES: 2}
    for c in sorted(report["cells"], key=lambda c: order[verdict(c)]):
        lines.append("| " + " | ".join(x.replace("|", "/") for x in _row(c)) + " |")
    return "\n".join(lines) + "\n"


ROW_DIMS = ("access", "home_nat", "office_nat")
COL_DIMS = ("firewall", "sip_alg", "transport", "stun")
AUDIO_MARK = {"two-way": "2-way", "one-way": "1-way", "none": "none", None: "no call"}


def outcome_class(c: dict[str, Any]) -> str:
    """good: as documented; bad: disagrees; unreproduced: documented, not reproduced; open:
    the documents say nothing about the audio."""
    said = verdict(c)
    if said == DISAGREES:
        return "bad"
    if said == NOT_REPRODUCED:
        return "unreproduced"
    return "open" if c["expected"].get("audio") is None else "good"


def _dims(c: dict[str, Any], dims: tuple[str, ...]) -> tuple[str, ...]:
    """The cell's values of `dims` (a report written before the STUN column: stun "on")."""
    return tuple(c["cell"].get(d, "on") for d in dims)


def _evidence_link(c: dict[str, Any]) -> str | None:
    lab = c.get("evidence")
    return f"{lab}/index.html" if lab else None


def grid(report: dict[str, Any]) -> str:
    """The matrix as a picture: access and NATs down, firewall, ALG and transport across,
    each cell coloured by its outcome against the documents and opening its evidence."""
    cells = report["cells"]
    rows = sorted({_dims(c, ROW_DIMS) for c in cells})
    cols = sorted({_dims(c, COL_DIMS) for c in cells})
    at = {(_dims(c, ROW_DIMS), _dims(c, COL_DIMS)): c for c in cells}
    head = "".join('<th class="col">' + "<br>".join(html.escape(v) for v in col) + "</th>" for col in cols)
    out = [f'<table class="grid"><tr><th>access / home NAT / office NAT</th>{head}</tr>']
    for row in rows:
        tds = ['<th class="row">' + html.escape(" / ".join(row)) + "</th>"]
        for col in cols:
            c = at.get((row, col))
            if c is None:
                tds.append('<td class="none"></td>')
                continue
            m = c["measured"] or {}
            mark = AUDIO_MARK.get(m.get("audio"), str(m.get("audio"))) if c["measured"] else "error"
            said = c["disagreements"] or c.get("not_reproduced") or ["agrees with the documents"]
            why = "\n".join([c["id"], *said, *c["expected"]["why"]])
            link = _evidence_link(c)
            body = f'<a href="{html.escape(link)}">{html.escape(mark)}</a>' if link else html.escape(mark)
            cell_id = html.escape(c["id"])
            tds.append(f'<td class="{outcome_class(c)}" data-cell="{cell_id}" title="{html.escape(why)}">{body}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def render_html(report: dict[str, Any]) -> str:
    s = report["summary"]
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>uclab support matrix</title>
<style>body{{font-family:sans-serif}}table.grid{{border-collapse:collapse;font-size:12px}}
.grid td,.grid th{{border:1px solid #ccc;padding:3px 5px;text-align:center}}.grid th.row{{text-align:left;white-space:nowrap}}
.grid th.col{{font-weight:normal;font-size:11px}}td.good{{background:#c8e6c9}}td.bad{{background:#ef9a9a;font-weight:bold}}
td.open{{background:#eeeeee;color:#555}}td.unreproduced{{background:#bbdefb}}td.none{{background:#fff}}.grid a{{color:inherit;text-decoration:none}}
.legend span{{padding:2px 8px;margin-right:6px;border:1px solid #ccc}}</style></head>
<body><h1>myPortal @work VoIP support matrix</h1>
<p>{s["cells"]} cells in {report["seconds"]} s: <b>{s["agree"]} agree, {s["disagree"]} disagree</b> with the
documents{f", {s['not_reproduced']} documented, not reproduced" if s.get("not_reproduced") else ""}. Each cell shows the measured audio; hover it for the documented expectation and its reasons, click it
for the evidence of the lab that measured it. The table: matrix.md, the data: matrix.json.</p>
<p class="legend"><span class="good" style="background:#c8e6c9">as documented</span>
<span style="background:#ef9a9a">disagrees</span><span style="background:#bbdefb">documented, not reproduced
(the lab's reason in the cell)</span><span style="background:#eee">audio not documented</span></p>
{grid(report)}</body></html>
"""


def write(report: dict[str, Any], out: Path) -> None:
    (out / "matrix.json").write_text(json.dumps(report, indent=1))
    (out / "matrix.md").write_text(markdown(report))
    (out / "matrix.html").write_text(render_html(report))
