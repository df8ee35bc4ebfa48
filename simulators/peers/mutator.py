"""Seeded mutations of SIP messages: a fuzzing campaign reproducible from its seed (no I/O).

    for mutant in campaign(seed=7, count=10_000, host="192.168.1.30", port=5060):
        send(mutant.data)            # mutant.index, mutant.base, mutant.operators say what it is

Every mutant starts from a well-formed or RFC 4475 message aimed at the target: the lab's
torture corpus (torture.py) and requests the stub serves (REGISTER, INVITE with SDP,
OPTIONS, in-dialog BYE/ACK, CANCEL, MESSAGE, SUBSCRIBE, INFO, REFER). With `credentials`
(a device and a challenge the target gave it), REGISTER and INVITE bases carry a valid
digest answer, so what is mutated after the request line reaches past authentication:
the UC server's registration decisions and the call core's own SIP parser (SIGNED_SHARE of
the mutants start from one of those). Then one operator is applied (six in ten), two (three
in ten) or three, each chosen and parameterised by the campaign's own
`random.Random(seed)`: structural ones on the request line, the headers and the body
(drop, repeat, overlong, bad numbers, mangled URIs, methods, versions, parameters, lying
Content-Length, SDP garbage, bare CR or LF line ends) and byte-level ones (bit flips,
inserted control bytes, deleted, repeated or truncated spans). The same seed, count,
target and credentials give the same messages, byte for byte; a UDP mutant stays within
one datagram (MAX_DATAGRAM).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial

from .sipauth import Challenge
from .torture import CASES, SDP, Case

SIGNED_SHARE = 0.4
"""with credentials, this share of the mutants starts from a signed REGISTER or INVITE"""
MAX_DATAGRAM = 60_000
"""a UDP mutant is cut to this many bytes (an IPv4 datagram carries at most 65507)"""


@dataclass(frozen=True)
class Credentials:
    """A device's digest credentials and a challenge the target gave (its nonce is reused)."""

    user: str
    password: str
    challenge: Challenge


@dataclass(frozen=True)
class Message:
    """A SIP message as lines: the start line, the headers (name, value), the body."""

    start: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    eol: str = "\r\n"

    @classmethod
    def parse(cls, data: bytes) -> Message:
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "surrogateescape").split("\r\n")
        headers = tuple((n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:]))
        return cls(lines[0], headers, body)

    def render(self) -> bytes:
        head = self.eol.join([self.start, *(f"{n}: {v}" for n, v in self.headers)])
        return head.encode("utf-8", "surrogateescape") + (self.eol * 2).encode() + self.body

    def at(self, i: int, name: str, value: str) -> Message:
        """The message with header `i` replaced by name: value."""
        return replace(self, headers=(*self.headers[:i], (name, value), *self.headers[i + 1 :]))

    def with_header(self, name: str, value: str) -> Message:
        return replace(self, headers=tuple((n, value if n.lower() == name.lower() else v) for n, v in self.headers))


@dataclass(frozen=True)
class Mutant:
    index: int
    base: str
    """the base message's name (a torture case or a request kind)"""
    operators: tuple[str, ...]
    data: bytes


# -- base messages ----------------------------------------------------------------------------


def _request(method: str, ruri: str, host: str, token: Callable[[], str], extra: tuple[str, ...] = ()) -> str:
    to = f"sip:{{user}}@{host}" if method == "REGISTER" else ruri  # a REGISTER's To is the AOR
    to_tag = f";tag={token()}" if method in ("BYE", "ACK", "INFO", "REFER") else ""
    cseq_method = "INVITE" if method == "CANCEL" else method
    lines = [
        f"{method} {ruri} SIP/2.0",
        f"Via: SIP/2.0/UDP {{src}};branch=z9hG4bK{token()};rport",
        "Max-Forwards: 70",
        f"From: <sip:{{user}}@{host}>;tag={token()}",
        f"To: <{to}>{to_tag}",
        f"Call-ID: fz-{token()}",
        f"CSeq: 1 {cseq_method}",
        "Contact: <sip:{user}@{src}>",
        *extra,
    ]
    return "\n".join(lines)


REQUESTS = ("REGISTER", "INVITE", "OPTIONS", "BYE", "ACK", "CANCEL", "MESSAGE", "SUBSCRIBE", "INFO", "REFER")


def _base_request(
    kind: str, host: str, port: int, src: str, user: str, credentials: Credentials | None, token: Callable[[], str]
) -> bytes:
    ruri = f"sip:{host}:{port}" if kind == "REGISTER" else f"sip:201@{host}:{port}"
    extra: tuple[str, ...] = ()
    body = ""
    if kind == "REGISTER":
        extra = ("Expires: 60",)
    elif kind == "INVITE":
        extra, body = ("Content-Type: application/sdp",), SDP.replace("\n", "\r\n")
    elif kind == "MESSAGE":
        extra, body = ("Content-Type: text/plain",), "hello"
    elif kind == "SUBSCRIBE":
        extra = ("Event: presence", "Expires: 60")
    elif kind == "REFER":
        extra = (f"Refer-To: <sip:202@{host}>",)
    if credentials is not None and kind in ("REGISTER", "INVITE"):
        challenge = replace(credentials.challenge, proxy=kind == "INVITE")  # a proxy asks for INVITE's
        extra += (challenge.authorization(credentials.user, credentials.password, kind, ruri, token()),)
    text = _request(kind, ruri, host, token, extra).replace("{src}", src).replace("{user}", user)
    return (text.replace("\n", "\r\n") + f"\r\nContent-Length: {len(body)}\r\n\r\n" + body).encode()


Maker = Callable[[Callable[[], str]], bytes]
"""makes a base message from a token source (its Call-ID, tags, branch)"""


def _case(case: Case, host: str, port: int, token: Callable[[], str]) -> bytes:
    return case.render(host, port, token)


def _over(transport: str, make: Maker, token: Callable[[], str]) -> bytes:
    return make(token).replace(b"SIP/2.0/UDP", f"SIP/2.0/{transport}".encode())


def bases(
    host: str, port: int, src: str, transport: str = "UDP", credentials: Credentials | None = None
) -> list[tuple[str, Maker]]:
    """(name, maker) of every base: the torture corpus, then one of each REQUESTS kind."""
    user = credentials.user if credentials is not None else "fuzz"
    out: list[tuple[str, Maker]] = [(case.name, partial(_case, case, host, port)) for case in CASES]
    out += [(k.lower(), partial(_base_request, k, host, port, src, user, credentials)) for k in REQUESTS]
    if transport == "UDP":
        return out
    return [(name, partial(_over, transport, make)) for name, make in out]


# -- structural operators ---------------------------------------------------------------------

NUMBERS = ("-1", "0", "4294967296", "18446744073709551616", "9" * 40, "0x10", "1e3", "", " ", "abc", "1.5", "+7")
URIS = (
    "sip:", "sip:@{h}", "sip:%00@{h}", "sips:x@{h}", "tel:+", "*", "<sip:x@{h}>", "sip:[::1", "sip:x@{h}:99999",
    "sip:x@{h};transport=sctp;lr;maddr=0.0.0.0", "sip:" + "a" * 5000 + "@{h}", "sip:x@" + "9" * 300,
    "sip:x@{h}?Route=%3Csip:evil%3E", "sip:x;;;;@{h}", "http://{h}/",
)  # fmt: skip
METHODS = (
    "invite",
    "INVITE\x00",
    "REGISTER" + "X" * 300,
    "",
    "ACK",
    "PRACK",
    "UPDATE",
    "PUBLISH",
    "NOTIFY",
    "GET",
    "\xff\xfe",
)
VERSIONS = ("SIP/3.0", "SIP/2", "sip/2.0", "HTTP/1.1", "SIP/2.0 extra", "SIP/2.00", "")
NUMERIC = ("CSeq", "Content-Length", "Max-Forwards", "Expires")
COMPACT = ("v", "f", "t", "i", "m", "l", "c", "k", "s", "e", "o", "u", "r", "b", "x", "y", "z")


def _alphabet(rng: random.Random) -> str:
    return rng.choice(("a", "9", "%", ";", ",", "<", '"', "\\", "\x00", "é", " ", "\t", "@", ":"))


def _pick_header(rng: random.Random, m: Message) -> int:
    return rng.randrange(len(m.headers)) if m.headers else -1


def drop_header(rng: random.Random, m: Message) -> Message:
    i = _pick_header(rng, m)
    return m if i < 0 else replace(m, headers=m.headers[:i] + m.headers[i + 1 :])


def repeat_header(rng: random.Random, m: Message) -> Message:
    i = _pick_header(rng, m)
    return (
        m
        if i < 0
        else replace(m, headers=m.headers[: i + 1] + (m.headers[i],) * rng.randint(1, 60) + m.headers[i + 1 :])
    )


def overlong_value(rng: random.Random, m: Message) -> Message:
    i = _pick_header(rng, m)
    if i < 0:
        return m
    name, value = m.headers[i]
    long = value + _alphabet(rng) * rng.choice((256, 1024, 8192, 40_000))
    return m.at(i, name, long)


def bad_number(rng: random.Random, m: Message) -> Message:
    name = rng.choice(NUMERIC)
    value = rng.choice(NUMBERS)
    if name == "CSeq":
        value = f"{value} {m.start.split(' ', 1)[0]}"
    return m.with_header(name, value) if any(n.lower() == name.lower() for n, _ in m.headers) else m


def mangle_uri(rng: random.Random, m: Message) -> Message:
    parts = m.start.split(" ")
    if len(parts) < 3 or m.start.startswith("SIP/"):
        return m
    host = parts[1].rsplit("@", 1)[-1].split(";")[0] if "@" in parts[1] else parts[1][4:].split(";")[0]
    parts[1] = rng.choice(URIS).replace("{h}", host)
    return replace(m, start=" ".join(parts))


def mangle_method(rng: random.Random, m: Message) -> Message:
    parts = m.start.split(" ", 1)
    return replace(m, start=f"{rng.choice(METHODS)} {parts[-1]}")


def mangle_version(rng: random.Random, m: Message) -> Message:
    if m.start.startswith("SIP/"):
        return replace(m, start=rng.choice(VERSIONS) + m.start[7:])
    return replace(m, start=m.start.rsplit(" ", 1)[0] + " " + rng.choice(VERSIONS))


def mangle_name(rng: random.Random, m: Message) -> Message:
    i = _pick_header(rng, m)
    if i < 0:
        return m
    name, value = m.headers[i]
    new = rng.choice((rng.choice(COMPACT), name.upper(), name + " ", " " + name, name + ":", name[:1], "", "X-\x00"))
    return m.at(i, new, value)


def parameters(rng: random.Random, m: Message) -> Message:
    i = _pick_header(rng, m)
    if i < 0:
        return m
    name, value = m.headers[i]
    extra = rng.choice(
        (";branch=", ";tag=", ";rport=abc", ";received=999.1.1.1", ";lr;lr;lr", ";=", ";;;;", ";q=7", ";expires=-1")
    )
    value += extra * rng.randint(1, 200)
    return m.at(i, name, value)


def lying_length(rng: random.Random, m: Message) -> Message:
    lie = rng.choice((len(m.body) + rng.randint(1, 5000), max(0, len(m.body) - rng.randint(1, 50)), 2**31, 0))
    return m.with_header("Content-Length", str(lie))


def sdp_garbage(rng: random.Random, m: Message) -> Message:
    lines = (
        "c=IN IP4 999.999.999.999", "m=audio -1 RTP/AVP 0", "m=audio 70000 RTP/AVP", "a=rtpmap:xyz PCMU/0",
        "c=IN IP6 ::ffff:192.168.1.60", "m=video 0 RTP/AVP 96", "a=candidate:" + "1 " * 100, "o=", "v=9",
        "m=audio 40000 RTP/AVP " + " ".join(str(n) for n in range(128)), "a=ice-ufrag:" + "u" * 3000,
    )  # fmt: skip
    body = SDP.replace("\n", "\r\n") + "\r\n".join(rng.choice(lines) for _ in range(rng.randint(1, 30))) + "\r\n"
    kept = tuple((n, v) for n, v in m.headers if n.lower() not in ("content-type", "content-length"))
    headers = (*kept, ("Content-Type", rng.choice(("application/sdp", "application/SDP", "x/y", ""))))
    return replace(m, headers=(*headers, ("Content-Length", str(len(body)))), body=body.encode())


def line_ends(rng: random.Random, m: Message) -> Message:
    return replace(m, eol=rng.choice(("\n", "\r", "\n\r", "\r\n ", "\r\r\n")))


STRUCTURAL: dict[str, Callable[[random.Random, Message], Message]] = {
    "drop_header": drop_header,
    "repeat_header": repeat_header,
    "overlong_value": overlong_value,
    "bad_number": bad_number,
    "mangle_uri": mangle_uri,
    "mangle_method": mangle_method,
    "mangle_version": mangle_version,
    "mangle_name": mangle_name,
    "parameters": parameters,
    "lying_length": lying_length,
    "sdp_garbage": sdp_garbage,
    "line_ends": line_ends,
}

# -- byte operators ---------------------------------------------------------------------------


def flip_bits(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    junk = bytes(rng.choice(b'\x00\xff\r\n\t :;<>"\\%\x7f\x80') for _ in range(rng.randint(1, 64)))
    return data[:at] + junk + data[at:]


def delete_span(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + data[at + rng.randint(1, 200) :]


def repeat_span(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, max(0, len(data) - 1))
    span = data[at : at + rng.randint(1, 40)]
    return data[:at] + span * rng.randint(2, 500) + data[at:]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


BYTES: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip_bits": flip_bits,
    "insert_bytes": insert_bytes,
    "delete_span": delete_span,
    "repeat_span": repeat_span,
    "truncate": truncate,
}
OPERATORS = (*STRUCTURAL, *BYTES)


def mutate(rng: random.Random, data: bytes, operators: list[str]) -> bytes:
    """Apply `operators` in order: structural ones on the parsed message, then byte ones."""
    message = Message.parse(data)
    for name in operators:
        if name in STRUCTURAL:
            message = STRUCTURAL[name](rng, message)
    out = message.render()
    for name in operators:
        if name in BYTES:
            out = BYTES[name](rng, out)
    return out


def campaign(
    seed: int,
    count: int,
    host: str,
    port: int,
    src: str = "192.168.1.61:5074",
    transport: str = "UDP",
    credentials: Credentials | None = None,
) -> Iterator[Mutant]:
    """`count` mutants for host:port, reproducible from `seed` (see the module docstring)."""
    rng = random.Random(seed)
    makers = bases(host, port, src, transport, credentials)

    def token() -> str:
        return f"{rng.getrandbits(48):012x}"

    signed = [(name, make) for name, make in makers if credentials is not None and name in ("register", "invite")]
    for index in range(count):
        name, make = rng.choice(signed if signed and rng.random() < SIGNED_SHARE else makers)
        base = make(token)
        operators = sorted(rng.sample(OPERATORS, rng.choices((1, 2, 3), (6, 3, 1))[0]), key=lambda o: o in BYTES)
        data = mutate(rng, base, operators)
        if transport == "UDP":
            data = data[:MAX_DATAGRAM]
        yield Mutant(index, name, tuple(operators), data)
