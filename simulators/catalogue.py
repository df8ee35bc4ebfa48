"""The rule catalogue (spec/rules.yaml) and the documents it points into.

Every conformance test names the rules it checks (`@pytest.mark.rule("NET-1.5")`); the
catalogue says what each rule is and where the documents say it (`004:96`), so a report
can show, rule by rule, what was verified and quote the document line.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "spec" / "rules.yaml"
REF_RE = re.compile(r"^(\d{3}):(\d+)(?:-(\d+))?$")


def seeds_dir() -> Path:
    """$UCLAB_SEEDS, else shared/seeds beside the checkout (or beside its parent, for a git
    worktree kept one level further down, e.g. /work/wt/NAME next to /work/shared)."""
    if "UCLAB_SEEDS" in os.environ:
        return Path(os.environ["UCLAB_SEEDS"])
    candidates = [ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


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


@functools.cache
def rules() -> dict[str, Rule]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    out = {}
    for item in data["rules"]:
        out[item["id"]] = Rule(
            id=item["id"],
            section=item.get("section", ""),
            rule=item["rule"],
            title=item.get("title", ""),
            refs=tuple(item.get("refs", [])),
            out_of_scope=item.get("out_of_scope", ""),
        )
    return out


def unknown(ids: list[str]) -> list[str]:
    known = rules()
    return [i for i in ids if i not in known]


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
