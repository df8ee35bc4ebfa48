"""The UC API's presence routes (UC-PRES-1..3, UC-MULAP-1): your status and others'.

GET /api/v1/presence                  your presence status, return time, info text, forwarding
PUT /api/v1/presence                  change it (000:625-721); the rules decide what is allowed
GET /api/v1/presence/options          what your presence menu offers now (000:639-649)
PUT /api/v1/presence/visibility       who sees your status other than Office (000:683-694)
GET /api/v1/users/{number}/presence   another user's status as internal users see it

Others see a status only as its visibility allows, and CallMe as Office
(`others_presence_view`, also the presence shown in directory hits).
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from ..profiles import Mode
from ..rules import presence as presence_rules
from ..rules.clients import ClientKind
from ..state.core import Presence, Session, State
from . import models as m
from .access import Access, owner
from .errors import ApiError, error_responses


def presence_view(p: Presence, now: datetime) -> m.PresenceView:
    return m.PresenceView(
        status=p.status,
        return_time=p.return_time,
        return_time_announced=presence_rules.return_time_announced(p.return_time, now),
        info_text=p.info_text,
        visibility=p.visibility,
        forwarding={
            s: m.ForwardingView(target=f.target, external_number=f.external_number) for s, f in p.forwarding.items()
        },
        callme_active=p.callme_active,
    )


def others_presence_view(state: State, number: str, name: str, now: datetime) -> m.OthersPresence:
    """A user's presence as other internal users see it (visibility, CallMe shown as Office)."""
    p = state.presence(number)
    seen = presence_rules.seen_status(p.status, p.visibility)
    shown = seen is not None and seen is not presence_rules.Status.OFFICE
    announced = shown and presence_rules.return_time_announced(p.return_time, now)
    return m.OthersPresence(
        user=number,
        name=name,
        visible=seen is not None,
        status=seen,
        return_time=p.return_time if announced else None,
        info_text=p.info_text if seen is not None else None,
    )


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["presence"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def presence_context(number: str, client: ClientKind, current: Presence) -> presence_rules.PresenceContext:
        user = state.user(number)
        assert user is not None
        return presence_rules.PresenceContext(
            mode=state.mode,
            callme_available=state.profile.callme_available(state.mode),
            callme_active=current.callme_active,
            is_mulap=user.is_mulap,
            has_mobile=bool(user.mobile),
            client_sets_forwarding=state.mode is Mode.SMART or client is not ClientKind.AT_WORK,
        )

    @api.get("/api/v1/presence", response_model=m.PresenceView, responses=error_responses(401))
    def my_presence(session: UserSession) -> m.PresenceView:
        return presence_view(state.presence(owner(session)), state.now())

    @api.put("/api/v1/presence", response_model=m.PresenceView, responses=error_responses(400, 401, 422))
    def set_presence(body: m.PresenceUpdate, session: UserSession) -> m.PresenceView:
        """Change your presence status (000:625-721)."""
        number = owner(session)
        now = state.now()
        current = state.presence(number)
        change = presence_rules.PresenceChange(
            body.status, body.return_time, body.info_text, body.forward_to, body.external_number
        )
        verdict = presence_rules.check_change(change, presence_context(number, session.client, current), now)
        if not verdict.ok:
            raise ApiError.refused(400, "presence_rules", verdict)
        return presence_view(state.set_presence(number, change, now), now)

    @api.get("/api/v1/presence/options", response_model=m.PresenceOptions, responses=error_responses(401))
    def presence_options(session: UserSession) -> m.PresenceOptions:
        """What your presence menu offers now (000:639-649, 000:710, 000:730-733)."""
        number = owner(session)
        current = state.presence(number)
        ctx = presence_context(number, session.client, current)
        return m.PresenceOptions(
            statuses=presence_rules.selectable_statuses(ctx),
            forwarding_targets=presence_rules.forwarding_targets(ctx),
            visibilities=list(presence_rules.Visibility),
            callme_available=ctx.callme_available,
            callme_active=ctx.callme_active,
        )

    @api.put("/api/v1/presence/visibility", response_model=m.PresenceView, responses=error_responses(401, 422))
    def set_visibility(body: m.VisibilityUpdate, session: UserSession) -> m.PresenceView:
        """Who sees your presence status other than Office (000:683-694, 000:725-733)."""
        return presence_view(state.set_visibility(owner(session), body.visibility), state.now())

    @api.get(
        "/api/v1/users/{number}/presence", response_model=m.OthersPresence, responses=error_responses(401, 404, 422)
    )
    def others_presence(
        number: Annotated[str, Path(pattern=r"^\d{1,16}$", description="internal number")], session: UserSession
    ) -> m.OthersPresence:
        """Another user's presence as internal users see it (visibility, CallMe shown as Office)."""
        user = state.user(number)
        if user is None:
            raise ApiError(404, "no_such_user", f"There is no user with number {number}.")
        return others_presence_view(state, number, user.name, state.now())

    return api
