"""DESIGN.md section 4: the suites and the client side meet the stub only over its API.

simulators/phone (ucapi.py included) never imports simulators.uc; simulators/uc never
imports simulators.phone. The conformance suites may use the stub only as a harness: start
it (`simulators.uc.service`) with an administrator's configuration (`simulators.uc.config`),
like the `lab` fixture starts a network. They never import its internals (rules, call core,
state, texts, timers, the self-tests' `backdoor`): an oracle that imports what it judges
cannot catch it. Nor do they call what would read its SQLite state or its call core's
control socket on a stub object (`.state()`, `.core(...)`): what a user, an administrator
or the wire cannot see is no verdict's ground. The rules suites' target fixture starts the
in-process stub, also as a harness.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = {ROOT / "suites" / "rules" / "conftest.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offenders(files: list[Path], forbidden: str) -> list[str]:
    return sorted(
        f"{p.relative_to(ROOT)} imports {name}"
        for p in files
        for name in _imports(p)
        if name == forbidden or name.startswith(forbidden + ".")
    )


HARNESS_MODULES = {"simulators.uc.service", "simulators.uc.config"}
BEHIND_THE_API = {"state", "core"}
"""methods that would read the stub's SQLite state or ask its call core directly"""


def _behind_the_api(path: Path) -> list[str]:
    """`x.state()` and `x.core(...)` calls, and `stub.calls()` on anything named like a stub."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        target = ast.unparse(node.func.value)
        plain = not node.args and not node.keywords
        if (name == "state" and plain) or name == "core" or (name == "calls" and "stub" in target.lower()):
            found.append((node.lineno, f"{shown}:{node.lineno} calls {target}.{name}(...)"))
    return [f for _, f in sorted(found)]


def test_the_client_side_does_not_import_the_stub() -> None:
    assert _offenders(sorted((ROOT / "simulators" / "phone").rglob("*.py")), "simulators.uc") == []


def test_suites_use_the_stub_only_as_a_harness() -> None:
    files = [f for f in sorted((ROOT / "suites").rglob("*.py")) if f not in HARNESS]
    internals = [o for o in _offenders(files, "simulators.uc") if o.rsplit(" ", 1)[1] not in HARNESS_MODULES]
    assert internals == []


def test_suites_read_no_stub_internals_through_a_stub_object() -> None:
    files = sorted((ROOT / "suites").rglob("*.py"))
    assert [f for p in files for f in _behind_the_api(p)] == []


def test_the_internals_check_finds_what_it_forbids(tmp_path: Path) -> None:
    """The check itself can fail: each forbidden form in a file is found."""
    sample = tmp_path / "sample.py"
    code = "async def f(stub, o):\n    stub.state().users()\n    await o.stub.core('mixers')\n    await stub.calls()\n"
    sample.write_text(code, encoding="utf-8")
    found = _behind_the_api(sample)
    assert [f.split(" ", 1)[1] for f in found] == [
        "calls stub.state(...)",
        "calls o.stub.core(...)",
        "calls stub.calls(...)",
    ]


def test_the_stub_does_not_import_the_client_side() -> None:
    assert _offenders(sorted((ROOT / "simulators" / "uc").rglob("*.py")), "simulators.phone") == []


def test_the_harness_imports_the_stub_only_inside_its_fixture() -> None:
    (conftest,) = HARNESS
    tree = ast.parse(conftest.read_text(encoding="utf-8"))
    top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not any(
        (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("simulators.uc")) for n in top_level
    ), "the suites' conftest may import the in-process target only where it builds one"
