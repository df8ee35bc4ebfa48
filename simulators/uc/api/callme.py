"""The UC API of the CallMe service (UC-CALLME-1..3, 000:758-803).

GET    /api/v1/callme         your CallMe destination (UC-CALLME-3)
PUT    /api/v1/callme         set it: the service is active (000:790-803)
DELETE /api/v1/callme         delete it: the service ends (000:782)
POST   /api/v1/callme/calls   CallMe outbound: the system calls you at the destination, then `to` (UC-CALLME-2)

CallMe exists only where the release profile says (REL-CALLME: UC Suite only from V3R2
FR1); group (MULAP) and redirected destinations are refused (000:770-774, 000:796-799).
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ..callcore.routing import internal_number
from ..rules.presence import AVAILABLE, ForwardTarget
from ..state.core import Session, State
from .access import Access, owner
from .errors import ApiError, error_responses


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


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["callme"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def callme_view(number: str) -> CallMeView:
        p = state.presence(number)
        return CallMeView(active=p.callme_active, destination=p.callme_destination)

    @api.get("/api/v1/callme", response_model=CallMeView, responses=error_responses(401))
    def get_callme(session: UserSession) -> CallMeView:
        return callme_view(owner(session))

    @api.put("/api/v1/callme", response_model=CallMeView, responses=error_responses(400, 401, 422))
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
        async with access.call_core() as core:
            answer = await core.request("originate", user=number, via=via, target=to)
        if not answer.get("ok"):
            raise ApiError(503, "callme_call_failed", f"The system could not call {via}: {answer.get('error')}.")
        return CallMeCalling(calling=via, then=to)

    @api.delete("/api/v1/callme", response_model=CallMeView, responses=error_responses(401))
    def delete_callme(session: UserSession) -> CallMeView:
        """Delete the CallMe number: the service ends (000:782)."""
        number = owner(session)
        state.set_callme(number, None)
        return callme_view(number)

    return api
