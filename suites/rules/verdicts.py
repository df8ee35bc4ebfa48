"""Judging one rule check of the target against the oracle's verdict."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from simulators.phone.ucapi import UcApiError


async def judge(
    call: Awaitable[str],
    *,
    expected: set[str],
    code: str,
    success: str,
    message: Callable[[Sequence[str]], str],
    what: str,
    track: Callable[[], None] | None = None,
) -> bool:
    """Await the target's answer and compare it with the oracle's `expected` violations.

    Accepted: the reply must be `success`. Refused: 400 with error `code`, exactly the
    expected violation codes, and the exact message for them. `track` runs as soon as the
    target accepted (before any assertion), so a test that keeps state across examples
    (the current password or PIN) stays in step with the target even when a check fails.
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
        assert result == success
        return True
    assert not (not expected and result.status == 400), f"{what!r}: the rule allows it, the target refused: {result}"
    assert (result.status, result.code) == (400, code), result
    assert set(result.violations) == expected, (
        f"{what!r}: target {sorted(result.violations)}, oracle {sorted(expected)}"
    )
    assert result.message == message(result.violations)
    return False
