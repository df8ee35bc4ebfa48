"""Every document reference in part A's code, docs and suites points at existing text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulators import catalogue

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    *(
        ROOT / "simulators" / "uc" / n
        for n in (
            "api.py",
            "api_models.py",
            "api_directory.py",
            "api_favorites.py",
            "api_picture.py",
            "config.py",
            "profiles.py",
            "state_directory.py",
            "timescale.py",
        )
    ),
    *sorted((ROOT / "simulators" / "uc" / "rules").glob("*.py")),
    *sorted((ROOT / "simulators" / "uc" / "examples").glob("*.yaml")),
    ROOT / "docs" / "RULES-INTERPRETATION.md",
    *sorted((ROOT / "suites" / "rules").glob("*.py")),
]
REF = re.compile(r"\b(00[0-4]):(\d+)(?:-(\d+))?\b")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_references_resolve(path: Path) -> None:
    refs = {m.group(0) for m in REF.finditer(path.read_text(encoding="utf-8"))}
    bad = sorted(r for r in refs if not catalogue.quote(r))
    assert bad == [], f"{path.name}: references to empty or missing lines: {bad}"
