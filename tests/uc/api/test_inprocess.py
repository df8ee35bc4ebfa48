"""The in-process target (simulators/uc/api/inprocess.py): targets share one app per process,
but each is its own system, its state and its failed-login counts (LAB-AUTH-LIMITS) its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulators.phone.ucapi import UcApi, UcApiError
from simulators.uc.api.inprocess import InProcessTarget

EXAMPLE = Path(__file__).resolve().parents[3] / "simulators" / "uc" / "examples" / "office.yaml"


def _target(run_dir: Path) -> InProcessTarget:
    run_dir.mkdir()
    return InProcessTarget(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), run_dir)


async def _login(target: InProcessTarget, user: str, password: str) -> UcApi:
    api = UcApi(target.base_url, transport=target.transport)
    await api.login(user, password)
    return api


@pytest.mark.lab_choice("LAB-AUTH-LIMITS")
async def test_failures_counted_by_one_target_never_block_another(tmp_path: Path) -> None:
    first, second = _target(tmp_path / "a"), _target(tmp_path / "b")
    try:
        limit = first.limiter.limits.source_failures
        for _ in range(limit):
            with pytest.raises(UcApiError) as wrong:
                await _login(first, "200", "Wrong#pass1")
            assert wrong.value.status == 401
        with pytest.raises(UcApiError) as blocked:
            await _login(first, "200", "Wrong#pass1")
        assert (blocked.value.status, blocked.value.code) == (429, "too_many_failures_address")
        user = second.config.user("200")
        assert user is not None
        password = user.password
        api = await _login(second, "200", password)
        assert (await api.me()).number == "200", "the other system never saw those failures"
        await api.aclose()
    finally:
        first.close()
        second.close()
