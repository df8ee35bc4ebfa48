"""The UC API's directories (UC-DIR-1, REL-SEARCH): search, search-to-call, personal contacts, import.

GET    /api/v1/directories                 the directories you can search
GET    /api/v1/directories/search?q=       search by name or initial letters (000:558-575)
GET    /api/v1/dial/search?q=              call by name: the release's match (000:1144-1152, REL-SEARCH)
GET    /api/v1/contacts                    your personal contacts (with the limit, 000:1948)
POST   /api/v1/contacts                    add one (000:1935-1948)
GET/PUT/DELETE /api/v1/contacts/{id}       show, edit (then "manually added", 000:520), delete (000:586-614)
POST   /api/v1/contacts/import?format=     import a CSV or XML file (000:1950-1963)
POST   /api/v1/conversations/entries/{id}/contact  save a conversation entry as a personal contact
                                           (UC-CONV-5, 000:914-925; UC Smart)
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from ..rules import directories as d
from ..rules.contact_import import FileEncoding, ImportFormat, parse_contacts
from ..state.core import Session, State
from ..state.directory import Listing, PersonalContact
from . import models as m
from .access import Access, owner
from .conversations import EntryId
from .errors import ApiError, error_responses, read_body, refuse_unless
from .presence import others_presence_view

IMPORT_MAX_BYTES = 4 * 1024 * 1024
"""A lab limit: 3000 contacts of a few hundred bytes each fit many times."""

ContactIdPath = Annotated[str, Path(max_length=64, description="the id of the personal contact")]
_DIRECTORY_ORDER = {directory: i for i, directory in enumerate(d.Directory)}


def _phones(entry: Listing) -> list[m.PhoneView]:
    if entry.directory is d.Directory.SYSTEM:
        return [m.PhoneView(kind="speed_dial", number=entry.number or "")]
    kinds: list[tuple[m.PhoneKind, str | None]] = [
        ("internal", entry.number),
        ("business", entry.business),
        ("private", entry.private),
        ("mobile", entry.mobile),
    ]
    return [m.PhoneView(kind=kind, number=number) for kind, number in kinds if number]


def hits(state: State, entries: Iterable[Listing], now: datetime) -> list[m.DirectoryHit]:
    """Directory entries as the client shows them (000:537-556): internal ones with presence."""
    entries = list(entries)
    internal = [e.id for e in entries if e.directory is d.Directory.INTERNAL]
    pictures = state.has_picture(internal) if internal else set()
    return [
        m.DirectoryHit(
            directory=e.directory,
            id=e.id,
            name=e.name,
            phones=_phones(e),
            email=e.email,
            presence=others_presence_view(state, e.id, e.name, now) if e.directory is d.Directory.INTERNAL else None,
            has_picture=e.id in pictures,
        )
        for e in entries
    ]


def contact_view(c: PersonalContact) -> m.PersonalContactView:
    return m.PersonalContactView(
        id=str(c.id), origin=c.origin, created_at=c.created_at, updated_at=c.updated_at, **dataclasses.asdict(c.fields)
    )


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["directories"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def search(number: str, q: str, directory: d.Directory | None, limit: int, how: d.SearchMatch) -> m.SearchReply:
        term, verdict = d.parse_search(q)
        if term is None:
            raise ApiError.refused(400, "search_rules", verdict)
        if directory is not None:
            refuse_unless(d.check_directory(directory, state.mode), 400, "search_rules")
        wanted = d.directories_of(state.mode) if directory is None else (directory,)
        found = sorted(
            (e for e in state.listings(number, wanted) if term.matches(e.name, how)),
            key=lambda e: (d.sort_key(e.name), _DIRECTORY_ORDER[e.directory], e.id),
        )
        return m.SearchReply(
            query=q,
            match=how,
            directory=directory,
            total=len(found),
            hits=hits(state, found[:limit], state.now()),
            truncated=len(found) > limit,
        )

    Q = Annotated[str, Query(max_length=d.SEARCH_MAX_LENGTH, description="a name or its first letters; * at the end")]
    Limit = Annotated[int, Query(ge=1, le=500, description="at most this many hits")]

    @api.get("/api/v1/directories", response_model=list[m.DirectoryInfo], responses=error_responses(401))
    def directories(session: UserSession) -> list[m.DirectoryInfo]:
        """The directories of your mode (000:505-516): the external one in UC Suite only."""
        number = owner(session)
        editable = d.check_manage_personal(state.mode, session.client).ok
        counts: dict[d.Directory, int] = {}
        for e in state.listings(number, d.directories_of(state.mode)):
            counts[e.directory] = counts.get(e.directory, 0) + 1
        return [
            m.DirectoryInfo(
                directory=x,
                label=d.LABELS[x],
                entries=counts.get(x, 0),
                editable=editable and x is d.Directory.PERSONAL,
            )
            for x in d.directories_of(state.mode)
        ]

    @api.get("/api/v1/directories/search", response_model=m.SearchReply, responses=error_responses(400, 401, 422))
    def search_directories(
        q: Q, session: UserSession, directory: d.Directory | None = None, limit: Limit = 50
    ) -> m.SearchReply:
        """Search by name or the initial letters of a name; "*" at the end; German diacritics (000:558-575)."""
        return search(owner(session), q, directory, limit, "starting_with")

    @api.get("/api/v1/dial/search", response_model=m.SearchReply, responses=error_responses(400, 401, 422))
    def search_to_call(q: Q, session: UserSession, limit: Limit = 50) -> m.SearchReply:
        """Call by name: entries starting with (V2R7, V3) or containing (from V3R1) the letters (REL-SEARCH)."""
        return search(owner(session), q, None, limit, state.profile.search_match)

    # ------------------------------------------------------------ personal contacts

    def may_manage(session: Session) -> str:
        refuse_unless(d.check_manage_personal(state.mode, session.client), 403, "personal_by_other_client")
        return owner(session)

    def checked(body: m.ContactData) -> d.ContactFields:
        fields = d.ContactFields(body.name, body.business, body.mobile, body.private, body.email).cleaned()
        refuse_unless(d.check_contact(fields), 400, "contact_rules")
        return fields

    def room(count: int) -> None:
        """Refuse a new personal contact once the mode's limit is reached (000:1948)."""
        refuse_unless(d.check_room(state.mode, count), 409, "personal_contacts_full")

    def no_contact(contact_id: str) -> ApiError:
        return ApiError(404, "no_such_contact", f"You have no personal contact {contact_id}.")

    @api.get("/api/v1/contacts", response_model=m.PersonalContacts, responses=error_responses(401))
    def list_contacts(session: UserSession) -> m.PersonalContacts:
        contacts = state.personal_contacts(owner(session))
        return m.PersonalContacts(
            contacts=[contact_view(c) for c in contacts],
            count=len(contacts),
            limit=d.PERSONAL_LIMIT[state.mode],
        )

    @api.post(
        "/api/v1/contacts",
        response_model=m.PersonalContactView,
        status_code=201,
        responses=error_responses(400, 401, 409, 422),
    )
    def add_contact(body: m.ContactData, session: UserSession) -> m.PersonalContactView:
        """Add a personal contact (000:1935-1948); UC Smart keeps up to 3000."""
        number = may_manage(session)
        fields = checked(body)
        return contact_view(state.add_personal(number, fields, state.now(), room))

    @api.post(
        "/api/v1/conversations/entries/{entry_id}/contact",
        response_model=m.PersonalContactView,
        status_code=201,
        responses=error_responses(400, 401, 404, 409, 422),
    )
    def save_entry(entry_id: EntryId, body: m.ContactData, session: UserSession) -> m.PersonalContactView:
        """Add to Personal Contacts from a conversation entry (000:914-925; UC Smart mode, 000:918):
        the data completed in the window; the business number is the entry's party unless given."""
        number = may_manage(session)
        entry = state.journal_entry(number, entry_id)
        if entry is None:
            raise ApiError(404, "conversation_not_found", f"You have no conversation entry {entry_id}.")
        if body.business is None:
            body = body.model_copy(update={"business": entry.party})
        fields = checked(body)
        return contact_view(state.add_personal(number, fields, state.now(), room))

    @api.get("/api/v1/contacts/{contact_id}", response_model=m.PersonalContactView, responses=error_responses(401, 404))
    def get_contact(contact_id: ContactIdPath, session: UserSession) -> m.PersonalContactView:
        contact = state.personal_contact(owner(session), contact_id)
        if contact is None:
            raise no_contact(contact_id)
        return contact_view(contact)

    @api.put(
        "/api/v1/contacts/{contact_id}",
        response_model=m.PersonalContactView,
        responses=error_responses(400, 401, 404, 422),
    )
    def update_contact(contact_id: ContactIdPath, body: m.ContactData, session: UserSession) -> m.PersonalContactView:
        """Edit a personal contact (000:586-600); an imported one becomes "manually added" (000:520)."""
        number = may_manage(session)
        contact = state.update_personal(number, contact_id, checked(body), state.now())
        if contact is None:
            raise no_contact(contact_id)
        return contact_view(contact)

    @api.delete("/api/v1/contacts/{contact_id}", response_model=m.MessageReply, responses=error_responses(401, 404))
    def delete_contact(contact_id: ContactIdPath, session: UserSession) -> m.MessageReply:
        """Delete a personal contact (000:602-614); it leaves your favorites too."""
        deleted = state.delete_personal(may_manage(session), contact_id)
        if deleted is None:
            raise no_contact(contact_id)
        return m.MessageReply(message=f"The personal contact {deleted.fields.name} has been deleted.")

    def import_file(number: str, data: bytes, fmt: ImportFormat, encoding: FileEncoding) -> m.ImportReply:
        parsed = parse_contacts(data, fmt, encoding)
        if not parsed.ok:
            raise ApiError(400, "import_invalid", parsed.message(fmt.value.upper()), [p.where for p in parsed.problems])

        def room(kept: int, importing: int) -> None:
            refuse_unless(d.check_import_room(state.mode, kept, importing), 409, "personal_contacts_full")

        outcome = state.import_personal(number, parsed.contacts, fmt.value, state.now(), room)
        message = (
            f"Imported {len(parsed.contacts)} contacts: {outcome.added} added, {outcome.updated} updated, "
            f"{outcome.removed} earlier imported removed; {outcome.kept} manually added contacts kept. "
            f"You have {outcome.total} personal contacts."
        )
        return m.ImportReply(message=message, **dataclasses.asdict(outcome))

    @api.post(
        "/api/v1/contacts/import",
        response_model=m.ImportReply,
        responses=error_responses(400, 401, 409, 413, 422),
        openapi_extra={"requestBody": m.binary_body("text/csv", "application/xml", "application/octet-stream")},
    )
    async def import_contacts(
        request: Request,
        session: UserSession,
        format: Annotated[ImportFormat, Query(description="csv or xml (000:1954)")],
        encoding: Annotated[FileEncoding, Query(description="the file's encoding; XML is UTF-8 (000:1961)")] = (
            FileEncoding.UTF8
        ),
    ) -> m.ImportReply:
        """Import personal contacts from a CSV or XML file (000:1950-1963): the file's contacts replace the
        earlier imported ones; manually added or edited contacts stay (000:520). A bad file changes nothing."""
        number = may_manage(session)
        data = await read_body(request, IMPORT_MAX_BYTES, "the contacts file")
        return await run_in_threadpool(import_file, number, data, format, encoding)

    return api
