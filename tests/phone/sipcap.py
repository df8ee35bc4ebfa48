"""Reading SIP and SDP out of a capture (pcap written by the lab's tcpdump)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scapy.layers.inet import UDP
from scapy.utils import rdpcap


@dataclass(frozen=True)
class SipMessage:
    first_line: str
    cseq: str
    body: str

    @property
    def is_response(self) -> bool:
        return self.first_line.startswith("SIP/2.0")

    def audio_codecs(self) -> list[str]:
        """Codec names of the SDP's audio line, in order ("telephone-event" included)."""
        m = re.search(r"^m=audio \d+ \S+ ([\d ]+)$", self.body, re.M)
        if not m:
            return []
        names = dict(re.findall(r"^a=rtpmap:(\d+) ([^/\s]+)", self.body, re.M))
        static = {"0": "PCMU", "8": "PCMA", "9": "G722", "3": "GSM"}
        return [names.get(pt, static.get(pt, pt)) for pt in m.group(1).split()]


def sip_messages(pcap: Path) -> list[SipMessage]:
    out = []
    for pkt in rdpcap(str(pcap)):
        if UDP not in pkt:
            continue
        text = bytes(pkt[UDP].payload).decode(errors="replace")
        if not re.match(r"^(SIP/2\.0 \d{3}|[A-Z]+ sip:)", text):
            continue
        head, _, body = text.replace("\r\n", "\n").partition("\n\n")
        cseq = re.search(r"^CSeq:\s*(.+)$", head, re.M | re.I)
        out.append(SipMessage(head.splitlines()[0], cseq.group(1).strip() if cseq else "", body))
    return out
