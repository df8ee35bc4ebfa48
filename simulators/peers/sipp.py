"""SIPp (Debian sip-tester 3.6) as an independent SIP peer of the stub: scenarios and runs.

Scenarios are written here (XML text), run with `lab.spawn` in a lab host (the run's logs
keep SIPp's output) and judged by SIPp's exit status: 0 = every call succeeded.

    REGISTER with digest (401 -> [authentication] -> 200), optionally unregister
    UAC: INVITE -> 407 -> INVITE with [authentication] -> 200 -> ACK, stream a tone, BYE
    UAS: answer one INVITE with PCMU and echo the caller's RTP back (-rtp_echo)
"""

from __future__ import annotations

import asyncio
import math
import struct
from dataclasses import dataclass
from pathlib import Path

from simulators.lab import Lab
from simulators.net.process import LabProcess

REGISTER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uclab register">
  <send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:{user}@[remote_ip]>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
Expires: {expires}
Content-Length: 0

]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:{user}@[remote_ip]>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:{user}@[local_ip]:[local_port]>
[authentication]
Max-Forwards: 70
Expires: {expires}
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
"""

UAC = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uclab call">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="407" auth="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 2 INVITE
Contact: <sip:{user}@[local_ip]:[local_port]>
[authentication]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 2353687638 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 2 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec rtp_stream="{wav},-1,0"/></action></nop>
  <pause milliseconds="{talk_ms}"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
"""

UAS = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uclab answer">
  <recv request="INVITE" rrs="true"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Record-Route:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:{user}@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Record-Route:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:{user}@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
"""


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
