"""The uclab application: the `uclab` command and the campaigns it runs.

The library that builds labs is `simulators/`; the conformance tests are `suites/`; reports
read what a campaign recorded (`reports/`). This package drives them:

- `cli/`: the `uclab` command, one module per command group.
- `__main__.py`: `python -m uclab` is the `uclab` command.
- `conformance.py`: `uclab run`, pytest over the suites with the lab's plugin, then the report.
- `matrix_sweep.py`: `uclab matrix`, the support matrix measured cell by cell in worker labs.
- `shards.py`: `--shard K/N`, the deterministic split of test files and cells over shards.
- `rundir.py`: run directories (`--out`), and the source (commit, local changes) a run ran.
- `fanout.py`: `uclab run --shards N`, every shard side by side here, then one merged report.
- `containers.py`: shards as privileged containers of the uclab image (Docker SDK for Python).
- `engine.py`: a private Docker engine that leaves the host's network alone, for the image.
- `session.py`: a lab session: the running lab, its system and phones, driven by name as a user drives them.
- `labserver.py`: the control socket of a lab served by `uclab up`, answering `uclab phone`, `audio` and `router`.
- `repro/`: scenario files (`uclab repro FILE`): reproducing a field issue from YAML without writing Python.
- `check/`: `uclab check`, a customer's network measured site by site with documented causes and remedies.
"""
