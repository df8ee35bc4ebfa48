"""`uclab natcheck FILE --host HOST`: the NAT behaviour a host sees (RFC 5780), as JSON."""

from __future__ import annotations

import argparse
import json

from simulators.lab import Lab
from simulators.net import loader, natdiscovery
from simulators.net.errors import LabError, TopologyError

from .common import EXIT_FAILED, EXIT_OK, Subparsers, fail


def register(sub: Subparsers) -> None:
    n = sub.add_parser("natcheck", help="classify the NAT behaviour a host sees (RFC 5780), as JSON")
    n.add_argument("file")
    n.add_argument("--host", required=True)
    n.add_argument(
        "--tool",
        choices=["lab", "natdiscovery"],
        default="lab",
        help="lab: uclab's own STUN client; natdiscovery: coturn's turnutils_natdiscovery",
    )
    n.set_defaults(fn=run)


def run(args: argparse.Namespace) -> int:
    try:
        topo = loader.load(args.file)
    except (TopologyError, FileNotFoundError) as exc:
        return fail(str(exc))
    if args.host not in topo.nodes:
        return fail(f"topology {topo.name} has no host {args.host!r}; hosts: {', '.join(topo.hosts)}")
    try:
        with Lab(topo) as lab:
            if args.tool == "natdiscovery":
                result = natdiscovery.run(lab, args.host)
            else:
                result = lab.natcheck(args.host).as_dict()
            result = {"topology": topo.name, "host": args.host, "tool": args.tool, **result}
    except LabError as exc:
        return fail(str(exc), EXIT_FAILED)
    print(json.dumps(result, indent=2))
    return EXIT_OK
