"""What a test claims to show, read from its markers, and the lab-choice checks it makes.

Markers (checked against simulators/catalogue.py when pytest collects; unknown ids or
`how` values stop the run):

    @pytest.mark.clause("UC-VM-1/retention", how="wire")    # repeatable; several ids per marker
    @pytest.mark.lab_choice("LAB-DND-486")                  # behaviour the documents leave open
    @pytest.mark.rule("UC-VM-1")                            # a citation only: never a verdict

A `clause` marker is the only thing that can make a rule PASS (reports/summary.py). The
`rule` marker stays as a citation: the summary lists a rule's citing tests, but a test that
only cites a rule shows none of its clauses.

A test that checks a documented clause and, in passing, a lab choice (the exact wording of
a refusal, the 486 of Do Not Disturb) keeps the two apart with the `choices` fixture:
`choices.check("LAB-MESSAGES", seen == wanted, f"said {seen!r}")` records the lab choice's
outcome without failing the documented test; the run summary shows it in its own section
and the run's exit status still says a check failed.

A test whose measurement contradicts the documented clauses it claims, for a reason the lab
can state (its system or network cannot produce the documented outcome), ends with
`not_reproduced(measured, why)`: pytest reports it xfailed, the plugin records the outcome
`not-reproduced`, and the summary calls its clauses NOT REPRODUCED, neither shown nor failed.
The test checks its premises first (they fail it as usual) and calls this only when the
document's own outcome was measured not to happen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from . import catalogue

NOT_REPRODUCED = "not-reproduced"
"""the outcome a results.jsonl record carries for a test that ended with not_reproduced()"""
NOT_REPRODUCED_REASON = "documented, not reproduced: "
"""how the xfail reason of such a test starts (so no other xfail is taken for one)"""


@dataclass(frozen=True)
class ClauseClaim:
    id: str
    how: str


@dataclass(frozen=True)
class Claims:
    """What one test's markers say it shows."""

    clauses: tuple[ClauseClaim, ...] = ()
    lab_choices: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    """rule ids of `rule` markers (citations)"""

    @property
    def rules(self) -> list[str]:
        """Every rule the test concerns: its clauses' rules, then the ones it only cites."""
        out = [c.id.split("/", 1)[0] for c in self.clauses] + list(self.cited)
        return list(dict.fromkeys(out))


def read(marks: Iterable[Any]) -> tuple[Claims, list[str]]:
    """The claims of a test's markers (`mark.name`, `.args`, `.kwargs`) and what is wrong with them."""
    clauses: list[ClauseClaim] = []
    choices: list[str] = []
    cited: list[str] = []
    problems: list[str] = []
    for mark in marks:
        args = [str(a) for a in mark.args]
        if mark.name == "clause":
            how = mark.kwargs.get("how")
            extra = sorted(set(mark.kwargs) - {"how"})
            if extra:
                problems.append(f"clause marker: unknown argument(s) {', '.join(extra)}; only how=")
            if how not in catalogue.HOW:
                problems.append(
                    f"clause marker {', '.join(args) or '()'}: how={how!r}; use one of {', '.join(catalogue.HOW)}"
                )
                continue
            if not args:
                problems.append("clause marker without a clause id; e.g. clause('UC-VM-1/retention', how='wire')")
            bad = catalogue.unknown_clauses(args)
            if bad:
                problems.append(f"unknown clause id(s) {', '.join(bad)} (see spec/rules.yaml: RULE-ID/clause-id)")
            clauses += [ClauseClaim(a, how) for a in args if a not in bad]
        elif mark.name == "lab_choice":
            bad = catalogue.unknown_lab_choices(args)
            if bad:
                problems.append(f"unknown lab choice(s) {', '.join(bad)} (see spec/lab_choices.yaml)")
            choices += [a for a in args if a not in bad]
        elif mark.name == "rule":
            bad = catalogue.unknown(args)
            if bad:
                problems.append(f"unknown rule ID(s) {', '.join(bad)} (see spec/rules.yaml)")
            cited += [a for a in args if a not in bad]
    return Claims(tuple(dict.fromkeys(clauses)), tuple(dict.fromkeys(choices)), tuple(dict.fromkeys(cited))), problems


def effective_how(how: str, in_process: bool) -> str:
    """How the clause was really shown: an `api` claim of a test whose UC API was served
    in process (no lab network, no TLS door) is `inprocess`, which shows nothing."""
    return "inprocess" if how == "api" and in_process else how


class UndeclaredChoice(AssertionError):
    """A test checked a lab choice its markers do not declare."""


@dataclass
class ChoiceChecks:
    """The `choices` fixture: a test's lab-choice checks, kept apart from its own outcome."""

    declared: tuple[str, ...]
    results: dict[str, list[str]] = field(default_factory=dict)
    """lab choice -> what contradicted it (empty list: every check held)"""

    def check(self, choice: str, ok: bool, seen: str = "") -> bool:
        """Record one check of `choice`; returns `ok`. Never raises for a failed check."""
        if choice not in self.declared:
            raise UndeclaredChoice(
                f"{choice} checked but not declared: add @pytest.mark.lab_choice({choice!r}) to the test"
            )
        failures = self.results.setdefault(choice, [])
        if not ok:
            failures.append(seen or "the check did not hold")
        return ok

    def equal(self, choice: str, seen: object, wanted: object, what: str = "") -> bool:
        """check(choice, seen == wanted) with a message naming both."""
        label = f"{what}: " if what else ""
        return self.check(choice, seen == wanted, f"{label}expected {wanted!r}, got {seen!r}")


def choice_outcomes(
    declared: Iterable[str], checks: ChoiceChecks | None, test_outcome: str, test_message: str = ""
) -> dict[str, dict[str, str]]:
    """Each declared lab choice's outcome in one test: its recorded checks where the test made
    some for it, else the test's own outcome (a test about the lab choice alone)."""
    out: dict[str, dict[str, str]] = {}
    for choice in declared:
        recorded = checks.results.get(choice) if checks is not None else None
        if recorded is None:
            out[choice] = {"outcome": test_outcome, "message": test_message if test_outcome == "failed" else ""}
        elif recorded:
            out[choice] = {"outcome": "failed", "message": "; ".join(recorded)[-1500:]}
        else:
            out[choice] = {"outcome": "passed", "message": ""}
    return out


def not_reproduced(measured: str, why: str) -> NoReturn:
    """End the running test: the document's outcome for its clauses was measured not to
    happen (`measured`), and `why` says what in the lab's system or network makes it so."""
    import pytest

    pytest.xfail(f"{NOT_REPRODUCED_REASON}{measured}; why: {why}")


def recorded_outcome(skipped_reason: str) -> str:
    """The record's outcome of a test pytest reports skipped or xfailed with this reason."""
    return NOT_REPRODUCED if skipped_reason.startswith(NOT_REPRODUCED_REASON) else "skipped"
