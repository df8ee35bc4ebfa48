"""`uclab phone`, `uclab audio` and `uclab router` end to end, as a user types them: a lab
served by `uclab up --system --detach`, phones started and driven from the shell, bad input
answered with a sentence and exit 2, what cannot be done with exit 1. The module's lab (one per
xdist worker) has the home client and the desk phone started from the shell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.net import netns, runs

from ..shell import uclab


@pytest.fixture(scope="module")
def run_id() -> Iterator[str]:
    up = uclab("up", "home_internet", "--system", "--detach", check=True)
    run = up.stdout.splitlines()[0]
    assert runs.RUN_ID_RE.match(run), up.stdout
    assert "system: UC server on system at 192.168.1.30 ready in" in up.stdout
    try:
        start = uclab("phone", run, "start", "home", "--host", "home_pc", "--user", "200", "--server", "public")
        assert (start.returncode, start.stdout) == (
            0,
            "home: myPortal @work VoIP of 200 on home_pc, registrar 198.51.100.120:8802: registered\n",
        ), start.stderr
        start = uclab("phone", run, "start", "desk", "--host", "office_pc", "--user", "202", "--client", "desk_phone")
        assert start.returncode == 0, start.stderr
        yield run
    finally:
        down = uclab("down", run)
        assert down.returncode == 0 and f"run {run} is down" in down.stdout
        assert netns.names(f"{runs.NS_PREFIX}{run}-") == []


def ok(*args: str) -> str:
    result = uclab(*args)
    assert result.returncode == 0, f"uclab {' '.join(args)}: {result.returncode} {result.stderr}"
    return result.stdout


def refused(code: int, *args: str) -> str:
    result = uclab(*args)
    assert result.returncode == code, f"uclab {' '.join(args)}: {result.returncode} {result.stdout} {result.stderr}"
    return result.stderr.strip()


@pytest.mark.rule("NET-1.5", "PORT-1")
def test_a_call_from_the_shell(run_id: str) -> None:
    """NET-1.5 (004:96-107): the home client registers at the public door (PORT-1 8802,
    004:275), the office desk phone calls it, it rings, is answered, has two-way audio;
    hold, retrieve, DTMF and hang-up as the user does them."""
    assert ok("phone", run_id, "desk", "dial", "200") == "desk: call c1 to 200: ringing\n"
    assert ok("phone", run_id, "home", "answer").startswith("home: answered call c1 from ")
    audio = ok("audio", run_id, "desk", "home")
    assert audio.startswith("audio desk <-> home: two-way\n  desk -> home: heard ")
    assert "desk: PCMA/8000, local 192.168.1.50:" in audio and "MOS" in audio
    assert ok("phone", run_id, "home", "hold") == "home: call c1 on hold\n"
    assert ok("phone", run_id, "home", "retrieve") == "home: call c1 retrieved\n"
    assert ok("phone", run_id, "desk", "dtmf", "123") == "desk: sent DTMF 123 on call c1\n"
    status = ok("phone", run_id, "home", "status")
    assert "  registered: yes\n" in status and ": confirmed, media active" in status
    assert ok("phone", run_id, "desk", "hangup") == "desk: call c1 ended\n"
    assert refused(1, "phone", run_id, "desk", "hangup") == "uclab: desk has no call to hang up"
    assert refused(1, "audio", run_id, "desk", "home") == "uclab: desk has no call to judge audio on"
    assert ok("phone", run_id, "home", "check-ice") == "home: Check ICE status: available via stun:192.0.2.10:3478\n"
    assert ok("phone", run_id, "home", "unregister").startswith("home: unregistered (200")
    assert ok("phone", run_id, "home", "register") == "home: registration active at 198.51.100.120:8802 (200 OK)\n"


def test_a_router_changed_live(run_id: str) -> None:
    assert ok("router", run_id, "home_router", "--sip-alg", "kernel") == (
        "router home_router: sip-alg kernel (connections forgotten)\n"
    )
    assert ok("router", run_id, "home_router", "--sip-alg", "none", "--nat", "port-restricted-cone").startswith(
        "router home_router: nat port-restricted-cone, sip-alg none"
    )


def test_bad_input(run_id: str) -> None:
    assert refused(2, "phone", run_id, "nobody", "dial", "200").startswith("uclab: no phone named 'nobody'; phones: ")
    assert refused(2, "phone", run_id, "home", "fly") == (
        "uclab: unknown phone action 'fly'; one of: dial N | answer | hangup | hold | retrieve | transfer N | "
        "dtmf DIGITS | status | check-nat | check-ice | register | unregister"
    )
    assert (
        refused(2, "phone", run_id, "home", "dial")
        == "uclab: dial needs a number to call, e.g. uclab phone RUN home dial 202"
    )
    assert refused(2, "phone", run_id, "home", "dial", "two") == "uclab: 'two' is not a call number (digits, * and #)"
    assert refused(2, "phone", run_id, "home", "dtmf", "12x") == "uclab: DTMF '12x': digits 0-9, *, #, A-D"
    assert refused(2, "phone", run_id, "start", "x", "--host", "mars", "--user", "200").startswith(
        "uclab: no host 'mars' in topology home_internet; hosts: "
    )
    assert refused(2, "phone", run_id, "start", "y", "--host", "home_pc", "--user", "999") == (
        "uclab: user 999 is not configured on the system"
    )
    assert refused(2, "phone", run_id, "start", "z", "--host", "home_pc", "--user", "200", "--server", "nowhere") == (
        "uclab: server 'nowhere': give LAN, public or PUBLIC-ADDRESS:PORT, e.g. 198.51.100.120:8802"
    )
    assert "invalid choice: 'sip'" in refused(
        2, "phone", run_id, "start", "z", "--host", "home_pc", "--user", "200", "--client", "sip"
    )
    assert refused(2, "router", run_id, "nope", "--nat", "symmetric") == (
        "uclab: no router 'nope' in topology home_internet; routers: office_router, home_router, internet"
    )
    assert refused(2, "router", run_id, "home_router") == (
        f"uclab: say what to change: uclab router {run_id} home_router --nat symmetric | --sip-alg kernel | --firewall strict"
    )
    assert "home_router" in refused(2, "router", run_id, "home_router", "--nat", "conical")
    assert refused(2, "phone", "00000000", "home", "status").startswith("uclab: no run '00000000'; live runs: ")


def test_a_run_not_served_by_uclab_up() -> None:
    assert refused(2, "phone", "zz", "home", "status").startswith("uclab: no run 'zz'")
