"""Legs the call core answers itself: the pjsua2 side of ivr.py's dialogues. Runs on the
PjRuntime thread of a worker.

`LocalLeg` plays the dialogue's tones into the call (a TonePlayer on the bridge), records
what the caller sends (pjsua2 AudioMediaRecorder, WAV 16 bit mono, as the voicemail
e-mail's attachment is, 000:1476), arms the dialogue's timer (a threading.Timer that
hands the firing back to the runtime's thread) and hands `Collected` values and the end
of the call to the feature's `on_collected` / `on_end` callbacks.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pjsua2 as pj

from simulators.pj.audio import TonePlayer
from simulators.pj.runtime import PjRuntime

from .ivr import Arm, Collected, Dialogue, End, IvrAction, Record, Tone

log = logging.getLogger("uclab.uc.core")

WAV_HEADER = 44
"""bytes of the header pjmedia's WAV writer puts before the samples (RIFF, fmt, data)"""


def wav_written(path: Path) -> bool:
    """Has the WAV writer closed `path`? It writes the header with zero sizes and fills them
    in when its port is destroyed, which in pjsua2 2.15.1 comes some time after the recorder
    object is dropped (the bridge removes ports asynchronously): until then the file is not
    a readable WAV."""
    try:
        with path.open("rb") as f:
            header = f.read(WAV_HEADER)
            size = f.seek(0, 2)
    except OSError:
        return False
    if len(header) < WAV_HEADER or header[:4] != b"RIFF":
        return False
    return int.from_bytes(header[4:8], "little") == size - 8


def when_written(path: Path, then: Callable[[bool], None], timeout: float = 5.0, poll: float = 0.01) -> None:
    """Call `then(written)` from a thread of its own once `path` is a closed WAV or `timeout`
    passed (written False). pjmedia reports no event for the writer's close, so the header is
    looked at every `poll` seconds."""

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while not (written := wav_written(path)) and time.monotonic() < deadline:
            time.sleep(poll)
        then(written)

    threading.Thread(target=wait, name=f"wav-{path.name}", daemon=True).start()


class LocalLeg:
    """One dialogue on one answered leg. `audio()` gives the leg's AudioMedia (or None)."""

    def __init__(
        self,
        rt: PjRuntime,
        leg_id: str,
        dialogue: Dialogue,
        audio: Callable[[], Any],
        hangup: Callable[[str], None],
        *,
        clock_rate: int,
        record_to: Path | None = None,
        on_collected: Callable[[LocalLeg, tuple[str, ...]], list[IvrAction]] | None = None,
        on_end: Callable[[LocalLeg], None] | None = None,
    ) -> None:
        self.rt = rt
        self.leg_id = leg_id
        self.dialogue = dialogue
        self._audio = audio
        self._hangup = hangup
        self.clock_rate = clock_rate
        self.record_to = record_to
        self.on_collected = on_collected
        self.on_end = on_end
        self.player: TonePlayer | None = None
        self.recorder: Any = None
        self.recorded_path: Path | None = None
        self._timer: threading.Timer | None = None
        self._generation = 0
        self.ended = False

    # -- events (runtime thread) -----------------------------------------------------------

    def start(self) -> None:
        self.do(self.dialogue.start(time.monotonic()))

    def media_ready(self) -> None:
        """The leg's audio is (again) on the bridge: reconnect what plays and records."""
        am = self._audio()
        if am is None:
            return
        if self.player is not None:
            with contextlib.suppress(pj.Error):
                self.player.gen.startTransmit(am)
        if self.recorder is not None:
            with contextlib.suppress(pj.Error):
                am.startTransmit(self.recorder)

    def digit(self, d: str) -> None:
        self.do(self.dialogue.digit(d, time.monotonic()))

    def hungup(self) -> None:
        if self.ended:
            return
        self.ended = True
        self._cancel()
        self.do(self.dialogue.hungup(time.monotonic()))
        self._stop_tone()
        if self.on_end is not None:
            self.on_end(self)

    # -- actions ---------------------------------------------------------------------------

    def do(self, actions: list[IvrAction]) -> None:
        for action in actions:
            log.info("local %s %s", self.leg_id, action)
            if isinstance(action, Tone):
                self._tone(action.freq)
            elif isinstance(action, Record):
                self._record(action.on)
            elif isinstance(action, Arm):
                self._arm(action.seconds)
            elif isinstance(action, Collected):
                if self.on_collected is not None:
                    self.do(self.on_collected(self, action.values))
            elif isinstance(action, End):
                self._cancel()
                self._hangup(action.reason)

    def _tone(self, freq: int | None) -> None:
        self._stop_tone()
        if freq is None:
            return
        self.player = TonePlayer(freq, self.clock_rate)
        self.media_ready()

    def _stop_tone(self) -> None:
        if self.player is None:
            return
        am = self._audio()
        if am is not None:
            with contextlib.suppress(pj.Error):
                self.player.gen.stopTransmit(am)
        self.player.close()
        self.player = None

    def _record(self, on: bool) -> None:
        if on and self.recorder is None and self.record_to is not None:
            self.record_to.parent.mkdir(parents=True, exist_ok=True)
            rec = pj.AudioMediaRecorder()
            rec.createRecorder(str(self.record_to))
            self.recorder = rec
            self.recorded_path = self.record_to
            self.media_ready()
        elif not on and self.recorder is not None:
            am = self._audio()
            if am is not None:
                with contextlib.suppress(pj.Error):
                    am.stopTransmit(self.recorder)
            self.recorder = None  # destroying the recorder writes the WAV header's sizes

    def _arm(self, seconds: float) -> None:
        self._cancel()
        self._generation += 1
        generation = self._generation

        def fire() -> None:
            if generation == self._generation and not self.ended:
                self.do(self.dialogue.timer(time.monotonic()))

        self._timer = threading.Timer(seconds, lambda: self.rt.call_soon(fire))
        self._timer.daemon = True
        self._timer.start()

    def _cancel(self) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
