"""`uclab up | exec | down | clean`: a lab from the shell.

uclab up FILE [--system [CONFIG]] [--detach]
                             first line: the run id; then hosts and addresses; --system also
                             starts the UC server on the system host (the office example or
                             CONFIG); the serving process answers `uclab phone | audio | router`
uclab exec RUN HOST -- CMD   run a command inside a host of a live run
uclab down RUN               tear a run down
uclab clean                  remove what dead runs left behind (never a live run)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import select
import signal
import subprocess
import sys

from reports.evidence import page
from simulators.lab import Lab
from simulators.net import loader, netns, runs
from simulators.net.errors import LabError, TopologyError
from simulators.net.model import Topology

from .. import labserver
from ..session import SYSTEM_HOST, LabSession, SessionError
from .common import EXIT_FAILED, EXIT_OK, Subparsers, fail, find_run


def register(sub: Subparsers) -> None:
    u = sub.add_parser("up", help="bring a topology up")
    u.add_argument("file")
    u.add_argument(
        "--system",
        nargs="?",
        const="office",
        metavar="CONFIG",
        help="also start the UC server on the system host: an example configuration (default office) or a YAML file",
    )
    u.add_argument("--detach", action="store_true", help="keep it up in the background; `uclab down RUN` ends it")
    u.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    u.set_defaults(fn=up)

    e = sub.add_parser("exec", help="run a command inside a host of a live run")
    e.add_argument("run")
    e.add_argument("host")
    e.add_argument("cmd", nargs=argparse.REMAINDER)
    e.set_defaults(fn=exec_in)

    dn = sub.add_parser("down", help="tear a run down")
    dn.add_argument("run")
    dn.set_defaults(fn=down)

    c = sub.add_parser("clean", help="remove leftovers of dead runs (never touches live runs)")
    c.add_argument("--artifacts", action="store_true", help="also delete the dead runs' directories")
    c.set_defaults(fn=clean)


def lab_text(lab: Lab) -> str:
    """What `uclab up` prints: the run id, each host's addresses, how to go on."""
    lines = [lab.run_id]
    for host, ifaces in lab.hosts_summary().items():
        addrs = "  ".join(f"{n}={','.join(a)}" for n, a in ifaces.items())
        lines.append(f"{host:<16} {addrs}")
    lines.append(f"# run dir: {lab.dir}  (ready in {lab.timings.get('ready_ms', 0):.0f} ms)")
    lines.append(f"# uclab exec {lab.run_id} HOST -- CMD ...   |   uclab down {lab.run_id}")
    return "\n".join(lines) + "\n"


def up(args: argparse.Namespace) -> int:
    try:
        topo = loader.load(args.file)
    except (TopologyError, FileNotFoundError) as exc:
        return fail(str(exc))
    if args.system is not None:
        problem = system_problem(topo, args.system)
        if problem:
            return fail(problem)
    if args.detach:
        return _detach(args.file, args.system)
    lab = Lab(topo)
    try:
        lab.up()
    except (LabError, OSError) as exc:
        return fail(f"could not bring {topo.name} up: {exc}", EXIT_FAILED)
    try:
        return asyncio.run(_serve(lab, args.system, args.ready_fd))
    finally:
        lab.down()
        if lab.run is not None:
            with contextlib.suppress(Exception):  # the page is evidence; teardown must not fail on it
                page.write(lab.run.dir)


def system_problem(topo: Topology, config: str) -> str | None:
    """Why `--system CONFIG` cannot run on this topology, or None."""
    from simulators.uc.service import StubError, config_source

    if SYSTEM_HOST not in topo.hosts:
        return f"topology {topo.name} has no host named {SYSTEM_HOST!r} for the system; hosts: {', '.join(topo.hosts)}"
    try:
        config_source(config)
    except (StubError, ValueError, OSError) as exc:
        return f"--system {config}: {exc}"
    return None


async def _serve(lab: Lab, system: str | None, ready_fd: int | None) -> int:
    """Serve the lab (and its system) until a signal: the control socket answers commands."""
    session = LabSession(lab)
    session.capture_everywhere()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    server = None
    try:
        text = lab_text(lab)
        if system is not None:
            try:
                text += await session.start_system(system) + "\n"
            except SessionError as exc:
                return fail(str(exc), EXIT_FAILED)
        server = await labserver.serve(session, labserver.control_path(lab.run_id))
        text += (
            f"# uclab phone {lab.run_id} start NAME --host HOST --user N   |   uclab router {lab.run_id} ROUTER ...\n"
        )
        if ready_fd is not None:
            with os.fdopen(ready_fd, "w") as ready:
                ready.write(text)
        else:
            sys.stdout.write(text)
            print("# up; Ctrl-C to tear down", file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        if server is not None:
            server.close()
        await session.close()
    return EXIT_OK


def _detach(file: str, system: str | None) -> int:
    """Serve the lab from a background process; print what it prints until it is ready."""
    read_fd, write_fd = os.pipe()
    log = runs.run_root() / "detached.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "uclab", "up", file, "--ready-fd", str(write_fd)]
    if system is not None:
        argv += ["--system", system]
    with open(log, "ab") as log_f:
        proc = subprocess.Popen(
            argv,
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
        return EXIT_OK
    proc.wait(10)
    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
    return fail(f"the lab did not come up (exit {proc.returncode}):\n  " + "\n  ".join(tail), EXIT_FAILED)


def live_host_namespace(run_id: str, host: str) -> str:
    """The namespace of `host` in live run `run_id`, or a LabError saying what exists."""
    find_run(run_id)
    if not runs.is_alive(run_id):
        raise LabError(f"run {run_id} is not live (torn down or crashed); `uclab clean` removes leftovers")
    ns = runs.ns_name(run_id, host)
    if not netns.exists(ns):
        hosts = sorted(n.split("-", 1)[1] for n in netns.names(f"{runs.NS_PREFIX}{run_id}-") if not n.endswith("-_sw"))
        raise LabError(f"run {run_id} has no host {host!r}; hosts: {', '.join(hosts)}")
    return ns


def exec_in(args: argparse.Namespace) -> int:
    cmd = [c for c in args.cmd if c != "--"] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        return fail("exec needs a command after --, e.g. uclab exec RUN home_pc -- ping -c1 192.0.2.10")
    try:
        ns = live_host_namespace(args.run, args.host)
    except LabError as exc:
        return fail(str(exc))
    fd = os.open(netns.path(ns), os.O_RDONLY)
    netns.setns_fd(fd)
    os.close(fd)
    try:
        os.execvp(cmd[0], cmd)
    except FileNotFoundError:
        return fail(f"command not found: {cmd[0]}")
    return EXIT_FAILED  # not reached


def down(args: argparse.Namespace) -> int:
    try:
        path = find_run(args.run)
    except LabError as exc:
        return fail(str(exc))
    pid = runs.read_meta(path).get("pid")
    if runs.is_alive(args.run) and isinstance(pid, int):
        try:
            fd = os.pidfd_open(pid)
            os.kill(pid, signal.SIGTERM)
            if not select.select([fd], [], [], 30)[0]:
                os.kill(pid, signal.SIGKILL)
            os.close(fd)
        except ProcessLookupError:
            pass
    report = runs.remove_run(args.run) if netns.names(f"{runs.NS_PREFIX}{args.run}-") else None
    print(f"run {args.run} is down" + (f" (removed leftovers: {len(report.namespaces)} namespaces)" if report else ""))
    return EXIT_OK


def clean(args: argparse.Namespace) -> int:
    print(runs.clean(keep_dirs=not args.artifacts))
    return EXIT_OK
