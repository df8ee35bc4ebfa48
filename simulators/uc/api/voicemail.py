"""The UC API of the voicemail box's messages (UC-VM-1, 000:1388-1483).

GET /api/v1/voicemail/messages              your voice messages, newest first
GET /api/v1/voicemail/messages/{id}/audio   one message as WAV 16 bit mono (000:1476); marks it played

Only a user with the Voicemail licence has a box (`mailbox_of`, also the PIN routes' check,
pins.py). Played messages are deleted after the retention time (30 days, 000:1394) on the
stub's scaled clock.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..config import Licence
from ..state.core import Session, State
from ..timescale import TIMERS, Timer
from .access import Access, owner
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


def mailbox_of(state: State, session: Session) -> str:
    """The session's user's number, if that user has a voicemail box (the Voicemail licence)."""
    number = owner(session)
    user = state.user(number)
    if user is None or Licence.VOICEMAIL not in user.licences:
        raise ApiError(
            403, "no_mailbox", f"User {number} has no voicemail box (no Voicemail licence); ask your administrator."
        )
    return number


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["voicemail"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    @api.get("/api/v1/voicemail/messages", response_model=VoiceMessages, responses=error_responses(401))
    def messages(session: UserSession) -> VoiceMessages:
        """Your voice messages, newest first (UC-VM-1, 000:1388-1400)."""
        number = mailbox_of(state, session)
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
    )
    def message_audio(message_id: MessageId, session: UserSession) -> Response:
        """The recording (WAV 16 bit mono, 000:1476); fetching it counts as playing it."""
        number = mailbox_of(state, session)
        message = state.voice_message(number, message_id)
        if message is None:
            raise ApiError(404, "no_such_message", f"You have no voice message {message_id}; list them first.")
        try:
            data = FilePath(message.path).read_bytes()
        except OSError:
            raise ApiError(404, "message_gone", f"The recording of message {message_id} is gone.") from None
        state.mark_played(message_id, state.now())
        return Response(content=data, media_type="audio/wav")

    return api
