"""Every document reference (`004:141`, `000:1489-1513`) in the code, the suites, the docs
and the catalogue points at existing text in ../shared/seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulators import catalogue

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    {
        *(p for top in ("simulators", "suites", "reports", "benchmarks", "uclab") for p in (ROOT / top).rglob("*.py")),
        *(ROOT / "examples").rglob("*.yaml"),
        *(ROOT / "simulators").rglob("*.yaml"),
        *(ROOT / "topologies").glob("*.yaml"),
        *(ROOT / "docs").glob("*.md"),
        ROOT / "spec" / "rules.yaml",
        ROOT / "spec" / "lab_choices.yaml",
        ROOT / "README.md",
    }
)
REF = re.compile(r"\b(00[0-4]):(\d+)(?:-(\d+))?\b")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_references_resolve(path: Path) -> None:
    refs = {m.group(0) for m in REF.finditer(path.read_text(encoding="utf-8"))}
    bad = sorted(r for r in refs if not catalogue.quote(r))
    assert bad == [], f"{path.relative_to(ROOT)}: references to empty or missing lines: {bad}"
