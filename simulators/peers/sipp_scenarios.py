"""SIPp scenarios as XML text, built from one set of message parts.

Every scenario the lab runs is one of four shapes; what differs between uses is a
parameter, not an edited copy:

    register(user, expires)      REGISTER -> 401 -> REGISTER with [authentication] -> 200
    call(user, ...)              INVITE -> 407 -> ACK, INVITE with [authentication] -> 200 -> ACK,
                                 optionally stream a WAV for a while, BYE -> 200
    answer(user, ...)            INVITE -> (180) 200 with SDP, ACK, BYE -> 200
    registrar(realm, expires)    UAS: REGISTER -> 401 (digest challenge) -> REGISTER with an
                                 Authorization (checked to be there) -> 200, for every round

The bracketed words are SIPp's own keywords, filled in at run time ([local_ip], [call_id],
[authentication] from `-au`/`-ap`, [service] from `-s`, ...). Requests carry `;rport`, so
replies come back to the port SIPp sent from, through NATs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIA = "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport"


@dataclass(frozen=True)
class Codec:
    """One audio payload type offered and answered in the SDP."""

    payload: int
    name: str


PCMU = Codec(0, "PCMU")
PCMA = Codec(8, "PCMA")


def register(user: str, expires: int) -> str:
    """Register `user` with digest authentication (credentials from `-au` / `-ap`)."""
    request = _Request("REGISTER", "sip:[remote_ip]:[remote_port]", user, f"sip:{user}@[remote_ip]")
    return _scenario(
        "uclab register",
        _send(request(1, extra=[f"Expires: {expires}"])),
        '<recv response="401" auth="true"/>',
        _send(request(2, auth=True, extra=[f"Expires: {expires}"])),
        '<recv response="200"/>',
    )


def call(
    user: str, callee: str = "[service]", codec: Codec = PCMU, stream: Path | None = None, talk_ms: int = 0
) -> str:
    """Call `callee` as `user` (digest on the 407), then hang up after `talk_ms`.

    With `stream`, SIPp plays that WAV as RTP once the call is up (`rtp_stream`: a G.711
    WAV of the offered codec), so the far end can hear it.
    """
    uri = f"sip:{callee}@[remote_ip]:[remote_port]"
    invite = _Request("INVITE", uri, user, uri)
    steps = [
        _send(invite(1, sdp=_sdp(codec, 1))),
        '<recv response="100" optional="true"/>',
        '<recv response="407" auth="true"/>',
        _send(_message(f"ACK {uri} SIP/2.0", "[last_Via:]", _from(user), "[last_To:]", *_ids(1, "ACK")), retrans=False),
        _send(invite(2, auth=True, sdp=_sdp(codec, 2))),
        '<recv response="100" optional="true"/>',
        '<recv response="180" optional="true"/>',
        '<recv response="183" optional="true"/>',
        '<recv response="200" rrs="true"/>',
        _send(_in_dialog("ACK", user, 2), retrans=False),
    ]
    if stream is not None:
        steps.append(f'<nop><action><exec rtp_stream="{stream},-1,0"/></action></nop>')
    if talk_ms:
        steps.append(f'<pause milliseconds="{talk_ms}"/>')
    steps += [_send(_in_dialog("BYE", user, 3)), '<recv response="200"/>']
    return _scenario("uclab call", *steps)


def answer(user: str, codec: Codec = PCMU, ringing: bool = True) -> str:
    """Answer one INVITE as `user` (after a 180 with `ringing`), then wait for the BYE."""
    contact = f"Contact: <sip:{user}@[local_ip]:[local_port]>"
    steps = ['<recv request="INVITE" rrs="true"/>']
    if ringing:
        steps.append(_send(_response("180 Ringing", contact, tag=True, record_route=True), retrans=False))
    steps += [
        _send(_response("200 OK", contact, tag=True, record_route=True, sdp=_sdp(codec, 1))),
        '<recv request="ACK"/>',
        '<recv request="BYE"/>',
        _send(_response("200 OK"), retrans=False),
    ]
    return _scenario("uclab answer", *steps)


def registrar(realm: str, expires: int, answer_after_ms: int = 0) -> str:
    """A registrar (UAS) that challenges every registration round and accepts it with digest.

    The 200 names the digest username it saw (`X-Registered`) and grants `expires` seconds;
    a REGISTER after the challenge without an Authorization fails the scenario. The pattern
    has no quotes, so the scenario stays well-formed XML. With `answer_after_ms`, each
    round's first REGISTER waits that long for its challenge: a registration stays in
    flight that long, as with a registrar that is slow or just coming back.
    """
    challenge = f'WWW-Authenticate: Digest realm="{realm}", nonce="[pid]n[call_number]", algorithm=MD5'
    check = (
        '<action><ereg regexp="Digest username=[^,]+" search_in="hdr" header="Authorization:" '
        'check_it="true" assign_to="who"/></action>'
    )
    return _scenario(
        "uclab digest registrar",
        '<label id="next"/>',
        '<recv request="REGISTER"/>',
        *([f'<pause milliseconds="{answer_after_ms}"/>'] if answer_after_ms else []),
        _send(_response("401 Unauthorized", challenge, tag=True), retrans=False),
        f'<recv request="REGISTER">{check}</recv>',
        _send(
            _response(
                "200 OK", f"[last_Contact:];expires={expires}", f"Expires: {expires}", "X-Registered: [$who]", tag=True
            ),
            retrans=False,
            next_label="next",
        ),
    )


# -- message parts ----------------------------------------------------------------------------


def _scenario(name: str, *steps: str) -> str:
    body = "".join(f"  {step}\n" for step in steps)
    return f'<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">\n{body}</scenario>\n'


def _send(message: str, retrans: bool = True, next_label: str | None = None) -> str:
    """A <send>; `retrans` retransmits every 500 ms until answered (UDP requests, 2xx)."""
    attrs = (' retrans="500"' if retrans else "") + (f' next="{next_label}"' if next_label else "")
    return f"<send{attrs}><![CDATA[\n{message}]]></send>"


def _message(first: str, *headers: str, sdp: str | None = None) -> str:
    lines = [first, *headers]
    if sdp is None:
        lines.append("Content-Length: 0")
        return "\n".join(lines) + "\n\n"
    lines += ["Content-Type: application/sdp", "Content-Length: [len]", "", sdp]
    return "\n".join(lines)


def _from(user: str) -> str:
    return f"From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]"


def _ids(cseq: int, method: str) -> list[str]:
    return ["Call-ID: [call_id]", f"CSeq: {cseq} {method}", "Max-Forwards: 70"]


@dataclass(frozen=True)
class _Request:
    """One out-of-dialog request, sent again with a new CSeq (and credentials) after a challenge."""

    method: str
    uri: str
    user: str
    to: str

    def __call__(self, cseq: int, auth: bool = False, extra: list[str] | None = None, sdp: str | None = None) -> str:
        call_id, cseq_line, max_forwards = _ids(cseq, self.method)
        headers = [VIA, _from(self.user), f"To: <{self.to}>", call_id, cseq_line]
        headers.append(f"Contact: <sip:{self.user}@[local_ip]:[local_port]>")
        if auth:
            headers.append("[authentication]")
        headers += [max_forwards, *(extra or [])]
        return _message(f"{self.method} {self.uri} SIP/2.0", *headers, sdp=sdp)


def _in_dialog(method: str, user: str, cseq: int) -> str:
    """ACK or BYE inside the dialog: to the remote target, through the recorded route set."""
    return _message(f"{method} [next_url] SIP/2.0", VIA, _from(user), "[last_To:]", "[routes]", *_ids(cseq, method))


def _response(status: str, *headers: str, tag: bool = False, record_route: bool = False, sdp: str | None = None) -> str:
    """A response copying the request's headers: with `tag` our To tag (the first responses of
    a transaction), with `record_route` the route set (responses to an INVITE through a proxy)."""
    dialog = ["[last_To:];tag=[pid]SIPpTag01[call_number]" if tag else "[last_To:]"]
    if record_route:
        dialog.append("[last_Record-Route:]")
    return _message(
        f"SIP/2.0 {status}",
        "[last_Via:]",
        "[last_From:]",
        *dialog,
        "[last_Call-ID:]",
        "[last_CSeq:]",
        *headers,
        sdp=sdp,
    )


def _sdp(codec: Codec, version: int) -> str:
    """An audio offer or answer of one codec; `version` grows with each new offer in a dialog."""
    return (
        f"v=0\no=sipp 53655765 {2353687636 + version} IN IP[local_ip_type] [local_ip]\ns=-\n"
        f"c=IN IP[media_ip_type] [media_ip]\nt=0 0\nm=audio [media_port] RTP/AVP {codec.payload}\n"
        f"a=rtpmap:{codec.payload} {codec.name}/8000\n"
    )
