"""The rule catalogue (spec/rules.yaml), its clause ledger, the lab's choices
(spec/lab_choices.yaml) and the documents they point into.

Every rule lists its documented *clauses*: what the document states, in its words, with
its own lines (`004:96`). A clause's full id is `RULE-ID/short-name`, e.g.
`UC-VM-1/retention`. A conformance test declares which clauses it shows and how
(`@pytest.mark.clause("UC-VM-1/retention", how="wire")`, HOW below), so the run summary
can say, rule by rule and clause by clause, what was shown and quote the document line.
Behaviour the documents leave open is a *lab choice* (`LAB-...`), reported apart.

`rules()`, `clauses()` and `lab_choices()` load and check the structure (CatalogueError
names the file, the entry and what to fix); `problems()` checks what needs the documents
and the interpretation page: every reference resolves to text, every reading anchor
exists, every timer is one of simulators/uc/timescale.py.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "spec" / "rules.yaml"
LAB_CHOICES = ROOT / "spec" / "lab_choices.yaml"
INTERPRETATION = ROOT / "docs" / "RULES-INTERPRETATION.md"
REF_RE = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")
CLAUSE_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LAB_CHOICE_RE = re.compile(r"^LAB-[A-Z0-9]+(?:-[A-Z0-9]+)*$")

HOW = ("wire", "api", "client-model", "construction")
"""How a test shows a clause:
- wire: real phones, real network, real stub processes (what a user hears and sees);
- api: the UC API over the lab network and the TLS door on 8802;
- client-model: the lab's model of the myPortal @work client, no system involved;
- construction: holds by how the lab is built (e.g. the RTP port range given to the phones).
Only wire and api show a clause; the others leave its rule PARTIAL (reports/summary.py)."""
SHOWING = ("wire", "api")


class CatalogueError(ValueError):
    """The catalogue or the lab choices file is malformed; the message names where and what to fix."""


def seeds_dir() -> Path:
    """$UCLAB_SEEDS, else shared/seeds beside the checkout (or beside its parent, for a git
    worktree kept one level further down, e.g. /work/wt/NAME next to /work/shared)."""
    if "UCLAB_SEEDS" in os.environ:
        return Path(os.environ["UCLAB_SEEDS"])
    candidates = [ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


@dataclass(frozen=True)
class Clause:
    """One documented statement of a rule, with its own document lines."""

    rule: str
    id: str
    text: str
    refs: tuple[str, ...]
    reading: str = ""
    """the anchor in docs/RULES-INTERPRETATION.md of the reading this clause uses"""
    timers: tuple[str, ...] = ()
    """documented timers (simulators/uc/timescale.py Timer values) the clause depends on"""
    out_of_scope: str = ""
    """why the lab cannot show this clause (a part of the system the stub does not represent)"""

    @property
    def full_id(self) -> str:
        return f"{self.rule}/{self.id}"


@dataclass(frozen=True)
class Rule:
    id: str
    section: str
    rule: str
    title: str = ""
    refs: tuple[str, ...] = field(default_factory=tuple)
    out_of_scope: str = ""
    """why the lab does not judge the rule (the client's own UI, installation or setting, or a
    system function the stub does not represent; docs/RULES-INTERPRETATION.md); empty for
    the rules the suites are meant to cover"""
    clauses: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class LabChoice:
    """Behaviour the documents leave open: what the lab does and why."""

    id: str
    choice: str
    reason: str
    follows: str = ""
    """the reference the choice follows (an RFC, a profile, a document line); empty: none"""
    beside: tuple[str, ...] = ()
    """the documented rules it sits next to"""
    reading: str = ""


# -- loading ------------------------------------------------------------------------------


def _fields(where: str, item: Any, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise CatalogueError(f"{where}: expected a mapping with {', '.join(required)}, got {item!r}")
    missing = [k for k in required if not item.get(k)]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(item) - set(required) - set(optional))
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(required + optional)}")
    return item


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _clause(rule_id: str, index: int, item: Any) -> Clause:
    where = f"{CATALOGUE.name}: {rule_id} clause {index + 1}"
    data = _fields(where, item, ("id", "text", "refs"), ("reading", "timers", "out_of_scope"))
    name = str(data["id"])
    if not CLAUSE_NAME_RE.match(name):
        raise CatalogueError(f"{where}: id {name!r} must be lower-case words joined by hyphens, e.g. retention")
    refs = _strings(f"{where} ({name}) refs", data["refs"])
    for ref in refs:
        if not REF_RE.match(ref):
            raise CatalogueError(f"{where} ({name}): {ref!r} is not a document reference like 004:96 or 000:2138-2160")
    return Clause(
        rule=rule_id,
        id=name,
        text=str(data["text"]),
        refs=refs,
        reading=str(data.get("reading") or ""),
        timers=_strings(f"{where} ({name}) timers", data.get("timers")),
        out_of_scope=str(data.get("out_of_scope") or ""),
    )


def _rule(index: int, item: Any) -> Rule:
    where = f"{CATALOGUE.name}: rule {index + 1}"
    data = _fields(where, item, ("id", "rule", "refs", "clauses"), ("section", "title", "out_of_scope"))
    rid = str(data["id"])
    if not isinstance(data["clauses"], list):
        raise CatalogueError(f"{where} ({rid}): clauses must be a list of {{id, text, refs}}")
    clauses = tuple(_clause(rid, i, c) for i, c in enumerate(data["clauses"]))
    names = [c.id for c in clauses]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CatalogueError(f"{where} ({rid}): clause id(s) {', '.join(twice)} given twice")
    return Rule(
        id=rid,
        section=str(data.get("section", "")),
        rule=str(data["rule"]),
        title=str(data.get("title", "")),
        refs=_strings(f"{where} ({rid}) refs", data["refs"]),
        out_of_scope=str(data.get("out_of_scope") or ""),
        clauses=clauses,
    )


def _load(path: Path, key: str) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise CatalogueError(f"{path.name}: expected a top-level `{key}:` list")
    items: list[Any] = data[key]
    return items


@functools.cache
def rules() -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for index, item in enumerate(_load(CATALOGUE, "rules")):
        rule = _rule(index, item)
        if rule.id in out:
            raise CatalogueError(f"{CATALOGUE.name}: rule {rule.id} given twice")
        out[rule.id] = rule
    return out


@functools.cache
def clauses() -> dict[str, Clause]:
    """Every clause by its full id (`UC-VM-1/retention`)."""
    return {c.full_id: c for rule in rules().values() for c in rule.clauses}


@functools.cache
def lab_choices() -> dict[str, LabChoice]:
    out: dict[str, LabChoice] = {}
    for index, item in enumerate(_load(LAB_CHOICES, "lab_choices")):
        where = f"{LAB_CHOICES.name}: entry {index + 1}"
        data = _fields(where, item, ("id", "choice", "reason"), ("follows", "beside", "reading"))
        cid = str(data["id"])
        if not LAB_CHOICE_RE.match(cid):
            raise CatalogueError(f"{where}: id {cid!r} must look like LAB-DND-486 (LAB- then capitals and digits)")
        if cid in out:
            raise CatalogueError(f"{where}: {cid} given twice")
        out[cid] = LabChoice(
            id=cid,
            choice=str(data["choice"]),
            reason=str(data["reason"]),
            follows=str(data.get("follows") or ""),
            beside=_strings(f"{where} ({cid}) beside", data.get("beside")),
            reading=str(data.get("reading") or ""),
        )
    return out


def unknown(ids: list[str]) -> list[str]:
    known = rules()
    return [i for i in ids if i not in known]


def unknown_clauses(ids: list[str]) -> list[str]:
    known = clauses()
    return [i for i in ids if i not in known]


def unknown_lab_choices(ids: list[str]) -> list[str]:
    known = lab_choices()
    return [i for i in ids if i not in known]


# -- the documents and the interpretation page ------------------------------------------------


@functools.cache
def _document(prefix: str) -> list[str]:
    matches = sorted(seeds_dir().glob(f"{prefix}_*.txt"))
    if not matches:
        return []
    return matches[0].read_text(encoding="utf-8", errors="replace").splitlines()


def quote(ref: str, max_lines: int = 6) -> str:
    """The document text a reference like `004:96` or `000:2138-2160` points at."""
    m = REF_RE.match(ref)
    if not m:
        raise ValueError(f"{ref!r} is not a document reference like 004:96 or 000:2138-2160")
    lines = _document(m.group(1))
    first = int(m.group(2))
    last = int(m.group(3) or first)
    if not lines or first > len(lines):
        return ""
    chosen = [line.strip() for line in lines[first - 1 : min(last, first + max_lines - 1)] if line.strip()]
    return " ".join(chosen)


def anchor(heading: str) -> str:
    """The anchor a Markdown heading gets (GitHub's rule: lower case, punctuation dropped, blanks to -)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@functools.cache
def reading_anchors() -> frozenset[str]:
    """The anchors of the headings of docs/RULES-INTERPRETATION.md."""
    text = INTERPRETATION.read_text(encoding="utf-8")
    return frozenset(anchor(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE))


def problems() -> list[str]:
    """What is wrong with the ledger against the documents, the interpretation page and the
    timers: one line each, naming the entry and what to fix. Empty when all is well."""
    from .uc.timescale import Timer

    timers = {t.value for t in Timer}
    found: list[str] = []
    for rule in rules().values():
        if not rule.clauses:
            found.append(f"{rule.id}: no clauses; list what the document states, each with its lines")
        for ref in rule.refs:
            if not quote(ref):
                found.append(f"{rule.id}: reference {ref} points at no text in {seeds_dir()}")
        for c in rule.clauses:
            for ref in c.refs:
                if not quote(ref):
                    found.append(f"{c.full_id}: reference {ref} points at no text in {seeds_dir()}")
            if c.reading and c.reading not in reading_anchors():
                found.append(f"{c.full_id}: reading {c.reading!r} is no heading of {INTERPRETATION.name}")
            for t in c.timers:
                if t not in timers:
                    found.append(f"{c.full_id}: timer {t!r} is not one of {', '.join(sorted(timers))}")
    for choice in lab_choices().values():
        if choice.reading and choice.reading not in reading_anchors():
            found.append(f"{choice.id}: reading {choice.reading!r} is no heading of {INTERPRETATION.name}")
        for rid in choice.beside:
            if rid not in rules():
                found.append(f"{choice.id}: beside {rid} is no rule of {CATALOGUE.name}")
    return found
