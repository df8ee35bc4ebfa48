"""The `uclab` command's parser and dispatch.

uclab doctor                          is this host ready? what to install
uclab topologies list | validate [FILE...] | show FILE | schema
uclab up FILE [--detach]              first line: the run id; then hosts and addresses
uclab exec RUN HOST -- CMD...         run a command inside a host of a live run
uclab down RUN                        tear a run down
uclab clean                           remove what dead runs left behind
uclab natcheck FILE --host HOST       RFC 5780 NAT behaviour seen from HOST, as JSON
uclab run [PYTEST ARGS]               run the suites, write a report under reports/runs/
uclab matrix [--jobs N] [--only ID..]  the support matrix: every network cell measured vs the documents
uclab check FILE [--html OUT] ...     a customer's network: verdict, documented cause and remedy per site
uclab bench topology                  build time against a plain ip/nft script

Exit codes: 0 every check held, 1 a check failed, 2 bad input or a host that is not ready.
"""

from __future__ import annotations

import argparse
import sys

from simulators.net.errors import LabError, TopologyError

from . import bench, check, conformance, doctor, labs, matrix, natcheck, topologies
from .common import fail

COMMANDS = (doctor, topologies, labs, natcheck, conformance, matrix, check, bench)
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
