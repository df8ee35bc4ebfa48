"""Faulty SIP ALGs: start the middlebox in the router, then queue its packets to it.

The native nft `queue` expression is missing from this kernel, so the queue rules are an
iptables-nft rule file (`<run>/nft/<router>.alg.rules`, loaded with
`iptables-nft-restore --noflush`) in the router's `mangle` FORWARD chain. The middlebox
binds its queue before the rules exist, so nothing is queued to nobody. There is no
queue bypass: if the middlebox dies, the SIP it should see stops, loudly.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from .alg_behaviours import create
from .errors import LabError
from .process import LabProcess, run, spawn

if TYPE_CHECKING:
    from .links import Links

QUEUE = 0


def rules_text(net: Links, router: str) -> str:
    spec = net.topo.routers[router]
    assert spec.sip_alg.behaviour is not None
    impl = create(spec.sip_alg.behaviour, spec.sip_alg.options)
    lines = [f"# uclab run {net.run.run_id}: faulty SIP ALG '{impl.name}' on {router}", "*mangle"]
    for match in impl.queue_matches():
        lines.append(f"-A FORWARD {match} -m comment --comment uclab:{net.run.run_id} -j NFQUEUE --queue-num {QUEUE}")
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def start_middlebox(net: Links, router: str) -> LabProcess:
    """Start the router's faulty-ALG middlebox, then queue its packets to it."""
    spec = net.topo.routers[router]
    options = {"router": router, "public": str(spec.interfaces[spec.outside].primary), **spec.sip_alg.options}
    proc = spawn(
        net.ns(router),
        [
            sys.executable, "-m", "simulators.net.middlebox",
            "--behaviour", str(spec.sip_alg.behaviour),
            "--queue", str(QUEUE),
            "--outside-index", str(net.ifindex(router, spec.outside)),
            "--options", json.dumps(options),
        ],
        name=f"alg-{spec.sip_alg.behaviour}",
        host=router,
        log=net.run.path("logs", f"{router}.alg.log"),
        watch=True,
    )  # fmt: skip
    try:
        proc.wait_for(r"^ready$", timeout=15.0)
        path = net.run.path("nft", f"{router}.alg.rules")
        path.write_text(rules_text(net, router))
        result = run(net.ns(router), ["iptables-nft-restore", "--noflush", str(path)], check=False)
        if result.returncode != 0:
            raise LabError(f"iptables-nft-restore rejected {path}: {result.stderr.strip()}")
    except BaseException:
        proc.stop()
        raise
    return proc


def stop_middlebox(net: Links, router: str, proc: LabProcess) -> None:
    """Remove the queue rules first (so nothing waits on a dead queue), then stop the process."""
    run(net.ns(router), ["iptables-nft", "-t", "mangle", "-F", "FORWARD"], check=False)
    proc.stop(timeout=1.0)


def start_middleboxes(net: Links) -> dict[str, LabProcess]:
    return {r: start_middlebox(net, r) for r, spec in net.topo.routers.items() if spec.sip_alg.mode == "faulty"}
