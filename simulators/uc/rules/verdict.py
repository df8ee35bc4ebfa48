"""A rule check's outcome: accepted, or the violations in words a user can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    code: str
    """stable machine name, e.g. "too_short" (the API returns it in `violations`)"""
    text: str
    """one sentence saying what is wrong"""


@dataclass(frozen=True)
class Verdict:
    violations: tuple[Violation, ...] = ()
    policy: str = ""
    """the documented rule in one sentence, appended to every refusal"""

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.violations)

    @property
    def message(self) -> str:
        """The exact user-facing message: each violation, then the policy ("" when accepted)."""
        if self.ok:
            return ""
        return " ".join([*(v.text for v in self.violations), *([self.policy] if self.policy else [])])


def refuse(code: str, text: str, policy: str = "") -> Verdict:
    return Verdict((Violation(code, text),), policy)


ACCEPTED = Verdict()
