"""SIP messages as the lab's captures saw them, read with tshark.

Every pcap of a run (`<run>/pcap/*.pcap`, one per capture point: `<node>-<interface>`) is
dissected by tshark; TLS to the system's door (8802) is decrypted with the key logs the
stub writes beside the pcaps (`tls-keys-<host>.txt`), so the VoIP client's SIP shows too.
Nothing here reads a phone's log: what the wire carried is what is shown.

    messages = read_run(run_dir)          # every SIP message at every capture point, in time order
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TLS_PORTS = (8802, 5061)
"""TLS ports whose application data is SIP (the door multiplexes SIP and HTTP: HTTP is dropped)"""
FIELDS = (
    "frame.time_epoch",
    "ip.src",
    "ip.dst",
    "udp.srcport",
    "udp.dstport",
    "tcp.srcport",
    "tcp.dstport",
    "tls.record.version",
    "sip.Request-Line",
    "sip.Status-Line",
    "sip.Call-ID",
    "sip.CSeq",
    "sip.msg_hdr",
    "sdp.connection_info",
    "sdp.media",
)
TSHARK_TIMEOUT = 60.0


class TsharkMissing(RuntimeError):
    """tshark is not installed (Debian package tshark, in scripts/setup.sh)."""


@dataclass(frozen=True)
class SipMessage:
    """One SIP message seen at one capture point."""

    t: float
    """wall-clock seconds (the pcap's timestamp)"""
    point: str
    """the capture point: `<node>-<interface>`"""
    src: str
    sport: int
    dst: str
    dport: int
    transport: str
    first_line: str
    call_id: str
    cseq: str
    headers: str = ""
    sdp: tuple[str, ...] = field(default=())
    """the SDP's c= and m= lines, as carried here (an ALG may have rewritten them)"""

    @property
    def is_request(self) -> bool:
        return not self.first_line.startswith("SIP/2.0")

    @property
    def status(self) -> int | None:
        if self.is_request:
            return None
        parts = self.first_line.split()
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

    @property
    def method(self) -> str:
        """The request's method, or the method a response answers (from CSeq)."""
        if self.is_request:
            return self.first_line.split()[0]
        return self.cseq.split()[-1] if self.cseq else ""

    @property
    def label(self) -> str:
        if self.is_request:
            return self.method
        return " ".join(self.first_line.split()[1:])

    def identity(self) -> tuple[str, str, str, str, int, str, int]:
        """The same message at another capture point on the same path has the same identity
        (a NAT or ALG that rewrote addresses or the SDP makes it another observation)."""
        return (
            self.call_id,
            self.cseq,
            self.first_line + "|".join(self.sdp),
            self.src,
            self.sport,
            self.dst,
            self.dport,
        )


def tshark() -> str:
    path = shutil.which("tshark")
    if path is None:
        raise TsharkMissing("tshark is not installed; scripts/setup.sh installs it (Debian package tshark)")
    return path


def _argv(pcap: Path, keylogs: list[Path]) -> list[str]:
    argv = [tshark(), "-n", "-r", str(pcap)]
    for port in TLS_PORTS:
        argv += ["-d", f"tcp.port=={port},tls", "-d", f"tls.port=={port},sip"]
    # one key log: tshark reads the last -o; concatenate several into one first
    if keylogs:
        argv += ["-o", f"tls.keylog_file:{keylogs[0]}"]
    argv += ["-Y", "sip.Request-Line || sip.Status-Line", "-T", "json"]
    for f in FIELDS:
        argv += ["-e", f]
    return argv


def _first(layers: dict[str, list[str]], key: str, default: str = "") -> str:
    values = layers.get(key) or [default]
    return values[0]


def parse(point: str, data: list[dict[str, Any]]) -> list[SipMessage]:
    """tshark's JSON (-T json -e ...) of one capture point -> its SIP messages."""
    out: list[SipMessage] = []
    for pkt in data:
        layers: dict[str, list[str]] = pkt.get("_source", {}).get("layers", {})
        udp = "udp.srcport" in layers
        transport = "udp" if udp else ("tls" if "tls.record.version" in layers else "tcp")
        sport = int(_first(layers, "udp.srcport" if udp else "tcp.srcport", "0"))
        dport = int(_first(layers, "udp.dstport" if udp else "tcp.dstport", "0"))
        lines = layers.get("sip.Request-Line", []) + layers.get("sip.Status-Line", [])
        call_ids = layers.get("sip.Call-ID", [])
        cseqs = layers.get("sip.CSeq", [])
        headers = layers.get("sip.msg_hdr", [])
        sdp = tuple(layers.get("sdp.connection_info", []) + layers.get("sdp.media", []))
        for i, line in enumerate(lines):
            out.append(
                SipMessage(
                    t=float(_first(layers, "frame.time_epoch", "0")),
                    point=point,
                    src=_first(layers, "ip.src"),
                    sport=sport,
                    dst=_first(layers, "ip.dst"),
                    dport=dport,
                    transport=transport,
                    first_line=line.strip(),
                    call_id=call_ids[i] if i < len(call_ids) else "",
                    cseq=cseqs[i] if i < len(cseqs) else "",
                    headers=headers[i] if i < len(headers) else "",
                    sdp=sdp if len(lines) == 1 else (),
                )
            )
    return out


def keylog_of(pcap_dir: Path) -> Path | None:
    """All TLS key logs of the run in one file (tshark takes one)."""
    logs = sorted(p for p in pcap_dir.glob("tls-keys-*.txt") if p.stat().st_size)
    if not logs:
        return None
    if len(logs) == 1:
        return logs[0]
    merged = pcap_dir / "tls-keys.all.txt"
    merged.write_text("".join(p.read_text() for p in logs))
    return merged


def read_pcap(pcap: Path, keylog: Path | None = None) -> list[SipMessage]:
    proc = subprocess.run(
        _argv(pcap, [keylog] if keylog else []), capture_output=True, text=True, timeout=TSHARK_TIMEOUT, check=False
    )
    if proc.returncode != 0 and not proc.stdout.strip():
        raise RuntimeError(f"tshark could not read {pcap}: {proc.stderr.strip()[-300:]}")
    text = proc.stdout.strip()
    return parse(pcap.stem, json.loads(text) if text else [])


def read_run(run_dir: Path) -> list[SipMessage]:
    """Every SIP message at every capture point of a run, in time order."""
    pcap_dir = run_dir / "pcap"
    if not pcap_dir.exists():
        return []
    keylog = keylog_of(pcap_dir)
    out: list[SipMessage] = []
    for pcap in sorted(pcap_dir.glob("*.pcap")):
        if pcap.stat().st_size > 24:  # a pcap header alone: nothing captured
            out += read_pcap(pcap, keylog)
    out.sort(key=lambda m: m.t)
    return out
