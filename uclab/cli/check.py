"""`uclab check FILE [--json OUT] [--html OUT] [--junit OUT] [--out DIR] [--schema]`: a customer's
network, built and measured site by site, with the documented causes and the remedies shown to work.

Exit 0 when every site is ready or ready with warnings, 1 when any is not ready or not
supported, 2 for a bad file (file:line, field, what is allowed, an example; nothing is built)
or a host that cannot run the lab (what to install).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from uclab.rundir import UsageError

from .common import EXIT_FAILED, EXIT_OK, Subparsers, check_outputs, fail

ROOT = Path(__file__).resolve().parents[2]


def register(sub: Subparsers) -> None:
    c = sub.add_parser("check", help="build a customer's network, measure every site, try the documented remedies")
    c.add_argument("file", nargs="?", help="the customer file (YAML), e.g. examples/customers/all_ready.yaml")
    c.add_argument("--json", type=Path, help="write the JSON report here (default: DIR/check.json)")
    c.add_argument("--html", type=Path, help="write the HTML page here (default: DIR/check.html)")
    c.add_argument("--junit", type=Path, help="write JUnit XML here (default: DIR/junit.xml)")
    c.add_argument("--out", type=Path, help="the run directory with the evidence (default reports/runs/check-<time>)")
    c.add_argument("--schema", action="store_true", help="print the customer file's JSON schema and exit")
    c.set_defaults(fn=run)


def _say(line: str) -> None:
    print(f"uclab check: {line}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from uclab.check import model

    if args.schema:
        print(model.json_schema())
        return EXIT_OK
    if not args.file:
        return fail("check needs a customer FILE, e.g. uclab check examples/customers/all_ready.yaml (or --schema)")
    try:
        customer = model.load(args.file)
        check_outputs(json=args.json, html=args.html, junit=args.junit)
        if args.out is not None and args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out {args.out}: is a file, not a directory; give a new or existing directory")
    except (model.CustomerError, UsageError) as exc:
        return fail(str(exc))
    from simulators import catalogue, doctor

    problems = [c for c in doctor.run_checks() if not c.ok]
    if problems:
        doctor.report(problems, out=lambda line: print(line, file=sys.stderr))
        return fail("this host cannot run the lab; install what is listed above (or: make setup)")
    if not catalogue.quote("004:318"):
        return fail(f"the product documents are not in {catalogue.seeds_dir()}; set UCLAB_SEEDS to their folder")
    out = (args.out or ROOT / "reports" / "runs" / time.strftime("check-%Y%m%d-%H%M%S")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    from uclab.check import report, runner

    result = asyncio.run(runner.run(customer, out, _say))
    json_path = report.write_json(result, args.json or out / "check.json")
    html_path = report.write_html(result, args.html or out / "check.html")
    junit_path = report.write_junit(result, args.junit or out / "junit.xml")
    for s in result.sites:
        print(f"{s.name:<28} {s.verdict}")
        for t in s.as_described:
            if len(s.as_described) > 1:
                print(f"  if {t.possibility.label}: {t.verdict.verdict}")
            for c in t.verdict.causes:
                print(f"    cause: {c.rule or '(no documented cause)'} {c.doc or ''}: {c.why}")
        for t in s.remedies:
            if t.remedy is not None and t.verdict.works:
                from uclab.check.remedies import describe

                print(f"    shown to fix it: {describe(t.remedy)} -> {t.verdict.verdict}")
    print(f"report: {html_path} (json: {json_path}, junit: {junit_path}); evidence: {out}; {result.seconds:.0f} s")
    return EXIT_OK if result.ok else EXIT_FAILED
