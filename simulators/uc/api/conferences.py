"""The UC API's Conference Management (UC-CONF-2..5, 000:1489-1700): MeetMe conferences.

GET    /api/v1/conferences                                   yours, active first, moderator marked
POST   /api/v1/conferences                                   create (you are its moderator)
GET    /api/v1/conferences/{id}                              details and participants with states
PATCH  /api/v1/conferences/{id}                              rename, guest PIN on/off (moderators)
DELETE /api/v1/conferences/{id}                              delete (moderators); connected ones are cut
POST   /api/v1/conferences/{id}/end                          end the active conference (moderators)
POST   /api/v1/conferences/{id}/participants                 add: internal {number} or external {name, phone}
DELETE /api/v1/conferences/{id}/participants/{pid}           remove: leaves the list (and the call)
POST   /api/v1/conferences/{id}/participants/{pid}/disconnect  cut the call, stay listed
PUT    /api/v1/conferences/{id}/participants/{pid}/moderator   {moderator: bool}
GET    /api/v1/conferences/{id}/invitation[?participant=pid] the predefined invitation text

Every change is for moderators only (403 not_moderator). Calls are cut in the call core
(`conference_cut`, callcore_client.py) when someone is connected: the call core is asked
before the state changes, and if it does not answer (503 call_core_unreachable) nothing
changes.
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from ..config import Licence
from ..rules import conferences as rules
from ..rules.verdict import Verdict
from ..state.conferences import Conference, ConferenceError, ConferenceMember
from ..state.core import Session, State, StateError
from . import models as m
from .access import Access, owner
from .errors import ApiError, error_responses, refuse_unless

T = TypeVar("T")
ConfId = Annotated[int, Path(ge=1, le=2**62, description="the id of a conference")]
MemberId = Annotated[int, Path(ge=1, le=2**62, description="the id of a conference participant")]


class ConferenceCreate(m.Request):
    name: m.Text = Field(max_length=200, description=f"1 to {rules.NAME_MAX} characters")
    guest_pin_allowed: bool = Field(False, description="allow dial-in via guest PIN (000:1577)")


class ConferenceChange(m.Request):
    name: m.Text | None = Field(None, max_length=200)
    guest_pin_allowed: bool | None = None


class ParticipantAdd(m.Request):
    number: m.Number | None = Field(None, description="an internal participant from the directory")
    name: m.Text | None = Field(None, max_length=200, description="an external participant entered by hand")
    phone: str | None = Field(None, pattern=r"^\+?[0-9 ()/-]{2,32}$", description="the external participant's number")
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


class ModeratorChange(m.Request):
    moderator: bool


class ParticipantFacts(m.Reply):
    """What every view of a participant shows (`participant_facts`)."""

    id: int
    number: str | None
    name: str
    phone: str | None
    external: bool
    guest: bool
    moderator: bool
    state: rules.ParticipantState


class ParticipantView(ParticipantFacts):
    personal_pin: str | None = Field(description="shown to moderators and to the participant itself")


def participant_facts(p: ConferenceMember) -> dict[str, Any]:
    """What every view of a participant shows (the participants' list, the administrator's view)."""
    return {
        "id": p.id,
        "number": p.number,
        "name": p.name,
        "phone": p.phone,
        "external": p.number is None,
        "guest": p.guest,
        "moderator": p.moderator,
        "state": p.state,
    }


class ConferenceView(m.Reply):
    id: int
    name: str
    active: bool
    moderator: bool = Field(description="you are a moderator (the green star)")
    dial_in_number: str
    guest_pin_allowed: bool
    guest_pin: str | None = Field(description="shown to moderators")
    info: str | None = Field(description="e.g. the conference ends in about 5 minutes (000:1554)")
    ends_at: datetime | None
    participants: list[ParticipantView]


class InvitationView(m.Reply):
    to: list[str] = Field(description="known e-mail addresses (000:1560)")
    text: str


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["conferences"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    # read per request: the in-process target (api/inprocess.py) serves one app over many states,
    # and no state is being served while the routes are built
    def dial_in() -> str:
        return state.config.conferences.dial_in_number

    def licensed(number: str | None) -> bool:
        user = state.user(number) if number else None
        return user is not None and Licence.CONFERENCE in user.licences

    def member_view(c: Conference, p: ConferenceMember, me: str, moderator: bool) -> ParticipantView:
        return ParticipantView(**participant_facts(p), personal_pin=p.pin if moderator or p.number == me else None)

    def view(c: Conference, me: str) -> ConferenceView:
        mod = any(p.moderator and p.number == me for p in c.members)
        return ConferenceView(
            id=c.id,
            name=c.name,
            active=c.active,
            moderator=mod,
            dial_in_number=dial_in(),
            guest_pin_allowed=c.guest_allowed,
            guest_pin=c.guest_pin if mod else None,
            info=c.info,
            ends_at=c.ends_at,
            participants=[member_view(c, p, me, mod) for p in c.members],
        )

    def mine(conf_id: int, me: str) -> Conference:
        conf = state.conference(conf_id)
        if conf is None or not any(p.number == me and not p.guest for p in conf.members):
            raise ApiError(404, "no_such_conference", f"You are not a participant of a conference {conf_id}.")
        return conf

    def moderated(me: str) -> Callable[[Conference], None]:
        def check(conf: Conference) -> None:
            verdict = rules.check_moderator(conf.rule_view(), me)
            if not verdict.ok:
                raise ConferenceError(verdict)

        return check

    def refused(exc: ConferenceError) -> ApiError:
        status = 403 if exc.verdict.codes in (("not_moderator",), ("moderator_licence_missing",)) else 409
        if exc.verdict.codes in (("external_cannot_moderate",),):
            status = 400
        return ApiError.refused(status, "conference_rules", exc.verdict)

    async def cutting(
        conf_id: int, member_id: int | None, members: Iterable[ConferenceMember], change: Callable[[], T]
    ) -> T:
        """`change` the state, then hang up the calls of the conference (or of one member) in
        the call core; with nobody of `members` connected the call core is not needed."""
        if all(p.state is rules.ParticipantState.INACTIVE for p in members):
            return change()
        async with access.call_core() as core:
            changed = change()
            await core.request("conference_cut", conference=conf_id, member=member_id)
            return changed

    @api.get("/api/v1/conferences", response_model=list[ConferenceView], responses=error_responses(401))
    def conferences(session: UserSession) -> list[ConferenceView]:
        """Conferences you take part in; active ones on top, moderator marked (000:1619-1624)."""
        me = owner(session)
        return [view(c, me) for c in state.conferences_of(me)]

    @api.post(
        "/api/v1/conferences", response_model=ConferenceView, status_code=201, responses=error_responses(400, 401, 422)
    )
    def create(body: ConferenceCreate, session: UserSession) -> ConferenceView:
        """A new permanent conference with you as its moderator (000:1572-1577)."""
        me = owner(session)
        refuse_unless(rules.check_create(state.mode, licensed(me)), 403, "conference_rules")
        name = rules.conference_name(body.name)
        refuse_unless(rules.check_name(name), 400, "conference_rules")
        user = state.user(me)
        conf = state.create_conference(me, user.name if user else me, name, body.guest_pin_allowed, state.now())
        return view(conf, me)

    @api.get("/api/v1/conferences/{conf_id}", response_model=ConferenceView, responses=error_responses(401, 404))
    def details(conf_id: ConfId, session: UserSession) -> ConferenceView:
        me = owner(session)
        return view(mine(conf_id, me), me)

    @api.patch(
        "/api/v1/conferences/{conf_id}", response_model=ConferenceView, responses=error_responses(400, 401, 404, 422)
    )
    def change(conf_id: ConfId, body: ConferenceChange, session: UserSession) -> ConferenceView:
        """Rename (000:1626-1636) or allow/forbid the guest PIN; moderators only."""
        me = owner(session)
        mine(conf_id, me)
        name = None
        if body.name is not None:
            name = rules.conference_name(body.name)
            refuse_unless(rules.check_name(name), 400, "conference_rules")
        try:
            conf = state.change_conference(conf_id, moderated(me), name=name, guest_allowed=body.guest_pin_allowed)
        except ConferenceError as exc:
            raise refused(exc) from None
        return view(conf, me)

    @api.delete(
        "/api/v1/conferences/{conf_id}", response_model=m.MessageReply, responses=error_responses(401, 404, 503)
    )
    async def delete(conf_id: ConfId, session: UserSession) -> m.MessageReply:
        """Delete the conference (000:1693-1700); moderators only."""
        me = owner(session)
        conf = mine(conf_id, me)
        try:
            moderated(me)(conf)  # before the call core is asked; the state checks again as it deletes
            gone = await cutting(conf_id, None, conf.members, lambda: state.delete_conference(conf_id, moderated(me)))
        except ConferenceError as exc:
            raise refused(exc) from None
        return m.MessageReply(message=f"Conference {gone.name!r} deleted.")

    @api.post(
        "/api/v1/conferences/{conf_id}/end", response_model=m.MessageReply, responses=error_responses(401, 404, 503)
    )
    async def end(conf_id: ConfId, session: UserSession) -> m.MessageReply:
        """End the active conference (000:1535): every call is cut, the list stays."""
        me = owner(session)
        conf = mine(conf_id, me)
        refuse_conf(rules.check_moderator(conf.rule_view(), me))
        await cutting(conf_id, None, conf.members, lambda: None)
        return m.MessageReply(message=f"Conference {conf.name!r} ended.")

    def refuse_conf(verdict: Verdict) -> None:
        if not verdict.ok:
            raise refused(ConferenceError(verdict))

    @api.post(
        "/api/v1/conferences/{conf_id}/participants",
        response_model=ParticipantView,
        status_code=201,
        responses=error_responses(400, 401, 404, 409, 422),
    )
    def add(conf_id: ConfId, body: ParticipantAdd, session: UserSession) -> ParticipantView:
        """Add an internal participant from the directory or an external one by hand (000:1579-1585)."""
        me = owner(session)
        mine(conf_id, me)
        if (body.number is None) == (body.name is None):
            raise ApiError(
                400,
                "participant_kind",
                "Give either number (an internal participant) or name and phone (an external participant).",
            )
        if body.number is not None:
            user = state.user(body.number)
            if user is None:
                raise ApiError(404, "no_such_user", f"There is no internal subscriber {body.number}.")
            name, phone, email = user.name, None, getattr(user, "email", None)
        else:
            if body.phone is None:
                raise ApiError(400, "phone_missing", "An external participant needs a phone number; add phone.")
            name, phone, email = " ".join(str(body.name).split()), body.phone, body.email

        def check(conf: Conference) -> None:
            for verdict in (
                rules.check_moderator(conf.rule_view(), me),
                rules.check_add(conf.rule_view(), body.number),
            ):
                if not verdict.ok:
                    raise ConferenceError(verdict)

        try:
            member = state.add_member(conf_id, check, number=body.number, name=name, phone=phone, email=email)
        except ConferenceError as exc:
            raise refused(exc) from None
        return member_view(mine(conf_id, me), member, me, True)

    def member_of(conf: Conference, member_id: int) -> ConferenceMember:
        member = conf.member(member_id)
        if member is None:
            raise ApiError(404, "no_such_participant", f"Conference {conf.id} has no participant {member_id}.")
        return member

    @api.delete(
        "/api/v1/conferences/{conf_id}/participants/{member_id}",
        response_model=m.MessageReply,
        responses=error_responses(401, 404, 409, 503),
    )
    async def remove(conf_id: ConfId, member_id: MemberId, session: UserSession) -> m.MessageReply:
        """Remove a participant: it leaves the list and, if connected, the call (000:1528-1529)."""
        me = owner(session)
        conf = mine(conf_id, me)
        member = member_of(conf, member_id)

        def check(conf: Conference) -> None:
            for verdict in (
                rules.check_moderator(conf.rule_view(), me),
                rules.check_remove(conf.rule_view(), member_id),
            ):
                if not verdict.ok:
                    raise ConferenceError(verdict)

        try:
            check(conf)  # before the call core is asked; the state checks again as it removes
            await cutting(conf_id, member_id, [member], lambda: state.remove_member(conf_id, member_id, check))
        except ConferenceError as exc:
            raise refused(exc) from None
        return m.MessageReply(message=f"{member.name} removed from the conference.")

    @api.post(
        "/api/v1/conferences/{conf_id}/participants/{member_id}/disconnect",
        response_model=m.MessageReply,
        responses=error_responses(401, 404, 409, 503),
    )
    async def disconnect(conf_id: ConfId, member_id: MemberId, session: UserSession) -> m.MessageReply:
        """Cut a participant's call; it stays listed and may dial in again (000:1527-1528, 000:1672-1679)."""
        me = owner(session)
        conf = mine(conf_id, me)
        member = member_of(conf, member_id)
        refuse_conf(rules.check_moderator(conf.rule_view(), me))
        if member.state is rules.ParticipantState.INACTIVE:
            raise ApiError(409, "not_connected", f"{member.name} is not connected to the conference.")
        await cutting(conf_id, member_id, [member], lambda: None)
        return m.MessageReply(message=f"{member.name} disconnected; they may dial in again.")

    @api.put(
        "/api/v1/conferences/{conf_id}/participants/{member_id}/moderator",
        response_model=ParticipantView,
        responses=error_responses(400, 401, 404, 409, 422),
    )
    def moderator(conf_id: ConfId, member_id: MemberId, body: ModeratorChange, session: UserSession) -> ParticipantView:
        """Set or reset moderator status (000:1587-1599)."""
        me = owner(session)
        member = member_of(mine(conf_id, me), member_id)

        def check(conf: Conference) -> None:
            verdicts = [rules.check_moderator(conf.rule_view(), me)]
            if body.moderator:
                verdicts.append(rules.check_set_moderator(member.rule_view(), licensed(member.number)))
            else:
                verdicts.append(rules.check_reset_moderator(conf.rule_view(), member_id))
            for verdict in verdicts:
                if not verdict.ok:
                    raise ConferenceError(verdict)

        try:
            changed = state.set_moderator(conf_id, member_id, body.moderator, check)
        except ConferenceError as exc:
            raise refused(exc) from None
        except StateError as exc:
            raise ApiError(404, "no_such_participant", str(exc)) from None
        return member_view(mine(conf_id, me), changed, me, True)

    @api.get(
        "/api/v1/conferences/{conf_id}/invitation", response_model=InvitationView, responses=error_responses(401, 404)
    )
    def invitation(
        conf_id: ConfId,
        session: UserSession,
        participant: Annotated[int | None, Query(ge=1, le=2**62, description="invite this one (adds its PIN)")] = None,
    ) -> InvitationView:
        """The predefined invitation text (000:1556-1566, 000:1605-1612): to all, only the guest
        PIN (if allowed) and the dial-in number; to one participant, also its personal PIN."""
        me = owner(session)
        conf = mine(conf_id, me)
        refuse_conf(rules.check_moderator(conf.rule_view(), me))
        guest_pin = conf.guest_pin if conf.guest_allowed else None
        if participant is None:
            to = [p.email for p in conf.members if p.email and not p.guest]
            text = rules.invitation(
                name=conf.name,
                dial_in=dial_in(),
                guest_pin=guest_pin,
                personal_pin=None,
                system=state.config.system.name,
            )
            return InvitationView(to=to, text=text)
        member = member_of(conf, participant)
        text = rules.invitation(
            name=conf.name,
            dial_in=dial_in(),
            guest_pin=guest_pin,
            personal_pin=member.pin,
            system=state.config.system.name,
        )
        return InvitationView(to=[member.email] if member.email else [], text=text)

    return api
