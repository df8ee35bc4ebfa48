"""The `uclab` command, one module per command group.

- `main.py`: the argument parser and the dispatch; exit codes 0 held, 1 failed, 2 bad input.
- `common.py`: what every command shares: exit codes, error printing, finding a live run.
- `doctor.py`: `uclab doctor`, is this host ready and what to install.
- `topologies.py`: `uclab topologies list | validate | show | schema`.
- `labs.py`: `uclab up | exec | down | clean`, a lab from the shell.
- `phone.py`: `uclab phone | audio`, the phones of a lab served by `uclab up`, from the shell.
- `router.py`: `uclab router`, change a router of a served lab live.
- `repro.py`: `uclab repro`, run a scenario file written from a field ticket.
- `natcheck.py`: `uclab natcheck`, the NAT behaviour a host sees (RFC 5780).
- `conformance.py`: `uclab run`, the suites and the report; one shard, or all shards merged.
- `matrix.py`: `uclab matrix`, the support matrix against the documents.
- `check.py`: `uclab check`, a customer's network measured site by site, with causes and remedies.
- `report.py`: `uclab report merge`, one report of the run directories of a run's shards.
- `bench.py`: `uclab bench`, performance against a floor measured in the same run.
"""
