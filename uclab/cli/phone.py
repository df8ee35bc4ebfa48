"""`uclab phone` and `uclab audio`: the phones of a lab served by `uclab up`, from the shell.

uclab phone RUN start NAME --host HOST --user N [--client myportal_voip|desk_phone] [--server LAN|public|ADDRESS:PORT]
uclab phone RUN NAME dial 202 | answer | hangup | hold | retrieve | transfer 203 | dtmf 123
                     | status | check-nat | check-ice | register | unregister
uclab audio RUN NAME1 NAME2 [--expect two-way]   per-direction verdict and stream figures

Each prints what the user of that phone would see; exit 1 when it could not be done (no
call to hang up, not registered, audio not as expected), 2 for bad input (no such run,
phone, host or action).
"""

from __future__ import annotations

import argparse
import sys

from simulators.net.errors import LabError

from .. import labserver
from ..session import CLIENTS
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Subparsers, fail

ACTIONS_HELP = "dial N | answer | hangup | hold | retrieve | transfer N | dtmf DIGITS | status | check-nat | check-ice | register | unregister"
VERDICTS = ("two-way", "one-way", "none")


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "phone",
        help="start and drive a phone in a lab served by `uclab up`",
        description=f"uclab phone RUN start NAME --host HOST --user N ...  |  uclab phone RUN NAME ({ACTIONS_HELP})",
    )
    p.add_argument("run")
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="start NAME ... | NAME ACTION [ARG]")
    p.set_defaults(fn=phone)

    a = sub.add_parser("audio", help="judge the audio between the calls of two phones of a served lab")
    a.add_argument("run")
    a.add_argument("a", metavar="NAME1")
    a.add_argument("b", metavar="NAME2")
    a.add_argument("--expect", default="two-way", choices=VERDICTS, help="the verdict that counts as held (exit 0)")
    a.set_defaults(fn=audio)


def start_parser() -> argparse.ArgumentParser:
    s = argparse.ArgumentParser(prog="uclab phone RUN start", description="start a phone in a host of the lab")
    s.add_argument("name")
    s.add_argument("--host", required=True, help="the lab host the phone runs on")
    s.add_argument("--user", required=True, help="the station's call number, e.g. 200")
    s.add_argument("--client", default="myportal_voip", choices=CLIENTS)
    s.add_argument(
        "--server",
        default="LAN",
        help="where it registers: LAN (default), public, or PUBLIC-ADDRESS:PORT (VoIP client)",
    )
    return s


def _print(answer: labserver.Answer) -> int:
    stream = sys.stdout if answer.ok else sys.stderr
    print(answer.text if answer.ok else f"uclab: {answer.text}", file=stream)
    return EXIT_OK if answer.ok else (answer.code or EXIT_FAILED)


def _send(run: str, payload: dict[str, object]) -> int:
    try:
        answer = labserver.request(run, payload)
    except LabError as exc:
        return fail(str(exc))
    return _print(answer)


def phone(args: argparse.Namespace) -> int:
    words: list[str] = args.words
    if not words:
        return fail(
            f"say what: uclab phone {args.run} start NAME --host HOST --user N, or uclab phone {args.run} NAME ({ACTIONS_HELP})"
        )
    if words[0] == "start":
        opts = start_parser().parse_args(words[1:])
        payload: dict[str, object] = {"op": "phone_start", **vars(opts)}
        return _send(args.run, payload)
    if len(words) < 2:
        return fail(f"phone {words[0]}: say what to do: {ACTIONS_HELP}")
    if len(words) > 3:
        return fail(f"too many words: {' '.join(words[2:])}; one action and at most one argument")
    name, action, *rest = words
    if action not in labserver.PHONE_ACTIONS:
        return fail(f"unknown phone action {action!r}; one of: {ACTIONS_HELP}", EXIT_USAGE)
    return _send(args.run, {"op": "phone", "name": name, "action": action, "arg": rest[0] if rest else None})


def audio(args: argparse.Namespace) -> int:
    return _send(args.run, {"op": "audio", "a": args.a, "b": args.b, "expect": args.expect})
