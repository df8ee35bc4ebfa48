"""The user's own contact data through the UC API: UC-ME-1 (000:1718-1733), REL-CONTACT-DATA.

"Edit the Mobile Phone Number, Home/External phone number and My Email Address fields if
required. Phone numbers should be entered in canonical format (e.g., +49891234567)."
(000:1733) "The contact data you specify is made available to other subscribers in
directories and favorites, for example." (000:1726) Anna (200) has the mobile number and
e-mail address her administrator entered (office.yaml); Ben (201) is the other subscriber.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import DirectoryHit, UcApi, UcApiError

from .conftest import Target
from .oracles import OWN_CONTACT_DATA
from .verdicts import refusal

ANNA = "200"
ADMINS_MOBILE, ADMINS_EMAIL = "+4917000000200", "anna.adler@osbiz.lab"
"""what the administrator entered for Anna (simulators/uc/examples/office.yaml)"""


def phones(hit: DirectoryHit) -> dict[str, str]:
    return {p.kind: p.number for p in hit.phones}


async def anna_as_ben_sees_her(ben: UcApi) -> tuple[DirectoryHit, DirectoryHit]:
    """Anna's entry in Ben's internal directory search and in Ben's favourites."""
    found = [h for h in (await ben.search("Anna")).hits if h.id == ANNA]
    assert len(found) == 1, f"Ben's search for Anna found {found}"
    group = (await ben.favorites()).group("Team") or await ben.create_group("Team")
    if not group.entries:
        await ben.add_favorite(group.id, "internal", ANNA)
    team = (await ben.favorites()).group("Team")
    assert team is not None and [e.contact.id for e in team.entries] == [ANNA]
    return found[0], team.entries[0].contact


@pytest.mark.clause(
    "UC-ME-1/fields", "UC-ME-1/visible-to-others", "UC-ME-1/personal-preferences", "UC-ME-1/own-email", how="api"
)
@pytest.mark.by_release("REL-CONTACT-DATA/from-v3", "REL-CONTACT-DATA/before", table=OWN_CONTACT_DATA)
@pytest.mark.lab_choice("LAB-OWN-CONTACT", "LAB-MESSAGES")
async def test_own_data_reaches_directories_and_favourites(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    target = uc_target("office")
    anna, ben = await target.logged_in(ANNA), await target.logged_in("201")
    if not OWN_CONTACT_DATA[target.release]:
        with pytest.raises(UcApiError) as refused:
            await anna.change_own_contact(mobile="+49891234567")
        refusal(
            refused.value,
            choices,
            status=403,
            code="not_offered",
            message=f"myPortal @work {target.release} has no own contact data; your administrator enters your "
            "mobile number and e-mail address.",
        )
        return
    before = await anna.own_contact()
    choices.equal(
        "LAB-OWN-CONTACT",
        (before.mobile, before.home, before.email, before.set_by_you),
        (ADMINS_MOBILE, None, ADMINS_EMAIL, []),
        "the administrator's values until Anna edits hers",
    )
    assert (before.number, before.name) == (ANNA, "Anna Adler")
    mine = await anna.change_own_contact(mobile="+4917012345678", home="+49891234567", email="anna@home.example")
    assert (mine.mobile, mine.home, mine.email) == ("+4917012345678", "+49891234567", "anna@home.example")
    for where, hit in zip(("search", "favourites"), await anna_as_ben_sees_her(ben), strict=True):
        assert phones(hit) == {"internal": ANNA, "private": "+49891234567", "mobile": "+4917012345678"}, where
        assert hit.email == "anna@home.example", where
    # an empty value deletes the field (CrUD, 002:136); the others stay
    cleared = await anna.change_own_contact(mobile="")
    assert (cleared.mobile, cleared.home, cleared.email) == (None, "+49891234567", "anna@home.example")
    choices.equal("LAB-OWN-CONTACT", cleared.set_by_you, ["mobile", "home", "email"], "deleted counts as set")
    for where, hit in zip(("search", "favourites"), await anna_as_ben_sees_her(ben), strict=True):
        assert phones(hit) == {"internal": ANNA, "private": "+49891234567"}, where
    assert (await anna.own_contact()).mobile is None


@pytest.mark.clause("UC-ME-1/canonical", how="api")
@pytest.mark.lab_choice("LAB-OWN-CONTACT", "LAB-MESSAGES")
@pytest.mark.parametrize("mode", ["office", "office_suite"])
async def test_canonical_recommended_other_characters_refused(
    uc_target: Callable[..., Target], mode: str, choices: ChoiceChecks
) -> None:
    """ "should be entered in canonical format": a canonical number and a dialable one are both
    taken as entered; letters are no phone number and are refused naming the field."""
    target = uc_target(mode)
    anna = await target.logged_in(ANNA)
    if not OWN_CONTACT_DATA[target.release]:
        pytest.skip(f"{target.release} has no own contact data (REL-CONTACT-DATA)")
    admins = await anna.own_contact()
    assert (await anna.change_own_contact(home="+49891234567")).home == "+49891234567"
    choices.equal("LAB-OWN-CONTACT", (await anna.change_own_contact(home="089 1234567")).home, "089 1234567")
    with pytest.raises(UcApiError) as refused:
        await anna.change_own_contact(mobile="0170 CALL ME", email="anna at home")
    refusal(
        refused.value,
        choices,
        status=400,
        code="contact_rules",
        violations=("mobile_invalid", "email_invalid"),
        message="The mobile phone number '0170 CALL ME' is not a phone number: use digits, blanks and + ( ) / - : ; "
        "only (at most 32 characters), e.g. +49 89 7007-98765. The e-mail address 'anna at home' is not valid; "
        "write it as name@example.com.",
    )
    after = await anna.own_contact()
    assert (after.mobile, after.home, after.email) == (admins.mobile, "089 1234567", admins.email), "nothing stored"


@pytest.mark.clause("UC-ME-1/fields", how="api")
@pytest.mark.lab_choice("LAB-OWN-CONTACT", "LAB-MESSAGES")
async def test_name_and_number_are_the_administrators(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """000:1733 lists the three fields the user edits; the name and the internal number are not among them."""
    target = uc_target("office")
    anna = await target.logged_in(ANNA)
    if not OWN_CONTACT_DATA[target.release]:
        pytest.skip(f"{target.release} has no own contact data (REL-CONTACT-DATA)")
    with pytest.raises(UcApiError) as refused:
        await anna.change_own_contact(name="Anna Schmidt", mobile="+4917012345678")
    refusal(
        refused.value,
        choices,
        status=422,
        code="invalid_request",
        message="Invalid request: body: name cannot be changed: your name and internal number are set by your "
        "administrator; change mobile, home or email.",
    )
    with pytest.raises(UcApiError) as empty:
        await anna.change_own_contact()
    refusal(
        empty.value,
        choices,
        status=400,
        code="nothing_to_change",
        message="Give at least one of mobile, home and email; an empty value deletes it.",
    )
    now = await anna.own_contact()
    assert (now.name, now.mobile) == ("Anna Adler", ADMINS_MOBILE), "nothing stored"
