"""The run summary: one verdict per rule, with the documents' words next to it.

Built from the lab plugin's results.jsonl only (recorded evidence, not live internals).
"""

from __future__ import annotations

import html
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from simulators import catalogue


@dataclass
class Summary:
    headline: str
    rules: list[dict[str, object]] = field(default_factory=list)
    tests: list[dict[str, object]] = field(default_factory=list)


def _load(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    records = {}
    for line in path.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            records[rec["nodeid"]] = rec  # the last word on a test wins (reruns)
    return list(records.values())


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _verdict(outcomes: list[str]) -> str:
    if "failed" in outcomes:
        return "FAIL"
    if "passed" in outcomes:
        return "PASS"
    return "SKIP"


def build_summary(out: Path, profile: str | None = None, pytest_rc: int = 0) -> Summary:
    tests = _load(out / "results.jsonl")
    by_rule: dict[str, list[dict[str, object]]] = defaultdict(list)
    for t in tests:
        for rid in _strings(t.get("rules")):
            by_rule[rid].append(t)
    counts = {k: sum(1 for t in tests if t["outcome"] == k) for k in ("passed", "failed", "skipped")}
    rules: list[dict[str, object]] = []
    for rid, rule in catalogue.rules().items():
        hits = by_rule.get(rid, [])
        rules.append(
            {
                "id": rid,
                "title": rule.title or rule.rule[:80],
                "refs": list(rule.refs),
                "verdict": _verdict([str(t["outcome"]) for t in hits])
                if hits
                else ("OUT OF SCOPE" if rule.out_of_scope else "NOT COVERED"),
                "out_of_scope": rule.out_of_scope,
                "tests": [t["nodeid"] for t in hits],
                "failed": [t["nodeid"] for t in hits if t["outcome"] == "failed"],
            }
        )
    covered = sum(1 for r in rules if r["verdict"] not in ("NOT COVERED", "OUT OF SCOPE"))
    out_of_scope = sum(1 for r in rules if r["verdict"] == "OUT OF SCOPE")
    state = "FAILED" if counts["failed"] or pytest_rc not in (0,) else "PASSED"
    if pytest_rc == 5:
        state = "NOTHING RUN"
    headline = (
        f"uclab run {state}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped; "
        f"{covered}/{len(rules) - out_of_scope} rules covered ({out_of_scope} out of scope)"
        + (f"; profile {profile}" if profile else "")
    )
    summary = Summary(headline, rules, tests)
    (out / "summary.json").write_text(
        json.dumps(
            {"headline": headline, "profile": profile, "counts": counts, "rules": rules, "tests": tests}, indent=2
        )
    )
    (out / "summary.md").write_text(_markdown(summary, profile))
    (out / "summary.html").write_text(_html(summary, profile))
    return summary


def _markdown(s: Summary, profile: str | None) -> str:
    lines = [
        f"# {s.headline}",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M:%S')}" + (f", profile {profile}" if profile else ""),
        "",
    ]
    failed = [t for t in s.tests if t["outcome"] == "failed"]
    if failed:
        lines += ["## Failures", ""]
        for t in failed:
            lines += [f"### {t['nodeid']}", f"rules: {', '.join(_strings(t.get('rules'))) or '-'}", "", "```",
                      str(t.get("message", ""))[-1500:], "```", ""]  # fmt: skip
    lines += ["## Rules", "", "| rule | verdict | what | document | tests |", "|---|---|---|---|---|"]
    for r in s.rules:
        refs = ", ".join(_strings(r["refs"]))
        verdict = f"{r['verdict']}: {r['out_of_scope']}" if r["verdict"] == "OUT OF SCOPE" else r["verdict"]
        lines.append(f"| {r['id']} | {verdict} | {r['title']} | {refs} | {len(_strings(r['tests']))} |")
    lines += ["", "## Tests", "", "| test | outcome | rules | topologies | s |", "|---|---|---|---|---|"]
    for t in sorted(s.tests, key=lambda t: str(t["nodeid"])):
        lines.append(
            f"| {t['nodeid']} | {t['outcome']} | {', '.join(_strings(t.get('rules')))} | "
            f"{', '.join(_strings(t.get('topologies')))} | {t.get('duration_s', '')} |"
        )
    return "\n".join(lines) + "\n"


def _html(s: Summary, profile: str | None) -> str:
    colour = {"PASS": "#2a7", "FAIL": "#c33", "SKIP": "#999", "NOT COVERED": "#bbb", "OUT OF SCOPE": "#bbb"}
    rows = "".join(
        f"<tr><td>{html.escape(str(r['id']))}</td><td style='color:{colour[str(r['verdict'])]}'><b>{r['verdict']}</b>"
        f"{'<br>' + html.escape(str(r['out_of_scope'])) if r['verdict'] == 'OUT OF SCOPE' else ''}</td>"
        f"<td>{html.escape(str(r['title']))}</td><td>{html.escape(', '.join(_strings(r['refs'])))}</td>"
        f"<td>{'<br>'.join(html.escape(t) for t in _strings(r['tests']))}</td></tr>"
        for r in s.rules
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>uclab run</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ddd;padding:4px;vertical-align:top}"
        "table{border-collapse:collapse}</style>"
        f"<h1>{html.escape(s.headline)}</h1><p>{html.escape(profile or '')}</p>"
        f"<table><tr><th>rule</th><th>verdict</th><th>what</th><th>document</th><th>tests</th></tr>{rows}</table>"
    )
