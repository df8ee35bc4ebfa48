"""SIPp floods from one lab host (dect) while legitimate users elsewhere register and call.

Bounded in count and time (simulators/robustness.flood): 300 REGISTER/s for 4 s with a
desk phone's credentials (each one a claim the UC server decides, TRB-2), twice, then 300
INVITE/s for 4 s without credentials (each one challenged by Kamailio). During each flood a
myPortal @work client (office_pc, 8802) calls a desk phone (office_pc2, UDP 5060) with
two-way audio, and every flooding request is answered.

Memory stays bounded (PSS of each stub process with its children, backdoor.memory): a
second flood like the first grows the UC server and the call core by less than 4 MB (the
first one warms caches and pools up), and Kamailio stays inside its fixed pools.
"""

from __future__ import annotations

from simulators.lab import Lab
from simulators.robustness import Flood, flood, kamailio_pools_kb

from .conftest import StartPhone, StartStub

RATE, SECONDS = 300, 4.0
SECOND_FLOOD_GROWTH_KB = 4096


def held(f: Flood) -> None:
    """The legitimate call went through with two-way audio while the flood ran, and the
    stub answered every flooding request as the scenario expects."""
    assert f.legit.ok, f.legit.error
    assert f.during, "the flood ended before the legitimate call did: it did not overlap"
    assert f.failed == 0 and f.requests >= RATE * SECONDS * 0.95, (f.requests, f.failed, f.sipp_log[-1500:])


async def test_floods_leave_legitimate_calls_through_and_memory_bounded(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    stub = await stubs(office_lab)
    first = await flood(office_lab, stub, phones, "REGISTER", RATE, SECONDS, authenticated=True)
    held(first)
    second = await flood(office_lab, stub, phones, "REGISTER", RATE, SECONDS, authenticated=True)
    held(second)
    for name in ("uc-server", "uc-core"):
        assert second.growth_kb()[name] < SECOND_FLOOD_GROWTH_KB, (name, first.growth_kb(), second.growth_kb())
    invites = await flood(office_lab, stub, phones, "INVITE", RATE, SECONDS)
    held(invites)
    for f in (first, second, invites):
        _, peak, _ = f.memory["kamailio"]
        assert peak.pss_kb < kamailio_pools_kb(peak.processes) + f.memory["kamailio"][0].pss_kb
    assert stub.supervisor is not None and stub.supervisor.restarts == []
