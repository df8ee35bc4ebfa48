"""Validation errors that name the place and the fix, for YAML files and JSON requests.

Shared by every pydantic-validated document: topology files (`simulators/net/loader.py`),
the UC system configuration (file:line, dotted field, what is wrong, what to do) and the
UC API's request bodies (field, what is wrong, what to do).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulators.net.errors import Problem

Loc = tuple[str | int, ...]


def field_names(models: Iterable[type[BaseModel]]) -> set[str]:
    """Every field name of the given models (for "did you mean ...?" hints)."""
    names: set[str] = set()
    for model in models:
        names.update(model.model_fields)
    return names


def clean_loc(loc: Iterable[Any]) -> Loc:
    """A pydantic error location without validator function names and union tags."""
    return tuple(
        p
        for p in loc
        if not (
            isinstance(p, str) and ("[" in p or p.startswith("function") or p in ("json-or-python", "lax-or-strict"))
        )
    )


def line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the deepest YAML node along `loc` (None without a node)."""
    line = None if node is None else node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if pair is None:
                break
            line = pair[0].start_mark.line + 1
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def describe(err: dict[str, Any], known_fields: set[str], schema_hint: str) -> str:
    """What is wrong with one pydantic error and what to do about it."""
    kind, msg, value = err["type"], str(err["msg"]), err.get("input")
    loc = clean_loc(err["loc"])
    field = next((p for p in reversed(loc) if isinstance(p, str)), "value")
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        return f"unknown {field} {value!r}; use one of: {msg.removeprefix('Input should be ')}"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field, sorted(known_fields), n=1)
        return f"unknown field {field!r}" + (f"; did you mean {close[0]!r}?" if close else f"; {schema_hint}")
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "string_pattern_mismatch":
        return f"{_short(value)} does not have the expected form ({_pattern_hint(err)})"
    if kind in ("string_too_long", "too_long"):
        limit = err.get("ctx", {}).get("max_length")
        return f"too long: at most {limit} {'characters' if kind == 'string_too_long' else 'entries'}"
    if kind in ("string_too_short", "too_short"):
        limit = err.get("ctx", {}).get("min_length")
        return f"too short: at least {limit} {'characters' if kind == 'string_too_short' else 'entries'}"
    if kind == "json_invalid":
        return f"the body is not valid JSON ({err.get('ctx', {}).get('error', msg)}); send a JSON object"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if isinstance(value, bytes | str):
            return "expected a JSON object; send the body as JSON with Content-Type: application/json"
        return f"expected an object with fields, got {_type_name(value)}"
    if kind == "string_unicode":
        return "is not valid Unicode text (lone surrogates); send valid UTF-8 text"
    if kind == "string_type":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'expected text, got the number {value}; write it in quotes, e.g. "{value}"'
        return f"expected text, got {_type_name(value)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_short(value)}"
    return f"{msg.rstrip('.').replace('Input should be ', 'must be ')} (got {_short(value)})"


def problems_of(
    exc: ValidationError,
    known_fields: set[str],
    schema_hint: str,
    node: yaml.Node | None = None,
    prefix: Loc = (),
) -> list[Problem]:
    """One Problem per pydantic error, with the YAML line when a node tree is given."""
    out = []
    for err in exc.errors():
        loc = prefix + clean_loc(err["loc"])
        out.append(Problem(loc, describe(dict(err), known_fields, schema_hint), line_of(node, loc)))
    return out


def compose(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text into (data, node tree); raises yaml.YAMLError."""
    return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)


def yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    return Problem((), f"not valid YAML: {getattr(exc, 'problem', None) or exc}", line)


def duplicate_keys(node: yaml.Node | None, path: Loc = ()) -> list[Problem]:
    """YAML mappings that repeat a key (PyYAML silently keeps the last one)."""
    if isinstance(node, yaml.MappingNode):
        out: list[Problem] = []
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(getattr(key, "value", ""))
            line = key.start_mark.line + 1
            if name in seen:
                out.append(
                    Problem((*path, name), f"key {name!r} appears twice (first on line {seen[name]}); keep one", line)
                )
            else:
                seen[name] = line
            out.extend(duplicate_keys(value, (*path, name)))
        return out
    if isinstance(node, yaml.SequenceNode):
        return [p for i, item in enumerate(node.value) for p in duplicate_keys(item, (*path, i))]
    return []


_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "datetime_type": "a date and time such as 2026-05-04T17:30:00Z",
    "datetime_parsing": "a date and time such as 2026-05-04T17:30:00Z",
    "datetime_from_date_parsing": "a date and time such as 2026-05-04T17:30:00Z",
    "timezone_aware": "a date and time with a time zone, such as 2026-05-04T17:30:00Z",
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _pattern_hint(err: dict[str, Any]) -> str:
    pattern = str(err.get("ctx", {}).get("pattern", ""))
    digits = re.fullmatch(r"\^\\d\{(\d+),(\d+)\}\$", pattern)
    if digits:
        return f"{digits.group(1)} to {digits.group(2)} digits"
    return f"pattern {pattern}"
