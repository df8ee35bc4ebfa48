"""The check's result as JSON (for tools), HTML (for the customer's IT) and JUnit XML (for CI).

JSON: {"customer", "generated", "seconds", "evidence", "mapping", "notes", "sites": [{"name",
"access", "verdict", "summary", "checks", "causes", "warnings", "quality", "remedies":
[{"change", "rule", "doc", "for", "verdict_after", "failed", "evidence"}]}]}. A site with
`unknown` values was measured once per possibility: every check, cause and warning carries the
possibility it belongs to, and `summary` says per possibility what happens ("if the router of
home office's nat is symmetric: not-supported").

HTML: one self-contained page: the network picture with every site's router and clients
coloured by the site's verdict, per site the steps and measurements, the causes in the
document's words with their citation, the remedies that were tried and what they did, and
links to the evidence (pcaps of both sides of every router, the SIP ladder, the media
verdicts) relative to the page.
"""

from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from simulators.net import draw

from . import remedies
from .runner import Result, SiteResult, Tried

COLOURS = {"ready": "#b7e1b0", "ready-with-warnings": "#fbe29c", "not-ready": "#f4a6a0", "not-supported": "#c9b3e6"}
EVIDENCE_FILES = ("evidence/sip-ladder.txt", "evidence/media-verdicts.json")


def _tried(t: Tried) -> dict[str, Any]:
    return {
        "possibility": t.possibility.label,
        "verdict": t.verdict.verdict,
        "checks": [c.as_dict() for c in t.measurement.checks],
        "causes": [c.as_dict() for c in t.verdict.causes],
        "warnings": [c.as_dict() for c in t.verdict.warnings],
        "quality": [q.as_dict() for q in t.measurement.quality],
        "evidence": str(t.evidence),
        "seconds": round(t.measurement.seconds, 1),
    }


def _remedy(t: Tried) -> dict[str, Any]:
    assert t.remedy is not None
    r = remedies.REMEDIES[t.remedy.id]
    return {
        "change": remedies.describe(t.remedy),
        "rule": r.rule,
        "doc": r.doc,
        "for": t.possibility.label,
        "verdict_after": t.verdict.verdict,
        "fixed": t.verdict.works,
        "failed": [f"{c.client}: {c.step}: {c.measured}" for c in t.measurement.failed()],
        "checks": [c.as_dict() for c in t.measurement.checks],
        "evidence": str(t.evidence),
    }


def _tagged(items: list[dict[str, Any]], possibility: str) -> list[dict[str, Any]]:
    return [{**i, "possibility": possibility} for i in items]


def site_json(s: SiteResult) -> dict[str, Any]:
    described = [_tried(t) for t in s.as_described]
    return {
        "name": s.name,
        "access": s.access.value,
        "verdict": s.verdict,
        "summary": [
            f"if {d['possibility']}: {d['verdict']}" if len(described) > 1 else d["verdict"] for d in described
        ],
        "checks": [c for d in described for c in _tagged(d["checks"], d["possibility"])],
        "causes": [c for d in described for c in _tagged(d["causes"], d["possibility"])],
        "warnings": [c for d in described for c in _tagged(d["warnings"], d["possibility"])],
        "quality": [q for d in described for q in _tagged(d["quality"], d["possibility"])],
        "possibilities": described,
        "remedies": [_remedy(t) for t in s.remedies],
    }


def to_json(r: Result) -> dict[str, Any]:
    return {
        "customer": r.customer.customer,
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(r.seconds, 1),
        "ok": r.ok,
        "evidence": str(r.evidence),
        "labs": [str(p) for p in r.labs],
        "mapping": r.mapping,
        "notes": r.notes,
        "sites": [site_json(s) for s in r.sites],
    }


def write_json(r: Result, path: Path) -> Path:
    path.write_text(json.dumps(to_json(r), indent=2), encoding="utf-8")
    return path


# -- JUnit -----------------------------------------------------------------------------------


def write_junit(r: Result, path: Path) -> Path:
    suite = ET.Element("testsuite", name=f"uclab check: {r.customer.customer}", time=f"{r.seconds:.1f}")
    failures = 0
    for s in r.sites:
        for t in s.as_described:
            name = s.name if len(s.as_described) == 1 else f"{s.name} [{t.possibility.label}]"
            case = ET.SubElement(
                suite, "testcase", classname="uclab.check", name=name, time=f"{t.measurement.seconds:.1f}"
            )
            if not t.verdict.works:
                failures += 1
                text = "\n".join(f"{c.rule or '-'} {c.doc or ''}: {c.why}: {c.text}" for c in t.verdict.causes)
                fixed = [
                    remedies.describe(x.remedy)
                    for x in s.remedies
                    if x.remedy and x.possibility == t.possibility and x.verdict.works
                ]
                if fixed:
                    text += "\nshown to fix it: " + "; ".join(fixed)
                ET.SubElement(case, "failure", message=t.verdict.verdict, type=t.verdict.verdict).text = text
            elif t.verdict.warnings:
                ET.SubElement(case, "system-out").text = "\n".join(
                    f"warning: {w.why}: {w.text}" for w in t.verdict.warnings
                )
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path


# -- HTML ------------------------------------------------------------------------------------


def site_nodes(r: Result) -> dict[str, list[str]]:
    """Per site, the lab nodes that belong to it (its router and its clients' hosts)."""
    out: dict[str, list[str]] = {}
    topo = r.topology
    for i, s in enumerate(r.customer.sites):
        key = f"s{i + 1}"
        out[s.name] = [n for n in (topo.nodes if topo else {}) if n == f"{key}_router" or n.startswith(f"{key}_c")]
    return out


def picture(r: Result) -> str:
    if r.topology is None:
        return ""
    nodes = site_nodes(r)
    colours = {n: COLOURS[s.verdict] for s in r.sites for n in nodes[s.name]}
    try:
        svg = draw.svg(r.topology, colours).decode()
    except Exception as exc:  # graphviz missing: the page still tells everything else
        return f"<p>(no picture: {html.escape(str(exc))})</p>"
    return svg[svg.find("<svg") :]


def _e(text: Any) -> str:
    return html.escape(str(text))


def _rel(target: Path, base: Path) -> str:
    return os.path.relpath(target, base)


def _evidence_links(lab_dir: Path, base: Path, site_key: str) -> str:
    links = []
    pcaps = sorted(lab_dir.glob("pcap/*.pcap"))
    mine = [p for p in pcaps if p.name.startswith((f"{site_key}_router-", "office_router-"))]
    for p in mine:
        links.append(f'<a href="{_e(_rel(p, base))}">{_e(p.name)}</a>')
    for name in EVIDENCE_FILES:
        p = lab_dir / name
        if p.exists():
            links.append(f'<a href="{_e(_rel(p, base))}">{_e(p.name)}</a>')
    return " · ".join(links) or "(no evidence files)"


def _checks_table(t: Tried) -> str:
    rows = []
    for c in t.measurement.checks:
        mark = {True: "ok", False: "FAILED", None: "-"}[c.ok]
        cls = {True: "ok", False: "fail", None: "na"}[c.ok]
        rows.append(
            f'<tr class="{cls}"><td>{_e(c.client)}</td><td>{_e(c.step)}</td><td>{mark}</td><td>{_e(c.measured)}</td></tr>'
        )
    q = "".join(
        f"<tr><td>{_e(x.direction)}</td><td>{x.jitter_ms:g} ms</td><td>{x.loss_pct:g} %</td><td>{'' if x.rtt_ms is None else f'{x.rtt_ms:g} ms'}</td>"
        f"<td>{x.one_way_delay_ms:g} ms</td><td>{x.r:g}</td><td>{x.mos:g}</td></tr>"
        for x in t.measurement.quality
    )
    quality = (
        "<table class='q'><tr><th>direction</th><th>jitter</th><th>loss</th><th>RTT</th><th>one-way delay</th><th>R</th><th>MOS</th></tr>"
        f"{q}</table>"
        if q
        else ""
    )
    return (
        f"<table><tr><th>client</th><th>step</th><th>result</th><th>measured</th></tr>{''.join(rows)}</table>{quality}"
    )


def _causes(items: list[Any], title: str) -> str:
    if not items:
        return ""
    lis = "".join(
        f"<li><b>{_e(c.rule or 'no documented cause')}</b> {_e(c.doc or '')}: {_e(c.why)}"
        + (f"<blockquote>{_e(c.text)}</blockquote>" if c.rule else f" <i>({_e(c.text)})</i>")
        + "</li>"
        for c in items
    )
    return f"<h4>{title}</h4><ul>{lis}</ul>"


def _site_html(s: SiteResult, r: Result, base: Path, key: str) -> str:
    parts = [
        f'<section class="site" id="{_e(key)}"><h2>{_e(s.name)} <span class="verdict" style="background:{COLOURS[s.verdict]}">{_e(s.verdict)}</span></h2>',
        f"<p>access: {_e(s.access.value)}</p>",
    ]
    for t in s.as_described:
        head = t.possibility.label
        parts.append(
            f'<h3>{_e(head)}: <span class="verdict" style="background:{COLOURS[t.verdict.verdict]}">{_e(t.verdict.verdict)}</span></h3>'
        )
        parts.append(_checks_table(t))
        parts.append(_causes(t.verdict.causes, "Causes"))
        parts.append(_causes(t.verdict.warnings, "Warnings"))
        parts.append(f'<p class="evidence">evidence: {_evidence_links(t.evidence, base, key)}</p>')
    if s.remedies:
        rows = []
        for t in s.remedies:
            d = _remedy(t)
            failed = "<br>".join(_e(f) for f in d["failed"]) or "nothing failed"
            rows.append(
                f'<tr class="{"ok" if d["fixed"] else "fail"}"><td>{_e(d["change"])}</td><td>{_e(d["rule"])} {_e(d["doc"])}</td>'
                f"<td>{_e(d['for'])}</td><td>{_e(d['verdict_after'])}</td><td>{failed}</td>"
                f"<td>{_evidence_links(t.evidence, base, key)}</td></tr>"
            )
        parts.append(
            "<h3>Remedies tried (measured)</h3><table><tr><th>change</th><th>document</th><th>for</th>"
            f"<th>verdict after</th><th>what still failed</th><th>evidence</th></tr>{''.join(rows)}</table>"
        )
    parts.append("</section>")
    return "\n".join(parts)


STYLE = """body{font-family:Helvetica,Arial,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;vertical-align:top}tr.ok td:nth-child(3){color:#1a7f37}
tr.fail td{background:#fde8e6}.verdict{padding:2px 8px;border-radius:4px;font-size:14px}blockquote{margin:.3em 1em;color:#444;font-style:italic}
svg{max-width:100%;height:auto}.overview td{font-size:14px}"""


def write_html(r: Result, path: Path) -> Path:
    base = path.resolve().parent
    keys = {s.name: f"s{i + 1}" for i, s in enumerate(r.customer.sites)}
    overview = "".join(
        f'<tr><td><a href="#{keys[s.name]}">{_e(s.name)}</a></td><td>{_e(s.access.value)}</td>'
        f'<td><span class="verdict" style="background:{COLOURS[s.verdict]}">{_e(s.verdict)}</span></td></tr>'
        for s in r.sites
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in r.mapping + r.notes)
    body = (
        f"<h1>Network check: {_e(r.customer.customer)}</h1>"
        f"<p>Measured {time.strftime('%Y-%m-%d %H:%M')} in {r.seconds:.0f} s with the uclab lab: real routers (nftables), "
        "the UC server stub and real softphones (pjsua2). Verdicts cite the OpenScape Business documents by file and line.</p>"
        f'<table class="overview"><tr><th>site</th><th>access</th><th>verdict</th></tr>{overview}</table>'
        f'<div class="picture">{picture(r)}</div><h3>How the lab stands for this network</h3><ul>{notes}</ul>'
        + "".join(_site_html(s, r, base, keys[s.name]) for s in r.sites)
    )
    page = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>uclab check: {_e(r.customer.customer)}</title><style>{STYLE}</style></head><body>{body}</body></html>'
    path.write_text(page, encoding="utf-8")
    return path
