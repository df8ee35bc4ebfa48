"""coturn's `turnutils_natdiscovery`, run inside a lab host, as an independent classifier.

The lab's own RFC 5780 client (natclassify) and coturn's must agree on every NAT preset;
the self-tests check that, so neither can drift into agreeing with the lab by accident.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import LabError
from .natclassify import AD, APD, EI, preset_of

if TYPE_CHECKING:
    from ..lab import Lab

_BEHAVIOUR = {
    "Endpoint Independent": EI,
    "Address Dependent": AD,
    "Address and Port Dependent": APD,
}


def parse(output: str) -> dict[str, Any]:
    """Mapping and filtering verdicts from natdiscovery's output."""
    result: dict[str, Any] = {"nat": None, "mapping": None, "filtering": None}
    if "No NAT!" in output:
        result.update(nat=False, mapping=EI)
    if m := re.search(r"NAT with (Endpoint Independent|Address Dependent|Address and Port Dependent) Mapping!", output):
        result.update(nat=True, mapping=_BEHAVIOUR[m.group(1)])
    if m := re.search(
        r"NAT with (Endpoint Independent|Address Dependent|Address and Port Dependent) Filtering!", output
    ):
        result["filtering"] = _BEHAVIOUR[m.group(1)]
    if m := re.search(r"UDP reflexive addr: (\S+)", output):
        result["mapped"] = m.group(1)
    result["preset"] = preset_of(result["mapping"], result["filtering"]) if result["nat"] else None
    return result


def run(lab: Lab, host: str, timeout: float = 30.0) -> dict[str, Any]:
    servers = lab.stun_servers()
    if not servers:
        raise LabError(f"topology {lab.topo.name} has no host running the stun service")
    server = servers[0][1][0]
    src = lab.address(host)
    proc = lab.exec(host, ["turnutils_natdiscovery", "-m", "-f", "-L", src, server], timeout=timeout)
    text = proc.stdout + proc.stderr
    result = parse(text)
    if result["mapping"] is None:
        raise LabError(f"turnutils_natdiscovery gave no verdict from {host}:\n{text[-2000:]}")
    result["raw_tail"] = text[-600:]
    return result
