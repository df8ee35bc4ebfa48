"""The UC API of telephony features: the voicemail box's messages and the CallMe service.

GET    /api/v1/voicemail/messages              your voice messages, newest first (UC-VM-1)
GET    /api/v1/voicemail/messages/{id}/audio   one message as WAV 16 bit mono (000:1476); marks it played
GET    /api/v1/callme                          your CallMe destination (UC-CALLME-3)
PUT    /api/v1/callme                          set it: the service is active (000:790-803)
DELETE /api/v1/callme                          delete it: the service ends (000:782)
POST   /api/v1/callme/calls                    CallMe outbound: the system calls you at the destination, then `to` (UC-CALLME-2)
GET    /api/v1/conversations                   calls and voice messages per party, newest first (UC-CONV-1)

Played messages are deleted after the retention time (30 days, 000:1394) on the stub's
scaled clock. CallMe exists only where the release profile says (REL-CALLME: UC Suite
only from V3R2 FR1); group (MULAP) and redirected destinations are refused (000:770-774,
000:796-799).
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from collections.abc import Callable
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..callcore.routing import internal_number
from ..config import Licence
from ..control import ControlClient, ControlError
from ..rules.presence import AVAILABLE, ForwardTarget
from ..state.core import Session, State
from ..timescale import TIMERS, Timer
from .directory import owner
from .errors import ApiError, error_responses

MessageId = Annotated[int, Path(ge=1, le=2**62, description="the id of a voice message")]


class VoiceMessageView(BaseModel):
    id: int
    caller: str = Field(description="the caller's number as the system knew it")
    seconds: float = Field(description="length of the recording")
    received_at: datetime
    played: bool


class VoiceMessages(BaseModel):
    messages: list[VoiceMessageView]
    retention_days: float = Field(description="played messages are deleted after this (000:1394)")


class ConversationEntryView(BaseModel):
    kind: Literal["call", "voicemail"]
    direction: Literal["in", "out"]
    outcome: Literal["answered", "missed", "voicemail", "not_answered"] = Field(
        description="a call picked up by someone else is missed for you, without 'answered by' (000:823)"
    )
    at: datetime


class ConversationView(BaseModel):
    party: str = Field(description="the number as dialled or shown: one number in two formats is two entries")
    entries: list[ConversationEntryView] = Field(description="newest first, at most 50 (000:898)")


class Conversations(BaseModel):
    conversations: list[ConversationView] = Field(description="newest event first, at most 25 (000:898)")


class CallMeCall(BaseModel):
    to: str = Field(min_length=1, max_length=32, pattern=r"^[0-9 ()/:;-]+$", description="an internal number")


class CallMeCalling(BaseModel):
    calling: str = Field(description="the CallMe destination the system calls first")
    then: str = Field(description="the number it calls once you answered there; it sees your internal number")


class CallMeView(BaseModel):
    active: bool
    destination: str | None


class CallMeUpdate(BaseModel):
    destination: str = Field(
        min_length=1, max_length=32, pattern=r"^[0-9 +()/:;-]+$", description="the CallMe number (000:795)"
    )


def router(state: State, user_session: Callable[..., Session]) -> APIRouter:
    api = APIRouter()
    UserSession = Annotated[Session, Depends(user_session)]

    def mailbox(session: Session) -> str:
        number = owner(session)
        user = state.user(number)
        if user is None or Licence.VOICEMAIL not in user.licences:
            raise ApiError(
                403, "no_mailbox", f"User {number} has no voicemail box (no Voicemail licence); ask your administrator."
            )
        return number

    @api.get(
        "/api/v1/voicemail/messages", response_model=VoiceMessages, responses=error_responses(401), tags=["voicemail"]
    )
    def messages(session: UserSession) -> VoiceMessages:
        """Your voice messages, newest first (UC-VM-1, 000:1388-1400)."""
        number = mailbox(session)
        retention = TIMERS[Timer.VOICEMAIL_RETENTION].seconds
        found = state.voice_messages(number, state.now(), retention)
        return VoiceMessages(
            messages=[
                VoiceMessageView(
                    id=v.id,
                    caller=v.caller,
                    seconds=v.seconds,
                    received_at=v.received_at,
                    played=v.played_at is not None,
                )
                for v in found
            ],
            retention_days=retention / 86_400,
        )

    @api.get(
        "/api/v1/voicemail/messages/{message_id}/audio",
        responses={**error_responses(401, 404), 200: {"content": {"audio/wav": {}}}},
        tags=["voicemail"],
    )
    def message_audio(message_id: MessageId, session: UserSession) -> Response:
        """The recording (WAV 16 bit mono, 000:1476); fetching it counts as playing it."""
        number = mailbox(session)
        message = state.voice_message(number, message_id)
        if message is None:
            raise ApiError(404, "no_such_message", f"You have no voice message {message_id}; list them first.")
        try:
            data = FilePath(message.path).read_bytes()
        except OSError:
            raise ApiError(404, "message_gone", f"The recording of message {message_id} is gone.") from None
        state.mark_played(message_id, state.now())
        return Response(content=data, media_type="audio/wav")

    # ------------------------------------------------------------ Conversations (UC-CONV-1)

    @api.get(
        "/api/v1/conversations", response_model=Conversations, responses=error_responses(401), tags=["conversations"]
    )
    def conversations(session: UserSession) -> Conversations:
        """Your calls and voice messages per party (000:887-912): up to 25 conversations of up
        to 50 entries, the latest event first."""
        return Conversations(
            conversations=[
                ConversationView(
                    party=party,
                    entries=[
                        ConversationEntryView(kind=e.kind, direction=e.direction, outcome=e.outcome, at=e.at)
                        for e in entries
                    ],
                )
                for party, entries in state.conversations(owner(session))
            ]
        )

    # ------------------------------------------------------------ CallMe (UC-CALLME-1..3)

    def callme_view(number: str) -> CallMeView:
        p = state.presence(number)
        return CallMeView(active=p.callme_active, destination=p.callme_destination)

    @api.get("/api/v1/callme", response_model=CallMeView, responses=error_responses(401), tags=["callme"])
    def get_callme(session: UserSession) -> CallMeView:
        return callme_view(owner(session))

    @api.put("/api/v1/callme", response_model=CallMeView, responses=error_responses(400, 401, 422), tags=["callme"])
    def set_callme(body: CallMeUpdate, session: UserSession) -> CallMeView:
        """Set the CallMe destination: the service is active until it is deleted (000:782-803)."""
        number = owner(session)
        if not state.profile.callme_available(state.mode):
            raise ApiError(
                403,
                "callme_not_available",
                f"CallMe is not available in UC {state.mode.value.capitalize()} mode with release "
                f"{state.config.system.release.value} (REL-CALLME: UC Suite only from V3R2 FR1).",
            )
        dest = internal_number(body.destination)
        if dest is None:
            raise ApiError(
                400,
                "callme_unreachable",
                f"The lab has no trunk: {body.destination} cannot be called; give an internal station number.",
            )
        if dest == number:
            raise ApiError(400, "callme_own_number", "The CallMe destination cannot be your own number.")
        if state.is_mulap(dest):
            raise ApiError(
                400,
                "callme_group",
                f"{dest} is a group (MULAP); a group is not allowed as CallMe destination (000:799).",
            )
        target = state.user(dest)
        if target is not None:
            p = state.presence(dest)
            redirected = p.callme_active or (
                p.status not in AVAILABLE and p.forwarding[p.status].target is not ForwardTarget.NONE
            )
            if redirected:
                raise ApiError(
                    400,
                    "callme_redirected",
                    f"{dest} is redirected; a redirected telephone is not allowed as CallMe destination (000:799).",
                )
        if not state.devices_for_number(dest):
            raise ApiError(400, "callme_unknown", f"There is no station {dest}; give an internal station number.")
        state.set_callme(number, body.destination)
        return callme_view(number)

    @api.post(
        "/api/v1/callme/calls",
        response_model=CallMeCalling,
        status_code=202,
        responses=error_responses(400, 401, 403, 409, 503),
        tags=["callme"],
    )
    async def callme_call(body: CallMeCall, session: UserSession) -> CallMeCalling:
        """CallMe outbound (UC-CALLME-2, 000:758-760): the system first calls you at the CallMe
        destination; when you answer it calls `to` and connects you, showing your internal
        number (One Number Service)."""
        number = owner(session)
        if not state.profile.callme_available(state.mode):
            raise ApiError(
                403, "callme_not_available", "CallMe is not available in this mode and release (REL-CALLME)."
            )
        via = internal_number(state.presence(number).callme_destination or "")
        if via is None:
            raise ApiError(
                409,
                "callme_not_active",
                "The CallMe service is not active; set a CallMe number first (PUT /api/v1/callme).",
            )
        to = internal_number(body.to)
        if to is None or to == number:
            raise ApiError(
                400, "callme_bad_target", f"{body.to!r} is not another internal number; the lab has no trunk."
            )
        try:
            client = await ControlClient.connect(FilePath(state.path).parent / "core.sock", timeout=2.0)
            try:
                answer = await client.request("originate", user=number, via=via, target=to, timeout=5.0)
            finally:
                await client.close()
        except (ControlError, OSError) as exc:
            raise ApiError(503, "core_unavailable", f"The call core did not answer ({exc}); try again.") from None
        if not answer.get("ok"):
            raise ApiError(503, "callme_call_failed", f"The system could not call {via}: {answer.get('error')}.")
        return CallMeCalling(calling=via, then=to)

    @api.delete("/api/v1/callme", response_model=CallMeView, responses=error_responses(401), tags=["callme"])
    def delete_callme(session: UserSession) -> CallMeView:
        """Delete the CallMe number: the service ends (000:782)."""
        number = owner(session)
        state.set_callme(number, None)
        return callme_view(number)

    return api
