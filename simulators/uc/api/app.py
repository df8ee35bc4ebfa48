"""The UC API of the stub (FastAPI): `create_app(state, settings) -> FastAPI`.

What myPortal @work and the other UC clients do against the system over 8802, one router
per concern: the session (login with the internal number, UC-LOGIN-1, the first-login
password change, UC-LOGIN-2, password change by the rules of the mode and release,
UC-PWD-SMART, UC-PWD-SUITE, REL-PWD-SUITE, logout, open connections, TRB-2), presence
(UC-PRES-1..3), the voicemail PIN (UC-PIN, REL-PIN), the VoIP enable check (UC-VOIP-1);
directories, search-to-call and personal contacts (UC-DIR-1, REL-SEARCH), favorites
(UC-FAV-1), the own picture (UC-IMG-1), conferences (UC-CONF-1..5), voice messages,
Conversations and CallMe; plus a read-only administrator view and the SIP side's
registration calls. The OpenAPI spec is at GET /openapi.json.

Serving (the front door, edge/frontdoor.py). The app reads two standard ASGI scope values
and nothing else about the connection:
- `scope["scheme"]` must be "https" for every /api/ path (000:1857: "only available when the
  connection to the system is encrypted"); anything else gets 403 https_required.
- `scope["client"]` = (address, port) of the real client: shown in the open connections.
Either run uvicorn's protocol on the TLS transport (uvicorn then sets both itself), or
relay decrypted HTTP to a uvicorn socket on 127.0.0.1 with `proxy_headers=True,
forwarded_allow_ips="127.0.0.1"` and set `X-Forwarded-Proto: https` and `X-Forwarded-For:
<client ip>` (uvicorn's ProxyHeadersMiddleware puts them into the scope; it trusts them
only from 127.0.0.1). /health and /openapi.json answer on any scheme.

The SIP side's calls (/api/v1/internal/...) need the header `X-UC-Internal-Token` equal to
`ApiSettings.internal_token`; without a configured token they are refused.

Every error is a JSON `ErrorBody` {error, message, violations} with a 4xx status, or a 503
when a route that acts on calls cannot reach the call core (callcore_client.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Depends, FastAPI

from ..authlimits import AuthLimits
from ..state.core import State
from . import (
    admin,
    callme,
    conferences,
    conversations,
    cti,
    directory,
    favorites,
    own_contact,
    phone_conferences,
    picture,
    pins,
    presence,
    registrations,
    session,
    system,
    voicemail,
    voip,
)
from .access import access
from .callcore_client import connector
from .errors import HttpsOnly, install_error_handlers, known_query_only
from .limits import LoginLimiter

API_VERSION = "1"
ROUTERS = (
    system,
    session,
    presence,
    pins,
    voip,
    admin,
    registrations,
    directory,
    favorites,
    picture,
    own_contact,
    conferences,
    voicemail,
    conversations,
    callme,
    cti,
    phone_conferences,
)
"""every router module, each with `router(state, access) -> APIRouter`"""


@dataclass(frozen=True)
class ApiSettings:
    internal_token: str | None = None
    """shared secret of the SIP side for /api/v1/internal/...; None refuses those calls"""
    auth_limits: AuthLimits = field(default_factory=AuthLimits)
    """failed-login limits of both logins (LAB-AUTH-LIMITS, api/limits.py)"""
    core_socket: Path | None = None
    """the call core's control socket; None: `core.sock` next to the state file"""


def create_app(state: State, settings: ApiSettings | None = None, limiter: LoginLimiter | None = None) -> FastAPI:
    """The UC API over `state`, its logins limited by `limiter` (one from the settings by default).
    See the module docstring for how to serve it."""
    settings = settings or ApiSettings()
    app = FastAPI(
        title="OpenScape Business UC API (uclab stub)",
        version=API_VERSION,
        description=__doc__,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    app.add_middleware(HttpsOnly)
    install_error_handlers(app)
    app.state.login_limiter = limiter = limiter or LoginLimiter(settings.auth_limits)
    checks = access(state, settings.internal_token, limiter, connector(state, settings.core_socket))
    for module in ROUTERS:
        app.include_router(module.router(state, checks))
    return app
