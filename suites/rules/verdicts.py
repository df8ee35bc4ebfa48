"""Judging the target's answers: the documented verdict, and the wording apart.

The documents say what is accepted and what refused, and which rule a refusal names (the
violation codes, docs/RULES-INTERPRETATION.md); the status, the error code and the exact
message are the lab's (LAB-MESSAGES, spec/lab_choices.yaml). Each function here asserts the
documented part and records the lab's part with the `choices` fixture, so a changed
message fails LAB-MESSAGES in the run summary, not the documented rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApiError

MESSAGES = "LAB-MESSAGES"


def refusal(
    exc: UcApiError,
    choices: ChoiceChecks,
    *,
    status: int,
    message: str | None = None,
    code: str | None = None,
    violations: Sequence[str] | None = None,
    what: str = "",
) -> None:
    """`exc` is a refusal (4xx) naming `violations` (when given, in order); LAB-MESSAGES:
    exactly `status`, and `code` and `message` when given."""
    label = what or "the request"
    assert 400 <= exc.status < 500, f"{label}: expected a refusal, got {exc.status} {exc.message!r}"
    if violations is not None:
        assert tuple(exc.violations) == tuple(violations), (
            f"{label}: the refusal names {exc.violations}, not {violations}"
        )
    wanted: dict[str, object] = {"status": status}
    if code is not None:
        wanted["code"] = code
    if message is not None:
        wanted["message"] = message
    seen = {"status": exc.status, "code": exc.code, "message": exc.message}
    choices.equal(MESSAGES, {k: seen[k] for k in wanted}, wanted, label)


async def judge(
    call: Awaitable[str],
    *,
    expected: set[str],
    code: str,
    success: str,
    message: Callable[[Sequence[str]], str],
    what: str,
    choices: ChoiceChecks,
    track: Callable[[], None] | None = None,
) -> bool:
    """Await the target's answer and compare it with the oracle's `expected` violations.

    Accepted: the rule allows it (LAB-MESSAGES: the reply is `success`). Refused: the rule
    refuses it and the refusal names exactly the expected violation codes (LAB-MESSAGES: 400
    with error `code` and the exact message for them). `track` runs as soon as the target
    accepted (before any assertion), so a test that keeps state across examples (the
    current password or PIN) stays in step with the target even when a check fails.
    Returns whether the target accepted.
    """
    try:
        result: str | UcApiError = await call
    except UcApiError as exc:
        result = exc
    if not isinstance(result, UcApiError):
        if track is not None:
            track()
        assert not expected, f"{what!r}: the rule refuses it ({sorted(expected)}), the target accepted it"
        choices.equal(MESSAGES, result, success, f"{what!r} accepted")
        return True
    assert not (not expected and 400 <= result.status < 500), (
        f"{what!r}: the rule allows it, the target refused: {result}"
    )
    assert set(result.violations) == expected, (
        f"{what!r}: target {sorted(result.violations)}, oracle {sorted(expected)}"
    )
    refusal(result, choices, status=400, code=code, message=message(result.violations), what=repr(what))
    return False
