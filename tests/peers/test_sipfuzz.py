"""simulators/peers/sipfuzz.py's counting: answers by status class, on a datagram and on what a
stream read (status lines at message boundaries only), and tallies added up per door."""

from __future__ import annotations

from simulators.peers.sipfuzz import Tally

OK = b"SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
BAD = b"SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
ERR = b"SIP/2.0 500 Server Internal Error\r\nContent-Length: 0\r\n\r\n"


def test_a_datagram_counts_when_it_is_a_response() -> None:
    tally = Tally("UDP", "192.168.1.30:5060")
    for data in (OK, BAD, ERR, b"OPTIONS sip:x SIP/2.0\r\n\r\n", b"SIP/2.0 abc", b""):
        tally.count_datagram(data)
    assert dict(tally.answers) == {2: 1, 4: 1, 5: 1}
    assert (tally.answered, tally.server_errors) == (3, 1)
    assert tally.server_error_lines == ["SIP/2.0 500 Server Internal Error"]


def test_a_stream_counts_status_lines_at_message_boundaries_only() -> None:
    tally = Tally("TLS", "192.168.1.30:5061")
    quoted = b"MESSAGE sip:x SIP/2.0\r\nContent-Length: 30\r\n\r\nhe said SIP/2.0 500 Oops"  # in a body
    tally.count_stream(OK + BAD + ERR + ERR + quoted)
    assert dict(tally.answers) == {2: 1, 4: 1, 5: 2}
    assert tally.server_error_lines == ["SIP/2.0 500 Server Internal Error"] * 2
    tally.count_stream(b"")
    assert tally.answered == 4


def test_tallies_add_up() -> None:
    a = Tally("UDP", "t", sent=10, connections=1, seconds=1.5)
    a.count_datagram(ERR)
    b = Tally("UDP", "t", sent=5, connections=2, seconds=0.5)
    b.count_datagram(OK)
    a.add(b)
    assert (a.sent, a.connections, a.seconds, dict(a.answers)) == (15, 3, 2.0, {5: 1, 2: 1})
