"""The UC API's Conversations (UC-CONV-1..4, 000:887-968; UC-IM-1, 000:970-1006).

GET    /api/v1/conversations               up to 25 conversations of up to 50 entries, the latest event
                                           first, with the unread counters (UC-CONV-4)
POST   /api/v1/conversations/read          the conversations were selected: every entry counts as read (000:415)
DELETE /api/v1/conversations               delete all conversations (000:942)
DELETE /api/v1/conversations/{party}       delete one whole conversation (000:953)
DELETE /api/v1/conversations/entries/{id}  delete one entry: a call, a chat message, a voice message (000:965)
(POST  /api/v1/conversations/entries/{id}/contact, saving an entry as a personal contact, is directory.py's)
POST   /api/v1/messages                    send an instant message to another UC user (000:985-986, UC Smart)
GET    /api/v1/redial                      the 10 last dialled numbers (UC-CALL-5, 000:398, 000:1253; LAB-REDIAL)

Calls are written by the call core's journal (state/journal.py) once a call's last leg
ended. Everything here is the account's state, so every session of the user reads the
same conversations; the API has no push channel, so another open session sees a change
when it next reads (UC-CONV-3's "live updated" is not represented).
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from ..config import Licence
from ..profiles import Mode
from ..state.core import Session, State
from ..state.journal import Entry, JournalEntry
from .access import Access, owner
from .errors import ApiError, error_responses

MESSAGE_MAX = 2000
"""LAB-FIELD-LIMITS: an instant message has 1 to 2000 characters after trimming"""
CAN_RECEIVE = frozenset({Licence.UC_USER, Licence.GROUPWARE})
"""000:976 "able to receive instant messages": a user with a UC client licence (004:58)"""
EntryId = Annotated[int, Path(ge=1, le=2**62, description="the id of a conversation entry")]


class ConversationEntryView(BaseModel):
    id: int
    kind: Literal["call", "voicemail", "chat"]
    direction: Literal["in", "out"]
    outcome: Literal["answered", "missed", "voicemail", "not_answered", "message"] = Field(
        description="a call picked up by someone else is missed for you, without 'answered by' (000:823)"
    )
    at: datetime
    unread: bool = Field(description="a missed call, voice message or received chat message not yet seen (LAB-UNREAD)")
    text: str | None = Field(description="a chat entry's message")
    title: str | None = Field(description="a voicemail entry: 'Voice message' (000:1392)")
    message_id: int | None = Field(description="a voicemail entry: its voice message, while it exists")
    played: bool | None = Field(description="a voicemail entry: whether its message was played")


class ConversationView(BaseModel):
    party: str = Field(description="the number as dialled or shown: one number in two formats is two entries")
    unread: int = Field(description="the green counter: the conversation's unread events (000:900)")
    entries: list[ConversationEntryView] = Field(description="newest first, at most 50 (000:898)")


class Conversations(BaseModel):
    conversations: list[ConversationView] = Field(description="newest event first, at most 25 (000:898)")
    unread_conversations: int = Field(description="conversations with unread events (000:417)")
    missed_calls: int = Field(description="unread missed calls, visible in every view (000:378)")
    new_voice_messages: int = Field(description="voice messages not yet played, visible in every view (000:378)")


class Deleted(BaseModel):
    message: str
    deleted: int = Field(description="how many entries were deleted")


class MarkedRead(BaseModel):
    marked: int = Field(description="how many entries were unread")


class InstantMessage(BaseModel):
    to: str = Field(description="the internal number of a UC user (000:976)")
    text: str = Field(description="1 to 2000 characters after trimming; line breaks allowed (LAB-FIELD-LIMITS)")


class Redial(BaseModel):
    numbers: list[str] = Field(
        description="the last 10 distinct numbers you dialled, newest first, as dialled (000:398, 000:1253)"
    )


def entry_view(e: JournalEntry) -> ConversationEntryView:
    return ConversationEntryView(
        id=e.id,
        kind=e.kind,
        direction=e.direction,
        outcome=e.outcome,
        at=e.at,
        unread=e.unread,
        text=e.text,
        title=e.title,
        message_id=e.message_id,
        played=e.played,
    )


def message_problem(text: str) -> str | None:
    """What is wrong with an instant message's text (LAB-FIELD-LIMITS), or None."""
    trimmed = text.strip()
    if not trimmed:
        return "The message is empty; write something to send."
    if len(trimmed) > MESSAGE_MAX:
        return f"The message has {len(trimmed)} characters; at most {MESSAGE_MAX} can be sent."
    if any(ord(c) < 32 and c not in "\n\r\t" for c in trimmed):
        return "The message contains control characters; only text, line breaks and tabs can be sent."
    return None


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["conversations"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def may_delete() -> None:
        if not state.profile.conversation_delete(state.mode):
            raise ApiError(
                403,
                "conversations_delete_not_available",
                f"Deleting conversations is not available in UC {state.mode.value.capitalize()} mode with release "
                f"{state.config.system.release.value} (REL-CONV-DELETE: UC Suite from V3).",
            )

    def deleted(what: str | None, result: tuple[int, list[str]]) -> Deleted:
        """The reply; `what` names what must have existed (None: deleting nothing is fine)."""
        n, recordings = result
        if n == 0 and what is not None:
            raise ApiError(404, "conversation_not_found", f"You have no {what}.")
        for path in recordings:  # LAB-VOICEMAIL-ENTRY: the voice message goes with its entry
            FilePath(path).unlink(missing_ok=True)
        return Deleted(message=f"Deleted {n} {'entry' if n == 1 else 'entries'}.", deleted=n)

    @api.get("/api/v1/conversations", response_model=Conversations, responses=error_responses(401))
    def conversations(session: UserSession) -> Conversations:
        """Your calls, voice messages and chat messages per party (000:887-912): up to 25
        conversations of up to 50 entries, the latest event first, and what is unread."""
        number = owner(session)
        counts = state.conversation_counts(number)
        return Conversations(
            conversations=[
                ConversationView(
                    party=party, unread=sum(e.unread for e in entries), entries=[entry_view(e) for e in entries]
                )
                for party, entries in state.conversations(number)
            ],
            unread_conversations=counts.unread_conversations,
            missed_calls=counts.missed_calls,
            new_voice_messages=counts.new_voice_messages,
        )

    @api.post("/api/v1/conversations/read", response_model=MarkedRead, responses=error_responses(401))
    def mark_read(session: UserSession) -> MarkedRead:
        """The conversations were selected: the notifications are marked as read (000:415), for
        every session of yours. A voice message stays new until it is played."""
        return MarkedRead(marked=state.mark_conversations_read(owner(session)))

    @api.delete("/api/v1/conversations", response_model=Deleted, responses=error_responses(401))
    def delete_all(session: UserSession) -> Deleted:
        """Delete all your conversations (000:942)."""
        may_delete()
        return deleted(None, state.delete_conversations(owner(session)))

    @api.delete("/api/v1/conversations/entries/{entry_id}", response_model=Deleted, responses=error_responses(401, 404))
    def delete_entry(entry_id: EntryId, session: UserSession) -> Deleted:
        """Delete one entry of a conversation (000:965): a call, a chat message, or a voice
        message (the voice message is deleted with it, LAB-VOICEMAIL-ENTRY)."""
        may_delete()
        return deleted(f"conversation entry {entry_id}", state.delete_journal_entry(owner(session), entry_id))

    @api.delete("/api/v1/conversations/{party}", response_model=Deleted, responses=error_responses(401, 404))
    def delete_conversation(party: str, session: UserSession) -> Deleted:
        """Delete your whole conversation with `party` (000:953)."""
        may_delete()
        return deleted(f"conversation with {party}", state.delete_conversation(owner(session), party))

    @api.post(
        "/api/v1/messages", response_model=ConversationEntryView, status_code=201, responses=error_responses(400, 401)
    )
    def send_message(body: InstantMessage, session: UserSession) -> ConversationEntryView:
        """Send an instant message (000:985-986, 000:1004-1006): a chat entry in your conversation
        with the recipient and, unread, in theirs. UC Smart mode only (000:978)."""
        sender = owner(session)
        if state.mode is not Mode.SMART:
            raise ApiError(403, "im_uc_smart_only", "Instant messages are only available in UC Smart mode.")
        recipient = state.user(body.to)
        if recipient is None or recipient.number == sender or not (recipient.licences & CAN_RECEIVE):
            raise ApiError(400, "recipient_cannot_receive", f"{body.to} cannot receive instant messages.")
        problem = message_problem(body.text)
        if problem is not None:
            raise ApiError(400, "message_text", problem)
        text = body.text.strip()
        mine, _ = state.add_journal(
            [
                Entry(sender, recipient.number, "chat", "out", "message", text=text),
                Entry(recipient.number, sender, "chat", "in", "message", text=text),
            ],
            state.now(),
        )
        return entry_view(mine)

    @api.get("/api/v1/redial", response_model=Redial, responses=error_responses(401))
    def redial(session: UserSession) -> Redial:
        """The drop-down list of the Search/Dial field: the 10 last dialled numbers for quick
        redial (000:398, 000:1253), from the system's call journal, so every client of yours
        shows the same list."""
        return Redial(numbers=state.redial(owner(session)))

    return api
