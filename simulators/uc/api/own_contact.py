"""The UC API's own contact data (UC-ME-1, 000:1724-1733): what others see of you.

GET   /api/v1/me/contact   your name and internal number (the administrator's), mobile,
                           home/external number and e-mail address
PATCH /api/v1/me/contact   change or delete (empty value) the mobile, home/external number
                           and e-mail address; others see the change in directories and
                           favourites (000:1726)

Both modes (no mode prerequisite is documented); from V3 on (REL-CONTACT-DATA).
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends

from ..rules import directories as d
from ..state.core import Session, State
from ..state.own_contact import FIELDS, OwnContact
from . import models as m
from .access import Access, owner
from .errors import ApiError, error_responses, refuse_unless


def _view(contact: OwnContact) -> m.OwnContactView:
    return m.OwnContactView(
        number=contact.number,
        name=contact.name,
        mobile=contact.mobile,
        home=contact.home,
        email=contact.email,
        set_by_you=[f for f in FIELDS if f in contact.set_by_user],
    )


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["own contact data"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def offered() -> None:
        if not state.profile.own_contact_data:
            raise ApiError(
                403,
                "not_offered",
                f"myPortal @work {state.profile.release.value} has no own contact data; your administrator enters "
                "your mobile number and e-mail address.",
            )

    def mine(contact: OwnContact | None) -> m.OwnContactView:
        if contact is None:
            raise ApiError(401, "session_ended", "Your user no longer exists; ask your administrator.")
        return _view(contact)

    @api.get("/api/v1/me/contact", response_model=m.OwnContactView, responses=error_responses(401))
    def my_contact(session: UserSession) -> m.OwnContactView:
        """Your contact data as other subscribers see it (000:1726)."""
        offered()
        return mine(state.own_contact(owner(session)))

    @api.patch("/api/v1/me/contact", response_model=m.OwnContactView, responses=error_responses(400, 401, 422))
    def change_my_contact(body: m.OwnContactChange, session: UserSession) -> m.OwnContactView:
        """Edit the Mobile Phone Number, Home/External phone number and My Email Address (000:1733)."""
        offered()
        given = body.model_dump(exclude_unset=True)
        if not given:
            raise ApiError(
                400, "nothing_to_change", "Give at least one of mobile, home and email; an empty value deletes it."
            )
        changes = {k: (v.strip() or None) if v is not None else None for k, v in given.items()}
        refuse_unless(d.check_own_contact(changes), 400, "contact_rules")
        return mine(state.set_own_contact(owner(session), changes, state.now()))

    return api
