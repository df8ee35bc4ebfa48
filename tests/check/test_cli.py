"""`uclab check` bad input: exit 2, the message, and nothing built."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def uclab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uclab", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_bad_file_exits_2_with_file_line_field_and_example_and_builds_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\nsites:\n  - {name: a, access: internet, router: {nat: cone}}\n"
    )
    out = tmp_path / "out"
    result = uclab("check", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr == (
        f"uclab: {bad}: 1 problem\n  {bad}:4: sites.0.router.nat: unknown nat 'cone'; use one of: 'full-cone', "
        "'restricted-cone', 'port-restricted-cone', 'symmetric', 'none' or 'unknown'; e.g. nat: port-restricted-cone\n"
    )
    assert not out.exists()


def test_no_file_and_schema() -> None:
    result = uclab("check")
    assert result.returncode == 2
    assert "check needs a customer FILE" in result.stderr
    schema = uclab("check", "--schema")
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"] == "Customer"


def test_output_paths_are_checked_before_anything_is_built(tmp_path: Path) -> None:
    """--json, --html, --junit and --out that could not be written at the end are refused
    first (exit 2), not after the sites were measured."""
    good = str(ROOT / "examples" / "customers" / "all_ready.yaml")
    (tmp_path / "file").write_text("")
    missing = tmp_path / "nosuch" / "check.json"
    for argv, message in (
        (
            ("--json", str(missing)),
            f"--json {missing}: the directory {missing.parent} does not exist; create it or give another path",
        ),
        (
            ("--html", str(tmp_path)),
            f"--html {tmp_path}: is a directory; give a file name, e.g. {tmp_path / 'report.html'}",
        ),
        (
            ("--junit", str(missing)),
            f"--junit {missing}: the directory {missing.parent} does not exist; create it or give another path",
        ),
        (
            ("--out", str(tmp_path / "file")),
            f"--out {tmp_path / 'file'}: is a file, not a directory; give a new or existing directory",
        ),
    ):
        result = uclab("check", good, *argv)
        assert (result.returncode, result.stderr) == (2, f"uclab: {message}\n"), argv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"], "nothing was built or written"
