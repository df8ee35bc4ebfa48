"""kill -9 of the SIP edge and of a call-core worker during a call (simulators/faults.py): what
the users see, that the UC data survives and that what died was restarted. The other stub
processes (UC server, call core, coturn, a mixer node) are killed in the robustness benchmark.

What a call does when a process under it dies is left open by the documents: the lab's stub
anchors media in its call core, so a call outlives the SIP edge and dies with its worker.
A dead worker's calls go silent and stay up on both phones: no BYE (its dialogs died with
it) and no session timer (RFC 4028) or RTP timeout ends them. That is what a user sees
today, asserted so that a change shows; ending them is the stub's open follow-up.
The stub runs at time scale 0.1 (fault_config): the phones' 10 s registrations are granted.
"""

from __future__ import annotations

import pytest

from simulators.faults import fault_config, inject, reach_s
from simulators.lab import Lab

from .conftest import StartPhone, StartStub


@pytest.mark.parametrize(
    ("target", "call"),
    [("kamailio", "survived"), ("worker", "silent")],
)
async def test_a_killed_process_is_restarted_and_loses_nothing(
    office_lab: Lab, stubs: StartStub, phones: StartPhone, target: str, call: str
) -> None:
    stub = await stubs(office_lab, config=fault_config())
    fault = await inject(office_lab, stub, phones, target)
    assert fault.error == "", fault
    assert [r.split(" (pid ")[0] for r in fault.restarted] == [fault.process], fault
    assert fault.call == call, fault
    assert fault.reachable_s is not None and fault.reachable_s < reach_s(stub), fault
    assert fault.lost == [], fault.lost
