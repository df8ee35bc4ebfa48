"""The layout a newcomer reads: package indexes, one-way dependencies, no import cycles.

- Every package under simulators/, uclab/, suites/, reports/ and benchmarks/ lists all its
  modules and subpackages in its `__init__` docstring, one line each with a sentence
  (`- \\`<module>.py\\`: what it is` or `- \\`<package>/\\`: ...`; the older column form,
  the name then two spaces and the sentence, is read too), and lists nothing that does not
  exist.
- No import cycle among the modules of simulators/ and uclab/. Every import counts: at the
  top, inside functions, and under `if TYPE_CHECKING:` (a type-only import is a dependency
  too; the way out is a Protocol in the lower module, see simulators/net/links.py).
- Dependencies point one way: nothing in the code imports tests/; simulators/ (the library)
  never imports the application (uclab), the suites, the reports or the benchmarks; reports
  read recorded results and never import the suites or the application.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = ("simulators", "uclab", "suites", "reports", "benchmarks")
ENTRY = re.compile(r"^\s*(?:[-*]\s+)?`?(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.py|/))`?(?::\s*|\s{2,})(?P<text>\S.*)?$")


# -- package indexes --------------------------------------------------------------------------


def packages() -> list[Path]:
    """Every folder of Python modules (an index needs an `__init__.py`, so one without fails)."""
    return sorted({p.parent for top in CODE for p in (ROOT / top).rglob("*.py")})


def members(package: Path) -> set[str]:
    modules = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    subpackages = {f"{p.name}/" for p in package.iterdir() if p.is_dir() and any(p.rglob("*.py"))}
    return modules | subpackages


def listed(docstring: str) -> dict[str, str]:
    """The index entries of a docstring: name -> its sentence ('' when it has none)."""
    entries: dict[str, str] = {}
    for line in docstring.splitlines():
        m = ENTRY.match(line)
        if m:
            entries[m["name"]] = (m["text"] or "").strip()
    return entries


def index_problems(package: Path) -> list[str]:
    init = package / "__init__.py"
    if not init.exists():
        return ["missing: a package needs an __init__.py whose docstring is its index"]
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    entries = listed(doc)
    have = members(package)
    problems = [f"{name} is not listed" for name in sorted(have - set(entries))]
    problems += [f"{name} is listed but does not exist" for name in sorted(set(entries) - have)]
    problems += [f"{name} has no sentence" for name, text in sorted(entries.items()) if name in have and not text]
    return problems


@pytest.mark.parametrize("package", packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_index_lists_exactly_its_modules(package: Path) -> None:
    problems = index_problems(package)
    where = package.relative_to(ROOT) / "__init__.py"
    assert problems == [], f"{where} docstring: " + "; ".join(problems) + " (format: - `<module>.py`: one sentence)"


def test_the_index_reader_accepts_both_forms_and_rejects_prose() -> None:
    doc = (
        "Intro mentioning config.py in passing.\n\n"
        "- `agent.py`: the agent process.\n"
        "- `sub/`: a subpackage.\n"
        "    tones.py     tone plan (pure)\n"
        "- bare.py: without backticks\n"
        "- `empty.py`:\n"
    )
    assert listed(doc) == {
        "agent.py": "the agent process.",
        "sub/": "a subpackage.",
        "tones.py": "tone plan (pure)",
        "bare.py": "without backticks",
        "empty.py": "",
    }


# -- the import graph ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    source: Path
    line: int
    target: str  # the dotted name as written, made absolute


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, name: str | None = None) -> list[Import]:
    """Every import in the file (module `name`), wherever it stands, relative ones made
    absolute; `from x import y` is named x.y (y may be a module or a name in x), and
    `importlib.import_module("x")` with a literal name counts too."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found += [Import(path, node.lineno, f"{module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call) and _literal_import_module(node):
            found.append(Import(path, node.lineno, node.args[0].value))  # type: ignore[attr-defined]
    return found


def _literal_import_module(node: ast.Call) -> bool:
    func = node.func
    named = isinstance(func, ast.Attribute) and func.attr == "import_module"
    named = named or (isinstance(func, ast.Name) and func.id in ("import_module", "__import__"))
    return named and bool(node.args) and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)


def graph(tops: tuple[str, ...]) -> dict[str, dict[str, Import]]:
    """module -> {module it imports: the first such import}, over the modules under `tops`."""
    files = {module_name(p): p for top in tops for p in (ROOT / top).rglob("*.py")}

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in files:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    edges: dict[str, dict[str, Import]] = {}
    for name, path in files.items():
        out: dict[str, Import] = {}
        for imp in imports(path):
            target = resolve(imp.target)
            if target is not None and target != name:
                out.setdefault(target, imp)
        edges[name] = out
    return edges


def cycles(edges: dict[str, dict[str, Import]]) -> list[list[str]]:
    """One cycle (as a path a -> b -> ... -> a) per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_cycle_through(sorted(component), edges))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _cycle_through(component: list[str], edges: dict[str, dict[str, Import]]) -> list[str]:
    """The shortest way from the component's first module back to itself (breadth first)."""
    inside = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w == start:
                return [*paths[v], start]
            if w in inside and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")  # a component of two or more always has one


def describe(cycle: list[str], edges: dict[str, dict[str, Import]]) -> str:
    steps = []
    for a, b in itertools.pairwise(cycle):
        imp = edges[a][b]
        steps.append(f"{a} ({imp.source.relative_to(ROOT)}:{imp.line}) -> {b}")
    return "; ".join(steps)


def test_no_import_cycle_in_the_library_or_the_application() -> None:
    edges = graph(("simulators", "uclab"))
    found = [describe(c, edges) for c in cycles(edges)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_cycle_finder_reports_the_path() -> None:
    here = Import(ROOT / "x.py", 1, "")
    edges: dict[str, dict[str, Import]] = {
        "a": {"b": here},
        "b": {"c": here},
        "c": {"a": here, "d": here},
        "d": {},
    }
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b": here}, "b": {}}) == []


# -- dependency direction -----------------------------------------------------------------------


def offenders(tops: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{imp.source.relative_to(ROOT)}:{imp.line} imports {imp.target}"
        for top in tops
        for path in sorted((ROOT / top).rglob("*.py"))
        for imp in imports(path)
        if any(imp.target == f or imp.target.startswith(f + ".") for f in forbidden)
    )


def test_nothing_in_the_code_imports_the_self_tests() -> None:
    assert offenders(CODE, ("tests",)) == []


def test_the_library_imports_no_application_suite_report_or_benchmark() -> None:
    assert offenders(("simulators",), ("uclab", "suites", "reports", "benchmarks")) == []


def test_reports_import_no_suite_and_no_application() -> None:
    assert offenders(("reports",), ("suites", "uclab")) == []


def test_the_import_reader_sees_relative_late_type_only_and_dynamic_imports(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..other import thing\n"
        "if TYPE_CHECKING:\n"
        "    from .types import T\n"
        "def late():\n"
        "    import tests.net.helper\n"
        "    importlib.import_module('suites.x')\n"
    )
    assert {i.target for i in imports(source, "simulators.net.mod")} == {
        "importlib",
        "typing.TYPE_CHECKING",
        "simulators.net.sibling",
        "simulators.other.thing",
        "simulators.net.types.T",
        "tests.net.helper",
        "suites.x",
    }
