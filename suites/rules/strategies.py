"""Hypothesis building blocks shared by the rules suites."""

from __future__ import annotations

from hypothesis import strategies as st


def digit_run(start: int, step: int, length: int) -> str:
    """Digits stepping by `step` modulo 10: step 0 repeats, +1/-1 count (some runs wrap 9 -> 0)."""
    return "".join(str((start + k * step) % 10) for k in range(length))


def digit_runs(min_length: int, max_length: int) -> st.SearchStrategy[str]:
    return st.builds(digit_run, st.integers(0, 9), st.sampled_from([0, 1, -1]), st.integers(min_length, max_length))
