"""The UC API's administrator view (read-only): what the system's administrator sees.

POST /api/v1/admin/login         log in with the administrator password (the configuration's)
GET  /api/v1/admin/users         every user: licences, mode settings, presence, devices
GET  /api/v1/admin/devices       every station device
GET  /api/v1/admin/connections   all open connections (WBM > Expert Mode > Web Services
                                 Assistant, 004:329)
GET  /api/v1/admin/conferences   every MeetMe conference: its participants' states and the
                                 conference channels it holds (000:1517, 000:1547-1550)

The documents describe no administrator's screen for conferences; the lab shows what the
user guide says of them, for every conference at once: a participant Inactive uses no
conference channel, one in the conference uses one (docs/RULES-INTERPRETATION.md:
channels in use = participants Waiting or Active). PINs are not shown here.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from ..rules.clients import ClientKind
from ..state.core import Session, State
from . import models as m
from .access import Access, client_address
from .conferences import ParticipantFacts, participant_facts
from .connections import connections, device_view
from .errors import ApiError, error_responses


class AdminParticipantView(ParticipantFacts):
    """A participant as the administrator sees it: its state, no PIN (000:1546-1552)."""


class AdminConferenceView(m.Reply):
    id: int
    name: str
    active: bool = Field(description="someone is in the conference")
    channels_in_use: int = Field(
        description="conference channels it holds: one per participant in it, none while nobody dialled in (000:1517)"
    )
    info: str | None
    ends_at: datetime | None
    participants: list[AdminParticipantView]


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["admin"])
    AdminSession = Annotated[Session, Depends(access.admin_session)]

    @api.post("/api/v1/admin/login", response_model=m.AdminLoginReply, responses=error_responses(401, 422, 429))
    def admin_login(body: m.AdminLoginRequest, request: Request) -> m.AdminLoginReply:
        attempt = access.login_limiter.attempt(client_address(request), "administrator")
        if not state.verify_admin_password(body.password):
            attempt.failed()
            raise ApiError(401, "wrong_credentials", "Wrong administrator password.")
        attempt.succeeded()
        token, session = state.open_session(
            None, role="admin", client=ClientKind.AT_WORK, address=client_address(request)
        )
        return m.AdminLoginReply(token=token, session_id=session.id)

    @api.get("/api/v1/admin/users", response_model=list[m.AdminUser], responses=error_responses(401))
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
                    devices=[device_view(d) for d in mine],
                )
            )
        return out

    @api.get("/api/v1/admin/devices", response_model=list[m.DeviceView], responses=error_responses(401))
    def admin_devices(session: AdminSession) -> list[m.DeviceView]:
        return [device_view(d) for d in state.devices()]

    @api.get("/api/v1/admin/connections", response_model=m.Connections, responses=error_responses(401))
    def admin_connections(session: AdminSession) -> m.Connections:
        """All open connections (WBM > Expert Mode > Web Services Assistant, 004:329)."""
        return connections(state, None)

    @api.get("/api/v1/admin/conferences", response_model=list[AdminConferenceView], responses=error_responses(401))
    def admin_conferences(session: AdminSession) -> list[AdminConferenceView]:
        """Every MeetMe conference with its participants' states and the channels it holds."""
        channels = state.channels_in_use()
        return [
            AdminConferenceView(
                id=c.id,
                name=c.name,
                active=c.active,
                channels_in_use=channels.get(c.id, 0),
                info=c.info,
                ends_at=c.ends_at,
                participants=[AdminParticipantView(**participant_facts(p)) for p in c.members],
            )
            for c in state.all_conferences()
        ]

    return api
