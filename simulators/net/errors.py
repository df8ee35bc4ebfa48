"""Errors that name the place and the fix.

Every bad topology (file or builder) ends in one `TopologyError` listing all problems,
each with its location (`routers.office_router.nat.preset`), the file line when the
topology came from YAML, what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    loc: tuple[str | int, ...]
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.loc) or "(top level)"

    def render(self, source: str | None) -> str:
        place = source or "topology"
        if self.line is not None:
            place = f"{place}:{self.line}"
        return f"{place}: {self.where}: {self.message}"


class TopologyError(ValueError):
    """A topology is invalid; `problems` lists each one."""

    def __init__(self, source: str | None, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = [p.render(source) for p in self.problems]
        head = f"{source or 'topology'}: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
        super().__init__(head + "\n  " + "\n  ".join(lines))


class LabError(RuntimeError):
    """The lab could not do what was asked; the message says why and what to do."""


class NotInTheLab(LabError):
    """What was asked runs inside a host, and that host is an external system the lab does not run."""
