"""The UC API's voicemail PIN routes (UC-PIN, REL-PIN, 000:1448-1468, 001:1685-1698).

POST /api/v1/voicemail/pin              change the PIN: only after the preassigned PIN was
                                        changed, and in UC Suite mode not from myPortal @work
POST /api/v1/voicemail/preassigned-pin  replace the preassigned PIN (what the voicemail box's
                                        phone dialogue does the first time)

The new PIN follows rules/pins.py; the preassigned value is the release profile's.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends

from ..profiles import Mode
from ..rules import pins
from ..rules.clients import ClientKind
from ..state.core import Session, State
from . import models as m
from .access import Access
from .errors import ApiError, error_responses
from .voicemail import mailbox_of


def check_new_pin(new_pin: str, repeat_pin: str) -> None:
    if new_pin != repeat_pin:
        raise ApiError(400, "pins_differ", "The new PIN and its repetition differ; type the same PIN twice.")
    verdict = pins.check_pin(new_pin)
    if not verdict.ok:
        raise ApiError.refused(400, "pin_rules", verdict)


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["voicemail"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    @api.post("/api/v1/voicemail/pin", response_model=m.MessageReply, responses=error_responses(400, 401, 409, 422))
    def change_pin(body: m.PinChange, session: UserSession) -> m.MessageReply:
        """Change the voicemail PIN (000:1448-1468): only after the preassigned PIN was changed."""
        number = mailbox_of(state, session)
        if state.mode is Mode.SUITE and session.client is ClientKind.AT_WORK:
            raise ApiError(
                403,
                "pin_by_other_client",
                "In UC Suite mode myPortal @work has no Change PIN; use another UC Suite client or the voicemail box's "
                "phone menu.",
            )
        if state.pin_is_preset(number):
            raise ApiError(
                409,
                "preassigned_pin_unchanged",
                "Change PIN is only available after you have changed the preassigned PIN: call your voicemail box "
                f"({state.config.voicemail.box_number}) from your phone and follow the prompts.",
            )
        if not state.verify_pin(number, body.old_pin):
            raise ApiError(403, "wrong_old_pin", "The old PIN is wrong.")
        check_new_pin(body.new_pin, body.repeat_pin)
        state.set_pin(number, body.new_pin)
        return m.MessageReply(message="Your voicemail PIN has been changed.")

    @api.post(
        "/api/v1/voicemail/preassigned-pin",
        response_model=m.MessageReply,
        responses=error_responses(400, 401, 409, 422),
    )
    def change_preassigned_pin(body: m.PreassignedPinChange, session: UserSession) -> m.MessageReply:
        """Replace the preassigned PIN (the voicemail box's phone dialogue, 001:1685-1698)."""
        number = mailbox_of(state, session)
        if not state.pin_is_preset(number):
            raise ApiError(
                409,
                "preassigned_pin_changed",
                "The preassigned PIN has already been changed; use Change PIN with your current PIN.",
            )
        if not state.verify_pin(number, body.preassigned_pin):
            raise ApiError(403, "wrong_preassigned_pin", "That is not the preassigned PIN of your voicemail box.")
        check_new_pin(body.new_pin, body.repeat_pin)
        state.set_pin(number, body.new_pin)
        return m.MessageReply(message="Your voicemail PIN has been changed.")

    return api
