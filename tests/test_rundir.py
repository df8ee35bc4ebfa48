"""Run directories (uclab/rundir.py): what --out accepts, and the source a run records."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reports.runinfo import Source
from uclab.rundir import ROOT, UsageError, image_tag, prepare_out, source_state


def test_a_new_or_empty_directory_is_used_as_it_is(tmp_path: Path) -> None:
    assert prepare_out(tmp_path / "new" / "run", "") == tmp_path / "new" / "run"
    assert (tmp_path / "new" / "run").is_dir()
    assert prepare_out(tmp_path / "new" / "run", "") == tmp_path / "new" / "run"


def test_an_earlier_run_is_replaced_but_what_it_must_keep_stays(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "shard-1" / "allure-results").mkdir(parents=True)
    (run / "run.json").write_text("{}")
    (run / "summary.md").write_text("old")
    (run / "allure-results").mkdir()
    prepare_out(run, "", keep=[run / "shard-1"])
    assert sorted(p.name for p in run.iterdir()) == ["shard-1"]
    assert (run / "shard-1" / "allure-results").is_dir()


def test_a_foreign_directory_or_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError) as exc:
        prepare_out(tmp_path, "")
    assert str(exc.value).startswith(f"--out {tmp_path}: the directory is not empty and is not a uclab run directory")
    with pytest.raises(UsageError) as exc:
        prepare_out(tmp_path / "notes.txt", "")
    assert str(exc.value) == f"--out {tmp_path / 'notes.txt'}: is a file, not a directory"
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_the_source_is_the_checked_out_commit() -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
    source = source_state()
    assert source.commit == head.stdout.strip()
    assert source.dirty == bool(status.stdout.strip())
    assert (source.changes is not None) == source.dirty
    assert source_state() == source, "the same tree gives the same digest"


def test_image_tags_name_commit_and_changes() -> None:
    assert image_tag(Source(commit="0123456789abcdef")) == "uclab:0123456789ab"
    assert image_tag(Source(commit="0123456789abcdef", dirty=True, changes="fedcba98765")) == (
        "uclab:0123456789ab-dirty-fedcba98"
    )
