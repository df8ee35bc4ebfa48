"""The SIP side's registration calls (TRB-2: one VoIP registration per station device).

POST /api/v1/internal/registrations/claim     a device's REGISTER (expires > 0): accept or refuse
POST /api/v1/internal/registrations/release   it unregistered, or its registration expired

Kamailio suspends each authenticated REGISTER and the UC server asks here (edge/registrar.py),
so the rule lives in the state and shows in the open connections (connections.py). Only the
SIP side may call: `X-UC-Internal-Token` (access.py).
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends

from ..state.core import State, StateError
from . import models as m
from .access import Access
from .connections import registration_view
from .errors import ApiError, error_responses


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["sip side"])
    Internal = Annotated[None, Depends(access.internal_caller)]

    @api.post(
        "/api/v1/internal/registrations/claim",
        response_model=m.RegistrationDecisionView,
        responses=error_responses(404, 422),
    )
    def claim_registration(body: m.RegistrationClaim, _: Internal) -> m.RegistrationDecisionView:
        """A device's REGISTER (expires > 0): accept or refuse (one registration per station, TRB-2)."""
        try:
            d = state.claim_registration(
                body.sip_user,
                body.contact,
                body.source,
                body.transport,
                expires_s=body.expires_s,
                call_id=body.call_id,
                instance=body.instance,
            )
        except StateError as exc:
            raise ApiError(404, "no_such_device", str(exc)) from None
        return m.RegistrationDecisionView(
            accepted=d.accepted,
            outcome=d.outcome.value,
            sip_code=d.sip_code,
            sip_reason=d.sip_reason,
            message=d.message,
            retry_after_s=d.retry_after_s,
            registration=registration_view(state, d.registration) if d.registration else None,
            holder=registration_view(state, d.holder) if d.holder else None,
        )

    @api.post(
        "/api/v1/internal/registrations/release",
        response_model=m.ReleaseReply,
        responses=error_responses(404, 422),
    )
    def release_registration(body: m.RegistrationRelease, _: Internal) -> m.ReleaseReply:
        """A device unregistered (expires 0), or its registration expired on the SIP side."""
        try:
            released = state.release_registration(
                body.sip_user,
                body.contact,
                source_address=body.source,
                transport=body.transport,
                call_id=body.call_id,
                instance=body.instance,
            )
        except StateError as exc:
            raise ApiError(404, "no_such_device", str(exc)) from None
        return m.ReleaseReply(released=released)

    return api
