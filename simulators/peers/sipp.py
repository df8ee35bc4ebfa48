"""SIPp (Debian sip-tester 3.6) as an independent SIP peer of the stub: running scenarios.

A scenario (XML text from `sipp_scenarios`) is written to the lab's directory, run with
`lab.spawn` in a lab host (the run's logs keep SIPp's output) and judged by SIPp's exit
status: 0 = every call succeeded. `ulaw_tone_wav` makes the tone a `call` scenario streams;
SIPp's `-rtp_echo` makes an `answer` scenario echo the caller's RTP back.
"""

from __future__ import annotations

import asyncio
import math
import struct
from dataclasses import dataclass
from pathlib import Path

from simulators.lab import Lab
from simulators.net.process import LabProcess


def ulaw_tone_wav(path: Path, freq: int, seconds: float = 2.0, rate: int = 8000) -> Path:
    """A G.711 mu-law WAV (format 7) of a sine tone, what SIPp's rtp_stream sends as PCMU."""

    def ulaw(sample: int) -> int:
        bias, clip = 0x84, 32635
        sign = 0x80 if sample < 0 else 0
        sample = min(abs(sample), clip) + bias
        exponent = max(0, sample.bit_length() - 8)
        mantissa = (sample >> (exponent + 3)) & 0x0F
        return ~(sign | (exponent << 4) | mantissa) & 0xFF

    n = int(seconds * rate)
    data = bytes(ulaw(int(8000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(n))
    fmt = struct.pack("<HHIIHH", 7, 1, rate, rate, 1, 8) + struct.pack("<H", 0)
    fact = struct.pack("<I", n)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"fact"
        + struct.pack("<I", 4)
        + fact
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


@dataclass
class SippResult:
    code: int | None
    log: str


def start_sipp(
    lab: Lab, host: str, name: str, scenario: str, target: str, args: list[str], timeout: float = 20.0, calls: int = 1
) -> LabProcess:
    """Write `scenario` and start sipp in `host` against `target` for `calls` calls."""
    work = Path(lab.dir) / "sipp"
    work.mkdir(exist_ok=True)
    xml = work / f"{name}.xml"
    xml.write_text(scenario)
    argv = ["sipp", target, "-sf", str(xml), "-m", str(calls), "-nostdin", "-timeout", f"{int(timeout)}s", *args]
    return lab.spawn(host, argv, name=f"sipp-{name}", watch=True, cwd=work)


async def wait_sipp(proc: LabProcess, timeout: float) -> SippResult:
    """SIPp's exit code (None and stopped if it outlives `timeout`) and its output."""
    try:
        code: int | None = await asyncio.wait_for(asyncio.to_thread(proc.popen.wait), timeout)
    except TimeoutError:
        proc.stop()
        code = None
    return SippResult(code, proc.log_text())


async def run_sipp(
    lab: Lab,
    host: str,
    name: str,
    scenario: str,
    target: str,
    args: list[str],
    timeout: float = 20.0,
    calls: int = 1,
) -> SippResult:
    """Run sipp once to the end (or `timeout`); returns its exit code and output."""
    proc = start_sipp(lab, host, name, scenario, target, args, timeout, calls)
    return await wait_sipp(proc, timeout + 5)


async def wait_bound(lab: Lab, host: str, port: int, timeout: float = 5.0) -> None:
    """Until something in `host` listens on UDP `port` (SIPp prints no readiness line)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        out = await asyncio.to_thread(lab.exec, host, ["ss", "-Hlun", f"sport = :{port}"])
        if out.stdout.strip():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"nothing listens on udp {port} in {host} after {timeout}s")
