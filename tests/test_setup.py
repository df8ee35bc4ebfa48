"""scripts/setup.sh leaves other software alone: Debian's kamailio and coturn daemons are kept
from starting while setup installs them (scripts/policy-rc.d, scripts/distro_daemons.sh) and
their units stay off at boot, and setup never signals a process."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
POLICY = SCRIPTS / "policy-rc.d"
LIBRARY = SCRIPTS / "distro_daemons.sh"


def test_setup_signals_no_process() -> None:
    for script in (SCRIPTS / "setup.sh", LIBRARY, POLICY):
        code = [line for line in script.read_text().splitlines() if not line.lstrip().startswith("#")]
        found = [line for line in code if re.search(r"\b(pkill|killall|kill|skill)\b", line)]
        assert found == [], f"{script.name} signals processes: {found}"


def policy(*args: str, path: Path = POLICY) -> int:
    return subprocess.run([str(path), *args], capture_output=True, check=False).returncode


@pytest.mark.parametrize(
    "args",
    [
        ("kamailio", "start"),
        ("--quiet", "kamailio", "(start)", "2"),  # invoke-rc.d's form
        ("kamailio.service", "start"),  # deb-systemd-invoke's form
        ("coturn", "restart"),
        ("coturn.service", "start"),
    ],
)
def test_the_policy_refuses_the_two_daemons(args: tuple[str, ...]) -> None:
    assert policy(*args) == 101


def test_the_policy_allows_other_services_when_there_was_no_policy(tmp_path: Path) -> None:
    installed = tmp_path / "policy-rc.d"
    installed.write_bytes(POLICY.read_bytes())
    installed.chmod(0o755)
    assert policy("ssh", "start", path=installed) == 0
    assert policy("kamailio-sidecar", "start", path=installed) == 0


def test_the_policy_defers_other_services_to_the_policy_it_replaced(tmp_path: Path) -> None:
    installed = tmp_path / "policy-rc.d"
    installed.write_bytes(POLICY.read_bytes())
    installed.chmod(0o755)
    saved = tmp_path / "policy-rc.d.uclab-saved"
    saved.write_text('#!/bin/sh\n[ "$1" = postgresql ] && exit 101\nexit 104\n')
    saved.chmod(0o755)
    assert policy("postgresql", "start", path=installed) == 101
    assert policy("ssh", "start", path=installed) == 104
    assert policy("coturn", "start", path=installed) == 101


def shell(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run bash with scripts/distro_daemons.sh sourced and the host's policy-rc.d in tmp_path."""
    full = {**os.environ, "POLICY_RC_D": str(tmp_path / "policy-rc.d"), **env}
    return subprocess.run(
        ["bash", "-euc", f". {LIBRARY}\n{script}"], capture_output=True, text=True, env=full, cwd=ROOT, check=True
    )


DOCKER_POLICY = "#!/bin/sh\n# no services in docker build\nexit 101\n"


def test_hold_and_release_put_the_previous_policy_back(tmp_path: Path) -> None:
    host = tmp_path / "policy-rc.d"
    host.write_text(DOCKER_POLICY)
    host.chmod(0o755)
    shell("hold_distro_daemons scripts/policy-rc.d", tmp_path)
    assert host.read_text() == POLICY.read_text()
    assert stat.S_IMODE(host.stat().st_mode) == 0o755
    assert (tmp_path / "policy-rc.d.uclab-saved").read_text() == DOCKER_POLICY
    shell("hold_distro_daemons scripts/policy-rc.d", tmp_path)  # a second setup after a crash
    assert (tmp_path / "policy-rc.d.uclab-saved").read_text() == DOCKER_POLICY
    shell("release_distro_daemons", tmp_path)
    assert host.read_text() == DOCKER_POLICY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy-rc.d"]


def test_hold_and_release_leave_no_policy_where_there_was_none(tmp_path: Path) -> None:
    shell("hold_distro_daemons scripts/policy-rc.d", tmp_path)
    assert (tmp_path / "policy-rc.d").exists()
    shell("release_distro_daemons", tmp_path)
    assert list(tmp_path.iterdir()) == []


def fake_systemctl(tmp_path: Path, enabled: set[str]) -> dict[str, str]:
    """A PATH whose `systemctl` answers is-enabled from `enabled` and logs every call."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    units = " ".join(f"{u}.service" for u in enabled)
    script = bin_dir / "systemctl"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> {log}\n'
        f'if [ "$1" = is-enabled ]; then for u in {units}; do [ "$3" = "$u" ] && exit 0; done; exit 1; fi\n'
    )
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_only_units_this_install_enabled_are_disabled(tmp_path: Path) -> None:
    """kamailio is being installed and its unit was not enabled: setup disables it after the
    install. coturn's unit was already enabled (someone's own coturn): left alone. tcpdump is
    no daemon of interest."""
    env = fake_systemctl(tmp_path, enabled={"coturn"})
    found = shell("new_daemon_units tcpdump kamailio coturn", tmp_path, **env).stdout.split()
    assert found == ["kamailio"]
    log = tmp_path / "systemctl.log"
    log.unlink()
    env = fake_systemctl_after_install(tmp_path, env)
    shell("disable_new_unit kamailio", tmp_path, **env)
    assert log.read_text().splitlines() == ["is-enabled --quiet kamailio.service", "disable --quiet kamailio.service"]


def fake_systemctl_after_install(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """The same fake after the package install enabled kamailio's unit."""
    (tmp_path / "bin" / "systemctl").unlink()
    (tmp_path / "bin").rmdir()
    return fake_systemctl(tmp_path, enabled={"coturn", "kamailio"})
