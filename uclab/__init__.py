"""The uclab application: the `uclab` command and the campaigns it runs.

The library that builds labs is `simulators/`; the conformance tests are `suites/`; reports
read what a campaign recorded (`reports/`). This package drives them:

- `cli/`: the `uclab` command, one module per command group.
- `__main__.py`: `python -m uclab` is the `uclab` command.
- `conformance.py`: `uclab run`, pytest over the suites with the lab's plugin, then the report.
- `matrix_sweep.py`: `uclab matrix`, the support matrix measured cell by cell in worker labs.
"""
