"""Run ids, liveness by lock, and `clean` touching only dead runs (no namespaces needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from simulators.net import runs


def test_a_run_is_alive_while_its_owner_holds_the_lock(tmp_path: Path) -> None:
    run = runs.Run.create("t", root=tmp_path)
    assert runs.RUN_ID_RE.match(run.run_id)
    assert runs.is_alive(run.run_id, tmp_path)
    run.release()
    assert not runs.is_alive(run.run_id, tmp_path)


def test_a_killed_owner_frees_the_lock(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from simulators.net import runs; "
        "r = runs.Run.create('t', root=Path(sys.argv[1])); print(r.run_id, flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    assert runs.is_alive(run_id, tmp_path)
    proc.kill()
    proc.wait()
    assert not runs.is_alive(run_id, tmp_path)


def test_clean_leaves_live_runs_alone(tmp_path: Path) -> None:
    live = runs.Run.create("live", root=tmp_path)
    dead = runs.Run.create("dead", root=tmp_path)
    dead.release()
    mine = {live.run_id, dead.run_id}
    report = runs.clean(root=tmp_path, only=mine)
    assert report.runs == [dead.run_id]
    assert report.skipped_live == [live.run_id]
    assert (tmp_path / dead.run_id / "DEAD").exists()
    assert not runs.lock_path(dead.run_id).exists()
    assert not (tmp_path / live.run_id / "DEAD").exists()
    assert str(runs.clean(root=tmp_path, only=mine)) == "nothing to clean (1 live run(s) left alone)"
    live.finish()
    assert not runs.lock_path(live.run_id).exists()


def test_clean_with_another_run_root_never_touches_a_live_run_elsewhere(tmp_path: Path) -> None:
    """Locks are machine-wide: a clean pointed at another artifact root still sees live runs."""
    elsewhere = runs.Run.create("elsewhere", root=tmp_path / "a")
    report = runs.clean(root=tmp_path / "b", only={elsewhere.run_id})
    assert report.runs == [] and report.skipped_live == [elsewhere.run_id]
    elsewhere.finish()


def test_meta_records_the_owner(tmp_path: Path) -> None:
    run = runs.Run.create("topo", root=tmp_path)
    assert run.meta()["pid"] == os.getpid()
    assert run.meta()["topology"] == "topo"
    run.release()


def test_sockets_live_in_a_short_directory_removed_with_the_run(tmp_path: Path) -> None:
    """A run directory may be anywhere (`--out DIR`); its Unix sockets stay under 107 bytes
    in runs.socket_dir, which goes with the run: at the end and by `clean` after a crash."""
    deep = tmp_path / ("out-" + "x" * 120)
    run = runs.Run.create("t", root=deep)
    sock = run.socket("uc-system", "core.sock")
    assert sock.parent.is_dir() and len(str(sock)) < 60 and not str(sock).startswith(str(deep))
    run.finish()
    assert not runs.socket_dir(run.run_id).exists()
    crashed = runs.Run.create("t", root=deep)
    crashed.socket("phone-a.sock").touch()
    crashed.release()  # the owner died without finishing
    runs.clean(deep, only={crashed.run_id})
    assert not runs.socket_dir(crashed.run_id).exists()
