"""simulators/peers/sipp_scenarios.py: every scenario is well-formed SIPp XML whose steps and
messages are what its docstring promises (the lab runs of these scenarios are in
tests/uc/sip/test_interop.py, tests/phone/test_transports.py and benchmarks/stub_load.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from simulators.peers import sipp_scenarios as scenarios


def steps(xml: str) -> list[str]:
    """The scenario as `send`, `recv 401`, `recv INVITE`, ... in order."""
    root = ET.fromstring(xml.encode("iso-8859-1"))
    out = []
    for el in root:
        what = el.get("response") or el.get("request") or ""
        if el.tag == "send":
            first = (el.text or "").strip().splitlines()[0]
            what = first.split()[0] if not first.startswith("SIP/2.0") else first.split()[1]
        out.append(f"{el.tag} {what}".strip())
    return out


def messages(xml: str) -> list[str]:
    return [el.text or "" for el in ET.fromstring(xml.encode("iso-8859-1")) if el.tag == "send"]


def headers(message: str) -> list[str]:
    head, _, _ = message.lstrip("\n").partition("\n\n")
    return head.splitlines()[1:]


def test_register_is_challenged_then_sent_with_credentials() -> None:
    xml = scenarios.register("202", expires=60)
    assert steps(xml) == ["send REGISTER", "recv 401", "send REGISTER", "recv 200"]
    first, second = messages(xml)
    assert "[authentication]" not in headers(first)
    assert "[authentication]" in headers(second)
    for message in (first, second):
        assert "Expires: 60" in headers(message)
        assert "To: <sip:202@[remote_ip]>" in headers(message)
        assert message.endswith("Content-Length: 0\n\n")


def test_call_authenticates_streams_and_hangs_up() -> None:
    xml = scenarios.call("202", stream=Path("/lab/tone.wav"), talk_ms=2500)
    assert steps(xml) == [
        "send INVITE", "recv 100", "recv 407", "send ACK", "send INVITE",
        "recv 100", "recv 180", "recv 183", "recv 200", "send ACK", "nop", "pause", "send BYE", "recv 200",
    ]  # fmt: skip
    assert '<exec rtp_stream="/lab/tone.wav,-1,0"/>' in xml
    assert '<pause milliseconds="2500"/>' in xml
    invite = messages(xml)[0]
    assert invite.startswith("\nINVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n")
    assert invite.endswith("m=audio [media_port] RTP/AVP 0\na=rtpmap:0 PCMU/8000\n")
    ack, bye = messages(xml)[1], messages(xml)[-1]
    assert "[routes]" in headers(bye) and "[routes]" in headers(messages(xml)[-2])
    assert "[last_Via:]" in headers(ack)  # the ACK of a 407 belongs to the INVITE's transaction


def test_call_without_media_offers_the_codec_and_names_the_callee() -> None:
    xml = scenarios.call("202", callee="201", codec=scenarios.PCMA)
    assert "nop" not in steps(xml) and "pause" not in steps(xml)
    invite = messages(xml)[0]
    assert "To: <sip:201@[remote_ip]:[remote_port]>" in headers(invite)
    assert invite.endswith("m=audio [media_port] RTP/AVP 8\na=rtpmap:8 PCMA/8000\n")


def test_answer_rings_answers_and_confirms_the_bye() -> None:
    assert steps(scenarios.answer("202")) == [
        "recv INVITE", "send 180", "send 200", "recv ACK", "recv BYE", "send 200",
    ]  # fmt: skip
    assert steps(scenarios.answer("201", ringing=False))[1] == "send 200"
    ok = messages(scenarios.answer("201", codec=scenarios.PCMA))[1]
    assert "[last_To:];tag=[pid]SIPpTag01[call_number]" in headers(ok)
    assert "[last_Record-Route:]" in headers(ok)
    assert ok.endswith("a=rtpmap:8 PCMA/8000\n")


def test_registrar_challenges_every_round_and_checks_the_authorization() -> None:
    xml = scenarios.registrar("uclab", expires=10)
    assert steps(xml) == ["label", "recv REGISTER", "send 401", "recv REGISTER", "send 200"]
    challenge, ok = messages(xml)
    assert 'WWW-Authenticate: Digest realm="uclab", nonce="[pid]n[call_number]", algorithm=MD5' in headers(challenge)
    assert {"[last_Contact:];expires=10", "Expires: 10", "X-Registered: [$who]"} <= set(headers(ok))
    root = ET.fromstring(xml)
    assert root[-1].get("next") == "next"  # back to the label: every refresh is challenged again
    check = root.find("recv/action/ereg")
    assert check is not None and check.get("check_it") == "true" and check.get("header") == "Authorization:"
