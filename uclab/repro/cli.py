"""`uclab repro`'s work: load the file (exit 2 with file:line problems), run it, print the
report, write --json and --html (exit 0 every expectation held, 1 one did not)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reports.evidence import page
from simulators.net.errors import LabError, TopologyError

from ..cli.common import EXIT_FAILED, EXIT_USAGE, check_outputs, fail
from ..rundir import UsageError
from . import model as m
from .runner import Runner, resolve_system, resolve_topology


def main(args: argparse.Namespace) -> int:
    if args.schema:
        print(m.json_schema())
        return 0
    if not args.file:
        return fail("give a scenario file: uclab repro FILE [--html OUT] [--json OUT] (or --schema)")
    source = Path(args.file)
    try:
        check_outputs(html=args.html, json=args.json)
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    try:
        scenario = m.load(source)
        topology = resolve_topology(scenario, source)
        system = resolve_system(scenario, source)
    except (TopologyError, FileNotFoundError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except (LabError, ValueError) as exc:
        return fail(f"{source}: {exc}", EXIT_USAGE)
    try:
        report = Runner(scenario, source).run(topology, system)
    except LabError as exc:
        return fail(f"{source}: the lab could not run the scenario: {exc}", EXIT_FAILED)
    print(report.text())
    if args.json:
        Path(args.json).write_text(report.to_json())
    if args.html:
        out = page.write(Path(report.run_dir), Path(args.html))
        print(f"evidence page also at {out}", file=sys.stderr)
    return report.exit_code
