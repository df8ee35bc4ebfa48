"""What a run directory records about itself: `run.json` and `durations.json`.

    run.json         the run record: kind (a conformance run or a matrix sweep), uclab
                     version, the source it ran (commit, dirty flag, digest of the local
                     changes), release profile, shard K/N, the whole selection (every test
                     file or matrix cell of all shards, and the arguments that chose them),
                     the split of that selection over the shards, timings and exit codes.
                     `uclab report merge` reads it to refuse sets of shards that do not
                     belong together.
    durations.json   seconds per test file (summed from results.jsonl) and per matrix cell
                     (from matrix.json): what the next sharded run balances its split by.

Both are written by the run itself from what it recorded; a merged report has them too, so
it can balance the next split and carry history forward.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

RECORD = "run.json"
DURATIONS = "durations.json"

Kind = Literal["run", "matrix"]
M = TypeVar("M", bound=BaseModel)


class RecordError(ValueError):
    """A run directory's record is missing or unreadable; the message names the file."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Shard(_Model):
    """Shard `index` of `total` (1-based, as the command line writes it)."""

    index: int = Field(ge=1)
    total: int = Field(ge=1)

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


class Source(_Model):
    """The code a run ran: a commit, and whether (and how) the working tree differed from it."""

    commit: str | None
    dirty: bool = False
    changes: str | None = None
    """sha256 of the local changes (tracked diff and untracked files), when dirty"""

    def __str__(self) -> str:
        commit = (self.commit or "unknown commit")[:12]
        return f"{commit} with local changes {(self.changes or '?')[:12]}" if self.dirty else commit


class Selection(_Model):
    """Everything the whole set of shards runs, in a stable order, and what chose it."""

    items: list[str]
    """test files (a conformance run) or matrix cell ids (a sweep)"""
    args: list[str] = []
    """the pytest arguments, or the matrix's --only patterns"""


class Plan(_Model):
    """The split of the selection: `parts[k - 1]` is what shard k runs."""

    parts: list[list[str]]
    durations_from: str | None = None
    """the durations file the split was balanced by (None: equal weights)"""


class RunRecord(_Model):
    kind: Kind
    uclab_version: str
    source: Source
    profile: str | None = None
    shard: Shard | None
    """None for a merged report"""
    selection: Selection
    plan: Plan
    started: float
    finished: float | None = None
    timings: dict[str, float] = {}
    """seconds per phase (pytest, allure, matrix, total); a merged report: per shard"""
    exit_codes: dict[str, int] = {}
    """pytest / matrix / uclab exit codes"""
    merged_from: list[str] = []
    """the shard directories a merged report was made from"""

    @property
    def mine(self) -> list[str]:
        """What this shard runs (everything, for a merged report)."""
        return self.plan.parts[self.shard.index - 1] if self.shard else self.selection.items


def write_record(out: Path, record: RunRecord) -> None:
    (out / RECORD).write_text(record.model_dump_json(indent=1) + "\n")


def read_record(out: Path) -> RunRecord:
    path = out / RECORD
    if not out.is_dir():
        raise RecordError(f"{out}: no such directory")
    if not path.exists():
        raise RecordError(f"{out} is not a uclab run directory (no {RECORD})")
    return _parse(RunRecord, path, "a uclab run record")


# -- durations -----------------------------------------------------------------------------


class Durations(_Model):
    """Seconds per test file and per matrix cell, as one run measured them."""

    files: dict[str, float] = {}
    cells: dict[str, float] = {}


def _test_file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def measured_durations(out: Path) -> Durations:
    """Durations from what the run in `out` recorded: results.jsonl (summed per file) and the
    cells of matrix.json (its own, or its matrix/ directory's)."""
    files: dict[str, float] = defaultdict(float)
    results = out / "results.jsonl"
    if results.exists():
        for line in results.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                files[_test_file(str(rec["nodeid"]))] += float(rec.get("duration_s") or 0.0)
    cells: dict[str, float] = {}
    for matrix in (out / "matrix.json", out / "matrix" / "matrix.json"):
        if matrix.exists():
            for cell in json.loads(matrix.read_text()).get("cells", []):
                if cell.get("seconds") is not None:
                    cells[str(cell["id"])] = float(cell["seconds"])
    return Durations(files={k: round(v, 3) for k, v in files.items()}, cells=cells)


def write_durations(out: Path) -> Durations:
    durations = measured_durations(out)
    (out / DURATIONS).write_text(durations.model_dump_json(indent=1) + "\n")
    return durations


def read_durations(path: Path) -> Durations:
    """A durations file, or the one in run directory `path`."""
    file = path / DURATIONS if path.is_dir() else path
    if not file.exists():
        raise RecordError(
            f"{path}: no {DURATIONS} there (every uclab run and merged report writes one)"
            if path.is_dir()
            else f"{path}: no such file"
        )
    return _parse(Durations, file, "a durations file")


def _parse(model: type[M], path: Path, what: str) -> M:
    """`path` read as `model`; a RecordError names the first problem and where it is."""
    try:
        return model.model_validate_json(path.read_text())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise RecordError(f"{path}: not {what}: {where}: {first['msg']}") from None
