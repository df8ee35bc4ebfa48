"""The floor of benchmarks/repro_bench.py: the steps of examples/repro/one_call_home_internet.yaml
written as a pytest test with the plugin's fixtures (run by the benchmark, not by the suites)."""

from __future__ import annotations

from collections.abc import Callable

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import audio, call, client


async def test_one_call_from_the_office_to_the_home_office(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    lab = lab_factory("home_internet")
    stub = await stubs(lab)
    home = await client(phones, lab, stub, "home_pc", "home", "200", stub.door_endpoints[0])
    desk = await client(phones, lab, stub, "office_pc", "desk", "202", desk=True)
    out, inc = await call(lab, desk, home, stub.sip_uri("200"))
    await audio(lab, out, inc, "two-way")
    await out.hangup()
