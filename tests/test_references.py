"""Every file and module that a docstring, a comment or a document names exists.

Docstrings and docs point readers at other files (`see benchmarks/phone_floor.py`,
`callcore/ivr.py`, `simulators.net.delayline`). When a file moves or goes, such a pointer
becomes a stale fact. This reads the docstrings and comments of every tracked Python file
and the text of every tracked Markdown file, and checks:

- a path ending in `.py`, or starting with a top-level folder of the repository, names a
  tracked file: from the repository root, from the naming file's folder, or as the tail of a
  tracked path (a module named within its own package, `callcore/ivr.py`);
- a dotted name starting with one of our packages (`simulators.net.delayline.main`) reaches
  a module before it leaves the packages (the rest may be names inside that module).

String literals are not read (they name run artifacts and test data), nor names with
placeholders (`<run>/nft/<router>.nft`) or wildcards (`test_net_1_*.py`), nor the few dotted
names that are not modules (NOT_MODULES: the image's `uclab.source` label). The documents that
live beside the repository (../shared/DESIGN.md, NOTES-platform.md) are not checked here.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulators", "uclab", "suites", "reports", "benchmarks", "tests")
SHARED = ("../shared/", "NOTES-platform.md", "DESIGN.md")
PATH_REF = re.compile(
    r"(?<![\w/<>.*{$-])((?:\.\./)?(?:[\w.-]+/)*[\w-]+\.(?:py|yaml|yml|md|json|cfg|xml|sh|toml))(?![\w*/>}])"
)
DOTTED_REF = re.compile(rf"(?<![\w.])((?:{'|'.join(PACKAGES)})(?:\.\w+)+)")
NOT_MODULES = {"uclab.source"}  # the image label that records the source (docs/SCALING.md)


def tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return [name for name in out.split() if (ROOT / name).is_file()]


def prose(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of a Markdown file's lines, or of a Python file's docstrings and comments."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        yield from enumerate(source.splitlines(), 1)
        return
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = node.body[0] if node.body else None
            if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
                for i, line in enumerate(doc.value.value.splitlines()):
                    yield doc.lineno + i, line
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def path_resolves(ref: str, where: Path, files: list[str]) -> bool:
    if ref.startswith(SHARED[0]) or ref in SHARED:
        return True
    if (ROOT / ref).exists() or (where.parent / ref).exists():
        return True
    return any(name == ref or name.endswith("/" + ref) for name in files)


def dotted_resolves(ref: str) -> bool:
    """Walk packages down; the first part that is not a package must be one of its modules."""
    here = ROOT
    for part in ref.split("."):
        if (here / part).is_dir():
            here = here / part
        else:
            return (here / f"{part}.py").is_file()
    return True


def dead_references(files: list[str]) -> list[str]:
    tops = {name.split("/")[0] for name in files if "/" in name}
    dead = []
    for name in files:
        path = ROOT / name
        if path.suffix not in (".py", ".md"):
            continue
        for line, text in prose(path):
            for ref in PATH_REF.findall(text):
                if (ref.endswith(".py") or ref.split("/")[0] in tops) and not path_resolves(ref, path, files):
                    dead.append(f"{name}:{line}: {ref}")
            dead += [
                f"{name}:{line}: {ref}"
                for ref in DOTTED_REF.findall(text)
                if ref not in NOT_MODULES and not dotted_resolves(ref)
            ]
    return dead


def test_every_file_and_module_named_in_docstrings_comments_and_docs_exists() -> None:
    assert dead_references(tracked()) == []


def test_the_check_finds_a_dead_path_and_a_dead_module() -> None:
    doc = ROOT / "docs" / "ARCHITECTURE.md"
    files = tracked()
    assert path_resolves("callcore/ivr.py", doc, files)
    assert path_resolves("topologies/matrix.yaml", doc, files)
    assert not path_resolves("benchmarks/phone_call.py", doc, files)
    assert not path_resolves("test_nat_presets.py", ROOT / "tests" / "net" / "x.py", files)
    assert dotted_resolves("simulators.net.delayline.main")
    assert not dotted_resolves("simulators.net.nothere")
    assert PATH_REF.findall("see <run>/nft/<router>.nft and test_net_1_*.py") == []
