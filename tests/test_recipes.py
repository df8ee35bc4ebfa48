"""The scaling recipes (docs/recipes, docs/SCALING.md), as far as this machine can try them:
each manifest against its published schema, offline (the schemas vendored by the pinned
check-jsonschema and kubernetes-validate), and the shell each one runs, with its CI
variables set, giving `uclab` arguments that uclab's own parser accepts."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from uclab.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "docs" / "recipes"
BIN = Path(sys.executable).parent
K8S = ("k8s-results-pvc.yaml", "k8s-shards-job.yaml", "k8s-merge-job.yaml")
CI = {"gitlab-ci.yml": "vendor.gitlab-ci", "github-workflow.yml": "vendor.github-workflows"}
KUBERNETES = "1.29.0"
"""the oldest release the Indexed Job recipe is written for (Indexed Jobs are GA since 1.24)"""


def check_ci(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )


def check_k8s(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", "-k", KUBERNETES, str(path)], capture_output=True, text=True
    )


def test_every_recipe_is_checked_here() -> None:
    assert sorted(p.name for p in RECIPES.glob("*.y*ml")) == sorted([*K8S, *CI])


@pytest.mark.parametrize("name", K8S)
def test_kubernetes_manifests_match_the_api_schema(name: str) -> None:
    done = check_k8s(RECIPES / name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed for resource" in done.stdout


@pytest.mark.parametrize(("name", "schema"), CI.items())
def test_ci_files_match_their_published_schemas(name: str, schema: str) -> None:
    done = check_ci(RECIPES / name, schema)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schemas_refuse_a_broken_manifest(tmp_path: Path) -> None:
    job = (RECIPES / "k8s-shards-job.yaml").read_text().replace("completionMode: Indexed", "completionMod: Indexed")
    (tmp_path / "job.yaml").write_text(job)
    assert check_k8s(tmp_path / "job.yaml").returncode != 0
    gitlab = (RECIPES / "gitlab-ci.yml").read_text().replace("parallel: 4", "parallel: 4000")
    (tmp_path / "gitlab.yml").write_text(gitlab)
    assert check_ci(tmp_path / "gitlab.yml", CI["gitlab-ci.yml"]).returncode != 0, "GitLab allows at most 200"
    github = (RECIPES / "github-workflow.yml").read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest")
    (tmp_path / "github.yml").write_text(github)
    assert check_ci(tmp_path / "github.yml", CI["github-workflow.yml"]).returncode != 0


def fake_uclab(tmp_path: Path, code: int) -> Path:
    """A `uclab` that records its arguments and exits `code`: the recipe's shell is under
    test here, not the run (the shard itself is tests/test_shard_run.py)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "uclab"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/argv"\nexit {code}\n')
    script.chmod(0o755)
    return bin_dir


def run_shell(script: str, tmp_path: Path, code: int, env: dict[str, str]) -> tuple[int, list[str]]:
    path = f"{fake_uclab(tmp_path, code)}:{os.environ['PATH']}"
    done = subprocess.run(["/bin/sh", "-c", script], env={**os.environ, **env, "PATH": path}, cwd=tmp_path)
    argv = (tmp_path / "argv").read_text().splitlines() if (tmp_path / "argv").exists() else []
    return done.returncode, argv


def pod(name: str) -> tuple[str, dict[str, str]]:
    """The shell script a Job's container runs, and its environment."""
    container = yaml.safe_load((RECIPES / name).read_text())["spec"]["template"]["spec"]["containers"][0]
    return str(container["args"][0]), {str(e["name"]): str(e["value"]) for e in container.get("env", [])}


def test_the_indexed_job_turns_the_completion_index_into_a_shard(tmp_path: Path) -> None:
    spec = yaml.safe_load((RECIPES / "k8s-shards-job.yaml").read_text())["spec"]
    script, env = pod("k8s-shards-job.yaml")
    assert spec["completions"] == spec["parallelism"] == int(env["SHARDS"])
    results = tmp_path / "results"
    script = script.replace("/results", str(results))
    env["JOB_COMPLETION_INDEX"] = "1"
    code, argv = run_shell(script, tmp_path, 1, env)
    assert code == 0, "failed checks are the report's verdict, not a failed pod"
    assert argv == ["run", "--shard", "2/4", "--out", f"{results}/release/shard-2"]
    args = build_parser().parse_args(argv)
    assert (str(args.shard), args.out) == ("2/4", results / "release" / "shard-2")
    assert run_shell(script, tmp_path, 2, env)[0] == 2, "bad input fails the pod"
    (results / "latest").mkdir(parents=True)
    (results / "latest" / "durations.json").write_text("{}")
    assert run_shell(script, tmp_path, 0, env)[1][-2:] == ["--durations", f"{results}/latest/durations.json"]


def test_the_merge_job_merges_every_shard_and_moves_latest_on(tmp_path: Path) -> None:
    script, env = pod("k8s-merge-job.yaml")
    results = tmp_path / "results"
    for k in (1, 2):
        (results / "release" / f"shard-{k}").mkdir(parents=True)
    script = script.replace("/results", str(results))
    code, argv = run_shell(script, tmp_path, 1, env)
    assert code == 1, "the merged run's verdict is the job's"
    assert argv == ["report", "merge", *(f"{results}/release/shard-{k}" for k in (1, 2)),
                    "--out", f"{results}/release/merged"]  # fmt: skip
    assert build_parser().parse_args(argv).dirs == [results / "release" / f"shard-{k}" for k in (1, 2)]
    assert (results / "latest").resolve() == results / "release" / "merged"
    (results / "release" / "merged" / "allure-history.jsonl").parent.mkdir(parents=True, exist_ok=True)
    (results / "release" / "merged" / "allure-history.jsonl").write_text("{}\n")
    assert run_shell(script, tmp_path, 0, env)[1][-2:] == ["--history", f"{results}/latest"]


def ci_commands(name: str) -> list[str]:
    doc = yaml.safe_load((RECIPES / name).read_text())
    jobs = doc["jobs"].values() if "jobs" in doc else [v for v in doc.values() if isinstance(v, dict) and "script" in v]
    lines: list[str] = []
    for job in jobs:
        lines += [str(s) for s in job.get("script", [])]
        lines += [str(s["run"]) for s in job.get("steps", []) if "run" in s]
    return [line for line in lines if line.startswith("uclab ")]


@pytest.mark.parametrize(
    ("name", "variables"),
    [
        ("gitlab-ci.yml", {"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "4"}),
        ("github-workflow.yml", {}),
    ],
)
def test_ci_jobs_run_uclab_commands_it_accepts(name: str, variables: dict[str, str]) -> None:
    commands = ci_commands(name)
    assert len(commands) == 2, commands
    shard, merge = (c.replace("${{ matrix.shard }}", "3") for c in commands)
    expanded = subprocess.run(
        ["/bin/sh", "-c", f"printf '%s\\n' {shard.removeprefix('uclab ')}"],
        env={**os.environ, **variables}, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert expanded == ["run", "--shard", "3/4", "--out", "shards/shard-3"]
    assert str(build_parser().parse_args(expanded).shard) == "3/4"
    argv = shlex.split(merge)[1:]
    assert argv == ["report", "merge", "shards/shard-*", "--out", "merged"]
    assert build_parser().parse_args(argv).report_command == "merge"
