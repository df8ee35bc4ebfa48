"""The UC API's VoIP routes (UC-VOIP-1, 000:2071-2091): myPortal @work as a softphone.

POST /api/v1/voip/enable    switch VoIP on: refused without the licence or with a device
                            that cannot be the controlled one; the answer is the SIP account
POST /api/v1/voip/disable   switch it off
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated

from fastapi import APIRouter, Depends

from ..rules import voip
from ..rules.clients import ClientKind
from ..state.core import Device, Session, State
from . import models as m
from .access import Access, owner
from .errors import ApiError, error_responses


def station(d: Device) -> voip.StationDevice:
    return voip.StationDevice(d.id, d.number, d.kind, d.sip_user)


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["voip"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    @api.post("/api/v1/voip/enable", response_model=m.VoipAccount, responses=error_responses(401, 422))
    def enable_voip(body: m.VoipEnable, session: UserSession) -> m.VoipAccount:
        """Switch VoIP on (000:2071-2091): refused without licence or with an incompatible device."""
        if session.client is not ClientKind.AT_WORK:
            raise ApiError(403, "voip_in_at_work", "VoIP is a function of myPortal @work; log in with it.")
        number = owner(session)
        user = state.user(number)
        assert user is not None
        members = [station(d) for d in state.devices_for_number(number)] if user.is_mulap else None
        own = state.device_by_number(number)
        stations = [station(own)] if own is not None and own.mulap is None else []
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

    @api.post("/api/v1/voip/disable", response_model=m.MessageReply, responses=error_responses(401))
    def disable_voip(session: UserSession) -> m.MessageReply:
        number = owner(session)
        user = state.user(number)
        state.set_voip(number, False, user.controlled_device if user else None)
        return m.MessageReply(message="VoIP is disabled.")

    return api
