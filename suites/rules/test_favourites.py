"""Favorites through the UC API: UC-FAV-1 (000:805-885).

"The Favorites manages contacts in groups" (000:809); a contact found in a directory is added
to an existing group or to a new one (000:839-844), deleted from its group (000:853-861); a
group is renamed (000:863-870) and deleted, "only available with the UC Smart solution. In
the UC Suite mode, favorite groups can be deleted with another UC Suite client" (000:883).
Internal subscribers in the favorites show their presence (000:811).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import GROUP_DELETE_BY_OTHER_CLIENT, group_exists
from .verdicts import MESSAGES, refusal

USER = "200"


async def _refused(call: object) -> UcApiError:
    with pytest.raises(UcApiError) as refused:
        await call  # type: ignore[misc]
    return refused.value


async def _contacts(api: UcApi) -> dict[str, tuple[str, str]]:
    """(directory, id) of one entry of each directory, found by searching as a user does."""
    pal = await api.add_contact("Pal Privat") if (await api.directories())[0].editable else None
    found = {
        "internal": (await api.search("Ben")).hits[0],
        "system": (await api.search("Pizz")).hits[0],
        "global": (await api.search("Jürgen")).hits[0],
    }
    out = {k: (h.directory, h.id) for k, h in found.items()}
    if pal is not None:
        out["personal"] = ("personal", pal.id)
    return out


@pytest.mark.clause("UC-FAV-1/groups", "UC-FAV-1/add", "UC-FAV-1/remove-rename", "UC-FAV-1/presence", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize("config", ["office", "office_suite"])
async def test_groups_add_remove_rename(uc_target: Callable[..., Target], config: str, choices: ChoiceChecks) -> None:
    """Add contacts of every directory to a new group, remove one, rename the group (both modes)."""
    target = uc_target(config)
    api = await target.logged_in(USER)
    contacts = await _contacts(api)
    team = await api.create_group("Team")
    assert (team.name, team.entries) == ("Team", [])
    added = [await api.add_favorite(team.id, d, i) for d, i in contacts.values()]
    group = (await api.favorites()).group("Team")
    assert group is not None
    assert [(e.contact.directory, e.contact.id) for e in group.entries] == list(contacts.values())
    ben = group.entries[0].contact
    assert ben.presence is not None and ben.presence.status == "office", "000:811: with presence status"
    assert all(e.contact.presence is None for e in group.entries[1:])

    choices.equal(
        MESSAGES,
        await api.remove_favorite(team.id, added[0].favorite_id),
        f"{added[0].contact.name} has been deleted from Team.",
    )
    renamed = await api.rename_group(team.id, "Colleagues")
    assert renamed.name == "Colleagues" and [e.favorite_id for e in renamed.entries] == [
        a.favorite_id for a in added[1:]
    ]
    assert [g.name for g in (await api.favorites()).groups] == ["Colleagues"]


@pytest.mark.lab_choice("LAB-FIELD-LIMITS", "LAB-MESSAGES")
@pytest.mark.rule("UC-FAV-1")
async def test_what_favorites_refuse(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    target = uc_target("office")
    api = await target.logged_in(USER)
    team = await api.create_group("Team")
    family = await api.create_group("Family")
    ben = await api.add_favorite(team.id, "internal", "201")
    again = await _refused(api.add_favorite(team.id, "internal", "201"))
    refusal(
        again,
        choices,
        status=409,
        code="already_in_group",
        message="Ben Brandt is already in the favorites group Team.",
    )
    assert (await api.add_favorite(family.id, "internal", "201")).contact.id == "201", (
        "several groups may hold one contact"
    )
    clash = await _refused(api.create_group("team"))
    refusal(clash, choices, status=409, message=group_exists("Team"))
    rename_clash = await _refused(api.rename_group(family.id, "TEAM "))
    refusal(rename_clash, choices, status=409, message=group_exists("Team"))
    assert (await api.rename_group(team.id, "TEAM")).name == "TEAM", "a group may change the case of its own name"
    empty = await _refused(api.create_group("   "))
    refusal(empty, choices, status=400, message="Enter a name for the favorites group.")
    long = await _refused(api.create_group("x" * 41))
    choices.equal(MESSAGES, long.message, "The group name has 41 characters; at most 40 are allowed.")
    assert (await api.create_group("x" * 40)).name == "x" * 40
    missing = await _refused(api.add_favorite(team.id, "internal", "999"))
    refusal(
        missing,
        choices,
        status=404,
        message="There is no entry 999 in the internal directory; search for the contact and use the id of the result.",
    )
    not_mine = await _refused((await target.logged_in("201")).remove_favorite(team.id, ben.favorite_id))
    refusal(not_mine, choices, status=404, message=f"You have no favorites group {team.id}.")
    gone = await _refused(api.remove_favorite(family.id, ben.favorite_id))
    refusal(gone, choices, status=404, message=f"The favorites group Family has no entry {ben.favorite_id}.")


@pytest.mark.clause("UC-FAV-1/delete-group", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize("config", ["office", "office_suite"])
async def test_delete_a_group_in_uc_smart_only(
    uc_target: Callable[..., Target], config: str, choices: ChoiceChecks
) -> None:
    """Delete group: UC Smart only; in UC Suite mode another UC Suite client deletes it (000:883)."""
    target = uc_target(config)
    api = await target.logged_in(USER)
    group = await api.create_group("Old")
    await api.add_favorite(group.id, "internal", "201")
    if target.mode == "smart":
        choices.equal(MESSAGES, await api.delete_group(group.id), "The favorites group Old has been deleted.")
        assert (await api.favorites()).groups == []
        return
    refused = await _refused(api.delete_group(group.id))
    refusal(refused, choices, status=403, code="group_delete_by_other_client", message=GROUP_DELETE_BY_OTHER_CLIENT)
    assert [g.name for g in (await api.favorites()).groups] == ["Old"], "nothing was deleted"
    desktop = await target.logged_in(USER, client="myportal_for_desktop")
    choices.equal(MESSAGES, await desktop.delete_group(group.id), "The favorites group Old has been deleted.")
    assert (await api.favorites()).groups == []


@pytest.mark.rule("UC-FAV-1", "UC-DIR-1")
async def test_a_deleted_contact_leaves_the_favorites(uc_target: Callable[..., Target]) -> None:
    target = uc_target("office")
    api = await target.logged_in(USER)
    pal = await api.add_contact("Pal Privat")
    group = await api.create_group("Friends")
    await api.add_favorite(group.id, "personal", pal.id)
    await api.add_favorite(group.id, "internal", "201")
    await api.delete_contact(pal.id)
    remaining = (await api.favorites()).group("Friends")
    assert remaining is not None and [e.contact.name for e in remaining.entries] == ["Ben Brandt"]
