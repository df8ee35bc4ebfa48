"""Mixer node levels (callcore/mixer.py): a participant enters the tree at INPUT_LEVEL.

pjsua2 names an AudioMedia's levels from the port's side (pjproject #1741): adjustTxLevel
scales what the port brings into the bridge, adjustRxLevel the mix the bridge sends to it.
The nodes used adjustRxLevel, so talkers entered at full level, every node's sum clipped
and the bridge scaled it, and a talker's tone lost about a third of its amplitude per link
(benchmarks/conference_bench.py --levels: 0.39 of full scale on entry, 0.03 six links on;
talkers 5-6 links away were not heard). These tests pin the direction on the real bridge
and the measurement the benchmark reads.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from array import array

from simulators.pj.tones import TONE_PLAN
from simulators.uc.callcore.mixer import LEVEL_FLOOR, tone_levels
from simulators.uc.rules import conference_slots as mix

BRIDGE = r"""
import json, sys
import pjsua2 as pj
from simulators.pj.audio import TonePlayer
from simulators.uc.callcore.mixer import Tap, enter_at, tone_levels

rate, level = int(sys.argv[1]), float(sys.argv[2])
ep = pj.Endpoint()
ep.libCreate()
ec = pj.EpConfig()
ec.uaConfig.threadCnt = 0
ec.uaConfig.mainThreadOnly = True
ec.logConfig.level = ec.logConfig.consoleLevel = 0
ec.medConfig.clockRate = ec.medConfig.sndClockRate = rate
ep.libInit(ec)
ep.audDevManager().setNullDev()
ep.libStart()
entered, plain = TonePlayer(450, rate), TonePlayer(550, rate)
tap = Tap("tap", rate)
enter_at(entered.gen, level)
entered.gen.startTransmit(tap)
plain.gen.startTransmit(tap)
while len(tap.frames) < 25:  # the bridge's clock fills the tap: 0.5 s
    ep.libHandleEvents(20)
pcm = b"".join(tap.frames[-20:])
tap.close()
entered.close()
plain.close()
del tap, entered, plain
ep.libDestroy()
print(json.dumps(tone_levels(pcm, rate)))
"""


def test_a_participant_enters_the_bridge_at_the_input_level() -> None:
    for rate in (8000, 16000):
        out = subprocess.run(
            [sys.executable, "-c", BRIDGE, str(rate), str(mix.INPUT_LEVEL)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        levels = {int(f): a for f, a in json.loads(out.stdout.strip().splitlines()[-1]).items()}
        assert set(levels) == {450, 550}, levels
        assert 0.35 < levels[550] < 0.40, levels  # the tone level, untouched
        assert abs(levels[450] / levels[550] - mix.INPUT_LEVEL) < 0.01, levels


def test_tone_levels_reads_amplitudes_of_plan_tones() -> None:
    rate, n = 16000, 16000 // 2
    tones = {650: 0.25, 1450: 0.05, 2150: 0.01}
    pcm = array(
        "h",
        (round(32767 * sum(a * math.sin(2 * math.pi * f * i / rate) for f, a in tones.items())) for i in range(n)),
    ).tobytes()
    levels = tone_levels(pcm, rate)
    assert set(levels) == set(tones), levels
    for f, a in tones.items():
        assert abs(levels[f] - a) < 0.001, (f, levels[f])
    quiet = array(
        "h", (round(32767 * 0.5 * LEVEL_FLOOR * math.sin(2 * math.pi * TONE_PLAN[0] * i / rate)) for i in range(n))
    )
    assert tone_levels(quiet.tobytes(), rate) == {}
    assert tone_levels(b"", rate) == {}
