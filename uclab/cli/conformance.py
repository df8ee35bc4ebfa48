"""`uclab run`: the suites, the matrix, a report; one shard of them, or all shards at once.

uclab run [--profile P] [--no-matrix | --matrix-only ID] [--out DIR] [--history DIR] [-- PYTEST ARGS]
uclab run --shard K/N [--durations PATH] ...          part K of N (one CI job, one pod)
uclab run --shards N [--containers [--image TAG]] ... all N parts here, then one merged report
uclab run --system-interface IFACE --workers 1 --no-matrix ...   against an external system
"""

from __future__ import annotations

import argparse
from pathlib import Path

from uclab import conformance
from uclab.rundir import UsageError
from uclab.shards import count_arg, shard_arg

from .common import Subparsers, fail

IMAGE = "uclab:latest"


def register(sub: Subparsers) -> None:
    r = sub.add_parser("run", help="run the conformance suites and write a report")
    r.add_argument("--profile", default=None, help="release profile (e.g. V3R2FR1; default: every profile)")
    r.add_argument("--no-matrix", action="store_true", help="skip the support matrix sweep after the suites")
    r.add_argument(
        "--matrix-only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only the matrix cells whose id contains all '+'-joined parts (repeatable; `uclab matrix --list`)",
    )
    r.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="the run directory (default reports/runs/<time>)"
    )
    r.add_argument(
        "--shard", type=shard_arg, default=None, metavar="K/N", help="run part K of N of the tests and cells"
    )
    r.add_argument(
        "--shards", type=count_arg, default=None, metavar="N", help="run all N parts side by side here and merge them"
    )
    r.add_argument("--containers", action="store_true", help="with --shards: each part in a container of --image")
    r.add_argument(
        "--image", default=None, help=f"the uclab image for --containers (default {IMAGE}; scripts/build-image.sh)"
    )
    r.add_argument(
        "--durations", type=Path, default=None, metavar="PATH", help="balance the split by this run's durations.json"
    )
    r.add_argument("--history", type=Path, default=None, metavar="DIR", help="continue this report's Allure history")
    r.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"pytest workers and matrix labs per run (default {conformance.DEFAULT_WORKERS}; "
        "with --shards: the cores shared among the parts)",
    )
    r.add_argument(
        "--system-interface",
        metavar="IFACE",
        default=None,
        help="run against an external system under test reached through this machine's IFACE (a VM's tap or "
        "veth); tests that need the stub are skipped, saying why (needs --workers 1 --no-matrix)",
    )
    r.add_argument(
        "--real-time",
        action="store_true",
        help="run the documented timers unscaled (CallMe's 60 s, the conference's 5 min), the slow variants included",
    )
    r.add_argument(
        "--uc-transport",
        choices=("once", "door", "inprocess"),
        default="once",
        help="how the rules suites reach the UC API: once (default: each test once through the lab network and "
        "the TLS door on 8802, its other release profiles in process), door (every test through the door), "
        "inprocess (no door: fast, and their api clauses show nothing)",
    )
    r.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments after --")
    r.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    if args.shard is not None and args.shards is not None:
        return fail("--shard and --shards exclude each other: --shard K/N runs one part here, --shards N runs all")
    if args.system_interface is not None and (args.shards is not None or args.shard is not None):
        return fail("--system-interface: one external system serves one lab at a time; run it without shards")
    if args.containers and args.shards is None:
        return fail("--containers needs --shards N (the number of containers)")
    if args.image is not None and not args.containers:
        return fail("--image names the image of --containers: give --shards N --containers too, or drop --image")
    request = conformance.RunRequest(
        pytest_args=list(args.pytest_args),
        profile=args.profile,
        matrix=not args.no_matrix,
        matrix_only=list(args.matrix_only),
        out=args.out,
        durations=args.durations,
        history=args.history,
        workers=conformance.DEFAULT_WORKERS if args.workers is None else args.workers,
        real_time=args.real_time,
        uc_transport=args.uc_transport,
        system_interface=args.system_interface,
        **({"shard": args.shard} if args.shard else {}),
    )
    try:
        if args.shards is not None:
            from uclab import fanout

            plan = fanout.prepare(
                request, args.shards, (args.image or IMAGE) if args.containers else None, args.workers
            )
            return fanout.run(plan)
        return conformance.run(conformance.prepare(request))
    except UsageError as exc:
        return fail(str(exc))
