"""`uclab doctor`: is this host ready to run the lab, and what to install if not."""

from __future__ import annotations

import argparse

from simulators import doctor

from .common import EXIT_OK, EXIT_USAGE, Subparsers


def register(sub: Subparsers) -> None:
    d = sub.add_parser("doctor", help="check this host and say what to install")
    d.add_argument("--quiet", action="store_true", help="print only failures")
    d.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    return EXIT_OK if doctor.report(doctor.run_checks(), quiet=args.quiet) else EXIT_USAGE
