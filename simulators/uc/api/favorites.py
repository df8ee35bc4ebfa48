"""The UC API's favorites (UC-FAV-1, 000:805-885): groups of directory entries.

GET    /api/v1/favorites                                   your groups and their entries
POST   /api/v1/favorites/groups                            a new group (000:844)
PUT    /api/v1/favorites/groups/{id}                       rename it (000:863-870)
DELETE /api/v1/favorites/groups/{id}                       delete it: UC Smart only (000:872-883)
POST   /api/v1/favorites/groups/{id}/entries               add a directory entry (000:835-845)
DELETE /api/v1/favorites/groups/{id}/entries/{favorite}    remove it (000:853-861)
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from ..rules import favorites as fav
from ..rules.directories import check_directory
from ..state.core import Session, State
from ..state.directory import FavoriteEntry, FavoriteGroup
from . import models as m
from .access import Access, owner
from .directory import hits
from .errors import ApiError, error_responses, refuse_unless

GroupId = Annotated[int, Path(ge=1, le=2**62, description="the id of a favorites group")]
FavoriteId = Annotated[int, Path(ge=1, le=2**62, description="the id of a favorites entry")]


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["favorites"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def entry_view(e: FavoriteEntry) -> m.FavoriteView:
        return m.FavoriteView(favorite_id=e.id, contact=hits(state, [e.listing], state.now())[0], added_at=e.added_at)

    def group_view(g: FavoriteGroup) -> m.FavoriteGroupView:
        return m.FavoriteGroupView(id=g.id, name=g.name, entries=[entry_view(e) for e in g.entries])

    def group_of(number: str, group_id: int) -> FavoriteGroup:
        group = state.favorite_group(number, group_id)
        if group is None:
            raise ApiError(404, "no_such_group", f"You have no favorites group {group_id}.")
        return group

    def name_check(name: str, *, new: bool) -> Callable[[list[str]], None]:
        def check(others: list[str]) -> None:
            verdict = fav.check_new_group(name, others) if new else fav.check_group_name(name, others)
            conflict = verdict.codes in (("group_exists",), ("too_many_groups",))
            refuse_unless(verdict, 409 if conflict else 400, "favorites_rules")

        return check

    @api.get("/api/v1/favorites", response_model=m.Favorites, responses=error_responses(401))
    def favorites(session: UserSession) -> m.Favorites:
        """Your favorites in groups, internal subscribers with their presence (000:809-811)."""
        return m.Favorites(groups=[group_view(g) for g in state.favorite_groups(owner(session))])

    @api.post(
        "/api/v1/favorites/groups",
        response_model=m.FavoriteGroupView,
        status_code=201,
        responses=error_responses(400, 401, 409, 422),
    )
    def create_group(body: m.GroupName, session: UserSession) -> m.FavoriteGroupView:
        """A new favorites group, named in the step that adds a contact (000:844)."""
        name = fav.group_name(body.name)
        return group_view(state.create_favorite_group(owner(session), name, state.now(), name_check(name, new=True)))

    @api.put(
        "/api/v1/favorites/groups/{group_id}",
        response_model=m.FavoriteGroupView,
        responses=error_responses(400, 401, 404, 409, 422),
    )
    def rename_group(group_id: GroupId, body: m.GroupName, session: UserSession) -> m.FavoriteGroupView:
        """Rename a favorites group (000:863-870)."""
        name = fav.group_name(body.name)
        group = state.rename_favorite_group(owner(session), group_id, name, name_check(name, new=False))
        if group is None:
            raise ApiError(404, "no_such_group", f"You have no favorites group {group_id}.")
        return group_view(group)

    @api.delete(
        "/api/v1/favorites/groups/{group_id}", response_model=m.MessageReply, responses=error_responses(401, 404)
    )
    def delete_group(group_id: GroupId, session: UserSession) -> m.MessageReply:
        """Delete a favorites group with its entries: UC Smart only (000:883)."""
        number = owner(session)
        group = group_of(number, group_id)
        refuse_unless(fav.check_delete_group(state.mode, session.client), 403, "group_delete_by_other_client")
        state.delete_favorite_group(number, group_id)
        return m.MessageReply(message=f"The favorites group {group.name} has been deleted.")

    @api.post(
        "/api/v1/favorites/groups/{group_id}/entries",
        response_model=m.FavoriteView,
        status_code=201,
        responses=error_responses(400, 401, 404, 409, 422),
    )
    def add_favorite(group_id: GroupId, body: m.FavoriteAdd, session: UserSession) -> m.FavoriteView:
        """Add a contact found in a directory to a group (000:835-845)."""
        number = owner(session)
        group = group_of(number, group_id)
        refuse_unless(check_directory(body.directory, state.mode), 400, "favorites_rules")
        listing = state.listing(number, body.directory, body.contact_id)
        if listing is None:
            raise ApiError(
                404,
                "no_such_contact",
                f"There is no entry {body.contact_id} in the {body.directory.value} directory; search for the contact "
                "and use the id of the result.",
            )
        entry = state.add_favorite(number, group_id, listing, state.now())
        if entry is None:
            raise ApiError(409, "already_in_group", f"{listing.name} is already in the favorites group {group.name}.")
        return entry_view(entry)

    @api.delete(
        "/api/v1/favorites/groups/{group_id}/entries/{favorite_id}",
        response_model=m.MessageReply,
        responses=error_responses(401, 404),
    )
    def remove_favorite(group_id: GroupId, favorite_id: FavoriteId, session: UserSession) -> m.MessageReply:
        """Delete a contact from a favorites group (000:853-861)."""
        number = owner(session)
        group = group_of(number, group_id)
        entry = state.remove_favorite(number, group_id, favorite_id)
        if entry is None:
            raise ApiError(404, "no_such_favorite", f"The favorites group {group.name} has no entry {favorite_id}.")
        return m.MessageReply(message=f"{entry.listing.name} has been deleted from {group.name}.")

    return api
