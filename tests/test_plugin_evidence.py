"""The lab plugin keeps a lab's run directory when a test that used the lab failed, also
when the lab is shared by a module (simulators/pytest_plugin.py, LabFactory.failed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from simulators.pytest_plugin import LabFactory


def _item(nodeid: str, failed: bool) -> Any:
    return SimpleNamespace(nodeid=nodeid, uclab_rep_call=SimpleNamespace(failed=failed))


def _factory(node: Any, items: list[Any]) -> LabFactory:
    request: Any = SimpleNamespace(node=node, session=SimpleNamespace(items=items))
    return LabFactory(request)


def test_a_module_scoped_lab_is_kept_when_any_test_of_its_module_failed() -> None:
    module = SimpleNamespace(nodeid="suites/network/test_alg.py")
    ok = _item("suites/network/test_alg.py::test_one", False)
    bad = _item("suites/network/test_alg.py::test_two", True)
    elsewhere = _item("suites/network/test_alg_tls.py::test_three", True)
    assert _factory(module, [ok, bad, elsewhere]).failed()
    assert not _factory(module, [ok, elsewhere]).failed(), "a failure in another module is not this lab's"


def test_a_test_scoped_lab_looks_at_its_own_test_only(request: pytest.FixtureRequest) -> None:
    node = request.node
    assert isinstance(node, pytest.Item)
    assert not _factory(node, [_item("x::y", True)]).failed()
    node.uclab_rep_setup = SimpleNamespace(failed=True)  # type: ignore[attr-defined]
    try:
        assert _factory(node, []).failed()
    finally:
        del node.uclab_rep_setup  # type: ignore[attr-defined]


def _page_factory(tmp_path: Any, *, alluredir: str | None) -> tuple[LabFactory, list[Any]]:
    asked: list[Any] = []

    def hook(run_dir: Any) -> Any:
        asked.append(run_dir)
        return None

    config = SimpleNamespace(
        getoption=lambda name, default=None: alluredir if name == "allure_report_dir" else default,
        hook=SimpleNamespace(pytest_uclab_evidence_page=hook),
    )
    request: Any = SimpleNamespace(node=None, config=config)
    return LabFactory(request), asked


def test_the_evidence_page_is_written_for_a_kept_run_or_an_allure_report(tmp_path: Any) -> None:
    lab: Any = SimpleNamespace(run=SimpleNamespace(dir=tmp_path), topo=SimpleNamespace(name="t"), run_id="r")
    factory, asked = _page_factory(tmp_path, alluredir=None)
    factory.evidence_page(lab, kept=False)
    assert asked == [], "nobody looks at a passed test's deleted run"
    factory.evidence_page(lab, kept=True)
    assert asked == [tmp_path]
    factory, asked = _page_factory(tmp_path, alluredir="allure-results")
    factory.evidence_page(lab, kept=False)
    assert asked == [tmp_path]
