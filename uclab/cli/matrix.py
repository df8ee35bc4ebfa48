"""`uclab matrix [--jobs N] [--only ID...] [--out DIR] [--list]`: the support matrix."""

from __future__ import annotations

import argparse

from uclab import matrix_sweep

from .common import Subparsers


def register(sub: Subparsers) -> None:
    m = sub.add_parser("matrix", help="measure the support matrix against the documents", add_help=False)
    m.add_argument("matrix_args", nargs=argparse.REMAINDER, help="see `uclab matrix --help`")
    m.set_defaults(fn=lambda args: run(args.matrix_args))


def run(argv: list[str]) -> int:
    """The matrix has its own parser (argparse's REMAINDER drops leading options)."""
    return matrix_sweep.main(argv)
