"""What the core reads from an INVITE (simulators/uc/callcore/sipmsg.py)."""

from __future__ import annotations

import pytest

from simulators.uc.callcore import sipmsg

INVITE = (
    "INVITE sip:201@192.168.1.30:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
    'f: "Anna" <sip:200@osbiz.lab>;tag=1\r\n'
    "X-UC-Device: 200\r\n"
    "X-UC-Transport: door\r\n"
    "Subject: folded\r\n  line\r\n"
    "Referred-By: <sip:205@192.168.1.30>\r\n"
    "\r\n"
    "v=0\r\n"
)


def test_parse_headers_compact_and_folded() -> None:
    req = sipmsg.parse(INVITE)
    assert (req.method, req.uri, req.uri_user) == ("INVITE", "sip:201@192.168.1.30:5060", "201")
    assert req.header("X-UC-Device") == "200" and req.header("x-uc-transport") == "door"
    assert req.header("from") == '"Anna" <sip:200@osbiz.lab>;tag=1'
    assert req.header("subject") == "folded line"
    assert req.header("x-uc-loop") is None


def test_uri_user() -> None:
    assert sipmsg.uri_user("<sip:205@192.168.1.30>") == "205"
    assert sipmsg.uri_user('"X" <sips:7@h>;tag=1') == "7"
    assert sipmsg.uri_user("sip:9@h;transport=udp") == "9"
    assert sipmsg.uri_user("<sip:h>") is None
    assert sipmsg.uri_user(None) is None
    assert sipmsg.parse("OPTIONS sip:host SIP/2.0\r\n\r\n").uri_user == ""


@pytest.mark.parametrize("bad", ["", "garbage", "SIP/2.0 200 OK\r\n\r\n", "INVITE sip:x HTTP/1.1\r\n\r\n"])
def test_not_a_request(bad: str) -> None:
    with pytest.raises(ValueError, match="not a SIP request"):
        sipmsg.parse(bad)
