"""Unit tests: phone settings validation, the control protocol, ICE dump parsing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from simulators.phone import protocol as p
from simulators.phone.settings import PhoneSettings
from simulators.pj.stats import parse_ice

DUMP = """  #0 audio PCMA @8kHz, sendrecv, peer=198.51.100.50:49270
     ICE role: Controlling, state: Negotiation Success, comp_cnt: 2
        [0]: L:192.168.178.20:49156 (s) --> R:198.51.100.50:49281 (h)
        [1]: L:192.168.178.20:49190 (s) --> R:198.51.100.50:49252 (h)
"""


def test_valid_settings() -> None:
    s = PhoneSettings(
        name="alice", bind="192.168.1.10", default_stun="stun:192.0.2.10", ice_servers=["192.0.2.11:3479"]
    )
    assert s.sip_user == "alice"
    assert s.endpoint().stun_servers == ["192.0.2.10:3478", "192.0.2.11:3479"]
    assert s.endpoint().rtp_ports == (49152, 65535)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"bind": "alice"}, "not an IPv4 address"),
        ({"rtp_ports": (50000, 50001)}, "at least 4 ports"),
        ({"tone": 1000}, "validated tone plan"),
        ({"transports": []}, "at least one SIP transport"),
        ({"transports": [{"kind": "udp"}, {"kind": "udp"}]}, "one transport per kind"),
        ({"tls": {"verify_server": True}}, "needs tls.ca_file"),
        ({"default_stun": "stun:bad host"}, "not an IPv4 address or host name"),
        ({"name": "Alice Smith"}, "pattern"),
        ({"codecs": []}, "at least one codec"),
    ],
)
def test_bad_settings_name_problem_and_fix(override: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PhoneSettings(**{"name": "alice", "bind": "192.168.1.10", **override})


def test_protocol_round_trip() -> None:
    req = p.REQUEST.validate_json(p.encode(p.Dial(id=3, uri="sip:bob@192.168.1.11")))
    assert isinstance(req, p.Dial) and req.id == 3
    ev = p.decode_from_agent(p.encode(p.ToneEvent(t=1.5, call="c1", freq=450, on=True)))
    assert isinstance(ev, p.ToneEvent) and ev.freq == 450
    resp = p.decode_from_agent(p.encode(p.Response(id=3, ok=False, error=p.ErrorInfo(code="x", message="y"))))
    assert isinstance(resp, p.Response) and not resp.ok
    with pytest.raises(ValidationError):
        p.REQUEST.validate_json(b'{"op": "send_dtmf", "call": "c1", "digits": "12x"}')
    with pytest.raises(p.ProtocolError):
        p.decode_from_agent(b"not json")


def test_parse_ice_dump() -> None:
    ice = parse_ice(DUMP)
    assert ice is not None and ice.ok and ice.role == "Controlling"
    assert ice.rtp is not None and (ice.rtp.local_type, ice.rtp.remote_type) == ("srflx", "host")
    assert ice.rtp.remote == "198.51.100.50:49281"
    assert parse_ice("no ice here") is None


def test_asserted_identity_of_a_received_response() -> None:
    """The phone reads whom a call reached from the response's P-Asserted-Identity (RFC 3325)."""
    from simulators.phone.device import asserted_identity

    ok = "SIP/2.0 200 OK\r\nVia: x\r\np-asserted-identity:  <sip:200@osbiz.lab>\r\nContent-Length: 0\r\n\r\nv=0"
    assert asserted_identity(ok) == "<sip:200@osbiz.lab>"
    assert asserted_identity("SIP/2.0 180 Ringing\r\nVia: x\r\n\r\n") == ""
    assert asserted_identity("SIP/2.0 200 OK\r\n\r\nP-Asserted-Identity: <sip:1@x>") == "", "the body is not the head"
