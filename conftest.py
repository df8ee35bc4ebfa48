"""Loads the lab's pytest plugin for suites/, tests/ and benchmarks/."""

pytest_plugins = ["simulators.pytest_plugin"]
