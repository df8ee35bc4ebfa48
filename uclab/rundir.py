"""Run directories: where a run's report goes (`--out DIR`) and what the run records about
the code it ran.

`--out` means the same for `uclab run`, `uclab matrix`, `uclab check` and `uclab report
merge`: the directory the report is written to. It may be new, empty, or an earlier uclab
run directory (it has a run.json), whose contents are replaced: a retried CI job or
Kubernetes pod writes to the same place again. Any other non-empty directory is refused
before anything runs, so a typo never deletes someone's files.

The source of a run is the commit checked out (`git rev-parse HEAD`), whether the working
tree differs from it, and a digest of those differences (tracked diff plus untracked
files), so shards are merged only when they ran the same code. Without git (the container
image) it is the record the image build left in `.uclab-source.json`.

    python -m uclab.rundir source    the source record of this checkout, as JSON
    python -m uclab.rundir tag       the image tag for it: uclab:<commit>[-dirty-<digest>]
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from reports.runinfo import RECORD, Source

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "reports" / "runs"
IMAGE_SOURCE = ".uclab-source.json"
"""the source record the image build writes next to the code (there is no .git in the image)"""


class UsageError(ValueError):
    """Bad input found before anything ran; the message says what and what to do (exit 2)."""


def prepare_out(out: Path | None, default_name: str, keep: Sequence[Path] = ()) -> Path:
    """The run directory to write: `out`, else reports/runs/<default_name>-<time>.

    An existing uclab run directory is emptied first, except for entries holding one of
    `keep` (a merge into the directory its shards ran in keeps them)."""
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = RUNS / (f"{default_name}-{stamp}" if default_name else stamp)
        path, n = base, 1
        while path.exists():
            n += 1
            path = Path(f"{base}-{n}")
        path.mkdir(parents=True)
        return path
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file, not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not (out / RECORD).exists():
            raise UsageError(
                f"--out {out}: the directory is not empty and is not a uclab run directory (no {RECORD}); "
                "give a new or empty directory, or an earlier run's directory to replace it"
            )
        kept = [k.resolve() for k in keep]
        for entry in out.iterdir():
            if any(k == entry or entry in k.parents for k in kept):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=False)


def source_state() -> Source:
    """The code this checkout holds: commit, dirty flag and a digest of the changes."""
    head = _git("rev-parse", "HEAD") if shutil.which("git") else None
    if head is None or head.returncode != 0:
        record = ROOT / IMAGE_SOURCE
        if record.exists():
            return Source.model_validate_json(record.read_text())
        return Source(commit=None)
    diff = _git("diff", "HEAD", "--binary").stdout
    untracked = [p for p in _git("ls-files", "--others", "--exclude-standard", "-z").stdout.split(b"\0") if p]
    if not diff and not untracked:
        return Source(commit=head.stdout.decode().strip())
    digest = hashlib.sha256(diff)
    for name in sorted(untracked):
        path = ROOT / name.decode()
        digest.update(b"\0" + name + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
    return Source(commit=head.stdout.decode().strip(), dirty=True, changes=digest.hexdigest())


def image_tag(source: Source) -> str:
    """The tag of the image built from `source`."""
    tag = f"uclab:{(source.commit or 'unknown')[:12]}"
    return f"{tag}-dirty-{(source.changes or '')[:8]}" if source.dirty else tag


def uclab_version() -> str:
    try:
        return importlib.metadata.version("uclab")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def main(argv: list[str]) -> int:
    if argv == ["source"]:
        print(source_state().model_dump_json())
        return 0
    if argv == ["tag"]:
        print(image_tag(source_state()))
        return 0
    print("usage: python -m uclab.rundir source|tag", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
