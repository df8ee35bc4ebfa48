"""The UC API's call control of an associated desk phone (NET-1.1, 004:54, 000:1074).

POST /api/v1/calls   dial `to` from your associated phone: the system rings it, and once you
                     lift it (answer), calls `to` and connects the two (LAB-CTI-MAKECALL)

"myPortal @work is used as UC and CTI client for an associated desk phone without VoIP"
(004:54); "MyPortal @work can either control an associated phone or make use of the embedded
VoIP telephony client" (000:1074). With VoIP on, the client dials from its own VoIP client
instead, so the route is refused then. The call core's `originate` places both calls, as for
CallMe outbound (callme.py): first the user's own phone, then the target, which sees the
user's number.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ..callcore.routing import internal_number
from ..config import DeviceKind
from ..state.core import Session, State
from .access import Access, owner
from .errors import ApiError, error_responses


class MakeCall(BaseModel):
    to: str = Field(min_length=1, max_length=32, pattern=r"^[0-9 ()/:;-]+$", description="an internal number")


class Calling(BaseModel):
    ringing: str = Field(description="your associated phone, which the system rings first")
    then: str = Field(description="the number it calls once you lifted your phone; it sees your number")


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["calls"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    @api.post("/api/v1/calls", response_model=Calling, status_code=202, responses=error_responses(400, 401, 409, 503))
    async def make_call(body: MakeCall, session: UserSession) -> Calling:
        """Dial `to` from your associated desk phone (CTI, 004:54): the phone rings; when you lift
        it the system calls `to`, which sees your number, and connects you."""
        number = owner(session)
        user = state.user(number)
        if user is not None and user.voip_enabled:
            raise ApiError(
                409, "voip_enabled", "VoIP is enabled: myPortal @work dials from its own VoIP client, not a desk phone."
            )
        phones = [d for d in state.devices_for_number(number) if d.kind is not DeviceKind.VOIP_CLIENT]
        if len(phones) != 1:
            raise ApiError(
                409, "no_associated_phone", f"{number} has no associated phone to control; ask your administrator."
            )
        to = internal_number(body.to)
        if to is None or to == number:
            raise ApiError(400, "bad_target", f"{body.to!r} is not another internal number; the lab has no trunk.")
        async with access.call_core() as core:
            answer = await core.request("originate", user=number, via=number, target=to)
        if not answer.get("ok"):
            raise ApiError(503, "call_failed", f"The system could not ring your phone {number}: {answer.get('error')}.")
        return Calling(ringing=number, then=to)

    return api
