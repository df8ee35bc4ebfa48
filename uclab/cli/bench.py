"""`uclab bench topology`: build time against a plain ip/nft script, as a ratio.
`uclab bench robustness`: the stub under attack, fuzzing, floods and faults (benchmarks/robustness.py)."""

from __future__ import annotations

import argparse

from .common import Subparsers


def register(sub: Subparsers) -> None:
    b = sub.add_parser("bench", help="performance benchmarks (ratios against a floor)")
    b.add_argument("what", choices=["topology", "robustness"])
    b.add_argument("--file", default="home_internet")
    b.add_argument("--repeat", type=int, default=15)
    b.add_argument("--fuzz", type=int, default=10_000, help="robustness: mutants to send")
    b.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    if args.what == "robustness":
        from benchmarks import robustness

        return robustness.main(["--fuzz", str(args.fuzz)])
    from benchmarks import topology_build

    return topology_build.main(args.file, args.repeat)
