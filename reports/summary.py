"""The run summary: one verdict per rule and per clause, with the documents' words next to
them, and the lab's choices in a section of their own.

Built from the lab plugin's results.jsonl only (recorded evidence, not live internals), so a
merged set of shard results gives the same summary as one run over the same tests.

Verdicts (README, "Verdicts"):

    clause  SHOWN         a passed test showed it over the wire or through the UC API's TLS door
            FAIL          a test claiming it failed
            IN PROCESS    shown only by tests whose UC API ran in process (no network, no door)
            MODELLED      shown only by the lab's model of the myPortal @work client
            CONSTRUCTION  holds only by how the lab is built
            NOT REPRODUCED  a test measured the documented outcome not to happen, for a reason the
                          lab states (simulators/ledger.py not_reproduced); neither shown nor failed
            SKIPPED       its tests were skipped
            NOT CHECKED   no test claims it
            OUT OF SCOPE  a part of the system the lab does not represent (the ledger's reason)
    rule    PASS          every clause in scope SHOWN
            PARTIAL       none failed, some SHOWN or NOT REPRODUCED, the others named with why
            FAIL          a clause failed
            SKIP          nothing shown, something skipped
            NOT COVERED   no test claims any of its clauses
            OUT OF SCOPE  the ledger's reason; no test claims a clause
    lab choice  HELD / FAILED / SKIPPED / NOT CHECKED

A clause that depends on a documented timer and was shown only at a compressed time scale is
marked so; the summary lists the time scales the run's stubs used and what each made of the
documented timers (simulators/uc/timescale.py TIMERS).
"""

from __future__ import annotations

import html
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simulators import catalogue, ledger
from simulators.uc.timescale import TIMERS, Timer

SHOWN, FAIL, IN_PROCESS, MODELLED, CONSTRUCTION = "SHOWN", "FAIL", "IN PROCESS", "MODELLED", "CONSTRUCTION"
SKIPPED, NOT_CHECKED, OUT_OF_SCOPE = "SKIPPED", "NOT CHECKED", "OUT OF SCOPE"
NOT_REPRODUCED = "NOT REPRODUCED"
PASS, PARTIAL, SKIP, NOT_COVERED = "PASS", "PARTIAL", "SKIP", "NOT COVERED"
RULE_VERDICTS = (PASS, PARTIAL, FAIL, SKIP, NOT_COVERED, OUT_OF_SCOPE)
HELD, FAILED = "HELD", "FAILED"
CHOICE_VERDICTS = (HELD, FAILED, SKIPPED, NOT_CHECKED)
OUTCOMES = ("passed", "failed", "skipped", ledger.NOT_REPRODUCED)
"""the outcomes a results.jsonl record can carry"""
WEAK_HOW = {"inprocess": IN_PROCESS, "client-model": MODELLED, "construction": CONSTRUCTION}
"""how -> the clause verdict when passed tests showed it only that way (best first)"""
WHY = {
    IN_PROCESS: "only in process (no TLS door)",
    MODELLED: "only modelled (client model)",
    CONSTRUCTION: "only by construction",
    SKIPPED: "skipped",
    NOT_CHECKED: "not checked",
    FAIL: "failed",
    NOT_REPRODUCED: "documented, not reproduced",
}


@dataclass
class ClauseResult:
    id: str
    rule: str
    verdict: str
    text: str
    refs: list[str]
    tests: list[str] = field(default_factory=list)
    hows: list[str] = field(default_factory=list)
    """how the passed tests showed it (wire, api, inprocess, client-model, construction)"""
    out_of_scope: str = ""
    timers: list[str] = field(default_factory=list)
    compressed_only: bool = False
    """depends on a documented timer and every showing test ran it compressed"""
    scales: list[float] = field(default_factory=list)
    """the time scales of the showing tests"""
    not_reproduced: dict[str, str] = field(default_factory=dict)
    """test -> what it measured instead of the documented outcome, and why (NOT REPRODUCED)"""


@dataclass
class RuleResult:
    id: str
    title: str
    verdict: str
    refs: list[str]
    clauses: list[str]
    shown: int
    in_scope: int
    missing: dict[str, str]
    """clause id -> why it is not shown (only modelled, not checked, failed, ...)"""
    out_of_scope: str = ""
    tests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cited_by: list[str] = field(default_factory=list)
    """tests that only cite the rule (rule marker, no clause): listed, never counted"""


@dataclass
class ChoiceResult:
    id: str
    verdict: str
    choice: str
    follows: str
    tests: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """test -> what contradicted the choice"""


@dataclass
class Summary:
    headline: str
    rules: list[dict[str, object]] = field(default_factory=list)
    tests: list[dict[str, object]] = field(default_factory=list)
    clauses: list[dict[str, object]] = field(default_factory=list)
    lab_choices: list[dict[str, object]] = field(default_factory=list)
    time: list[dict[str, object]] = field(default_factory=list)


# -- reading the records ----------------------------------------------------------------------


def load(path: Path) -> list[dict[str, Any]]:
    """The records of a results.jsonl; the last word on a test wins (reruns)."""
    if not path.exists():
        return []
    records: dict[str, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            records[rec["nodeid"]] = rec
    return list(records.values())


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _claims(test: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(clause id, how) of a record; a record without `clauses` (an older plugin) claims none."""
    out = []
    for c in test.get("clauses") or []:
        if isinstance(c, dict) and "id" in c:
            out.append((str(c["id"]), str(c.get("how", ""))))
    return out


def _compressed(test: Mapping[str, Any]) -> bool:
    scales = [float(s) for s in test.get("time_scales") or []]
    return not test.get("real_time") and any(s < 1.0 for s in scales)


# -- the verdicts (pure) -------------------------------------------------------------------


def clause_results(tests: list[dict[str, Any]]) -> dict[str, ClauseResult]:
    by_clause: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
    for t in tests:
        for cid, how in _claims(t):
            by_clause[cid].append((t, how))
    out: dict[str, ClauseResult] = {}
    for cid, clause in catalogue.clauses().items():
        hits = by_clause.get(cid, [])
        passed = [(t, how) for t, how in hits if t["outcome"] == "passed"]
        showing = [t for t, how in passed if how in catalogue.SHOWING]
        contradicted = [t for t, _ in hits if t["outcome"] == ledger.NOT_REPRODUCED]
        if any(t["outcome"] == "failed" for t, _ in hits):
            verdict = FAIL
        elif contradicted:
            verdict = NOT_REPRODUCED
        elif showing:
            verdict = SHOWN
        elif passed:
            weak = {how for _, how in passed}
            verdict = next(v for h, v in WEAK_HOW.items() if h in weak)
        elif hits:
            verdict = SKIPPED
        elif clause.out_of_scope:
            verdict = OUT_OF_SCOPE
        else:
            verdict = NOT_CHECKED
        scales = sorted({float(s) for t in showing for s in t.get("time_scales") or []})
        out[cid] = ClauseResult(
            id=cid,
            rule=clause.rule,
            verdict=verdict,
            text=clause.text,
            refs=list(clause.refs),
            tests=[str(t["nodeid"]) for t, _ in hits],
            hows=sorted({how for _, how in passed}),
            out_of_scope=clause.out_of_scope,
            timers=list(clause.timers),
            compressed_only=bool(clause.timers) and bool(showing) and all(_compressed(t) for t in showing),
            scales=scales,
            not_reproduced={str(t["nodeid"]): _reason(t) for t in contradicted},
        )
    return out


def _reason(test: Mapping[str, Any]) -> str:
    return str(test.get("message", "")).removeprefix(ledger.NOT_REPRODUCED_REASON)


def rule_results(tests: list[dict[str, Any]], clauses: Mapping[str, ClauseResult]) -> list[RuleResult]:
    cited: dict[str, list[str]] = defaultdict(list)
    for t in tests:
        claimed = {cid.split("/", 1)[0] for cid, _ in _claims(t)}
        for rid in _strings(t.get("cited")):
            if rid not in claimed:
                cited[rid].append(str(t["nodeid"]))
    out = []
    for rid, rule in catalogue.rules().items():
        mine = [clauses[c.full_id] for c in rule.clauses]
        in_scope = [c for c in mine if c.verdict != OUT_OF_SCOPE]
        shown = [c for c in in_scope if c.verdict == SHOWN]
        with_tests = [c for c in mine if c.tests]
        if any(c.verdict == FAIL for c in mine):
            verdict = FAIL
        elif rule.out_of_scope and not with_tests:
            verdict = OUT_OF_SCOPE
        elif in_scope and len(shown) == len(in_scope):
            verdict = PASS
        elif not shown and not any(c.verdict in (*WEAK_HOW.values(), NOT_REPRODUCED) for c in in_scope):
            verdict = SKIP if any(c.verdict == SKIPPED for c in in_scope) else NOT_COVERED
        else:
            verdict = PARTIAL
        tests_of = list(dict.fromkeys(t for c in mine for t in c.tests))
        failed = [str(t["nodeid"]) for t in tests if t["outcome"] == "failed" and str(t["nodeid"]) in tests_of]
        out.append(
            RuleResult(
                id=rid,
                title=rule.title or rule.rule[:80],
                verdict=verdict,
                refs=list(rule.refs),
                clauses=[c.id for c in mine],
                shown=len(shown),
                in_scope=len(in_scope),
                missing={c.id: WHY[c.verdict] for c in in_scope if c.verdict != SHOWN},
                out_of_scope=rule.out_of_scope,
                tests=tests_of,
                failed=failed,
                cited_by=cited.get(rid, []),
            )
        )
    return out


def choice_results(tests: list[dict[str, Any]]) -> list[ChoiceResult]:
    seen: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for t in tests:
        for cid, result in (t.get("lab_choices") or {}).items():
            if isinstance(result, dict):
                seen[str(cid)].append((str(t["nodeid"]), {k: str(v) for k, v in result.items()}))
    out = []
    for cid, choice in catalogue.lab_choices().items():
        hits = seen.get(cid, [])
        outcomes = [r.get("outcome") for _, r in hits]
        if "failed" in outcomes:
            verdict = FAILED
        elif "passed" in outcomes:
            verdict = HELD
        elif hits:
            verdict = SKIPPED
        else:
            verdict = NOT_CHECKED
        out.append(
            ChoiceResult(
                id=cid,
                verdict=verdict,
                choice=choice.choice,
                follows=choice.follows,
                tests=[n for n, _ in hits],
                failed={n: r.get("message", "") for n, r in hits if r.get("outcome") == "failed"},
            )
        )
    return out


def time_results(tests: list[dict[str, Any]]) -> list[dict[str, object]]:
    """Per time scale the run's stubs used: how many tests, and what it made of each documented timer."""
    by_scale: dict[float, int] = defaultdict(int)
    for t in tests:
        for s in t.get("time_scales") or []:
            by_scale[float(s)] += 1
    out: list[dict[str, object]] = []
    for scale in sorted(by_scale):
        timers = {
            str(timer.value): {
                "documented_s": spec.seconds,
                "real_s": round(spec.seconds * scale, 3),
                "refs": spec.refs,
            }
            for timer, spec in TIMERS.items()
            if spec.documented
        }
        out.append({"time_scale": scale, "tests": by_scale[scale], "timers": timers})
    return out


def _count(values: Iterable[str], keys: tuple[str, ...]) -> dict[str, int]:
    listed = list(values)
    return {k: listed.count(k) for k in keys}


def headline(
    rules: list[RuleResult],
    clauses: Mapping[str, ClauseResult],
    choices: list[ChoiceResult],
    tests: list[dict[str, Any]],
    profile: str | None = None,
    pytest_rc: int = 0,
) -> str:
    counts = _count((str(t["outcome"]) for t in tests), OUTCOMES)
    verdicts = _count((r.verdict for r in rules), RULE_VERDICTS)
    scoped = len(rules) - verdicts[OUT_OF_SCOPE]
    in_scope = [c for c in clauses.values() if c.verdict != OUT_OF_SCOPE]
    shown = sum(1 for c in in_scope if c.verdict == SHOWN)
    contradicted = sum(1 for c in in_scope if c.verdict == NOT_REPRODUCED)
    held = _count((c.verdict for c in choices), CHOICE_VERDICTS)
    if verdicts[FAIL]:
        documents = "FAIL"
    elif verdicts[PASS] == scoped:
        documents = "PASS"
    else:
        documents = "PARTIAL"
    state = "FAILED" if counts["failed"] or held[FAILED] or pytest_rc != 0 else "PASSED"
    if pytest_rc == 5:
        state = "NOTHING RUN"
    return (
        f"uclab run {state}: documents {documents}: {verdicts[PASS]} PASS, {verdicts[PARTIAL]} PARTIAL, "
        f"{verdicts[FAIL]} FAIL, {verdicts[SKIP]} SKIP, {verdicts[NOT_COVERED]} NOT COVERED of {scoped} rules "
        f"({verdicts[OUT_OF_SCOPE]} out of scope), {shown}/{len(in_scope)} clauses shown "
        f"({len(clauses) - len(in_scope)} out of scope"
        + (f", {contradicted} documented, not reproduced" if contradicted else "")
        + f"); lab choices: {held[HELD]} held, {held[FAILED]} failed, "
        f"{held[NOT_CHECKED] + held[SKIPPED]} not checked; tests: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
        + (f", {counts[ledger.NOT_REPRODUCED]} not reproduced" if counts[ledger.NOT_REPRODUCED] else "")
        + (f"; profile {profile}" if profile else "")
    )


def summarise(tests: list[dict[str, Any]], profile: str | None = None, pytest_rc: int = 0) -> Summary:
    """The summary of recorded test results (pure: nothing is read or written)."""
    clauses = clause_results(tests)
    rules = rule_results(tests, clauses)
    choices = choice_results(tests)
    return Summary(
        headline=headline(rules, clauses, choices, tests, profile, pytest_rc),
        rules=[asdict(r) for r in rules],
        tests=tests,
        clauses=[asdict(c) for c in clauses.values()],
        lab_choices=[asdict(c) for c in choices],
        time=time_results(tests),
    )


def build_summary(out: Path, profile: str | None = None, pytest_rc: int = 0) -> Summary:
    """Read `out`/results.jsonl, write summary.json, summary.md and summary.html there."""
    summary = summarise(load(out / "results.jsonl"), profile, pytest_rc)
    counts = {
        k: n for k, n in _count((str(t["outcome"]) for t in summary.tests), OUTCOMES).items()
        if n or k != ledger.NOT_REPRODUCED
    }  # fmt: skip
    (out / "summary.json").write_text(
        json.dumps(
            {
                "headline": summary.headline,
                "profile": profile,
                "counts": counts,
                "rules": summary.rules,
                "clauses": summary.clauses,
                "lab_choices": summary.lab_choices,
                "time": summary.time,
                "tests": summary.tests,
            },
            indent=2,
        )
    )
    (out / "summary.md").write_text(markdown(summary, profile))
    (out / "summary.html").write_text(_html(summary, profile))
    return summary


# -- rendering -------------------------------------------------------------------------------


def rule_cell(r: Mapping[str, Any]) -> str:
    """The verdict cell of a rule: PARTIAL names its clauses not shown and why."""
    verdict = str(r["verdict"])
    if verdict == OUT_OF_SCOPE:
        return f"{verdict}: {r['out_of_scope']}"
    missing = r.get("missing") or {}
    if verdict in (PARTIAL, FAIL) and missing:
        by_why: dict[str, list[str]] = defaultdict(list)
        for cid, why in missing.items():
            by_why[why].append(str(cid).split("/", 1)[1])
        return f"{verdict}: " + "; ".join(f"{', '.join(ids)} {why}" for why, ids in by_why.items())
    return verdict


def _timer_name(value: str) -> str:
    return value.replace("_", " ")


def markdown(s: Summary, profile: str | None) -> str:
    lines = [
        f"# {s.headline}",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M:%S')}" + (f", profile {profile}" if profile else ""),
        "",
        "PASS: every documented clause shown over the wire or the UC API's TLS door; PARTIAL: the clauses "
        "named were only modelled, only hold by construction, ran only in process, were documented but not "
        "reproduced (their own section), or were not checked; "
        "lab choices are the lab's own behaviour where the documents are silent (README, Verdicts).",
        "",
    ]
    failed = [t for t in s.tests if t["outcome"] == "failed"]
    if failed:
        lines += ["## Failures", ""]
        for t in failed:
            claimed = ", ".join(cid for cid, _ in _claims(t)) or ", ".join(_strings(t.get("rules"))) or "-"
            lines += [
                f"### {t['nodeid']}",
                f"clauses: {claimed}",
                "",
                "```",
                str(t.get("message", ""))[-1500:],
                "```",
                "",
            ]
    lines += _not_reproduced_section(s)
    lines += _time_section(s)
    lines += [
        "## Rules",
        "",
        "| rule | verdict | what | document | clauses shown | tests |",
        "|---|---|---|---|---|---|",
    ]
    for r in s.rules:
        refs = ", ".join(_strings(r["refs"]))
        cited = f" (+{len(_strings(r['cited_by']))} citing)" if r["cited_by"] else ""
        lines.append(
            f"| {r['id']} | {rule_cell(r)} | {r['title']} | {refs} | {r['shown']}/{r['in_scope']} | "
            f"{len(_strings(r['tests']))}{cited} |"
        )
    lines += ["", "## Clauses", "", "| clause | verdict | how | document | tests |", "|---|---|---|---|---|"]
    for c in s.clauses:
        verdict = str(c["verdict"])
        if c["compressed_only"]:
            verdict += " (only under compression)"
        if verdict == OUT_OF_SCOPE:
            verdict += f": {c['out_of_scope']}"
        hows = ", ".join(_strings(c["hows"])) or "-"
        lines.append(
            f"| {c['id']} | {verdict} | {hows} | {', '.join(_strings(c['refs']))} | {len(_strings(c['tests']))} |"
        )
    lines += [
        "",
        "## Lab choices (the lab's behaviour where the documents are silent; not documented conformance)",
        "",
        "| lab choice | outcome | what the lab does | follows | tests |",
        "|---|---|---|---|---|",
    ]
    for c in s.lab_choices:
        outcome = str(c["verdict"])
        failures = c["failed"]
        if isinstance(failures, dict) and failures:
            outcome += ": " + "; ".join(f"{n}: {m}" for n, m in failures.items())[:400]
        lines.append(f"| {c['id']} | {outcome} | {c['choice']} | {c['follows'] or '-'} | {len(_strings(c['tests']))} |")
    lines += ["", "## Tests", "", "| test | outcome | clauses | topologies | s |", "|---|---|---|---|---|"]
    for t in sorted(s.tests, key=lambda t: str(t["nodeid"])):
        shown = ", ".join(f"{cid} ({how})" for cid, how in _claims(t))
        lines.append(
            f"| {t['nodeid']} | {t['outcome']} | {shown} | {', '.join(_strings(t.get('topologies')))} | "
            f"{t.get('duration_s', '')} |"
        )
    return "\n".join(lines) + "\n"


def _not_reproduced_section(s: Summary) -> list[str]:
    """The clauses a test measured not to hold, with the document's words, what was measured
    and the lab's reason: neither agreement nor failure, so they get a section of their own."""
    rows = [c for c in s.clauses if c["verdict"] == NOT_REPRODUCED]
    if not rows:
        return []
    lines = [
        "## Documented, not reproduced",
        "",
        "What the document states did not happen in the lab, for the reason given (neither shown nor failed).",
        "",
        "| clause | document | the document says | measured, and why | test |",
        "|---|---|---|---|---|",
    ]
    for c in rows:
        measured = c["not_reproduced"]
        assert isinstance(measured, dict)
        for test, why in measured.items():
            cells = [str(c["id"]), ", ".join(_strings(c["refs"])), str(c["text"]), str(why), str(test)]
            lines.append("| " + " | ".join(x.replace("|", "/").replace("\n", " ") for x in cells) + " |")
    return [*lines, ""]


def _time_section(s: Summary) -> list[str]:
    lines = ["## Time", ""]
    compressed = [t for t in s.time if float(str(t["time_scale"])) < 1.0]
    if not s.time:
        return [*lines, "No stub recorded a time scale in this run.", ""]
    if not compressed:
        lines += ["Every stub ran its documented timers in real time (time scale 1.0).", ""]
    else:
        lines += [
            "Documented timers ran compressed in this run (simulators/uc/timescale.py; `uclab run --real-time` "
            "runs them unscaled):",
            "",
            "| time scale | tests | " + " | ".join(_timer_name(t.value) for t in Timer if TIMERS[t].documented) + " |",
            "|---|---|" + "---|" * sum(1 for t in Timer if TIMERS[t].documented),
        ]
        for entry in s.time:
            timers = entry["timers"]
            assert isinstance(timers, dict)
            cells = [f"{_seconds(v['documented_s'])} -> {_seconds(v['real_s'])}" for v in timers.values()]
            lines.append(f"| {float(str(entry['time_scale'])):.3g} | {entry['tests']} | " + " | ".join(cells) + " |")
        lines.append("")
    only = [c for c in s.clauses if c["compressed_only"]]
    if only:
        lines += ["Clauses shown only under compression: " + ", ".join(str(c["id"]) for c in only) + ".", ""]
    return lines


def _seconds(value: object) -> str:
    s = float(str(value))
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if s >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s:.3g} s"


def _html(s: Summary, profile: str | None) -> str:
    colour = {PASS: "#2a7", PARTIAL: "#c80", FAIL: "#c33", SKIP: "#999", NOT_COVERED: "#bbb", OUT_OF_SCOPE: "#bbb"}
    rows = "".join(
        f"<tr><td>{html.escape(str(r['id']))}</td><td style='color:{colour[str(r['verdict'])]}'>"
        f"<b>{html.escape(rule_cell(r))}</b></td><td>{html.escape(str(r['title']))}</td>"
        f"<td>{html.escape(', '.join(_strings(r['refs'])))}</td><td>{r['shown']}/{r['in_scope']}</td>"
        f"<td>{'<br>'.join(html.escape(t) for t in _strings(r['tests']))}</td></tr>"
        for r in s.rules
    )
    choices = "".join(
        f"<tr><td>{html.escape(str(c['id']))}</td><td><b>{html.escape(str(c['verdict']))}</b></td>"
        f"<td>{html.escape(str(c['choice']))}</td><td>{html.escape(str(c['follows']))}</td></tr>"
        for c in s.lab_choices
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>uclab run</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ddd;padding:4px;vertical-align:top}"
        "table{border-collapse:collapse}</style>"
        f"<h1>{html.escape(s.headline)}</h1><p>{html.escape(profile or '')}</p>"
        "<h2>Rules</h2><table><tr><th>rule</th><th>verdict</th><th>what</th><th>document</th>"
        f"<th>clauses shown</th><th>tests</th></tr>{rows}</table>"
        "<h2>Lab choices</h2><table><tr><th>lab choice</th><th>outcome</th><th>what the lab does</th>"
        f"<th>follows</th></tr>{choices}</table>"
    )
