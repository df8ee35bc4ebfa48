"""The agent's control protocol: newline-delimited JSON over a Unix stream socket.

client -> agent: a request   {"id": 7, "op": "dial", "uri": "sip:bob@192.168.1.11"}
agent -> client: a response  {"kind": "response", "id": 7, "ok": true, "result": {...}}
                             {"kind": "response", "id": 7, "ok": false, "error": {"code": ..., "message": ...}}
agent -> client: an event    {"kind": "event", "event": "call_state", "call": "c1", ...}

Requests answer as soon as the stack accepted the action; its completion (call
confirmed, hold done, transfer accepted) arrives as events the client awaits.
Times (`t`) are seconds on the host's monotonic clock, shared by all processes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from simulators.pj.stats import StreamReport


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests -----------------------------------------------------------------------------


class Req(Model):
    id: int = 0


class Status(Req):
    op: Literal["status"] = "status"


class Dial(Req):
    op: Literal["dial"] = "dial"
    uri: str
    headers: dict[str, str] = Field(default_factory=dict)


class Answer(Req):
    op: Literal["answer"] = "answer"
    call: str
    code: int = Field(200, ge=180, le=299)


class Reject(Req):
    op: Literal["reject"] = "reject"
    call: str
    code: int = Field(486, ge=300, le=699)


class Deflect(Req):
    op: Literal["deflect"] = "deflect"
    call: str
    target: str


class Hangup(Req):
    op: Literal["hangup"] = "hangup"
    call: str


class Hold(Req):
    op: Literal["hold"] = "hold"
    call: str


class Retrieve(Req):
    op: Literal["retrieve"] = "retrieve"
    call: str


class Mute(Req):
    op: Literal["mute"] = "mute"
    call: str
    on: bool = True


class Transfer(Req):
    op: Literal["transfer"] = "transfer"
    call: str
    target: str


class TransferAttended(Req):
    op: Literal["transfer_attended"] = "transfer_attended"
    call: str
    to: str = Field(description="the consultation call whose party takes over")


class Conference(Req):
    op: Literal["conference"] = "conference"
    calls: list[str] = Field(min_length=2)


class SendDtmf(Req):
    op: Literal["send_dtmf"] = "send_dtmf"
    call: str
    digits: str = Field(pattern=r"^[0-9A-D*#]+$")
    method: Literal["rfc4733", "info"] = "rfc4733"


class Report(Req):
    op: Literal["report"] = "report"
    call: str


class SaveAudio(Req):
    op: Literal["save_audio"] = "save_audio"
    call: str
    path: str
    seconds: float = Field(4.0, gt=0, le=30)


class Register(Req):
    op: Literal["register"] = "register"
    on: bool = True


class CheckNatType(Req):
    op: Literal["check_nat_type"] = "check_nat_type"
    timeout: float = Field(12.0, gt=0, le=60)


class CheckIceStatus(Req):
    op: Literal["check_ice_status"] = "check_ice_status"
    timeout: float = Field(1.5, gt=0, le=30)


class AddIceServer(Req):
    op: Literal["add_ice_server"] = "add_ice_server"
    uri: str
    timeout: float = Field(1.5, gt=0, le=30)


class RemoveIceServer(Req):
    op: Literal["remove_ice_server"] = "remove_ice_server"
    uri: str


class SetCodecPreselection(Req):
    op: Literal["set_codec_preselection"] = "set_codec_preselection"
    on: bool


class Shutdown(Req):
    op: Literal["shutdown"] = "shutdown"


Request = Annotated[
    Status
    | Dial
    | Answer
    | Reject
    | Deflect
    | Hangup
    | Hold
    | Retrieve
    | Mute
    | Transfer
    | TransferAttended
    | Conference
    | SendDtmf
    | Report
    | SaveAudio
    | Register
    | CheckNatType
    | CheckIceStatus
    | AddIceServer
    | RemoveIceServer
    | SetCodecPreselection
    | Shutdown,
    Field(discriminator="op"),
]
REQUEST: TypeAdapter[Request] = TypeAdapter(Request)


# -- results ------------------------------------------------------------------------------


class StatusResult(Model):
    name: str
    pid: int
    tone: int
    uris: dict[str, str]
    calls: list[str]
    ice_servers: list[str]
    codec_preselection: bool
    registered: bool | None


class CallRef(Model):
    call: str


class CallReport(Model):
    call: str
    state: str
    media: str
    remote_uri: str
    heard: dict[int, float] = Field(description="tones heard now: freq -> since (t)")
    stream: StreamReport | None = None


class NatTypeResult(Model):
    outcome: Literal["simple", "Symmetric", "could not be detected"]
    message: str
    reason: str
    local: str | None = None
    mapped: str | None = None
    detector: str | None = None


class IceStatusResult(Model):
    status: Literal["available", "not available"]
    server: str | None = None


class AddServerResult(Model):
    outcome: Literal["added", "present", "failed"]
    message: str
    detail: str = ""
    servers: list[str]


class ServersResult(Model):
    servers: list[str]


class ErrorInfo(Model):
    code: str
    message: str


class Response(Model):
    kind: Literal["response"] = "response"
    id: int
    ok: bool
    result: dict[str, Any] | None = None
    error: ErrorInfo | None = None


# -- events -------------------------------------------------------------------------------


class Ev(Model):
    kind: Literal["event"] = "event"
    t: float


class IncomingCall(Ev):
    event: Literal["incoming_call"] = "incoming_call"
    call: str
    remote_uri: str


class CallCreated(Ev):
    """A call the stack made by itself: a transfer's new call, a replacing call."""

    event: Literal["call_created"] = "call_created"
    call: str
    cause: Literal["transfer", "replace"]
    target: str = ""
    replaces: str | None = None


class CallState(Ev):
    event: Literal["call_state"] = "call_state"
    call: str
    state: Literal["null", "calling", "incoming", "early", "connecting", "confirmed", "disconnected"]
    code: int = 0
    reason: str = ""
    identity: str = ""
    """the P-Asserted-Identity of the response that brought this state (whom a call reached,
    as the phone shows it), empty when it had none"""


class MediaState(Ev):
    event: Literal["media_state"] = "media_state"
    call: str
    status: Literal["none", "active", "local_hold", "remote_hold", "error"]
    codec: str = ""


class ToneEvent(Ev):
    event: Literal["tone"] = "tone"
    call: str
    freq: int
    on: bool


class DtmfEvent(Ev):
    event: Literal["dtmf"] = "dtmf"
    call: str
    digit: str
    method: Literal["rfc4733", "info", "other"]


class RegState(Ev):
    event: Literal["reg_state"] = "reg_state"
    code: int
    reason: str
    expires: int
    active: bool


class TransferStatus(Ev):
    event: Literal["transfer_status"] = "transfer_status"
    call: str
    code: int
    reason: str
    final: bool


class Redirected(Ev):
    event: Literal["redirected"] = "redirected"
    call: str
    target: str


Event = Annotated[
    IncomingCall
    | CallCreated
    | CallState
    | MediaState
    | ToneEvent
    | DtmfEvent
    | RegState
    | TransferStatus
    | Redirected,
    Field(discriminator="event"),
]
EVENT: TypeAdapter[Event] = TypeAdapter(Event)


def encode(msg: BaseModel) -> bytes:
    return msg.model_dump_json().encode() + b"\n"


class ProtocolError(ValueError):
    pass


def decode_from_agent(line: bytes) -> Response | Event:
    """A line the agent sent: a Response or an Event."""
    try:
        import json

        data = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {line[:200]!r}") from exc
    if data.get("kind") == "response":
        return Response.model_validate(data)
    if data.get("kind") == "event":
        return EVENT.validate_python(data)
    raise ProtocolError(f"neither response nor event: {line[:200]!r}")
