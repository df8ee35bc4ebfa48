"""`uclab repro`: run a scenario file written from a field ticket (see docs/REPRO.md).

uclab repro FILE [--html OUT] [--json OUT]   exit 0 every expectation held, 1 one did not, 2 a bad file
uclab repro --schema                         the scenario files' JSON schema (for editors)
"""

from __future__ import annotations

import argparse

from .common import Subparsers


def register(sub: Subparsers) -> None:
    r = sub.add_parser("repro", help="run a scenario file written from a field ticket")
    r.add_argument("file", nargs="?")
    r.add_argument("--html", help="also write the evidence page here (it is always the run's index.html)")
    r.add_argument("--json", help="write the report as JSON here")
    r.add_argument("--schema", action="store_true", help="print the scenario files' JSON schema and exit")
    r.set_defaults(fn=repro)


def repro(args: argparse.Namespace) -> int:
    from ..repro.cli import main

    return main(args)
