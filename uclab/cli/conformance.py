"""`uclab run [--profile P] [--no-matrix] [-- PYTEST ARGS]`: the suites, the matrix, a report."""

from __future__ import annotations

import argparse

from uclab import conformance

from .common import Subparsers


def register(sub: Subparsers) -> None:
    r = sub.add_parser("run", help="run the conformance suites and write a report")
    r.add_argument("--profile", default=None, help="release profile (e.g. V3R2FR1)")
    r.add_argument("--no-matrix", action="store_true", help="skip the support matrix sweep after the suites")
    r.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments after --")
    r.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    return conformance.run(args.pytest_args, profile=args.profile, matrix=not args.no_matrix)
