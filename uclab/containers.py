"""Shards as containers of the uclab image, driven with the Docker SDK for Python.

The engine is the one DOCKER_HOST names (or the default socket). Each shard is one
container of the image (docker/Dockerfile), run privileged, because the lab creates
network namespaces, veths and nftables rulesets, and with `--network none`: the lab needs
no network but the namespaces it builds inside the container, and nothing it sends can
reach the host's network. The run directory is mounted at /results. Containers are
removed when their shard ends, and also when this process is interrupted.

The image must hold the code of this checkout (its `uclab.source` label, written by
scripts/build-image.sh): a report rendered here from results of other code would mix two
versions of the catalogue.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reports.runinfo import Source

from .rundir import UsageError, source_state

SOURCE_LABEL = "uclab.source"
RESULTS = "/results"


def _sdk() -> Any:
    """The Docker SDK (imported by name: mypy would take the repository's docker/ folder of
    the Dockerfile for it)."""
    return importlib.import_module("docker")


def client() -> Any:
    """A Docker SDK client of the engine DOCKER_HOST names; UsageError when none answers."""
    docker = _sdk()
    try:
        c = docker.from_env()
        c.ping()
    except docker.errors.DockerException as exc:
        where = os.environ.get("DOCKER_HOST", "the default socket")
        raise UsageError(
            f"--containers: no docker engine answers at {where} ({exc}); start one and set DOCKER_HOST "
            "(docs/SCALING.md: a private engine for this machine)"
        ) from None
    return c


def image_source(c: Any, image: str) -> Source | None:
    docker = _sdk()
    try:
        labels = c.images.get(image).labels or {}
    except docker.errors.ImageNotFound:
        raise UsageError(
            f"--image {image}: the engine has no such image; build it with scripts/build-image.sh"
        ) from None
    try:
        return Source.model_validate_json(labels[SOURCE_LABEL]) if SOURCE_LABEL in labels else None
    except ValidationError:
        return None


def check_image(c: Any, image: str) -> None:
    """UsageError unless `image` exists and was built from the code of this checkout."""
    built, here = image_source(c, image), source_state()
    if built != here:
        raise UsageError(
            f"--image {image} was built from {built or 'unknown code'}, this checkout is {here}: "
            "rebuild it with scripts/build-image.sh"
        )


def run_shards(c: Any, image: str, argvs: list[list[str]], out: Path) -> list[int]:
    """Run one container per `uclab` argument list, all at once, with `out` at /results;
    their exit codes, and each one's output in out/shard-K.log."""
    started: list[Any] = []
    try:
        for k, argv in enumerate(argvs, 1):
            started.append(
                c.containers.run(
                    image,
                    argv,
                    detach=True,
                    privileged=True,
                    network_mode="none",
                    volumes={str(out): {"bind": RESULTS, "mode": "rw"}},
                    labels={"uclab.shard": f"{k}/{len(argvs)}", "uclab.out": str(out)},
                )
            )
        codes = []
        for k, container in enumerate(started, 1):
            codes.append(int(container.wait()["StatusCode"]))
            (out / f"shard-{k}.log").write_bytes(container.logs())
        return codes
    finally:
        for container in started:
            with contextlib.suppress(Exception):
                container.remove(force=True)
