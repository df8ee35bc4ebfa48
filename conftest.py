"""Loads the lab's pytest plugin for suites/, tests/ and benchmarks/, and gives it the
evidence page renderer (reports/evidence: the library itself never imports reports)."""

from pathlib import Path

pytest_plugins = ["simulators.pytest_plugin"]


def pytest_uclab_evidence_page(run_dir: Path) -> Path:
    from reports.evidence import page

    return page.write(run_dir)
