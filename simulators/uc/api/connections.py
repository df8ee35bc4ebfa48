"""The open connections (TRB-2, 004:329) as a user and as the administrator see them.

A user sees their own UC sessions and their devices' VoIP registrations, accepted and
refused (GET /api/v1/connections, session.py); the administrator sees everyone's (GET
/api/v1/admin/connections, admin.py, as WBM > Expert Mode > Web Services Assistant shows
them). The SIP side's registration decisions (registrations.py) answer with the same
registration view.
"""

from __future__ import annotations

from ..state.core import Device, RefusedRegistration, Registration, State
from . import models as m


def registration_view(state: State, r: Registration) -> m.RegistrationView:
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


def refused_view(r: RefusedRegistration) -> m.RefusedRegistrationView:
    return m.RefusedRegistrationView(
        station=r.station,
        sip_user=r.sip_user,
        contact=r.contact,
        source=r.source,
        transport=r.transport,
        at=r.at,
        reason=r.reason,
    )


def device_view(d: Device) -> m.DeviceView:
    return m.DeviceView(id=d.id, kind=d.kind.value, station=d.number, sip_user=d.sip_user, mulap=d.mulap)


def connections(state: State, number: str | None) -> m.Connections:
    """The open connections of user `number`, or with None of everyone."""
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
        voip_registrations=[registration_view(state, r) for r in state.registrations() if mine(r.device_id)],
        refused_registrations=[refused_view(r) for r in state.refused_registrations() if mine(r.device_id)],
    )
