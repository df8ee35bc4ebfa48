"""Shards as containers of the uclab image, driven with the Docker SDK for Python.

The engine is the one DOCKER_HOST names (or the default socket). Each shard is one
container of the image (docker/Dockerfile), run privileged, because the lab creates
network namespaces, veths and nftables rulesets (on a host whose own bounding set lacks a
capability, privileged less that capability: `privileges`), and with `--network none`: the lab needs
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
CAPABILITIES = (
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
    "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
    "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
    "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
    "CHECKPOINT_RESTORE",
)  # fmt: skip
"""capability names by number (linux/capability.h)"""


def missing_capabilities(status: str, last_cap: int) -> list[str]:
    """The capabilities below the kernel's last one that a process's bounding set (the
    CapBnd line of /proc/PID/status) lacks."""
    bounding = int(next(line.split()[1] for line in status.splitlines() if line.startswith("CapBnd:")), 16)
    return [CAPABILITIES[i] for i in range(min(last_cap + 1, len(CAPABILITIES))) if not bounding >> i & 1]


def privileges() -> dict[str, Any]:
    """The container options that give the lab what it needs: `privileged`, or, where the
    engine's host itself lacks a capability (a sandboxed machine: an engine that runs
    privileged containers with every capability then fails with "unable to apply caps"),
    what `privileged` means less those capabilities: every other capability, no seccomp or
    AppArmor confinement, writable /proc/sys, and /dev/net/tun for wireguard-go."""
    missing = missing_capabilities(
        Path("/proc/self/status").read_text(), int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    )
    if not missing:
        return {"privileged": True}
    return {
        "cap_add": ["ALL"],
        "cap_drop": missing,
        "security_opt": ["seccomp=unconfined", "apparmor=unconfined"],
        "devices": ["/dev/net/tun:/dev/net/tun:rwm"],
        UNCONFINED_PATHS: True,
    }


UNCONFINED_PATHS = "unconfined_paths"
"""no masked or read-only /proc paths (the docker CLI's `--security-opt systempaths=unconfined`,
which the SDK has no argument for: the host config's MaskedPaths and ReadonlyPaths, empty)"""


def _start(c: Any, image: str, argv: list[str], out: Path, labels: dict[str, str]) -> Any:
    """Create and start one shard's container through the SDK's low-level API (it alone
    lets the host config say MaskedPaths/ReadonlyPaths)."""
    options = privileges()
    unconfined = options.pop(UNCONFINED_PATHS, False)
    host_config = c.api.create_host_config(
        network_mode="none", binds={str(out): {"bind": RESULTS, "mode": "rw"}}, **options
    )
    if unconfined:
        host_config["MaskedPaths"] = []
        host_config["ReadonlyPaths"] = []
    created = c.api.create_container(image, argv, host_config=host_config, labels=labels, volumes=[RESULTS])
    c.api.start(created["Id"])
    return c.containers.get(created["Id"])


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
            started.append(_start(c, image, argv, out, {"uclab.shard": f"{k}/{len(argvs)}", "uclab.out": str(out)}))
        codes = []
        for k, container in enumerate(started, 1):
            codes.append(int(container.wait()["StatusCode"]))
            (out / f"shard-{k}.log").write_bytes(container.logs())
        return codes
    finally:
        for container in started:
            with contextlib.suppress(Exception):
                container.remove(force=True)
