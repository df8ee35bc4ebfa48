"""The split of a run over shards (uclab/shards.py): `--shard K/N`, balance, determinism."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from reports.runinfo import Shard
from uclab.shards import count_arg, find_durations, parse_shard, shard_arg, split


def test_shard_parses_k_of_n() -> None:
    assert parse_shard("2/4") == Shard(index=2, total=4)
    assert str(parse_shard(" 1/1 ")) == "1/1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3/2", "'3/2': K must be between 1 and N: 1/2, 2/2"),
        ("0/2", "'0/2': K must be between 1 and N: 1/2, 2/2"),
        ("1/0", "'1/0': N must be at least 1, e.g. 1/2 or 3/4"),
        ("x/y", "'x/y' is not K/N: use whole numbers with 1 <= K <= N, e.g. 1/2 or 3/4"),
        ("-1/2", "'-1/2' is not K/N: use whole numbers with 1 <= K <= N, e.g. 1/2 or 3/4"),
        ("12/10", "'12/10': K must be between 1 and N: 1/10, 2/10, ... 10/10"),
    ],
)
def test_bad_shards_name_the_allowed_values(text: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_shard(text)
    assert str(exc.value) == message
    with pytest.raises(argparse.ArgumentTypeError) as usage:
        shard_arg(text)
    assert str(usage.value) == message


def test_shard_count_is_a_whole_number() -> None:
    assert count_arg("3") == 3
    for bad in ("0", "-2", "two"):
        with pytest.raises(argparse.ArgumentTypeError) as exc:
            count_arg(bad)
        assert str(exc.value) == f"{bad!r} is not a number of shards: use a whole number >= 1, e.g. 2"


FILES = [f"suites/t{i}.py" for i in range(7)]


def test_every_item_goes_to_exactly_one_shard_in_its_order() -> None:
    for total in (1, 2, 3, 7, 9):
        parts = split(FILES, total, {})
        assert len(parts) == total
        assert sorted(i for p in parts for i in p) == sorted(FILES)
        for part in parts:
            assert part == [f for f in FILES if f in part], "a shard keeps the collection order"


def test_without_durations_the_split_is_by_count() -> None:
    sizes = sorted(len(p) for p in split(FILES, 3, {}))
    assert sizes == [2, 2, 3]


def test_recorded_durations_balance_the_split() -> None:
    durations = {"suites/t0.py": 300.0, "suites/t1.py": 100.0, "suites/t2.py": 100.0, "suites/t3.py": 100.0}
    parts = split(FILES[:4], 2, durations)
    assert parts == [["suites/t0.py"], ["suites/t1.py", "suites/t2.py", "suites/t3.py"]]
    # an unrecorded file weighs the median of the recorded ones (100 s here), not nothing
    with_new = split([*FILES[:4], "suites/new.py"], 2, durations)
    loads = sorted(sum(durations.get(f, 100.0) for f in p) for p in with_new)
    assert loads == [300.0, 400.0]


def test_the_split_is_the_same_for_the_same_inputs() -> None:
    durations = {f: float(len(f) % 3) for f in FILES}
    assert split(FILES, 3, durations) == split(list(FILES), 3, dict(reversed(list(durations.items()))))


def test_durations_come_from_the_file_given_else_the_newest_run(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    old, new, matrix_only = runs / "old", runs / "new", runs / "matrix-x"
    for d, content in (
        (old, {"files": {"a.py": 1.0}}),
        (new, {"files": {"a.py": 2.0}}),
        (matrix_only, {"cells": {"lan+x": 3.0}}),
    ):
        d.mkdir(parents=True)
        (d / "durations.json").write_text(json.dumps(content))
    os.utime(old / "durations.json", (1, 1))
    durations, source = find_durations(None, runs, "files")
    assert (durations.files, source) == ({"a.py": 2.0}, str(new / "durations.json"))
    assert find_durations(None, runs, "cells")[0].cells == {"lan+x": 3.0}
    assert find_durations(old, runs, "files") == (find_durations(old / "durations.json", runs, "files")[0], str(old))
    assert find_durations(None, tmp_path / "none", "files") == (find_durations(None, tmp_path, "files")[0], None)


def test_a_bad_durations_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "durations.json"
    bad.write_text(json.dumps({"files": {"a.py": "slow"}}))
    with pytest.raises(ValueError) as exc:
        find_durations(bad, tmp_path, "files")
    assert (
        str(exc.value)
        == f"{bad}: not a durations file: files.a.py: Input should be a valid number, unable to parse string as a number"
    )
    with pytest.raises(ValueError) as exc:
        find_durations(tmp_path / "empty", tmp_path, "files")
    assert str(exc.value) == f"{tmp_path / 'empty'}: no such file"
