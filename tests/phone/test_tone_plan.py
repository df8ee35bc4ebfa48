"""The tone plan is validated per codec over real pjsua2 calls (NOTES-platform.md: a tone
can arrive distorted through a codec), and the recorded validation matches."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from simulators.lab import Lab
from simulators.pj.codecs import validated_tones
from simulators.pj.tones import TONE_PLAN

from . import topologies

CODECS = ("PCMA", "PCMU", "G722")


def test_every_plan_tone_is_clean_through_each_codec(lab_factory: Callable[..., Lab]) -> None:
    """Each plan tone, sent through PCMA, PCMU and G722, arrives as itself (purity >= 0.9),
    without energy at any other plan tone (< 0.05), and the live detector hears it."""
    lab = lab_factory(topologies.office_lan())
    argv = [sys.executable, "-m", "simulators.pj.tonecheck", "--bind", lab.address("alice")]
    result = lab.exec("alice", argv + [f"--codec={c}" for c in CODECS], timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout[result.stdout.index("{") :])
    for codec in CODECS:
        entry = report["codecs"][codec]
        assert entry["negotiated"].startswith(codec), entry["negotiated"]
        bad = [t for t in entry["tones"] if not t["clean"]]
        assert not bad, f"{codec}: {bad}"
        assert validated_tones(codec) == TONE_PLAN, f"tone_validation.json disagrees for {codec}; re-record it"
