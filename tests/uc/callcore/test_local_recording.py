"""The voicemail recording is filed only once pjmedia's WAV writer has closed it
(simulators/uc/callcore/local.py): a message that is listed can be played."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

from simulators.uc.callcore.local import wav_written, when_written


def _wav(path: Path, frames: bytes) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(frames)


def _as_the_writer_leaves_it_open(path: Path, frames: bytes) -> None:
    """What pjmedia's writer has on disk before its port is destroyed: sizes still zero."""
    _wav(path, frames)
    data = bytearray(path.read_bytes())
    data[4:8] = bytes(4)
    data[40:44] = bytes(4)
    path.write_bytes(bytes(data))


class Filing:
    """What `when_written` hands over, and when."""

    def __init__(self) -> None:
        self.outcome: list[bool] = []
        self.done = threading.Event()

    def __call__(self, written: bool) -> None:
        self.outcome.append(written)
        self.done.set()


def test_a_closed_wav_is_written(tmp_path: Path) -> None:
    path = tmp_path / "m.wav"
    _wav(path, bytes(3200))
    assert wav_written(path)


def test_a_wav_whose_sizes_are_not_filled_in_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "m.wav"
    _as_the_writer_leaves_it_open(path, bytes(3200))
    assert not wav_written(path)


def test_missing_short_and_foreign_files_are_not_written(tmp_path: Path) -> None:
    assert not wav_written(tmp_path / "none.wav")
    (tmp_path / "short.wav").write_bytes(b"RIFF")
    assert not wav_written(tmp_path / "short.wav")
    (tmp_path / "text.wav").write_bytes(b"x" * 100)
    assert not wav_written(tmp_path / "text.wav")


def test_filing_waits_for_the_writer_to_close_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.wav"
    _as_the_writer_leaves_it_open(path, bytes(3200))
    filing = Filing()
    when_written(path, filing, timeout=5.0)
    assert not filing.done.wait(0.1), "filed before the header was complete"
    _wav(path, bytes(3200))  # the writer closes: sizes filled in
    assert filing.done.wait(2.0)
    assert filing.outcome == [True]


def test_filing_gives_up_waiting_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "m.wav"
    _as_the_writer_leaves_it_open(path, bytes(3200))
    filing = Filing()
    when_written(path, filing, timeout=0.1)
    assert filing.done.wait(2.0)
    assert filing.outcome == [False]
