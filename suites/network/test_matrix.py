"""The support matrix's representative cells as tests (`uclab matrix` sweeps all 215 cells).

The default run measures the documented set-ups end to end through the matrix machinery;
the other representative cells run with --uclab-slow (their rules are covered by default
in the per-section suites).

Each test reconfigures the matrix lab (topologies/matrix.yaml) cell by cell, does what a
user does (UC login, VoIP registration, an incoming call, audio per direction, Check NAT
type; suites/network/matrix_cells.py) and fails with every place where the measurement
contradicts the documented expectation (suites/network/matrix_spec.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.lab import Lab

from .matrix_cells import MatrixBench, Measured, compare
from .matrix_spec import Cell, expect


async def measure_cells(lab: Lab, cells: list[Cell]) -> dict[str, Measured]:
    bench = await MatrixBench.start(lab)
    failures: list[str] = []
    measured: dict[str, Measured] = {}
    try:
        for cell in cells:
            m = measured[cell.id] = await bench.measure(cell)
            problems = compare(expect(cell), m)
            if problems:
                failures.append(f"{cell.id}:\n    " + "\n    ".join(problems) + f"\n    notes: {m.notes}")
    finally:
        await bench.close()
    assert not failures, "measurement contradicts the documents:\n" + "\n".join(failures)
    return measured


@pytest.fixture
def matrix_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("matrix")


@pytest.mark.clause(
    "NET-1.2/login",
    "NET-1.2/voip",
    "NET-1.4/login-vpn",
    "NET-1.4/voip",
    "NET-1.5/login-public",
    "NET-1.5/voip",
    "NET-1.5/port-forward",
    "PORT-1/uc-8802",
    "PORT-2/nothing-to-open",
    "NAT-3/simple",
    how="wire",
)
async def test_documented_setups_work_with_tls_on_8802(matrix_lab: Lab) -> None:
    """NET-1.2 (004:61-70) office LAN, NET-1.4 (004:87-94) VPN, NET-1.5 (004:96-107) Internet
    with only 8802 forwarded (PORT-1, 004:270-276) behind stateful NATs (PORT-2, 004:284-291):
    login, registration, ringing and two-way audio; Check NAT type says simple (NAT-3,
    000:2150-2153)."""
    measured = await measure_cells(
        matrix_lab,
        [
            Cell("lan", "n/a", "cone", "stateful", "off", "tls8802"),
            Cell("vpn", "port-restricted-cone", "n/a", "stateful", "off", "tls8802"),
            Cell("internet", "port-restricted-cone", "cone", "stateful", "off", "tls8802"),
        ],
    )
    assert {m.audio for m in measured.values()} == {"two-way"}
    assert measured["internet-home_port-restricted-cone-office_cone-stateful-alg_off-tls8802"].ice_pair == "srflx/srflx"


@pytest.mark.slow  # the per-section suites (test_nat.py) cover these in the default run
@pytest.mark.clause(
    "NAT-1/not-over-public",
    "NAT-1/local-network",
    "NAT-2/strict",
    "NAT-3/symmetric",
    "NAT-3/not-detected",
    how="wire",
)
async def test_symmetric_nat_and_strict_firewall_over_the_internet(matrix_lab: Lab) -> None:
    """NAT-1 (004:318, 000:2157-2158): a symmetric NAT at home, the system behind the office's
    port-restricted NAT: no payload over the Internet, Check NAT type says Symmetric; the
    same client on the office LAN still works. NAT-2 (004:319): behind a strict firewall
    no payload, Check NAT type could not be detected (UDP blocked, 000:2159-2160)."""
    measured = await measure_cells(
        matrix_lab,
        [
            Cell("internet", "symmetric", "cone", "stateful", "off", "tls8802"),
            Cell("lan", "n/a", "cone", "stateful", "off", "tls8802"),
            Cell("internet", "full-cone", "cone", "strict", "off", "tls8802"),
        ],
    )
    symmetric = measured["internet-home_symmetric-office_cone-stateful-alg_off-tls8802"]
    assert (symmetric.register, symmetric.audio, symmetric.nat_type) == (True, "none", "Symmetric")


@pytest.mark.slow  # the per-section suites (test_port_table.py, test_alg*.py) cover these by default
@pytest.mark.clause("PORT-3/signalling", "PORT-3/lan-payload", "PORT-3/internet-payload", "ALG-1/one-way", how="wire")
async def test_stateless_firewall_with_documented_ranges_and_alg_blind_to_tls(matrix_lab: Lab) -> None:
    """PORT-3 (004:294-312): a stateless firewall with exactly the documented ranges (8802;
    UDP 1024-65535 inside the LAN; 3478 and 49152-65535 over the Internet) works. ALG-1
    (004:379-387): a faulty SIP ALG cannot touch TLS signalling on 8802, but breaks SIP on
    UDP 5060."""
    await measure_cells(
        matrix_lab,
        [
            Cell("lan", "n/a", "cone", "stateless", "off", "tls8802"),
            Cell("internet", "port-restricted-cone", "cone", "stateless", "off", "tls8802"),
            Cell("internet", "port-restricted-cone", "cone", "stateful", "faulty", "tls8802"),
            Cell("lan", "n/a", "cone", "stateful", "faulty", "udp5060"),
        ],
    )
