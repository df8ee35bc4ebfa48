"""The UC API's session routes: login, logout, who you are, the password, your connections.

POST /api/v1/login         log in with the internal number and password (UC-LOGIN-1); the
                           first login may have to change the password first (UC-LOGIN-2),
                           and the mode decides which clients and how many (004:130-139)
POST /api/v1/logout        end this session
GET  /api/v1/me            your user, licences, VoIP setting and this session
POST /api/v1/password      change the UC password by the rules of the mode and release
                           (UC-PWD-SMART, UC-PWD-SUITE, REL-PWD-SUITE, 000:1853-1882)
GET  /api/v1/connections   your UC sessions and your devices' VoIP registrations (TRB-2)
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ..rules import clients, passwords
from ..state.core import Session, State
from . import models as m
from .access import Access, client_address, owner
from .connections import connections
from .errors import ApiError, error_responses


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["session"])
    AnySession = Annotated[Session, Depends(access.any_session)]
    AnyUserSession = Annotated[Session, Depends(access.user_any_scope)]
    UserSession = Annotated[Session, Depends(access.user_session)]

    @api.post("/api/v1/login", response_model=m.LoginReply, responses=error_responses(401, 409, 422, 429))
    def login(body: m.LoginRequest, request: Request) -> m.LoginReply:
        """Log in with the internal number and password (000:326-330)."""
        attempt = access.login_limiter.attempt(client_address(request), body.user)
        if not state.verify_password(body.user, body.password):
            attempt.failed()
            raise ApiError(401, "wrong_credentials", "Wrong user name or password.")
        attempt.succeeded()
        user = state.user(body.user)
        if user is None:  # removed between the two reads
            raise ApiError(401, "wrong_credentials", "Wrong user name or password.")
        others = [clients.OpenClient(s.client, s.address, s.since) for s in state.sessions(user.number)]
        verdict = clients.check_login(state.mode, body.client, user.number, user.licences, others)
        if not verdict.ok:
            raise ApiError.refused(409 if verdict.codes == ("only_one_client",) else 403, verdict.codes[0], verdict)
        scope = "full"
        if user.must_change_password:
            first = clients.check_first_login(state.mode, body.client)
            if not first.ok:
                raise ApiError.refused(403, first.codes[0], first)
            scope = "password_change"
        token, session = state.open_session(
            user.number, role="user", client=body.client, address=client_address(request), scope=scope
        )
        return m.LoginReply(
            token=token,
            session_id=session.id,
            user=user.number,
            name=user.name,
            mode=state.mode.value,
            release=state.profile.release.value,
            password_change_required=scope != "full",
        )

    @api.post("/api/v1/logout", response_model=m.MessageReply, responses=error_responses(401))
    def logout(session: AnySession) -> m.MessageReply:
        state.close_session(session.id)
        return m.MessageReply(message="You are logged out.")

    @api.get("/api/v1/me", response_model=m.Me, responses=error_responses(401))
    def me(session: UserSession) -> m.Me:
        user = state.user(owner(session))
        if user is None:
            raise ApiError(401, "session_ended", "Your user no longer exists; ask your administrator.")
        return m.Me(
            number=user.number,
            name=user.name,
            licences=sorted(licence.value for licence in user.licences),
            mode=state.mode.value,
            release=state.profile.release.value,
            is_mulap=user.is_mulap,
            must_change_password=user.must_change_password,
            voip_enabled=user.voip_enabled,
            controlled_device=user.controlled_device,
            client=session.client,
            session_id=session.id,
        )

    @api.post("/api/v1/password", response_model=m.MessageReply, responses=error_responses(400, 401, 422))
    def change_password(body: m.PasswordChange, session: AnyUserSession) -> m.MessageReply:
        """Change the UC password (000:1853-1882): UC Smart with the old password, UC Suite without."""
        number = owner(session)
        offered = clients.check_password_change_offered(state.mode, state.profile, session.client)
        if not offered.ok:
            raise ApiError.refused(403, offered.codes[0], offered)
        if clients.old_password_required(state.mode):
            if body.old_password is None:
                raise ApiError(400, "old_password_missing", "Enter your old password; UC Smart mode asks for it.")
        elif body.old_password is not None:
            raise ApiError(400, "old_password_not_expected", "UC Suite mode has no old-password field; leave it out.")
        if body.new_password != body.repeat_password:
            raise ApiError(
                400, "passwords_differ", "The new password and its repetition differ; type the same password twice."
            )
        if body.old_password is not None and not state.verify_password(number, body.old_password):
            raise ApiError(403, "wrong_old_password", "The old password is wrong.")
        verdict = passwords.check_password(state.mode, body.new_password, number)
        if not verdict.ok:
            raise ApiError.refused(400, "password_rules", verdict)
        state.set_password(number, body.new_password)
        if session.scope != "full":
            state.set_session_scope(session.id, "full")
        return m.MessageReply(message="Your password has been changed.")

    @api.get("/api/v1/connections", response_model=m.Connections, responses=error_responses(401))
    def my_connections(session: UserSession) -> m.Connections:
        """Your UC sessions and your devices' VoIP registrations (004:329)."""
        return connections(state, owner(session))

    return api
