"""The UC API's Conversations (UC-CONV-1, 000:887-912): calls and voice messages per party.

GET /api/v1/conversations   up to 25 conversations of up to 50 entries, the latest event first
GET /api/v1/redial          the 10 last dialled numbers (UC-CALL-5, 000:398, 000:1253; LAB-REDIAL)

Written by the call core's journal (state/journal.py) once a call's last leg ended.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ..state.core import Session, State
from .access import Access, owner
from .errors import error_responses


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


class Redial(BaseModel):
    numbers: list[str] = Field(
        description="the last 10 distinct numbers you dialled, newest first, as dialled (000:398, 000:1253)"
    )


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["conversations"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    @api.get("/api/v1/conversations", response_model=Conversations, responses=error_responses(401))
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

    @api.get("/api/v1/redial", response_model=Redial, responses=error_responses(401))
    def redial(session: UserSession) -> Redial:
        """The drop-down list of the Search/Dial field: the 10 last dialled numbers for quick
        redial (000:398, 000:1253), from the system's call journal, so every client of yours
        shows the same list."""
        return Redial(numbers=state.redial(owner(session)))

    return api
