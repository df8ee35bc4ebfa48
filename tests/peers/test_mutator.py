"""simulators/peers/mutator.py: a campaign is reproducible from its seed byte for byte, different
seeds give different messages, every operator is used, UDP mutants fit a datagram and signed
bases carry a digest answer the stub could check."""

from __future__ import annotations

import random
from collections import Counter

from simulators.peers import mutator
from simulators.peers.mutator import Credentials, Message
from simulators.peers.sipauth import Challenge

HOST, PORT = "192.168.1.30", 5060
CHALLENGE = Challenge("192.168.1.30", "abc123", None, "auth", proxy=False)
CREDS = Credentials("209", "s3cret", CHALLENGE)


def run(seed: int, count: int = 300, transport: str = "UDP", creds: Credentials | None = None) -> list[bytes]:
    return [m.data for m in mutator.campaign(seed, count, HOST, PORT, transport=transport, credentials=creds)]


def test_the_same_seed_gives_the_same_messages_byte_for_byte() -> None:
    assert run(7) == run(7)
    assert run(7, creds=CREDS, transport="TLS") == run(7, creds=CREDS, transport="TLS")


def test_another_seed_gives_other_messages() -> None:
    a, b = run(7), run(8)
    assert sum(x != y for x, y in zip(a, b, strict=True)) > 290


def test_a_campaign_uses_every_operator_and_every_base() -> None:
    mutants = list(mutator.campaign(1, 2000, HOST, PORT, credentials=CREDS))
    used = Counter(op for m in mutants for op in m.operators)
    assert set(used) == set(mutator.OPERATORS)
    names = {name for name, _ in mutator.bases(HOST, PORT, "192.168.1.60:5070")}
    assert {m.base for m in mutants} == names
    assert Counter(len(m.operators) for m in mutants).most_common(1)[0][0] == 1  # six in ten
    assert [m.index for m in mutants] == list(range(2000))


def test_udp_mutants_fit_one_datagram() -> None:
    assert max(len(d) for d in run(3, 1000)) <= mutator.MAX_DATAGRAM


def test_stream_bases_name_their_transport_in_the_via() -> None:
    for name, make in mutator.bases(HOST, 5061, "192.168.1.60:5070", "TLS"):
        if name.upper() in mutator.REQUESTS:
            assert b"Via: SIP/2.0/TLS " in make(lambda: "t0ken"), name


def test_signed_bases_answer_the_challenge_with_a_digest() -> None:
    makers = dict(mutator.bases(HOST, PORT, "192.168.1.60:5070", credentials=CREDS))
    register = makers["register"](lambda: "t0ken").decode()
    invite = makers["invite"](lambda: "t0ken").decode()
    assert 'Authorization: Digest username="209", realm="192.168.1.30", nonce="abc123"' in register
    assert "Proxy-Authorization: Digest " in invite  # a proxy challenges an INVITE
    unsigned = dict(mutator.bases(HOST, PORT, "192.168.1.60:5070"))["register"](lambda: "t0ken")
    assert b"Authorization" not in unsigned
    signed = [m.base for m in mutator.campaign(5, 1000, HOST, PORT, credentials=CREDS)]
    share = sum(b in ("register", "invite") for b in signed) / len(signed)
    assert mutator.SIGNED_SHARE <= share < mutator.SIGNED_SHARE + 0.15


def test_a_well_formed_base_parses_and_renders_back_unchanged() -> None:
    for name, make in mutator.bases(HOST, PORT, "192.168.1.60:5070", credentials=CREDS):
        if name.upper() not in mutator.REQUESTS:
            continue  # torture cases are not well-formed on purpose (folded lines, odd spacing)
        data = make(lambda: "t0ken")
        assert Message.parse(data).render() == data, name


def test_structural_operators_change_what_they_say() -> None:
    base = Message.parse(dict(mutator.bases(HOST, PORT, "192.168.1.60:5070"))["invite"](lambda: "t0ken"))
    rng = random.Random(0)
    assert len(mutator.drop_header(rng, base).headers) == len(base.headers) - 1
    assert len(mutator.repeat_header(rng, base).headers) > len(base.headers)
    assert mutator.line_ends(rng, base).eol != "\r\n"
    for seed in range(20):
        lied = dict(mutator.lying_length(random.Random(seed), base).headers)["Content-Length"]
        assert int(lied) != len(base.body), seed
    assert mutator.mangle_method(rng, base).start.split(" ", 1)[1] == base.start.split(" ", 1)[1]
    assert len(mutator.truncate(rng, b"x" * 100)) <= 100
