"""The `uclab` command's parser and dispatch.

uclab doctor                          is this host ready? what to install
uclab topologies list | validate [FILE...] | show FILE | schema
uclab up FILE [--system [CONFIG]] [--detach]   the network (and the UC server); prints the run id
uclab phone RUN start NAME --host H --user N | uclab phone RUN NAME dial 202 | answer | hangup ...
uclab audio RUN NAME1 NAME2           per-direction audio verdict between two phones' calls
uclab router RUN ROUTER --nat X | --sip-alg Y | --firewall Z   change a router live
uclab repro FILE [--html OUT] [--json OUT] | --schema   run a scenario file written from a ticket
uclab exec RUN HOST -- CMD...         run a command inside a host of a live run
uclab down RUN                        tear a run down
uclab clean                           remove what dead runs left behind
uclab natcheck FILE --host HOST       RFC 5780 NAT behaviour seen from HOST, as JSON
uclab run [PYTEST ARGS]               run the suites, write a report under reports/runs/
uclab run --shard K/N | --shards N    one part of a run (CI job, pod), or all parts here and merged
uclab matrix [--jobs N] [--only ID..]  the support matrix: every network cell measured vs the documents
uclab report merge DIR... --out DIR   one report of the run directories of a run's shards
uclab check FILE [--html OUT] ...     a customer's network: verdict, documented cause and remedy per site
uclab bench topology                  build time against a plain ip/nft script

Exit codes: 0 every check held, 1 a check failed, 2 bad input or a host that is not ready.
"""

from __future__ import annotations

import argparse
import sys

from simulators.net.errors import LabError, TopologyError

from . import bench, check, conformance, doctor, labs, matrix, natcheck, phone, report, repro, router, topologies
from .common import fail

COMMANDS = (doctor, topologies, labs, phone, router, repro, natcheck, conformance, matrix, report, check, bench)
"""each module's `register` adds its subcommands, in the order `uclab --help` lists them"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="uclab", description="OpenScape Business UC conformance lab")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["matrix"]:
        return matrix.run(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        rc: int = args.fn(args)
    except KeyboardInterrupt:
        return 130
    except TopologyError as exc:
        return fail(str(exc))
    except LabError as exc:
        return fail(str(exc), 1)
    return rc


if __name__ == "__main__":
    sys.exit(main())
