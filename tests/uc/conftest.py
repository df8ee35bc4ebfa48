"""Shared pieces of the UC stub's unit tests: the example configuration and a fast state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulators.uc.config import SystemConfig, validate_config
from simulators.uc.credentials import ScryptCost
from simulators.uc.state.core import State

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "uc" / "examples"


def example_data(name: str = "office", **system: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    data["system"].update(system)
    return data


def example(name: str = "office", **system: Any) -> SystemConfig:
    return validate_config(example_data(name, **system), f"{name}.yaml")


class FakeTime:
    """Real time for the state's clock, moved by the test."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def state(tmp_path: Path, fake_time: FakeTime) -> Iterator[State]:
    s = State.open(tmp_path / "state.sqlite", example(), cost=ScryptCost.FAST, real_time=fake_time)
    yield s
    s.close()
