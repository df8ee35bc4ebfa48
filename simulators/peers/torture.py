"""The lab's own SIP torture corpus: one message per case listed in RFC 4475 (section 3).

Written for the lab from the RFC's list of cases (names and sections), not copied: every
message targets the stub ({host} = the system's address, {port} = the port it is sent
to) and carries a unique Call-ID. `valid` says whether RFC 4475 calls the case
well-formed (a server must answer it) or not (it may answer 400 or drop it). Bodies
with a correct Content-Length get it computed here; the invalid-length cases keep theirs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    section: str
    valid: bool
    template: str
    response: bool = False
    """a response sent to the server (no transaction): it must be dropped quietly"""

    def render(self, host: str, port: int) -> bytes:
        text = self.template.replace("{host}", host).replace("{port}", str(port))
        text = text.replace("{cid}", secrets.token_hex(6)).replace("{branch}", "z9hG4bK" + secrets.token_hex(6))
        text = text.replace("\n", "\r\n")
        if "{len}" in text:
            head, _, body = text.partition("\r\n\r\n")
            text = head.replace("{len}", str(len(body.encode("utf-8", "surrogateescape")))) + "\r\n\r\n" + body
        return text.encode("utf-8", "surrogateescape")


SDP = """v=0
o=lab 1 1 IN IP4 192.168.1.60
s=-
c=IN IP4 192.168.1.60
t=0 0
m=audio 40000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
"""


def _invite(extra: str = "", ruri: str = "sip:201@{host}", body: str = SDP, method: str = "INVITE") -> str:
    return (
        f"{method} {ruri} SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.168.1.60:5070;branch={branch}\n"
        "Max-Forwards: 70\n"
        "From: <sip:torture@{host}>;tag=t1\n"
        "To: <sip:201@{host}>\n"
        "Call-ID: {cid}\n"
        f"CSeq: 1 {method}\n"
        "Contact: <sip:torture@192.168.1.60:5070>\n"
        f"{extra}" + ("Content-Type: application/sdp\n" if body else "") + "Content-Length: {len}\n\n" + body
    )


def _register(extra: str = "", contact: str = "<sip:torture@192.168.1.60:5070>", ruri: str = "sip:{host}") -> str:
    return (
        f"REGISTER {ruri} SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.168.1.60:5070;branch={branch}\n"
        "Max-Forwards: 70\n"
        "From: <sip:torture@{host}>;tag=r1\n"
        "To: <sip:torture@{host}>\n"
        "Call-ID: {cid}\n"
        "CSeq: 1 REGISTER\n"
        f"Contact: {contact}\n"
        f"{extra}"
        "Content-Length: 0\n\n"
    )


def _response(status_line: str, extra: str = "") -> str:
    return (
        f"{status_line}\n"
        "Via: SIP/2.0/UDP {host}:{port};branch={branch}\n"
        "From: <sip:201@{host}>;tag=x1\n"
        "To: <sip:torture@{host}>;tag=x2\n"
        "Call-ID: {cid}\n"
        "CSeq: 1 INVITE\n"
        f"{extra}"
        "Content-Length: 0\n\n"
    )


CASES: list[Case] = [
    # 3.1.1 valid messages
    Case(
        "wsinv",
        "3.1.1.1",
        True,
        "INVITE sip:201@{host};unknownparam SIP/2.0\n"
        "TO :\n <sip:201@{host}>\n"
        'from   : "Tortured  Lab"\n   <sip:torture@{host}>\n  ;\n  tag = tw1\n'
        "MaX-fOrWaRdS: 0068\n"
        "Call-ID: {cid}\n"
        "Content-Length   : {len}\n"
        "cseq: 0009\n  INVITE\n"
        "Via  : SIP  /   2.0\n /UDP\n    192.168.1.60:5070;branch={branch}\n"
        "s :\n"
        "NewFangledHeader:   newfangled value\n continued newfangled value\n"
        "UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
        "Content-Type: application/sdp\n"
        "Route:\n <sip:{host};lr>\n"
        "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n  branch  =   z9hG4bKother\n"
        'm:"Quoted string \\"\\"" <sip:torture@192.168.1.60:5070> ; newparam =\n newvalue ;\n'
        "  secondparam ; q = 0.33\n\n" + SDP,
    ),
    Case(
        "intmeth",
        "3.1.1.2",
        True,
        "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@{host} SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.168.1.60:5070;branch={branch}\n"
        'To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@{host}>\n'
        "From: token1~` token2'+_ token3*%!.- <sip:mundane@{host}>;fromParam''~+*_!.-%=\"\\u0440\\u0430\";tag=_token~1'+`*%!-.\n"
        "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\n"
        "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\n"
        "Max-Forwards: 255\n"
        "extensionHeader-!.%*+_`'~: extended value\n"
        "Content-Length: 0\n\n",
    ),
    Case("esc01", "3.1.1.3", True, _invite(ruri="sip:%32%30%31@{host}", body="")),
    Case("escnull", "3.1.1.4", True, _register(contact="<sip:%00null@192.168.1.60:5070>", ruri="sip:{host}")),
    Case("esc02", "3.1.1.5", True, _invite(extra="Subject: 100% sure, not an escape\n", ruri="sip:%25201@{host}")),
    Case(
        "lwsdisp",
        "3.1.1.6",
        True,
        _invite(body="").replace("From: <sip:torture@{host}>", "From: caller<sip:torture@{host}>"),
    ),
    Case(
        "longreq",
        "3.1.1.7",
        True,
        _invite(
            extra="X-Long-Header: "
            + "x" * 3000
            + "\n"
            + "".join(f"Via: SIP/2.0/UDP 10.0.{i}.1:5060;branch=z9hG4bKlong{i}\n" for i in range(40)),
            body="",
        ).replace("From: <sip:torture@{host}>", 'From: "' + "name " * 200 + '" <sip:torture@{host}>'),
    ),
    Case("dblreq", "3.1.1.8", True, _register() + _invite(body="")),
    Case("semiuri", "3.1.1.9", True, _invite(ruri="sip:user;par=u%40example.net@{host}", body="")),
    Case(
        "transports",
        "3.1.1.10",
        True,
        _register(
            extra="Via: SIP/2.0/SCTP 192.0.2.1;branch=z9hG4bKsctp\n"
            "Via: SIP/2.0/TLS 192.0.2.2;branch=z9hG4bKtls\n"
            "Via: SIP/2.0/UNKNOWN 192.0.2.3;branch=z9hG4bKunknown\n"
        ),
    ),
    Case(
        "mpart01",
        "3.1.1.11",
        True,
        _invite(
            body="--lab42\nContent-Type: application/sdp\n\n"
            + SDP
            + "\n--lab42\nContent-Type: text/plain\n\nnot sdp\n--lab42--\n"
        ).replace(
            "Content-Type: application/sdp\nContent-Length",
            "Content-Type: multipart/mixed;boundary=lab42\nContent-Length",
        ),
    ),
    Case(
        "unreason",
        "3.1.1.12",
        True,
        _response("SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e"),
        response=True,
    ),
    Case("noreason", "3.1.1.13", True, _response("SIP/2.0 100 "), response=True),
    # 3.1.2 invalid messages
    Case(
        "badinv01",
        "3.1.2.1",
        False,
        _invite(body="").replace("To: <sip:201@{host}>", "To: <sip:201@{host}>;;,,;\n;;,,"),
    ),
    Case("clerr", "3.1.2.2", False, _invite().replace("Content-Length: {len}", "Content-Length: 9999")),
    Case("ncl", "3.1.2.3", False, _invite().replace("Content-Length: {len}", "Content-Length: -999")),
    Case(
        "scalar02",
        "3.1.2.4",
        False,
        _register(extra="Expires: 1" + "0" * 30 + "\n").replace("Max-Forwards: 70", "Max-Forwards: 300"),
    ),
    Case(
        "scalarlg",
        "3.1.2.5",
        False,
        _response("SIP/2.0 503 Service Unavailable", "Retry-After: 18446744073709551616\n").replace(
            "CSeq: 1 INVITE", "CSeq: 36893488147419103232 INVITE"
        ),
        response=True,
    ),
    Case(
        "quotbal",
        "3.1.2.6",
        False,
        _invite(body="").replace("From: <sip:torture@{host}>", 'From: "Mr. J. User <sip:torture@{host}>'),
    ),
    Case("ltgtruri", "3.1.2.7", False, _invite(ruri="<sip:201@{host}>", body="")),
    Case("lwsruri", "3.1.2.8", False, _invite(ruri="sip:201@{host}; lr", body="")),
    Case(
        "lwsstart",
        "3.1.2.9",
        False,
        _invite(body="").replace("INVITE sip:201@{host} SIP/2.0", "INVITE  sip:201@{host}  SIP/2.0"),
    ),
    Case(
        "trws",
        "3.1.2.10",
        False,
        _invite(body="").replace("INVITE sip:201@{host} SIP/2.0", "INVITE sip:201@{host} SIP/2.0 "),
    ),
    Case("escruri", "3.1.2.11", False, _invite(ruri="sip:201@{host}?Route=%3Csip:example.com%3E", body="")),
    Case("baddate", "3.1.2.12", False, _invite(extra="Date: Fri, 01 Jan 2010 16:00:00 EST\n", body="")),
    Case("regbadct", "3.1.2.13", False, _register(contact="sip:torture@192.168.1.60:5070;user=phone?x=1")),
    Case("badaspec", "3.1.2.14", False, _invite(body="").replace("To: <sip:201@{host}>", "To: sip:201 @ {host}")),
    Case(
        "baddn",
        "3.1.2.15",
        False,
        _invite(body="").replace("From: <sip:torture@{host}>", "From: Bell, Alexander <sip:torture@{host}>"),
    ),
    Case("badvers", "3.1.2.16", False, _invite(body="").replace("SIP/2.0\nVia", "SIP/7.0\nVia", 1)),
    Case("mismatch01", "3.1.2.17", False, _invite(body="").replace("CSeq: 1 INVITE", "CSeq: 1 OPTIONS")),
    Case(
        "mismatch02",
        "3.1.2.18",
        False,
        _invite(body="", method="NEWMETHOD").replace("CSeq: 1 NEWMETHOD", "CSeq: 1 INVITE"),
    ),
    Case("bigcode", "3.1.2.19", False, _response("SIP/2.0 4294967301 better not break the receiver"), response=True),
    # 3.2 transaction layer
    Case("badbranch", "3.2.1", True, _invite(body="").replace("branch={branch}", "branch=z9hG4bK")),
    # 3.3 application layer
    Case("insuf", "3.3.1", False, "INVITE sip:201@{host} SIP/2.0\nCSeq: 1 INVITE\nContent-Length: 0\n\n"),
    Case("unkscm", "3.3.2", True, _invite(ruri="nobodyknows:thisscheme@{host}", body="")),
    Case("novelsc", "3.3.3", True, _invite(ruri="soap.beep://{host}:9999/x", body="")),
    Case("unksm2", "3.3.4", True, _register(contact="<nobodyknows:thisscheme>")),
    Case(
        "bext01",
        "3.3.5",
        True,
        _invite(
            extra="Require: nothingSupportsThis, nothingSupportsThisEither\nProxy-Require: noProxiesSupportThis\n",
            body="",
        ),
    ),
    Case(
        "invut",
        "3.3.6",
        True,
        _invite(body='<audio><pcmu port="443"/></audio>\n').replace("application/sdp", "application/unknownformat"),
    ),
    Case("regaut01", "3.3.7", True, _register(extra="Authorization: NoOneKnowsThisScheme opaque-data=here\n")),
    Case(
        "multi01",
        "3.3.8",
        False,
        _invite(extra="To: <sip:202@{host}>\nCall-ID: second-{cid}\nCSeq: 2 INVITE\n", body=""),
    ),
    Case("mcl01", "3.3.9", False, _invite(extra="Content-Length: 0\nContent-Length: 40\n", body="")),
    Case(
        "bcast",
        "3.3.10",
        True,
        _response("SIP/2.0 200 OK").replace("Via: SIP/2.0/UDP {host}:{port}", "Via: SIP/2.0/UDP 255.255.255.255:5060"),
        response=True,
    ),
    Case("zeromf", "3.3.11", True, _invite(body="").replace("Max-Forwards: 70", "Max-Forwards: 0")),
    Case("cparam01", "3.3.12", True, _register(contact='<sip:torture@192.168.1.60:5070>;methods="INVITE, OPTIONS"')),
    Case("cparam02", "3.3.13", True, _register(contact="<sip:torture@192.168.1.60:5070;transport=udp>;expires=60")),
    Case(
        "regescrt", "3.3.14", True, _register(contact="<sip:torture@192.168.1.60:5070?Route=%3Csip:sip.example.com%3E>")
    ),
    Case("sdp01", "3.3.15", True, _invite(extra="Accept: text/nobodyknowsthis\n")),
    # 3.4 backward compatibility
    Case(
        "inv2543",
        "3.4.1",
        True,
        "INVITE sip:201@{host} SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.168.1.60:5070\n"
        "Max-Forwards: 70\n"
        "From: torture <sip:torture@{host}>\n"
        "To: sip:201@{host}\n"
        "Call-ID: {cid}\n"
        "CSeq: 1 INVITE\n"
        "Content-Type: application/sdp\n"
        "Content-Length: {len}\n\n" + SDP.replace("c=IN IP4 192.168.1.60", "c=IN IP4 0.0.0.0"),
    ),
]

assert len({c.name for c in CASES}) == len(CASES)
