"""The list of one's conferences, renaming and deleting through the UC API: UC-CONF-7,
UC-CONF-3 (000:1611-1634, 000:1700-1710).

"All conferences, in which you are a conference participant, are displayed on the list view."
"Conferences in which you are a moderator are marked with a green star." (000:1616-1617)
"Click on the desired conference to display the data and the participants of the conference
in the details view." "Moderators are marked with a green star." (000:1619-1621) Ben (201,
conference licence) moderates two conferences; Anna (200) takes part in one; Clara (202) in
none. Which conference is active (on top, 000:1616) needs someone dialled in: that is
suites/telephony/test_conference_media.py's.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.conference import Conferences
from simulators.phone.ucapi import UcApiError

from .conftest import Target
from .verdicts import refusal


def listed(conferences: list[dict[str, object]]) -> dict[object, object]:
    """name: whether the viewer is marked moderator"""
    return {c["name"]: c["moderator"] for c in conferences}


@pytest.mark.clause(
    "UC-CONF-7/all-mine",
    "UC-CONF-7/moderated-marked",
    "UC-CONF-7/details",
    "UC-CONF-7/moderators-marked",
    "UC-CONF-3/rename-by-moderator",
    "UC-CONF-3/delete",
    how="api",
)
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_ones_conferences_renamed_and_deleted_by_the_moderator(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    target = uc_target("office")
    ben = Conferences(await target.logged_in("201"))
    anna = Conferences(await target.logged_in("200"))
    clara = Conferences(await target.logged_in("202"))
    weekly = await ben.create("Weekly")
    review = await ben.create("Review")
    await ben.add(review["id"], "200")
    assert listed(await ben.list()) == {"Weekly": True, "Review": True}
    assert listed(await anna.list()) == {"Review": False}, "only hers, not moderated"
    assert await clara.list() == []
    details = await anna.get(review["id"])
    assert {p["number"]: p["moderator"] for p in details["participants"]} == {"201": True, "200": False}
    with pytest.raises(UcApiError) as not_hers:
        await clara.get(review["id"])
    refusal(not_hers.value, choices, status=404, code="no_such_conference")
    # rename (000:1626-1634): moderators only; every participant's list shows the new name
    with pytest.raises(UcApiError) as rename:
        await anna.change(review["id"], name="Anna's review")
    refusal(rename.value, choices, status=403, code="conference_rules", violations=("not_moderator",))
    assert (await ben.change(review["id"], name="Design review"))["name"] == "Design review"
    assert listed(await anna.list()) == {"Design review": False}
    # delete (000:1700-1710): moderators only; gone from every list
    with pytest.raises(UcApiError) as delete:
        await anna.delete(review["id"])
    refusal(delete.value, choices, status=403, code="conference_rules", violations=("not_moderator",))
    choices.equal("LAB-MESSAGES", await ben.delete(review["id"]), "Conference 'Design review' deleted.")
    assert await anna.list() == []
    assert listed(await ben.list()) == {"Weekly": True}
    with pytest.raises(UcApiError) as gone:
        await anna.get(review["id"])
    refusal(gone.value, choices, status=404, code="no_such_conference")
    assert weekly["id"] != review["id"]
