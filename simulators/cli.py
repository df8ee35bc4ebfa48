"""The `uclab` command.

uclab doctor                          is this host ready? what to install
uclab topologies list | validate [FILE...] | show FILE | schema
uclab up FILE [--detach]              first line: the run id; then hosts and addresses
uclab exec RUN HOST -- CMD...         run a command inside a host of a live run
uclab down RUN                        tear a run down
uclab clean                           remove what dead runs left behind
uclab natcheck FILE --host HOST       RFC 5780 NAT behaviour seen from HOST, as JSON
uclab run [PYTEST ARGS]               run the suites, write a report under reports/runs/
uclab matrix [--jobs N] [--only ID..]  the support matrix: every network cell measured vs the documents
uclab bench topology                  build time against a plain ip/nft script
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .net import draw, loader, netns, runs
from .net.errors import LabError, TopologyError

EXIT_USAGE = 2


def _err(msg: str) -> int:
    print(f"uclab: {msg}", file=sys.stderr)
    return 1


# -- doctor -----------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from . import doctor

    return 0 if doctor.report(doctor.run_checks(), quiet=args.quiet) else 1


# -- topologies -------------------------------------------------------------------------


def cmd_topologies(args: argparse.Namespace) -> int:
    if args.action == "list":
        for path in loader.available():
            try:
                topo = loader.load(path)
                desc = " ".join(topo.description.split())
                print(f"{path.stem:<32} {desc[:90]}")
            except TopologyError as exc:
                print(f"{path.stem:<32} INVALID: {exc.problems[0].message}")
        return 0
    if args.action == "schema":
        print(loader.json_schema())
        return 0
    if args.action == "validate":
        paths = args.files or [str(p) for p in loader.available()]
        bad = 0
        for name in paths:
            try:
                topo = loader.load(name)
                print(f"ok       {name} ({topo.name}: {len(topo.hosts)} hosts, {len(topo.routers)} routers)")
            except (TopologyError, FileNotFoundError) as exc:
                bad += 1
                print(f"INVALID  {exc}", file=sys.stderr)
        return 1 if bad else 0
    if args.action == "show":
        if not args.files:
            return _err("topologies show needs a FILE")
        try:
            topo = loader.load(args.files[0])
        except (TopologyError, FileNotFoundError) as exc:
            return _err(str(exc))
        print(draw.summary(topo))
        out = Path(args.out) if args.out else Path(f"{topo.name}.svg")
        out.write_bytes(draw.svg(topo))
        print(f"picture: {out}")
        return 0
    return _err(f"unknown action {args.action}")


# -- up / down / exec / clean -----------------------------------------------------------


def _lab_text(lab: object) -> str:
    from .lab import Lab

    assert isinstance(lab, Lab)
    lines = [lab.run_id]
    for host, ifaces in lab.hosts_summary().items():
        addrs = "  ".join(f"{n}={','.join(a)}" for n, a in ifaces.items())
        lines.append(f"{host:<16} {addrs}")
    lines.append(f"# run dir: {lab.dir}  (ready in {lab.timings.get('ready_ms', 0):.0f} ms)")
    lines.append(f"# uclab exec {lab.run_id} HOST -- CMD ...   |   uclab down {lab.run_id}")
    return "\n".join(lines) + "\n"


def cmd_up(args: argparse.Namespace) -> int:
    from .lab import Lab

    try:
        topo = loader.load(args.file)
    except (TopologyError, FileNotFoundError) as exc:
        return _err(str(exc))
    if args.detach:
        return _detach(args.file)
    lab = Lab(topo)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    try:
        lab.up()
    except (LabError, OSError) as exc:
        return _err(f"could not bring {topo.name} up: {exc}")
    try:
        if args.ready_fd is not None:
            with os.fdopen(args.ready_fd, "w") as ready:
                ready.write(_lab_text(lab))
        else:
            sys.stdout.write(_lab_text(lab))
            print("# up; Ctrl-C to tear down", file=sys.stderr, flush=True)
        while not stop.wait(3600):
            pass
    finally:
        lab.down()
    return 0


def _detach(file: str) -> int:
    """Serve the lab from a background process; print what it prints until it is ready."""
    read_fd, write_fd = os.pipe()
    log = runs.run_root() / "detached.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as log_f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simulators.cli", "up", file, "--ready-fd", str(write_fd)],
            stdin=subprocess.DEVNULL,
            stdout=log_f,
            stderr=log_f,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    sys.stdout.write(data.decode())
    if data.strip():
        return 0
    proc.wait(10)
    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
    return _err(f"the lab did not come up (exit {proc.returncode}):\n  " + "\n  ".join(tail))


def _find_run(run_id: str) -> Path:
    path = runs.run_dir(run_id) if runs.RUN_ID_RE.match(run_id) else Path("/nonexistent")
    if not path.exists() and not (runs.RUN_ID_RE.match(run_id) and runs.lock_path(run_id).exists()):
        live = [r for r in sorted(runs.known_runs()) if runs.is_alive(r)]
        raise LabError(f"no run {run_id!r}; live runs: {', '.join(live) or 'none'}")
    return path


def cmd_exec(args: argparse.Namespace) -> int:
    cmd = [c for c in args.cmd if c != "--"] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        return _err("exec needs a command after --, e.g. uclab exec RUN home_pc -- ping -c1 192.0.2.10")
    try:
        _find_run(args.run)
    except LabError as exc:
        return _err(str(exc))
    if not runs.is_alive(args.run):
        return _err(f"run {args.run} is not live (torn down or crashed); `uclab clean` removes leftovers")
    ns = runs.ns_name(args.run, args.host)
    if not netns.exists(ns):
        hosts = sorted(
            n.split("-", 1)[1] for n in netns.names(f"{runs.NS_PREFIX}{args.run}-") if not n.endswith("-_sw")
        )
        return _err(f"run {args.run} has no host {args.host!r}; hosts: {', '.join(hosts)}")
    fd = os.open(netns.path(ns), os.O_RDONLY)
    netns.setns_fd(fd)
    os.close(fd)
    try:
        os.execvp(cmd[0], cmd)
    except FileNotFoundError:
        return _err(f"command not found: {cmd[0]}")
    return 1  # not reached


def cmd_down(args: argparse.Namespace) -> int:
    try:
        path = _find_run(args.run)
    except LabError as exc:
        return _err(str(exc))
    pid = runs.read_meta(path).get("pid")
    if runs.is_alive(args.run) and isinstance(pid, int):
        try:
            fd = os.pidfd_open(pid)
            os.kill(pid, signal.SIGTERM)
            import select

            if not select.select([fd], [], [], 30)[0]:
                os.kill(pid, signal.SIGKILL)
            os.close(fd)
        except ProcessLookupError:
            pass
    report = runs.remove_run(args.run) if netns.names(f"{runs.NS_PREFIX}{args.run}-") else None
    print(f"run {args.run} is down" + (f" (removed leftovers: {len(report.namespaces)} namespaces)" if report else ""))
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    print(runs.clean(keep_dirs=not args.artifacts))
    return 0


# -- natcheck ---------------------------------------------------------------------------


def cmd_natcheck(args: argparse.Namespace) -> int:
    from .lab import Lab

    try:
        topo = loader.load(args.file)
    except (TopologyError, FileNotFoundError) as exc:
        return _err(str(exc))
    if args.host not in topo.nodes:
        return _err(f"topology {topo.name} has no host {args.host!r}; hosts: {', '.join(topo.hosts)}")
    try:
        with Lab(topo) as lab:
            if args.tool == "natdiscovery":
                from .net import natdiscovery

                result = natdiscovery.run(lab, args.host)
            else:
                result = lab.natcheck(args.host).as_dict()
            result = {"topology": topo.name, "host": args.host, "tool": args.tool, **result}
    except LabError as exc:
        return _err(str(exc))
    print(json.dumps(result, indent=2))
    return 0


# -- run / bench ------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from reports import runner

    return runner.run(args.pytest_args, profile=args.profile, matrix=not args.no_matrix)


def cmd_matrix(argv: list[str]) -> int:
    from reports import matrix

    return matrix.main(argv)


def cmd_bench(args: argparse.Namespace) -> int:
    if args.what == "topology":
        from benchmarks import topology_build

        return topology_build.main(args.file, args.repeat)
    return _err(f"unknown benchmark {args.what}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="uclab", description="OpenScape Business UC conformance lab")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("doctor", help="check this host and say what to install")
    d.add_argument("--quiet", action="store_true", help="print only failures")
    d.set_defaults(fn=cmd_doctor)

    t = sub.add_parser("topologies", help="list, validate, show topology files")
    t.add_argument("action", choices=["list", "validate", "show", "schema"])
    t.add_argument("files", nargs="*")
    t.add_argument("--out", help="SVG file for show (default: <name>.svg)")
    t.set_defaults(fn=cmd_topologies)

    u = sub.add_parser("up", help="bring a topology up")
    u.add_argument("file")
    u.add_argument("--detach", action="store_true", help="keep it up in the background; `uclab down RUN` ends it")
    u.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    u.set_defaults(fn=cmd_up)

    e = sub.add_parser("exec", help="run a command inside a host of a live run")
    e.add_argument("run")
    e.add_argument("host")
    e.add_argument("cmd", nargs=argparse.REMAINDER)
    e.set_defaults(fn=cmd_exec)

    dn = sub.add_parser("down", help="tear a run down")
    dn.add_argument("run")
    dn.set_defaults(fn=cmd_down)

    c = sub.add_parser("clean", help="remove leftovers of dead runs (never touches live runs)")
    c.add_argument("--artifacts", action="store_true", help="also delete the dead runs' directories")
    c.set_defaults(fn=cmd_clean)

    n = sub.add_parser("natcheck", help="classify the NAT behaviour a host sees (RFC 5780), as JSON")
    n.add_argument("file")
    n.add_argument("--host", required=True)
    n.add_argument(
        "--tool",
        choices=["lab", "natdiscovery"],
        default="lab",
        help="lab: uclab's own STUN client; natdiscovery: coturn's turnutils_natdiscovery",
    )
    n.set_defaults(fn=cmd_natcheck)

    r = sub.add_parser("run", help="run the conformance suites and write a report")
    r.add_argument("--profile", default=None, help="release profile (e.g. V3R2FR1)")
    r.add_argument("--no-matrix", action="store_true", help="skip the support matrix sweep after the suites")
    r.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra pytest arguments after --")
    r.set_defaults(fn=cmd_run)

    m = sub.add_parser("matrix", help="measure the support matrix against the documents", add_help=False)
    m.add_argument("matrix_args", nargs=argparse.REMAINDER, help="see `uclab matrix --help`")
    m.set_defaults(fn=lambda args: cmd_matrix(args.matrix_args))

    b = sub.add_parser("bench", help="performance benchmarks (ratios against a floor)")
    b.add_argument("what", choices=["topology"])
    b.add_argument("--file", default="home_internet")
    b.add_argument("--repeat", type=int, default=15)
    b.set_defaults(fn=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["matrix"]:  # its own options parser (argparse's REMAINDER drops leading options)
        return cmd_matrix(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        rc: int = args.fn(args)
    except KeyboardInterrupt:
        return 130
    except (LabError, TopologyError) as exc:
        return _err(str(exc))
    return rc


if __name__ == "__main__":
    sys.exit(main())
