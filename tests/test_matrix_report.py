"""The support matrix's oracle, comparison and report, without a lab (reports/matrix.py,
uclab/matrix_sweep.py's selection, suites/network/matrix_spec.py, suites/network/matrix_cells.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest

from reports import matrix
from suites.network.matrix_cells import Measured, compare, nat_key, router_settings, unreproduced
from suites.network.matrix_spec import Cell, cells, expect
from uclab import matrix_sweep

WORKS = Measured(login=True, register=True, rings=True, audio="two-way", nat_type="simple")


def test_the_sweep_covers_every_access_and_collapses_only_what_cannot_matter() -> None:
    all_cells = cells()
    assert len(all_cells) == len({c.id for c in all_cells}) == 215
    assert Counter(c.access for c in all_cells) == {"lan": 14, "vpn": 50, "internet": 151}
    assert Counter(c.access for c in all_cells if c.stun == "off") == {"lan": 2, "vpn": 2, "internet": 3}
    internet = [c for c in all_cells if c.access == "internet" and c.home_nat != "none"]
    assert {c.home_nat for c in internet} == {"full-cone", "restricted-cone", "port-restricted-cone", "symmetric"}
    assert {c.firewall for c in internet} == {"stateful", "stateless", "strict"}
    assert {c.sip_alg for c in internet} == {"off", "kernel", "faulty"}


@pytest.mark.parametrize(
    ("cell", "audio", "rules"),
    [
        (Cell("lan", "n/a", "cone", "stateful", "off", "tls8802"), "two-way", {"NET-1.2", "PORT-2"}),
        (Cell("internet", "symmetric", "cone", "stateful", "off", "tls8802"), "none", {"NAT-1"}),
        (Cell("internet", "full-cone", "symmetric", "stateful", "off", "tls8802"), None, {"NAT-1"}),
        (Cell("internet", "full-cone", "cone", "strict", "off", "tls8802"), "none", {"NAT-2"}),
        (Cell("internet", "full-cone", "cone", "stateless", "off", "tls8802"), "two-way", {"PORT-3"}),
        (Cell("lan", "n/a", "cone", "stateful", "faulty", "udp5060"), "not two-way", {"ALG-1"}),
        (Cell("lan", "n/a", "cone", "stateful", "kernel", "udp5060"), None, {"ALG-1"}),
    ],
)
def test_expectations_come_with_their_rules(cell: Cell, audio: str | None, rules: set[str]) -> None:
    exp = expect(cell)
    assert exp.audio == audio
    assert rules <= set(exp.rules)
    assert exp.why, "every expectation says why"


def test_a_wrong_measurement_is_reported_in_a_partners_words() -> None:
    """The matrix can fail: a symmetric-NAT cell that measured two-way audio disagrees."""
    cell = Cell("internet", "symmetric", "cone", "stateful", "off", "tls8802")
    problems = compare(expect(cell), WORKS)
    assert problems == [
        "audio: documented none, measured two-way ()",
        "Check NAT type: documented 'Symmetric', measured 'simple'",
    ]


def test_a_documented_step_that_was_never_reached_is_a_disagreement() -> None:
    cell = Cell("internet", "port-restricted-cone", "cone", "stateful", "off", "tls8802")
    problems = compare(expect(cell), Measured(login=True, register=False, nat_type="simple"))
    assert problems == [
        "VoIP registration: documented yes, measured no",
        "incoming call rings: documented yes, but the step before it failed",
        "audio: documented two-way, but no call was connected",
    ]
    assert compare(expect(cell), WORKS) == []


def test_undocumented_outcomes_are_recorded_without_a_verdict() -> None:
    cell = Cell("lan", "n/a", "cone", "stateful", "kernel", "udp5060")
    assert compare(expect(cell), Measured(login=True, register=True, rings=True, audio="one-way")) == []


def test_router_settings_set_every_key_so_cells_never_inherit() -> None:
    for cell in cells():
        settings = router_settings(cell)
        assert set(settings) == {"office_router", "home_router"}
        for changes in settings.values():
            assert set(changes) == {"nat", "firewall", "sip_alg"}
    lan = router_settings(Cell("lan", "n/a", "cone", "stateless", "faulty", "udp5060"))["office_router"]
    assert lan["firewall"]["outside"] == "clients" and lan["sip_alg"].startswith("faulty:")


def test_nat_type_is_measured_once_per_client_side_network() -> None:
    keys = {nat_key(c) for c in cells()}
    assert len(keys) == 15  # LAN, the public PC, 4 home NATs x (UDP open | strict); 5 of them without STUN


def test_report_lists_disagreements_first(tmp_path: Path) -> None:
    good = Cell("lan", "n/a", "cone", "stateful", "off", "tls8802")
    bad = Cell("internet", "symmetric", "cone", "stateful", "off", "tls8802")
    entries = []
    for cell in (good, bad):
        exp = expect(cell)
        entries.append(
            {
                "id": cell.id,
                "cell": asdict(cell),
                "expected": asdict(exp),
                "measured": WORKS.as_dict(),
                "disagreements": compare(exp, WORKS),
            }
        )
    report = {"generated": "now", "seconds": 1.0, "jobs": 1, "cells": entries, "summary": matrix.summarise(entries)}
    matrix.write(report, tmp_path)
    md = (tmp_path / "matrix.md").read_text()
    assert "**1 agree with the documents, 1 disagree**" in md
    rows = [line for line in md.splitlines() if line.startswith("| internet") or line.startswith("| lan")]
    assert rows[0].startswith("| internet | symmetric") and "DISAGREES: audio: documented none" in rows[0]
    assert json.loads((tmp_path / "matrix.json").read_text())["summary"]["disagree"] == 1
    assert 'class="bad"' in (tmp_path / "matrix.html").read_text()


def test_cli_names_a_selection_that_matches_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--only", "nosuch", "--list"], ["--only", "nosuch", "--out", str(tmp_path / "m")]):
        assert matrix_sweep.main(argv) == 2
        assert capsys.readouterr().err == (
            "uclab matrix: no cell matches nosuch; cell ids look like lan-home_n/a-office_cone-stateful-alg_off-tls8802 "
            "(uclab matrix --list)\n"
        )
    assert not (tmp_path / "m").exists(), "a selection of nothing made no run directory"


def test_the_matrix_page_is_a_grid_in_a_browser(tmp_path: Path) -> None:
    """matrix.html as Chromium renders it: one row per access and NATs, one column per
    firewall, ALG and transport, each cell coloured by its outcome and opening its evidence."""
    from .browser import rendered

    cells = [
        (Cell("lan", "n/a", "cone", "stateful", "off", "tls8802"), WORKS),
        (Cell("internet", "symmetric", "cone", "stateful", "off", "tls8802"), WORKS),
        (Cell("internet", "full-cone", "symmetric", "stateful", "off", "tls8802"), WORKS),
    ]
    entries = []
    for cell, measured in cells:
        exp = expect(cell)
        entries.append(
            {
                "id": cell.id,
                "cell": asdict(cell),
                "expected": asdict(exp),
                "measured": measured.as_dict(),
                "disagreements": compare(exp, measured),
                "evidence": f"/runs/{cell.access}",
            }
        )
    report = {"generated": "now", "seconds": 1.0, "jobs": 1, "cells": entries, "summary": matrix.summarise(entries)}
    matrix.write(report, tmp_path)
    dom = rendered(tmp_path / "matrix.html")
    grid = dom.split('<table class="grid">')[1].split("</table>")[0]
    assert grid.count("<tr>") == 4 and grid.count('<th class="col">') == 1, "3 rows of access/NATs, 1 column"
    classes = {cid: cls for cls, cid in re.findall(r'<td class="(\w+)" data-cell="([^"]+)"', grid)}
    assert classes == {cells[0][0].id: "good", cells[1][0].id: "bad", cells[2][0].id: "open"}
    assert (
        grid.count('<a href="/runs/internet/index.html">') == 2 and '<a href="/runs/lan/index.html">2-way</a>' in grid
    )


STUN_OFF_VPN = Cell("vpn", "port-restricted-cone", "n/a", "stateful", "off", "tls8802", stun="off")


@pytest.mark.parametrize(
    ("cell", "audio", "rule", "not_reproduced"),
    [
        (Cell("lan", "n/a", "cone", "stateful", "off", "tls8802", stun="off"), "two-way", "NET-1.2", False),
        (STUN_OFF_VPN, "not two-way", "NET-1.4", True),
        (Cell("internet", "port-restricted-cone", "cone", "stateful", "off", "tls8802", stun="off"), "not two-way",
         "NET-1.5", False),
        (Cell("internet", "none", "cone", "n/a", "n/a", "tls8802", stun="off"), None, "NET-1.5", False),
    ],
)  # fmt: skip
def test_without_stun_connectivity_as_the_documents_say(
    cell: Cell, audio: str | None, rule: str, not_reproduced: bool
) -> None:
    """004:68 (not needed in-house), 004:107 (needed via the Internet), 004:94 (mandatory via
    the VPN, which the lab says it does not reproduce, and why); Check NAT type cannot detect
    anything when the STUN server does not answer (000:2159-2160)."""
    exp = expect(cell)
    assert (exp.audio, rule in exp.rules, exp.nat_type) == (audio, True, "could not be detected")
    assert ("audio" in exp.not_reproduced) is not_reproduced
    assert cell.id.endswith("-stun_off") and not Cell("lan", "n/a", "cone", "stateful", "off", "tls8802").id.endswith(
        "stun_on"
    ), "cells with STUN keep the ids they had"


def test_a_documented_outcome_the_lab_does_not_produce_is_neither_agreement_nor_failure(tmp_path: Path) -> None:
    """The VPN without STUN: documented not two-way, measured two-way: not a disagreement but
    'documented, not reproduced' with the oracle's reason, in the summary, the table, the grid
    and the headline; the same cell measured as documented agrees; a broken registration in it
    still disagrees."""
    exp = expect(STUN_OFF_VPN)
    without_stun = Measured(login=True, register=True, rings=True, audio="two-way", nat_type="could not be detected")
    assert compare(exp, without_stun) == []
    assert unreproduced(exp, without_stun) == [
        f"audio: documented not two-way, measured two-way (); why: {exp.not_reproduced['audio']}"
    ]
    as_documented = Measured(**{**without_stun.as_dict(), "audio": "none"})
    assert compare(exp, as_documented) == unreproduced(exp, as_documented) == []
    broken = Measured(**{**without_stun.as_dict(), "register": False})
    assert compare(exp, broken) == ["VoIP registration: documented yes, measured no"]

    entries = [
        {
            "id": STUN_OFF_VPN.id,
            "cell": asdict(STUN_OFF_VPN),
            "expected": asdict(exp),
            "measured": without_stun.as_dict(),
            "disagreements": compare(exp, without_stun),
            "not_reproduced": unreproduced(exp, without_stun),
        }
    ]
    summary = matrix.summarise(entries)
    assert (summary["agree"], summary["disagree"], summary["not_reproduced"]) == (0, 0, 1)
    assert matrix.headline(summary) == "uclab matrix: 0/1 cells agree with the documents (1 documented, not reproduced)"
    report = {"generated": "now", "seconds": 1.0, "jobs": 1, "cells": entries, "summary": summary}
    matrix.write(report, tmp_path)
    md = (tmp_path / "matrix.md").read_text()
    assert "**0 agree with the documents, 0 disagree**, 1 documented, not reproduced." in md
    assert "| off |" in md and "documented, not reproduced: audio: documented not two-way, measured two-way" in md
    assert 'class="unreproduced"' in (tmp_path / "matrix.html").read_text()
