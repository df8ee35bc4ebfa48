"""Who may call a route of the UC API: the FastAPI dependencies every router takes.

- a user's session in full scope (`user_session`): the Bearer token of POST /api/v1/login;
- a user's session in any scope (`user_any_scope`): also the first login that must change
  its password first (UC-LOGIN-2), for the password change itself;
- an administrator's session (`admin_session`): the token of POST /api/v1/admin/login;
- the SIP side (`internal_caller`): the header `X-UC-Internal-Token` equal to the
  configured token; without a configured token every such call is refused.

Each refusal is a 401 or 403 `ErrorBody` that says what to do. A router declares what it
needs as `Annotated[Session, Depends(access.user_session)]`.
"""

# no `from __future__ import annotations`: FastAPI must see the dependencies' parameter types
# as objects, not as strings naming closure variables.
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..state.core import Session, State
from .errors import ApiError
from .limits import LoginLimiter


@dataclass(frozen=True)
class Access:
    """The session and caller checks over one state (FastAPI dependencies)."""

    any_session: Callable[..., Session]
    user_any_scope: Callable[..., Session]
    user_session: Callable[..., Session]
    admin_session: Callable[..., Session]
    internal_caller: Callable[..., None]
    login_limiter: LoginLimiter
    """failed-login limits of both logins (LAB-AUTH-LIMITS, limits.py)"""


def access(state: State, internal_token: str | None, limiter: LoginLimiter) -> Access:
    """The checks over `state`; `internal_token` is the SIP side's shared secret (None: refused);
    `limiter` counts failed logins."""
    bearer = HTTPBearer(auto_error=False, description="the token of POST /api/v1/login")
    Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

    def any_session(credentials: Credentials) -> Session:
        if credentials is None or not credentials.credentials.strip():
            raise ApiError(
                401, "not_logged_in", "Log in first (POST /api/v1/login) and send 'Authorization: Bearer <token>'."
            )
        try:
            session = state.session(credentials.credentials.strip())
        except UnicodeError:
            session = None
        if session is None:
            raise ApiError(401, "session_ended", "Your session has ended (logged out or timed out); log in again.")
        return session

    def user_any_scope(session: Annotated[Session, Depends(any_session)]) -> Session:
        if session.role != "user" or session.number is None:
            raise ApiError(403, "not_a_user", "This is an administrator session; log in as a user for this function.")
        return session

    def user_session(session: Annotated[Session, Depends(user_any_scope)]) -> Session:
        if session.scope != "full":
            raise ApiError(
                403,
                "password_change_required",
                "Your administrator requires a new password first: change it (POST /api/v1/password), then continue.",
            )
        return session

    def admin_session(session: Annotated[Session, Depends(any_session)]) -> Session:
        if session.role != "admin":
            raise ApiError(
                403, "admin_only", "This view is for the administrator; log in with POST /api/v1/admin/login."
            )
        return session

    def internal_caller(x_uc_internal_token: Annotated[str | None, Header()] = None) -> None:
        if internal_token is None:
            raise ApiError(
                403, "internal_disabled", "The SIP side's calls are disabled: no internal token is configured."
            )
        if x_uc_internal_token is None or not secrets.compare_digest(
            x_uc_internal_token.encode("utf-8", "surrogateescape"), internal_token.encode()
        ):
            raise ApiError(
                403, "internal_token", "Wrong or missing X-UC-Internal-Token; only the SIP side may call this."
            )

    return Access(any_session, user_any_scope, user_session, admin_session, internal_caller, limiter)


def owner(session: Session) -> str:
    """The number of a logged-in user's session (a user session always has one)."""
    assert session.number is not None
    return session.number


def client_address(request: Request) -> str:
    """The real client's address (behind the front door: from its X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"
