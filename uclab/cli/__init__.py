"""The `uclab` command, one module per command group.

- `main.py`: the argument parser and the dispatch; exit codes 0 held, 1 failed, 2 bad input.
- `common.py`: what every command shares: exit codes, error printing, finding a live run.
- `doctor.py`: `uclab doctor`, is this host ready and what to install.
- `topologies.py`: `uclab topologies list | validate | show | schema`.
- `labs.py`: `uclab up | exec | down | clean`, a lab from the shell.
- `natcheck.py`: `uclab natcheck`, the NAT behaviour a host sees (RFC 5780).
- `conformance.py`: `uclab run`, the suites and the report.
- `matrix.py`: `uclab matrix`, the support matrix against the documents.
- `check.py`: `uclab check`, a customer's network measured site by site, with causes and remedies.
- `bench.py`: `uclab bench`, performance against a floor measured in the same run.
"""
