"""Topology files: YAML in, validated `Topology` out, or a `TopologyError` naming each
problem with its file, line, field and fix."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import model
from .checks import check
from .errors import Problem, TopologyError

TOPOLOGY_DIR = Path(__file__).resolve().parents[2] / "topologies"


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            names.update(obj.model_fields)
    return names


def _line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest YAML node along `loc`."""
    line = None if node is None else node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if nxt is None:
                break
            key = next(k for k, v in node.value if v is nxt)
            line = key.start_mark.line + 1
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _message(err: dict[str, Any]) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    loc = err["loc"]
    if kind == "value_error":
        return str(msg).removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        field = str(loc[-1]) if loc else "value"
        allowed = msg.removeprefix("Input should be ")
        return f"unknown {field} {value!r}; use one of: {allowed}"
    if kind == "extra_forbidden":
        field = str(loc[-1])
        close = difflib.get_close_matches(field, _all_field_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; see `uclab topologies schema` for the fields"
        return f"unknown field {field!r}{hint}"
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "string_pattern_mismatch":
        limit = re.search(r"\{0,(\d+)\}", str(err.get("ctx", {}).get("pattern", "")))
        longest = f", at most {int(limit.group(1)) + 1} characters" if limit else ""
        return f"{value!r} is not a valid name: use lower-case letters, digits and _, starting with a letter{longest}"
    return f"{msg} (got {value!r})"


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic puts validator function names (e.g. "function-after[...]") into locs
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function"))))


def validate(
    data: Any,
    source: str | None = None,
    node: yaml.Node | None = None,
    known_alg_behaviours: Callable[[], list[str]] | None = None,
) -> model.Topology:
    """Validate plain data (as parsed from YAML, or built in Python) into a Topology."""
    if not isinstance(data, dict):
        raise TopologyError(source, [Problem((), "a topology is a mapping with name, segments, hosts, routers")])
    try:
        topo = model.Topology.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _clean_loc(err["loc"])
            problems.append(Problem(loc, _message(dict(err)), _line_of(node, loc)))
        raise TopologyError(source, problems) from None
    if known_alg_behaviours is None:
        from .alg_behaviours import known as known_alg_behaviours
    problems = [Problem(p.loc, p.message, _line_of(node, p.loc)) for p in check(topo, known_alg_behaviours)]
    if problems:
        raise TopologyError(source, problems)
    return topo


def parse(text: str, source: str | None = None, **kw: Any) -> model.Topology:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise TopologyError(source, [Problem((), f"not valid YAML: {getattr(exc, 'problem', exc)}", line)]) from None
    return validate(data, source, node, **kw)


def resolve(name_or_path: str | Path) -> Path:
    """A topology file by path, or by name from topologies/ (with or without .yaml)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    for candidate in (TOPOLOGY_DIR / f"{name_or_path}.yaml", TOPOLOGY_DIR / str(name_or_path)):
        if candidate.exists():
            return candidate
    known = ", ".join(p.stem for p in available())
    raise FileNotFoundError(f"no topology file {str(name_or_path)!r}; give a path or one of: {known}")


def load(name_or_path: str | Path, **kw: Any) -> model.Topology:
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TopologyError(
            str(path), [Problem((), f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]
        ) from None
    return parse(text, str(path), **kw)


def available() -> list[Path]:
    return sorted(TOPOLOGY_DIR.glob("*.yaml"))


def json_schema() -> str:
    return json.dumps(model.Topology.model_json_schema(), indent=2, sort_keys=True)
