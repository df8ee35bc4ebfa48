"""Scenario files: reproducing a field issue from a YAML file, without writing Python.

- `model.py`: the scenario file as pydantic models, its JSON schema and file:line errors.
- `runner.py`: running a scenario: the lab, the system, the phones, then its steps in order.
- `report.py`: what a run found: every step's outcome, expectations and what was measured.
- `cli.py`: `uclab repro`'s work: load, run, print the report, write --json and --html.
"""
