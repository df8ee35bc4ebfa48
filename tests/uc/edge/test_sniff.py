"""First-line classification on 8802 and the PROXY v1 header (simulators/uc/edge/sniff.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.uc.edge.sniff import MAX_FIRST_LINE, classify, proxy_v1


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"GET /api/v1/system HTTP/1.1\r\nHost: x\r\n\r\n", "http"),
        (b"POST /api/v1/login HTTP/1.0\r\n", "http"),
        (b"REGISTER sip:192.168.1.30:8802;transport=tls SIP/2.0\r\nVia: x\r\n", "sip"),
        (b"\r\n\r\nINVITE sip:201@198.51.100.120:8802;transport=tls SIP/2.0\r\n", "sip"),
        (b"INVITE  sip:201@x  SIP/2.0\r\n", "sip"),
        (b"SIP/2.0 200 OK\r\n", "sip"),
        (b"OPTIONS sip:x SIP/2.0 \r\n", "sip"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", "unknown"),
        (b"hello world\r\n", "unknown"),
        (b"REGISTER sip:x SIP/2.0", "incomplete"),
        (b"", "incomplete"),
        (b"\r\n", "incomplete"),
    ],
)
def test_classify(data: bytes, kind: str) -> None:
    assert classify(data).kind == kind


def test_keepalives_before_the_first_line_are_counted() -> None:
    first = classify(b"\r\n\r\nOPTIONS sip:x SIP/2.0\r\n")
    assert (first.kind, first.skipped, first.method) == ("sip", 4, "OPTIONS")


def test_an_endless_first_line_is_refused_without_waiting() -> None:
    assert classify(b"A" * (MAX_FIRST_LINE + 1)).kind == "unknown"
    assert classify(b"A" * (MAX_FIRST_LINE + 1) + b"\r\n").kind == "unknown"


@given(st.binary(max_size=2000))
def test_classify_never_raises(data: bytes) -> None:
    assert classify(data).kind in ("http", "sip", "unknown", "incomplete")


def test_proxy_v1_header() -> None:
    assert proxy_v1(("203.0.113.24", 40000), ("192.168.1.30", 8802)) == (
        b"PROXY TCP4 203.0.113.24 192.168.1.30 40000 8802\r\n"
    )
    assert proxy_v1(("2001:db8::1", 1), ("2001:db8::2", 2)).startswith(b"PROXY TCP6 2001:db8::1 ")
    with pytest.raises(ValueError, match="one address family"):
        proxy_v1(("2001:db8::1", 1), ("192.168.1.30", 8802))
