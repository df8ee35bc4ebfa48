"""`uclab topologies list | validate [FILE...] | show FILE | schema`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulators.net import draw, loader
from simulators.net.errors import TopologyError

from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Subparsers, fail


def register(sub: Subparsers) -> None:
    t = sub.add_parser("topologies", help="list, validate, show topology files")
    t.add_argument("action", choices=["list", "validate", "show", "schema"])
    t.add_argument("files", nargs="*")
    t.add_argument("--out", help="SVG file for show (default: <name>.svg)")
    t.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    action = {"list": _list, "schema": _schema, "validate": _validate, "show": _show}[args.action]
    return action(args)


def _list(args: argparse.Namespace) -> int:
    for path in loader.available():
        try:
            topo = loader.load(path)
            desc = " ".join(topo.description.split())
            print(f"{path.stem:<32} {desc[:90]}")
        except TopologyError as exc:
            print(f"{path.stem:<32} INVALID: {exc.problems[0].message}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    print(loader.json_schema())
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    """Every file named (default: all of topologies/); exit 2 when any is invalid."""
    paths = args.files or [str(p) for p in loader.available()]
    bad = 0
    for name in paths:
        try:
            topo = loader.load(name)
            print(f"ok       {name} ({topo.name}: {len(topo.hosts)} hosts, {len(topo.routers)} routers)")
        except (TopologyError, FileNotFoundError) as exc:
            bad += 1
            print(f"INVALID  {exc}", file=sys.stderr)
    return EXIT_USAGE if bad else EXIT_OK


def _show(args: argparse.Namespace) -> int:
    if not args.files:
        return fail("topologies show needs a FILE, e.g. uclab topologies show home_vpn")
    try:
        topo = loader.load(args.files[0])
    except (TopologyError, FileNotFoundError) as exc:
        return fail(str(exc))
    print(draw.summary(topo))
    out = Path(args.out) if args.out else Path(f"{topo.name}.svg")
    out.write_bytes(draw.svg(topo))
    print(f"picture: {out}")
    return EXIT_OK if out.exists() else EXIT_FAILED
