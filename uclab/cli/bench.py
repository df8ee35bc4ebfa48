"""`uclab bench topology`: build time against a plain ip/nft script, as a ratio."""

from __future__ import annotations

import argparse

from .common import Subparsers


def register(sub: Subparsers) -> None:
    b = sub.add_parser("bench", help="performance benchmarks (ratios against a floor)")
    b.add_argument("what", choices=["topology"])
    b.add_argument("--file", default="home_internet")
    b.add_argument("--repeat", type=int, default=15)
    b.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    from benchmarks import topology_build

    return topology_build.main(args.file, args.repeat)
