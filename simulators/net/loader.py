"""Topology files: YAML in, validated `Topology` out, or a `TopologyError` naming each
problem with its file, line, field and fix."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .. import yamlcheck
from . import model
from .checks import check
from .errors import Problem, TopologyError

TOPOLOGY_DIR = Path(__file__).resolve().parents[2] / "topologies"


def _all_field_names() -> set[str]:
    return yamlcheck.field_names(
        obj
        for obj in vars(model).values()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel
    )


def _message(err: dict[str, Any]) -> str:
    if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == model.HOST_IFNAME_RE:
        return (
            f"{err.get('input')!r} is not a network interface name: 1 to 15 letters, digits or _ . @ + - "
            "(not starting with a dot), as `ip link` shows it"
        )
    if err["type"] == "string_pattern_mismatch":  # names: say the rule, not the regex
        limit = re.search(r"\{0,(\d+)\}", str(err.get("ctx", {}).get("pattern", "")))
        longest = f", at most {int(limit.group(1)) + 1} characters" if limit else ""
        return f"{err.get('input')!r} is not a valid name: use lower-case letters, digits and _, starting with a letter{longest}"
    return yamlcheck.describe(err, _all_field_names(), "see `uclab topologies schema` for the fields")


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
            loc = yamlcheck.clean_loc(err["loc"])
            problems.append(Problem(loc, _message(dict(err)), yamlcheck.line_of(node, loc)))
        raise TopologyError(source, problems) from None
    if known_alg_behaviours is None:
        from .alg_behaviours import known as known_alg_behaviours
    problems = [Problem(p.loc, p.message, yamlcheck.line_of(node, p.loc)) for p in check(topo, known_alg_behaviours)]
    if problems:
        raise TopologyError(source, problems)
    return topo


def parse(text: str, source: str | None = None, **kw: Any) -> model.Topology:
    try:
        data, node = yamlcheck.compose(text)
    except yaml.YAMLError as exc:
        raise TopologyError(source, [yamlcheck.yaml_problem(exc)]) from None
    duplicates = yamlcheck.duplicate_keys(node)
    if duplicates:
        raise TopologyError(source, duplicates)
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
