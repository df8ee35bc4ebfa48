"""`uclab check` end to end on the example customers (examples/customers/), each against what
the documents say about its set-up; every run builds labs: run through /work/tools/labtest.

Expected verdicts and remedies come from the documents:
- all_ready: NET-1.2 (004:61-70), NET-1.5 (004:96-107, by DNS name 004:219/246), NET-1.4 (004:87-94): ready.
- symmetric_home: NAT-1 (004:318) not supported; the client "may still be used in a local
  network" (000:2157-2158): through the VPN (NET-1.4) it works; so does a non-symmetric NAT.
- stateless_office_firewall: PORT-3 (004:294-312), the payload range 49152-65535 (004:296,
  004:309) closed: no audio; opened, it works, still warned about (004:300).
- vpn_no_address: TRB-1 (004:323-327): "connection time out" (TRB-4, 000:335-337); an address
  from the VPN network fixes it.
- external_port: 004:240-246: the client logs in at the public name on the external port.
- system_on_wan: NET-1.5 (004:106): payload issues for the Internet client; off the WAN interface it works.
- sip_alg_desk_phones (slow): ALG-1 (004:381-386): the ALG behind a symptom breaks what the
  symptom names; switched off, the desk phone works.
- unknowns (slow): NAT-1 (004:318) for the symmetric possibility only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser import rendered

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "customers"


def check(tmp_path: Path, name: str, *extra: str) -> tuple[int, dict[str, Any], Path, str]:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "uclab", "check", str(EXAMPLES / f"{name}.yaml"), "--out", str(out), *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    report = out / "check.json"
    assert report.exists(), result.stdout + result.stderr
    return result.returncode, json.loads(report.read_text()), out, result.stdout + result.stderr


def site(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["sites"] if s["name"] == name)


def causes(s: dict[str, Any]) -> set[tuple[str | None, str | None]]:
    return {(c["rule"], c["doc"]) for c in s["causes"]}


def fixes(s: dict[str, Any]) -> dict[str, str]:
    return {r["change"]: r["verdict_after"] for r in s["remedies"]}


@pytest.mark.rule("NET-1.2", "NET-1.4", "NET-1.5", "PORT-1", "PORT-2")
def test_all_ready(tmp_path: Path) -> None:
    """Three documented set-ups, all ready; the HTML page renders in a real browser, shows every
    site with its verdict and its evidence links resolve."""
    rc, report, out, log = check(tmp_path, "all_ready")
    assert rc == 0, log
    assert {s["name"]: s["verdict"] for s in report["sites"]} == {
        "reception": "ready",
        "home office": "ready",
        "field office": "ready",
    }
    home = site(report, "home office")
    login = next(c for c in home["checks"] if c["step"] == "login")
    assert login["ok"] and login["measured"] == "logged in at pbx.huber.example:8802"
    assert {c["step"] for c in home["checks"] if c["ok"]} >= {"login", "register", "rings", "audio_in", "outgoing",
                                                              "audio_out", "binding_timeout", "hold", "ice_status"}  # fmt: skip
    rtt = [q["rtt_ms"] for q in home["quality"]]
    assert all(r is not None and r >= 55 for r in rtt), f"the 30 ms each way of the home link: RTT {rtt}"
    assert "(uclab check: [home office]" not in log and "uclab check: [home office] myportal_voip 1: login ok" in log
    for lab in report["labs"]:
        assert (Path(lab) / "pcap" / "s2_router-wan.pcap").exists() and (
            Path(lab) / "evidence" / "sip-ladder.txt"
        ).exists()
    junit = (out / "junit.xml").read_text()
    assert 'tests="3" failures="0"' in junit
    dom = rendered(out / "check.html")  # skips saying how to install chromium where it is absent
    for s in report["sites"]:
        assert re.search(rf'<h2>{re.escape(s["name"])} <span class="verdict"[^>]*>{s["verdict"]}</span>', dom), s[
            "name"
        ]
    assert "<svg" in dom and "#b7e1b0" in dom  # the picture, coloured ready
    links = re.findall(r'href="([^"#]+)"', dom)
    assert links, "evidence links"
    for link in links:
        assert (out / link).resolve().is_file(), link


@pytest.mark.rule("NAT-1", "NET-1.4", "NAT-3")
def test_symmetric_home(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "symmetric_home")
    assert rc == 1, log
    home = site(report, "home office")
    assert home["verdict"] == "not-supported"
    assert ("NAT-1", "004:318") in causes(home)
    assert next(c for c in home["checks"] if c["step"] == "nat_type")["measured"].startswith("NAT Type: Symmetric")
    after = fixes(home)
    assert after["connect home office through the office VPN instead of the public Internet"] in (
        "ready",
        "ready-with-warnings",
    )
    assert after["a port-restricted cone NAT on the router of home office instead of the symmetric one"] in (
        "ready",
        "ready-with-warnings",
    )


@pytest.mark.rule("PORT-3", "TRB-3")
def test_stateless_office_firewall(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "stateless_office_firewall")
    assert rc == 1, log
    home = site(report, "home office")
    assert home["verdict"] == "not-ready"
    assert causes(home) == {("PORT-3", "004:296-298")}
    failed = {c["step"] for c in home["checks"] if c["ok"] is False}
    assert {"audio_in", "audio_out"} <= failed and not failed & {"login", "register", "rings", "outgoing"}
    assert fixes(home) == {
        "open the ports of 004 section 3.4 on the office router's stateless firewall": "ready-with-warnings"
    }
    remedy = home["remedies"][0]
    assert not remedy["failed"]


@pytest.mark.rule("TRB-1", "TRB-4", "NET-1.4")
def test_vpn_no_address(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "vpn_no_address")
    assert rc == 1, log
    home = site(report, "home office")
    assert home["verdict"] == "not-ready" and causes(home) == {("TRB-1", "004:327")}
    login = next(c for c in home["checks"] if c["step"] == "login")
    assert login["ok"] is False and "Connection Time out" in login["measured"]
    assert fixes(home) == {"let the VPN give home office's PCs an address from the VPN network": "ready"}


@pytest.mark.rule("NET-1.5", "UC-LOGIN-1")
def test_external_port(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "external_port")
    assert rc == 0, log
    home = site(report, "partner at home")
    assert home["verdict"] == "ready"
    steps = {c["step"]: c["measured"] for c in home["checks"]}
    assert steps["login"] == "logged in at sip.kanzlei-roth.example:443"
    assert steps["register"] == "registered at sip.kanzlei-roth.example:443"


@pytest.mark.rule("NET-1.5", "TRB-3")
def test_system_on_wan(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "system_on_wan")
    assert rc == 1, log
    home = site(report, "manager at home")
    assert home["verdict"] == "not-ready" and ("NET-1.5", "004:106") in causes(home)
    assert fixes(home)["connect the system to the Internet through the LAN, not its WAN interface"] == "ready"
    desk = site(report, "front desk")  # the documents name Internet clients only: a cause or a warning
    cited = {(c["rule"], c["doc"]) for c in desk["causes"] + desk["warnings"]}
    assert ("NET-1.5", "004:106") in cited


@pytest.mark.slow
@pytest.mark.rule("ALG-1")
def test_sip_alg_desk_phones(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "sip_alg_desk_phones")
    assert rc == 1, log
    store = site(report, "warehouse")
    assert store["verdict"] == "not-ready"
    by = {p["possibility"]: p for p in store["possibilities"]}
    kernel = next(p for k, p in by.items() if "Linux SIP helper" in k)
    assert kernel["verdict"] == "ready-with-warnings" and kernel["warnings"][0]["doc"] == "004:381-386"
    no_ring = next(p for k, p in by.items() if "drops inbound INVITEs" in k)
    assert no_ring["verdict"] == "not-ready" and {c["rule"] for c in no_ring["causes"]} == {"ALG-1"}
    assert next(c for c in no_ring["checks"] if c["step"] == "rings")["ok"] is False
    one_way = next(p for k, p in by.items() if "rewrites SDP" in k)
    assert one_way["verdict"] == "not-ready" and {c["rule"] for c in one_way["causes"]} == {"ALG-1"}
    assert {r["verdict_after"] for r in store["remedies"]} == {"ready"}
    assert {r["change"] for r in store["remedies"]} == {"switch the SIP ALG of the router of warehouse off"}


@pytest.mark.slow
@pytest.mark.rule("NAT-1", "NAT-3")
def test_unknowns(tmp_path: Path) -> None:
    rc, report, _, log = check(tmp_path, "unknowns")
    assert rc == 1, log
    home = site(report, "sales home office")
    assert home["verdict"] == "not-supported"
    by = {p["possibility"]: p["verdict"] for p in home["possibilities"]}
    assert by == {
        "the router of sales home office's nat is full-cone": "ready",
        "the router of sales home office's nat is restricted-cone": "ready",
        "the router of sales home office's nat is port-restricted-cone": "ready",
        "the router of sales home office's nat is symmetric": "not-supported",
    }
    assert "if the router of sales home office's nat is symmetric: not-supported" in home["summary"]
    assert all(r["for"].endswith("symmetric") and r["verdict_after"] == "ready" for r in home["remedies"])
