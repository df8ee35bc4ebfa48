"""`uclab router`: change a router of a lab served by `uclab up`, live.

uclab router RUN ROUTER [--nat PRESET|none] [--sip-alg none|kernel|faulty:NAME] [--firewall none|stateful|stateless|strict]

The router forgets its connections, as a rebooted router would; hosts, the system and the
phones stay up. Exit 2 for a router or value the topology does not accept.
"""

from __future__ import annotations

import argparse

from .common import Subparsers, fail
from .phone import _send


def register(sub: Subparsers) -> None:
    r = sub.add_parser("router", help="change a router of a lab served by `uclab up` (NAT, SIP ALG, firewall)")
    r.add_argument("run")
    r.add_argument("router")
    r.add_argument("--nat", help="a NAT preset (e.g. symmetric, port-restricted-cone) or none")
    r.add_argument(
        "--sip-alg", dest="sip_alg", help="none, kernel or faulty:BEHAVIOUR (e.g. faulty:sdp-rewrite-no-pinhole)"
    )
    r.add_argument("--firewall", help="none, stateful, stateless or strict")
    r.set_defaults(fn=router)


def changes_of(args: argparse.Namespace) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in ("nat", "sip_alg", "firewall"):
        value = getattr(args, key)
        if value is not None:
            out[key] = None if value == "none" and key == "nat" else value
    return out


def router(args: argparse.Namespace) -> int:
    changes = changes_of(args)
    if not changes:
        return fail(
            f"say what to change: uclab router {args.run} {args.router} --nat symmetric | --sip-alg kernel | --firewall strict"
        )
    return _send(args.run, {"op": "router", "name": args.router, "changes": changes})
