"""`uclab bench robustness` refuses a bound below one before it builds anything (exit 2)."""

from __future__ import annotations

import pytest

from benchmarks import robustness


def test_a_fuzz_count_below_one_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        robustness.main(["--fuzz", "0"])
    assert exc.value.code == 2
    assert "error: --fuzz and --flood-rate must be at least 1" in capsys.readouterr().err
