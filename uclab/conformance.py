"""`uclab run`: run the conformance suites and write a report.

reports/runs/<timestamp>/ (or --out DIR)
    run.json            the run record: source, profile, shard K/N, selection, split, timings
    allure-results/     allure-pytest results (steps, attachments: topology, pcaps, logs)
    allure-report/      the HTML report, when the allure CLI (npm) is installed
    allure-history.jsonl  Allure's history, continued from --history DIR when given
    junit.xml           JUnit XML for CI systems
    results.jsonl       one line per test from the lab's pytest plugin
    summary.md / .html  verdict per rule with its document references, failures first
    summary.json        the same, machine-readable
    durations.json      seconds per test file and matrix cell, for the next run's split
    matrix/             the support matrix (`uclab matrix`), unless --no-matrix

With `--shard K/N` the run does its part only: pytest collects the whole selection, the
test files are split over N shards (uclab/shards.py) and this run keeps part K (the lab
plugin's --uclab-only-file); the matrix sweep does part K of the cells. `uclab report
merge` makes one report of all N run directories.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from reports import allure
from reports.runinfo import (
    Plan,
    RecordError,
    RunRecord,
    Selection,
    Shard,
    read_durations,
    write_durations,
    write_record,
)
from reports.summary import build_summary

from .rundir import RUNS, UsageError, prepare_out, source_state, uclab_version
from .shards import find_durations, split

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKERS = 2
"""pytest-xdist workers and matrix labs of one run: this machine kind has two cores"""
COLLECTED_RE = re.compile(r"^(\S+\.py): (\d+)$")


@dataclass(frozen=True)
class RunRequest:
    """What `uclab run` was asked for, before anything is checked."""

    pytest_args: list[str] = field(default_factory=list)
    profile: str | None = None
    matrix: bool = True
    matrix_only: list[str] = field(default_factory=list)
    """the matrix's --only patterns (empty: every cell)"""
    shard: Shard = field(default_factory=lambda: Shard(index=1, total=1))
    out: Path | None = None
    durations: Path | None = None
    history: Path | None = None
    workers: int = DEFAULT_WORKERS
    system_interface: str | None = None
    """the system under test is external, reached through this machine's interface (one worker, no matrix)"""
    real_time: bool = False
    """documented timers unscaled, the slow variants included (--uclab-real-time)"""
    uc_transport: str = "once"
    """how the rules suites reach the UC API (--uclab-uc-transport): once, door or inprocess"""


@dataclass(frozen=True)
class Prepared:
    """A request whose inputs all held: the run directory exists and may be written."""

    request: RunRequest
    out: Path
    history: bytes | None


def known_profiles() -> list[str]:
    from simulators.uc.profiles import Release

    return [r.value for r in Release]


def check_profile(profile: str | None) -> None:
    if profile is not None and profile not in known_profiles():
        raise UsageError(f"unknown release profile {profile!r}; known profiles: {', '.join(known_profiles())}")


OWNED_PYTEST_OPTIONS = {
    "--uclab-real-time": "uclab run --real-time",
    "--uclab-slow": "uclab run --real-time (it runs the slow variants)",
    "--uclab-uc-transport": "uclab run --uc-transport",
    "--uclab-profile": "uclab run --profile",
    "--uclab-only-file": "uclab run --shard K/N",
    "--uclab-results": "uclab run --out DIR (the results are DIR/results.jsonl)",
    "--alluredir": "uclab run --out DIR (the Allure results are DIR/allure-results)",
    "--junitxml": "uclab run --out DIR (the JUnit XML is DIR/junit.xml)",
    "-n": "uclab run --workers",
    "--numprocesses": "uclab run --workers",
    "--dist": "nothing: uclab run distributes by file (--dist loadfile)",
}
"""pytest options `uclab run` sets itself, and the option of its own to use instead: given
after `--` they would contradict (or silently change) what the run records"""


def owned_option(arg: str) -> str | None:
    """The pytest option of OWNED_PYTEST_OPTIONS that `arg` gives, if any (`-n4`, `--dist=x`)."""
    for option in OWNED_PYTEST_OPTIONS:
        if arg == option or arg.startswith(option + "=") or (option == "-n" and re.fullmatch(r"-n\d+", arg)):
            return option
    return None


def check_request(request: RunRequest) -> None:
    """Every input of the request that can be checked without running anything; a
    UsageError naming the first bad one and what to do."""
    check_profile(request.profile)
    if request.workers < 1:
        raise UsageError(f"--workers {request.workers}: use at least 1")
    if request.system_interface is not None:
        check_system_interface(request)
    if request.matrix_only and not request.matrix:
        raise UsageError("--matrix-only chooses matrix cells but --no-matrix skips the matrix: give one of them")
    for arg in request.pytest_args:
        option = owned_option(arg)
        if option is not None:
            raise UsageError(
                f"pytest option {arg!r} after --: uclab run sets {option} itself; use {OWNED_PYTEST_OPTIONS[option]}"
            )
    if request.matrix_only:
        from .matrix_sweep import select

        select(request.matrix_only)
    if request.durations is not None:
        if not request.durations.exists():
            raise UsageError(f"--durations {request.durations}: no such file or directory")
        try:
            read_durations(request.durations)
        except RecordError as exc:
            raise UsageError(f"--durations {exc}") from None


def prepare(request: RunRequest) -> Prepared:
    """Check every input (UsageError on the first bad one) and only then make the run directory."""
    check_request(request)
    try:
        history = allure.read_history(request.history) if request.history is not None else None
    except allure.HistoryError as exc:
        raise UsageError(str(exc)) from None
    return Prepared(request, prepare_out(request.out, ""), history)


def check_system_interface(request: RunRequest) -> None:
    """An external system serves one lab at a time and is not the stub the matrix configures."""
    from simulators.net.errors import LabError
    from simulators.net.network import attachable

    if request.workers != 1:
        raise UsageError("--system-interface: one external system serves one lab at a time; use --workers 1")
    if request.matrix:
        raise UsageError(
            "--system-interface: the support matrix runs against the stub with its own stations; add --no-matrix"
        )
    try:
        attachable("system", str(request.system_interface))
    except LabError as exc:
        raise UsageError(f"--system-interface: {exc}") from None


def pytest_selection(extra: list[str], suites: str = "suites") -> list[str]:
    """The pytest arguments of the selection: `suites` unless the arguments name a path."""
    names_a_path = any(not a.startswith("-") and (ROOT / a.split("::", 1)[0]).exists() for a in extra)
    return extra if names_a_path else [suites, *extra]


def collect(args: list[str], profile: str | None) -> tuple[list[str], int, str]:
    """The test files of the selection in collection order (pytest --collect-only), pytest's
    exit code and its output."""
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-qq", "-p", "no:cacheprovider", *args]
    if profile:
        cmd.append(f"--uclab-profile={profile}")
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    files = [m[1] for line in done.stdout.splitlines() if (m := COLLECTED_RE.match(line.strip()))]
    return files, done.returncode, done.stdout + done.stderr


def run(prepared: Prepared) -> int:
    """Collect, run this shard's part, write the report; the exit code of the whole run."""
    req, out = prepared.request, prepared.out
    started = time.time()
    selection_args = pytest_selection([a for a in req.pytest_args if a != "--"])
    files, collect_rc, collect_output = collect(selection_args, req.profile)
    if collect_rc not in (0, 5):
        print(collect_output[-4000:], file=sys.stderr)
        print(f"uclab run: pytest could not collect the tests (exit {collect_rc}); nothing was run", file=sys.stderr)
        return 2
    durations, durations_from = find_durations(req.durations, RUNS, "files")
    parts = split(files, req.shard.total, durations.files)
    record = RunRecord(
        kind="run",
        uclab_version=uclab_version(),
        source=source_state(),
        profile=req.profile,
        shard=req.shard,
        selection=Selection(items=files, args=selection_args),
        plan=Plan(parts=parts, durations_from=durations_from),
        started=started,
    )
    write_record(out, record)
    timings: dict[str, float] = {"collect": round(time.time() - started, 1)}
    print(f"uclab run: report in {out}", flush=True)
    mine = record.mine
    if req.shard.total > 1:
        print(f"uclab run: shard {req.shard}: {len(mine)} of {len(files)} test files", flush=True)
    t = time.time()
    rc = _pytest(out, selection_args, req, mine) if mine else 5
    timings["pytest"] = round(time.time() - t, 1)
    summary = build_summary(out, profile=req.profile, pytest_rc=rc)
    t = time.time()
    allure.generate(out, [out / "allure-results"], name=f"uclab run {req.shard}", history=prepared.history)
    timings["allure"] = round(time.time() - t, 1)
    matrix_rc = 0
    if req.matrix:
        from . import matrix_sweep

        print("uclab run: the support matrix", flush=True)
        t = time.time()
        matrix_rc = matrix_sweep.main(_matrix_args(out, req))
        timings["matrix"] = round(time.time() - t, 1)
    write_durations(out)
    empty_shard = bool(files) and not mine  # more shards than test files: this one has none
    code = matrix_rc if rc == 5 and empty_shard else rc or matrix_rc
    timings["total"] = round(time.time() - started, 1)
    exit_codes = {"pytest": rc, "uclab": code} | ({"matrix": matrix_rc} if req.matrix else {})
    write_record(out, record.model_copy(update={"finished": time.time(), "timings": timings, "exit_codes": exit_codes}))
    print(summary.headline)
    print(f"report: {out}/summary.md  (html: {out}/summary.html)")
    if req.matrix:
        print(f"support matrix: {out}/matrix/matrix.md  (html: {out}/matrix/matrix.html)")
    if rc == 5:
        what = f"shard {req.shard} has no test files" if empty_shard else "pytest collected no tests"
        print(f"uclab run: {what}: nothing was verified", file=sys.stderr)
    return code


def _pytest(out: Path, selection_args: list[str], req: RunRequest, mine: list[str]) -> int:
    args = [
        sys.executable, "-m", "pytest", *selection_args,
        "-n", str(req.workers), "--dist", "loadfile",
        f"--alluredir={out / 'allure-results'}",
        f"--junitxml={out / 'junit.xml'}",
        f"--uclab-results={out / 'results.jsonl'}",
        "-q", "-p", "no:cacheprovider",
    ]  # fmt: skip
    if req.profile:
        args.append(f"--uclab-profile={req.profile}")
    if req.shard.total > 1:
        args += [f"--uclab-only-file={f}" for f in mine]
    if req.system_interface is not None:
        args.append(f"--uclab-system-interface={req.system_interface}")
    args.append(f"--uclab-uc-transport={req.uc_transport}")
    if req.real_time:
        args.append("--uclab-real-time")
    print(f"uclab run: {' '.join(args[3 : 3 + len(selection_args)])}", flush=True)
    return subprocess.run(args, cwd=ROOT).returncode


def _matrix_args(out: Path, req: RunRequest) -> list[str]:
    args = ["--out", str(out / "matrix"), "--jobs", str(req.workers)]
    if req.matrix_only:
        args += ["--only", *req.matrix_only]
    if req.shard.total > 1:
        args += ["--shard", str(req.shard)]
    if req.durations is not None:
        args += ["--durations", str(req.durations)]
    return args
