"""The UC API of the stub (FastAPI): `create_app(state, settings) -> FastAPI`.

What myPortal @work and the other UC clients do against the system over 8802: login with
the internal number (UC-LOGIN-1) and the first-login password change (UC-LOGIN-2), password
change by the rules of the mode and release (UC-PWD-SMART, UC-PWD-SUITE, REL-PWD-SUITE),
logout, open connections (TRB-2), presence (UC-PRES-1..3), the voicemail PIN (UC-PIN,
REL-PIN), the VoIP enable check (UC-VOIP-1); directories, search-to-call and personal
contacts (UC-DIR-1, REL-SEARCH: api/directory.py), favorites (UC-FAV-1: api/favorites.py),
the own picture (UC-IMG-1: api/picture.py); plus a read-only administrator view and the
SIP side's registration calls. The OpenAPI spec is at GET /openapi.json.

Serving (the front door, issue 4 part B). The app reads two standard ASGI scope values and
nothing else about the connection:
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

Every error is a JSON `ErrorBody` {error, message, violations} with a 4xx status.
"""

# no `from __future__ import annotations`: FastAPI must see the dependency types of the
# routes defined inside create_app as objects, not as strings naming closure variables.
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..authlimits import AuthLimits
from ..config import Licence
from ..profiles import Mode
from ..rules import clients, passwords, pins, voip
from ..rules import presence as presence_rules
from ..rules.clients import ClientKind
from ..state.core import Device, Presence, RefusedRegistration, Registration, Session, State, StateError
from . import conferences as api_conference
from . import directory as api_directory
from . import favorites as api_favorites
from . import models as m
from . import phone_conferences as api_phone_conference
from . import picture as api_picture
from . import telephony as api_features
from .directory import others_presence_view
from .errors import ApiError, HttpsOnly, error_responses, install_error_handlers, known_query_only
from .limits import LoginLimiter

API_VERSION = "1"


@dataclass(frozen=True)
class ApiSettings:
    internal_token: str | None = None
    """shared secret of the SIP side for /api/v1/internal/...; None refuses those calls"""
    auth_limits: AuthLimits = field(default_factory=AuthLimits)
    """failed-login limits of both logins (LAB-AUTH-LIMITS, api/limits.py)"""


def create_app(state: State, settings: ApiSettings | None = None) -> FastAPI:
    """The UC API over `state`. See the module docstring for how to serve it."""
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
    app.state.login_limiter = limiter = LoginLimiter(settings.auth_limits)
    bearer = HTTPBearer(auto_error=False, description="the token of POST /api/v1/login")
    Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

    # ------------------------------------------------------------ sessions

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
        if settings.internal_token is None:
            raise ApiError(
                403, "internal_disabled", "The SIP side's calls are disabled: no internal token is configured."
            )
        if x_uc_internal_token is None or not secrets.compare_digest(
            x_uc_internal_token.encode("utf-8", "surrogateescape"), settings.internal_token.encode()
        ):
            raise ApiError(
                403, "internal_token", "Wrong or missing X-UC-Internal-Token; only the SIP side may call this."
            )

    UserSession = Annotated[Session, Depends(user_session)]
    AnyUserSession = Annotated[Session, Depends(user_any_scope)]
    AdminSession = Annotated[Session, Depends(admin_session)]

    def client_address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def number_of(session: Session) -> str:
        assert session.number is not None
        return session.number

    # ------------------------------------------------------------ public

    @app.get("/health", tags=["system"], summary="liveness (any scheme)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/system", response_model=m.SystemInfo, responses=error_responses(), tags=["system"])
    def system_info() -> m.SystemInfo:
        cfg = state.config.system
        return m.SystemInfo(
            name=cfg.name,
            mode=cfg.mode.value,
            release=cfg.release.value,
            time_scale=state.time_scale.factor,
            now=state.now(),
            sip_domain=cfg.sip_domain,
        )

    # ------------------------------------------------------------ login (UC-LOGIN-1/2)

    @app.post(
        "/api/v1/login", response_model=m.LoginReply, responses=error_responses(401, 409, 422, 429), tags=["session"]
    )
    def login(body: m.LoginRequest, request: Request) -> m.LoginReply:
        """Log in with the internal number and password (000:326-330)."""
        attempt = limiter.attempt(client_address(request), body.user)
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

    @app.post("/api/v1/logout", response_model=m.MessageReply, responses=error_responses(401), tags=["session"])
    def logout(session: Annotated[Session, Depends(any_session)]) -> m.MessageReply:
        state.close_session(session.id)
        return m.MessageReply(message="You are logged out.")

    @app.get("/api/v1/me", response_model=m.Me, responses=error_responses(401), tags=["session"])
    def me(session: UserSession) -> m.Me:
        user = state.user(number_of(session))
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

    # ------------------------------------------------------------ password (UC-PWD-*, REL-PWD-SUITE)

    @app.post(
        "/api/v1/password", response_model=m.MessageReply, responses=error_responses(400, 401, 422), tags=["session"]
    )
    def change_password(body: m.PasswordChange, session: AnyUserSession) -> m.MessageReply:
        """Change the UC password (000:1853-1882): UC Smart with the old password, UC Suite without."""
        number = number_of(session)
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

    # ------------------------------------------------------------ open connections (TRB-2)

    @app.get("/api/v1/connections", response_model=m.Connections, responses=error_responses(401), tags=["session"])
    def my_connections(session: UserSession) -> m.Connections:
        """Your UC sessions and your devices' VoIP registrations (004:329)."""
        return _connections(state, number_of(session))

    # ------------------------------------------------------------ presence (UC-PRES-1..3)

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

    @app.get("/api/v1/presence", response_model=m.PresenceView, responses=error_responses(401), tags=["presence"])
    def my_presence(session: UserSession) -> m.PresenceView:
        return _presence_view(state.presence(number_of(session)), state.now())

    @app.put(
        "/api/v1/presence", response_model=m.PresenceView, responses=error_responses(400, 401, 422), tags=["presence"]
    )
    def set_presence(body: m.PresenceUpdate, session: UserSession) -> m.PresenceView:
        """Change your presence status (000:625-721)."""
        number = number_of(session)
        now = state.now()
        current = state.presence(number)
        change = presence_rules.PresenceChange(
            body.status, body.return_time, body.info_text, body.forward_to, body.external_number
        )
        verdict = presence_rules.check_change(change, presence_context(number, session.client, current), now)
        if not verdict.ok:
            raise ApiError.refused(400, "presence_rules", verdict)
        return _presence_view(state.set_presence(number, change, now), now)

    @app.get(
        "/api/v1/presence/options", response_model=m.PresenceOptions, responses=error_responses(401), tags=["presence"]
    )
    def presence_options(session: UserSession) -> m.PresenceOptions:
        """What your presence menu offers now (000:639-649, 000:710, 000:730-733)."""
        number = number_of(session)
        current = state.presence(number)
        ctx = presence_context(number, session.client, current)
        return m.PresenceOptions(
            statuses=presence_rules.selectable_statuses(ctx),
            forwarding_targets=presence_rules.forwarding_targets(ctx),
            visibilities=list(presence_rules.Visibility),
            callme_available=ctx.callme_available,
            callme_active=ctx.callme_active,
        )

    @app.put(
        "/api/v1/presence/visibility",
        response_model=m.PresenceView,
        responses=error_responses(401, 422),
        tags=["presence"],
    )
    def set_visibility(body: m.VisibilityUpdate, session: UserSession) -> m.PresenceView:
        """Who sees your presence status other than Office (000:683-694, 000:725-733)."""
        return _presence_view(state.set_visibility(number_of(session), body.visibility), state.now())

    @app.get(
        "/api/v1/users/{number}/presence",
        response_model=m.OthersPresence,
        responses=error_responses(401, 404, 422),
        tags=["presence"],
    )
    def others_presence(
        number: Annotated[str, Path(pattern=r"^\d{1,16}$", description="internal number")], session: UserSession
    ) -> m.OthersPresence:
        """Another user's presence as internal users see it (visibility, CallMe shown as Office)."""
        user = state.user(number)
        if user is None:
            raise ApiError(404, "no_such_user", f"There is no user with number {number}.")
        return others_presence_view(state, number, user.name, state.now())

    # ------------------------------------------------------------ voicemail PIN (UC-PIN, REL-PIN)

    def mailbox_of(session: Session) -> str:
        number = number_of(session)
        user = state.user(number)
        if user is None or Licence.VOICEMAIL not in user.licences:
            raise ApiError(
                403, "no_mailbox", f"User {number} has no voicemail box (no Voicemail licence); ask your administrator."
            )
        return number

    def check_new_pin(new_pin: str, repeat_pin: str) -> None:
        if new_pin != repeat_pin:
            raise ApiError(400, "pins_differ", "The new PIN and its repetition differ; type the same PIN twice.")
        verdict = pins.check_pin(new_pin)
        if not verdict.ok:
            raise ApiError.refused(400, "pin_rules", verdict)

    @app.post(
        "/api/v1/voicemail/pin",
        response_model=m.MessageReply,
        responses=error_responses(400, 401, 409, 422),
        tags=["voicemail"],
    )
    def change_pin(body: m.PinChange, session: UserSession) -> m.MessageReply:
        """Change the voicemail PIN (000:1448-1468): only after the preassigned PIN was changed."""
        number = mailbox_of(session)
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

    @app.post(
        "/api/v1/voicemail/preassigned-pin",
        response_model=m.MessageReply,
        responses=error_responses(400, 401, 409, 422),
        tags=["voicemail"],
    )
    def change_preassigned_pin(body: m.PreassignedPinChange, session: UserSession) -> m.MessageReply:
        """Replace the preassigned PIN (the voicemail box's phone dialogue, 001:1685-1698)."""
        number = mailbox_of(session)
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

    # ------------------------------------------------------------ VoIP (UC-VOIP-1)

    @app.post("/api/v1/voip/enable", response_model=m.VoipAccount, responses=error_responses(401, 422), tags=["voip"])
    def enable_voip(body: m.VoipEnable, session: UserSession) -> m.VoipAccount:
        """Switch VoIP on (000:2071-2091): refused without licence or with an incompatible device."""
        if session.client is not ClientKind.AT_WORK:
            raise ApiError(403, "voip_in_at_work", "VoIP is a function of myPortal @work; log in with it.")
        number = number_of(session)
        user = state.user(number)
        assert user is not None
        members = [_station(d) for d in state.devices_for_number(number)] if user.is_mulap else None
        own = state.device_by_number(number)
        stations = [_station(own)] if own is not None and own.mulap is None else []
        check = voip.check_voip(number, user.licences, members, stations, body.controlled_device)
        if not check.verdict.ok or check.device is None:
            state.set_voip(number, False, user.controlled_device)
            raise ApiError.refused(403, check.verdict.codes[0], check.verdict)
        state.set_voip(number, True, body.controlled_device if user.is_mulap else None)
        account = state.sip_account(check.device.sip_user)
        assert account is not None
        return m.VoipAccount(
            number=account.number,
            station=account.station,
            sip_user=account.username,
            realm=account.realm,
            ha1=account.ha1,
            sip_domain=state.realm,
        )

    @app.post("/api/v1/voip/disable", response_model=m.MessageReply, responses=error_responses(401), tags=["voip"])
    def disable_voip(session: UserSession) -> m.MessageReply:
        number = number_of(session)
        user = state.user(number)
        state.set_voip(number, False, user.controlled_device if user else None)
        return m.MessageReply(message="VoIP is disabled.")

    # ------------------------------------------------------------ administrator (read-only)

    @app.post(
        "/api/v1/admin/login",
        response_model=m.AdminLoginReply,
        responses=error_responses(401, 422, 429),
        tags=["admin"],
    )
    def admin_login(body: m.AdminLoginRequest, request: Request) -> m.AdminLoginReply:
        attempt = limiter.attempt(client_address(request), "administrator")
        if not state.verify_admin_password(body.password):
            attempt.failed()
            raise ApiError(401, "wrong_credentials", "Wrong administrator password.")
        attempt.succeeded()
        token, session = state.open_session(
            None, role="admin", client=ClientKind.AT_WORK, address=client_address(request)
        )
        return m.AdminLoginReply(token=token, session_id=session.id)

    @app.get("/api/v1/admin/users", response_model=list[m.AdminUser], responses=error_responses(401), tags=["admin"])
    def admin_users(session: AdminSession) -> list[m.AdminUser]:
        devices = state.devices()
        out = []
        for u in state.users():
            mine = [d for d in devices if (d.mulap or d.number) == u.number]
            out.append(
                m.AdminUser(
                    number=u.number,
                    name=u.name,
                    licences=sorted(licence.value for licence in u.licences),
                    is_mulap=u.is_mulap,
                    must_change_password=u.must_change_password,
                    pin_is_preset=state.pin_is_preset(u.number),
                    voip_enabled=u.voip_enabled,
                    controlled_device=u.controlled_device,
                    presence=state.presence(u.number).status,
                    devices=[_device_view(d) for d in mine],
                )
            )
        return out

    @app.get("/api/v1/admin/devices", response_model=list[m.DeviceView], responses=error_responses(401), tags=["admin"])
    def admin_devices(session: AdminSession) -> list[m.DeviceView]:
        return [_device_view(d) for d in state.devices()]

    @app.get("/api/v1/admin/connections", response_model=m.Connections, responses=error_responses(401), tags=["admin"])
    def admin_connections(session: AdminSession) -> m.Connections:
        """All open connections (WBM > Expert Mode > Web Services Assistant, 004:329)."""
        return _connections(state, None)

    # ------------------------------------------------------------ SIP side (internal)

    Internal = Annotated[None, Depends(internal_caller)]

    @app.post(
        "/api/v1/internal/registrations/claim",
        response_model=m.RegistrationDecisionView,
        responses=error_responses(404, 422),
        tags=["sip side"],
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
            registration=_registration_view(state, d.registration) if d.registration else None,
            holder=_registration_view(state, d.holder) if d.holder else None,
        )

    @app.post(
        "/api/v1/internal/registrations/release",
        response_model=m.ReleaseReply,
        responses=error_responses(404, 422),
        tags=["sip side"],
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

    for module in (api_directory, api_favorites, api_picture, api_conference, api_features, api_phone_conference):
        app.include_router(module.router(state, user_session))
    return app


# -------------------------------------------------------------------- views


def _presence_view(p: Presence, now: datetime) -> m.PresenceView:
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


def _station(d: Device) -> voip.StationDevice:
    return voip.StationDevice(d.id, d.number, d.kind, d.sip_user)


def _device_view(d: Device) -> m.DeviceView:
    return m.DeviceView(id=d.id, kind=d.kind.value, station=d.number, sip_user=d.sip_user, mulap=d.mulap)


def _registration_view(state: State, r: Registration) -> m.RegistrationView:
    dev = state.device(r.device_id)
    return m.RegistrationView(
        user=r.number,
        station=r.station,
        sip_user=r.sip_user,
        device_kind=dev.kind.value if dev else "unknown",
        contact=r.contact,
        source=r.source,
        transport=r.transport,
        since=r.since,
        expires_at=r.expires_at,
    )


def _refused_view(r: RefusedRegistration) -> m.RefusedRegistrationView:
    return m.RefusedRegistrationView(
        station=r.station,
        sip_user=r.sip_user,
        contact=r.contact,
        source=r.source,
        transport=r.transport,
        at=r.at,
        reason=r.reason,
    )


def _connections(state: State, number: str | None) -> m.Connections:
    devices = {d.id: d for d in state.devices()}

    def mine(device_id: str) -> bool:
        d = devices.get(device_id)
        return number is None or (d is not None and (d.mulap or d.number) == number)

    return m.Connections(
        uc_sessions=[
            m.UcSessionView(
                session_id=s.id,
                user=s.number or "",
                client=s.client,
                address=s.address,
                since=s.since,
                last_seen=s.last_seen,
            )
            for s in state.sessions(number)
        ],
        voip_registrations=[_registration_view(state, r) for r in state.registrations() if mine(r.device_id)],
        refused_registrations=[_refused_view(r) for r in state.refused_registrations() if mine(r.device_id)],
    )
