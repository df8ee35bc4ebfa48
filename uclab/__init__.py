"""The uclab application: the `uclab` command and the campaigns it runs.

The library that builds labs is `simulators/`; the conformance tests are `suites/`; reports
read what a campaign recorded (`reports/`). This package drives them:

- `cli/`: the `uclab` command, one module per command group.
- `conformance.py`: `uclab run`, pytest over the suites with the lab's plugin, then the report.
- `matrix_sweep.py`: `uclab matrix`, the support matrix measured cell by cell in worker labs.
- `check/`: `uclab check`, a customer's network measured site by site with documented causes and remedies.
"""
