"""The Call window's Conference button (UC-CONF-1, 000:1331-1339, 000:1090, 000:1489-1513).

POST /api/v1/calls/conference   join your held call and your active call into a
                                phone-controlled conference (or add the other party to it)

The client asks the system, as a CSTA client would: the UC API asks the call core for the
calls of the user's devices (`phone_calls`), decides (rules/phone_conferences.py), records
the participants and mixer slots (state/phone_conferences.py) and has the call core's
workers join the legs and release the user's held leg (`phone_join`,
callcore/phone_conferences.py). Not tied to UC Smart nor to a conference licence.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ..rules import phone_conferences as rules
from ..rules.verdict import Verdict
from ..state.core import Session, State
from ..state.phone_conferences import NoConferenceChannel, PhoneConferenceFull
from . import models as m
from .access import Access, owner
from .errors import ApiError, error_responses


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["calls"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def device_call(found: dict[str, Any]) -> rules.DeviceCall:
        conference = found.get("conference")
        conf = state.phone_conference(int(conference)) if conference is not None else None
        return rules.DeviceCall(
            worker=int(found["worker"]),
            leg=str(found["leg"]),
            held=bool(found["held"]),
            conference=None if conference is None else int(conference),
            peer=found.get("peer"),
            parties=len(conf.parties) if conf is not None else 0,
        )

    def refused(verdict: Verdict) -> ApiError:
        return ApiError.refused(409, verdict.codes[0], verdict)

    @api.post(
        "/api/v1/calls/conference",
        response_model=m.PhoneConferenceReply,
        responses=error_responses(401, 409, 503),
    )
    async def conference(session: UserSession) -> m.PhoneConferenceReply:
        """Conference (phone-controlled): you talk to one party while another is on hold
        (000:1333); both join one conference, and your phone keeps one call, the conference
        (the system releases your held call). With the conference held and a new party
        active (or the other way round) the new party joins. At most 8 participants (000:1513)."""
        me = owner(session)
        devices = [d.sip_user for d in state.devices_for_number(me)]
        async with access.call_core() as core:
            found = await core.request("phone_calls", devices=devices)
            plan = rules.decide([device_call(c) for c in found["calls"]])
            if isinstance(plan, Verdict):
                raise refused(plan)
            conf_now = state.phone_conference(plan.conference) if plan.conference is not None else None
            room = rules.check_channels(
                plan,
                conf_now.workers() if conf_now is not None else (),
                {int(w): int(n) for w, n in found["free"].items()},
                [int(w) for w, cs in found["uplinked"].items() if plan.conference in cs],
            )
            if not room.ok:
                raise refused(room)
            held = plan.held
            release = (held.worker, held.leg) if held.conference is not None else None
            try:
                conf = state.phone_conference_join(
                    plan.conference, me, list(plan.joining), release, int(found["mixers"]), state.now()
                )
            except PhoneConferenceFull as exc:
                raise ApiError(409, "conference_full", str(exc)) from None
            except NoConferenceChannel as exc:
                raise ApiError(409, "no_channel", str(exc)) from None
            joins: dict[str, dict[str, Any]] = {}
            for worker, leg in plan.joining:
                joins.setdefault(str(worker), {"legs": []})["legs"].append(leg)
            joins.setdefault(str(held.worker), {"legs": []})["release"] = held.leg
            await core.request("phone_join", conference=conf.id, joins=joins, timeout=10.0)
        joined = "joined" if plan.conference is None else "grew"
        return m.PhoneConferenceReply(
            conference=conf.id,
            participants=len(conf.parties),
            message=f"Conference {joined}: {len(conf.parties)} participants.",
        )

    return api
