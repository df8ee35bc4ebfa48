"""The evidence page of a run as a browser shows it (headless Chromium): the steps and their
outcomes, the topology picture, the audio per call, the verdicts and a SIP ladder per call
drawn from the captures. Fixture: tests/data/evidence_alg_run (see test_ladder.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from reports.evidence import page

from ..browser import rendered

RUN = Path(__file__).resolve().parents[1] / "data" / "evidence_alg_run"
pytestmark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (scripts/setup.sh)")


@pytest.fixture(scope="module")
def dom(tmp_path_factory: pytest.TempPathFactory) -> str:
    run = tmp_path_factory.mktemp("run") / RUN.name
    shutil.copytree(RUN, run)
    return rendered(page.write(run))


def test_the_steps_with_their_outcomes(dom: str) -> None:
    steps = json.loads((RUN / "evidence" / "steps.json").read_text())["steps"]
    rows = re.findall(r'<tr class="(ok|failed|info|not run)"><td>(\d+)</td>', dom)
    assert [int(n) for _, n in rows[: len(steps)]] == [s["n"] for s in steps]
    assert '<p class="summary ok"><b>one-way audio from the home office behind a faulty SIP ALG</b>' in dom
    assert "audio home &lt;-&gt; desk: expected one-way (home -&gt; desk), measured one-way (home -&gt; desk)" in dom


def test_the_topology_picture(dom: str) -> None:
    assert re.search(r'<div class="scroll topology">\s*<svg', dom)


def test_audio_per_call_and_the_verdicts(dom: str) -> None:
    timeline = dom.split('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"')[1].split("</svg>")[0]
    # one-way call: only the desk heard home; after the fix both heard each other
    assert timeline.count("<title>heard home:") == 2 and timeline.count("<title>heard desk:") == 1
    verdicts = dom.split("<h2>Audio verdicts</h2>")[1].split("</table>")[0]
    assert verdicts.count('<tr class="ok">') == 2 and ">one-way<" in verdicts and ">two-way<" in verdicts


def test_a_ladder_per_call_from_the_captures(dom: str) -> None:
    assert dom.count('<svg xmlns="http://www.w3.org/2000/svg" class="ladder"') == 2
    assert "<h3>call 1: INVITE sip:201@192.168.1.30:5060</h3>" in dom
    assert "home_router wan" in dom and "seen at: home_router-lan" in dom


def test_the_files_link_the_pcaps(dom: str) -> None:
    for name in ("home_router-lan.pcap", "home_router-wan.pcap", "system-eth0.pcap"):
        assert f'href="pcap/{name}"' in dom
