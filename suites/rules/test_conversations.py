"""Conversations through the UC API: instant messages, unread events, deleting, saving an
entry as a contact (UC-IM-1, UC-CONV-2, UC-CONV-4, UC-CONV-5, REL-CONV-DELETE; 000:887-1006).

"Enter your message in the respective field on the details view. Click on Send." (000:985-986)
in UC Smart mode (000:978) to a contact "able to receive instant messages" (000:976); the
message is an event of the conversation (000:896). "If you have unread events a green counter
is shown in the entry" (000:900); "When the conversations are selected, the notifications are
marked as read" (000:415). "Delete all conversations" (000:942), "Delete this conversation"
(000:953), "Delete this entry" (000:965), "if you are logged in with the same account"
(000:945): a second session of the same user is the other client. It sees every change on
its next read; the UC API has no push channel, so "live updated" (UC-CONV-3) is not shown.
"Complete the data as needed in the Add Personal Contact pop-up window and click OK. The
contact is saved in the personal contacts." (000:925), in UC Smart mode (000:918).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import PERSONAL_BY_OTHER_CLIENT
from .oracles import SUITE_CONV_DELETE
from .verdicts import MESSAGES, refusal

ANNA, BEN, CLARA = "200", "201", "202"


async def unread_of(api: UcApi) -> dict[str, int]:
    return {c.party: c.unread for c in (await api.conversation_list()).conversations}


@pytest.mark.clause(
    "UC-IM-1/send-from-conversations", "UC-IM-1/in-conversation", "UC-CONV-4/unread-counter", "UC-CONV-4/counts",
    "UC-CONV-4/marked-read", how="api",
)  # fmt: skip
@pytest.mark.lab_choice("LAB-UNREAD")
async def test_a_message_is_unread_for_the_recipient_until_selected(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """Anna writes Ben twice and Clara once; Ben's conversation with Anna counts 2 unread, his
    other session sees the same; once he selects the conversations both sessions read 0.
    Anna's own messages are never unread for her (LAB-UNREAD)."""
    target = uc_target("office")
    anna = await target.logged_in(ANNA)
    ben, ben_again = await target.logged_in(BEN), await target.logged_in(BEN)
    sent = await anna.send_message(BEN, "  Lunch at 12?  ")
    assert (sent.kind, sent.direction, sent.text, sent.unread) == ("chat", "out", "Lunch at 12?", False)
    await anna.send_message(BEN, "Or at 1")
    await anna.send_message(CLARA, "Hi Clara")
    listed = await ben.conversation_list()
    (with_anna,) = listed.conversations
    assert with_anna.party == ANNA and [e.text for e in with_anna.entries] == ["Or at 1", "Lunch at 12?"]
    assert all((e.kind, e.direction) == ("chat", "in") for e in with_anna.entries)
    choices.equal("LAB-UNREAD", with_anna.unread, 2, "Ben's unread messages from Anna")
    assert with_anna.unread > 0 and listed.unread_conversations == 1
    assert await unread_of(ben_again) == {ANNA: with_anna.unread}, "the other session of the same account"
    choices.equal("LAB-UNREAD", await unread_of(anna), {BEN: 0, CLARA: 0}, "the sender's own messages")
    await ben.mark_conversations_read()
    assert await unread_of(ben) == {ANNA: 0} and await unread_of(ben_again) == {ANNA: 0}
    assert (await ben_again.conversation_list()).unread_conversations == 0
    assert await unread_of(await target.logged_in(CLARA)) == {ANNA: 1}, "Clara has not selected hers"


@pytest.mark.clause("UC-IM-1/recipient-able", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize(
    ("to", "why"), [(ANNA, "oneself"), ("299", "no such number"), ("100", "a desk phone, no UC user")], ids=str
)
async def test_only_a_user_able_to_receive_gets_a_message(
    uc_target: Callable[..., Target], to: str, why: str, choices: ChoiceChecks
) -> None:
    """000:976: the contact must be able to receive instant messages: another UC user (the
    office's 100 is a desk phone without a user of its own)."""
    target = uc_target("office")
    anna = await target.logged_in(ANNA)
    with pytest.raises(UcApiError) as refused:
        await anna.send_message(to, "hello")
    refusal(
        refused.value, choices, status=400, code="recipient_cannot_receive",
        message=f"{to} cannot receive instant messages.", what=why,
    )  # fmt: skip
    assert await anna.conversations() == [], "nothing was sent"


@pytest.mark.clause("UC-IM-1/smart-only", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_instant_messages_are_uc_smart_only(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """000:978: UC Smart mode."""
    target = uc_target("office_suite")
    anna = await target.logged_in(ANNA)
    with pytest.raises(UcApiError) as refused:
        await anna.send_message(BEN, "hello")
    refusal(
        refused.value, choices, status=403, code="im_uc_smart_only",
        message="Instant messages are only available in UC Smart mode.",
    )  # fmt: skip


@pytest.mark.clause(
    "UC-CONV-2/delete-entry", "UC-CONV-2/delete-conversation", "UC-CONV-2/delete-all", "UC-CONV-2/same-account",
    how="api",
)  # fmt: skip
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_deleting_an_entry_a_conversation_all(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """Ben deletes one entry, then his conversation with Anna, then all; after each step his
    second session no longer lists what was deleted on its next read, and Anna keeps hers."""
    target = uc_target("office")
    anna, clara = await target.logged_in(ANNA), await target.logged_in(CLARA)
    ben, ben_again = await target.logged_in(BEN), await target.logged_in(BEN)
    for text in ("one", "two"):
        await anna.send_message(BEN, text)
    await clara.send_message(BEN, "three")
    await ben.send_message(ANNA, "four")
    with_anna = next(c for c in await ben.conversations() if c.party == ANNA)
    assert [e.text for e in with_anna.entries] == ["four", "two", "one"]
    gone = with_anna.entries[1]
    choices.equal(MESSAGES, (await ben_again.delete_conversation_entry(gone.id)).message, "Deleted 1 entry.")
    after = {c.party: [e.text for e in c.entries] for c in await ben.conversations()}
    assert after == {ANNA: ["four", "one"], CLARA: ["three"]}, "the other session's entry is gone"
    assert (await ben.delete_conversation(ANNA)).deleted == 2
    assert [c.party for c in await ben_again.conversations()] == [CLARA]
    assert (await ben_again.delete_conversations()).deleted == 1
    assert await ben.conversations() == [] and await ben_again.conversations() == []
    kept = next(c for c in await anna.conversations() if c.party == BEN)
    assert [e.text for e in kept.entries] == ["four", "two", "one"], "Anna's conversation is hers"
    with pytest.raises(UcApiError) as none:
        await ben.delete_conversation_entry(kept.entries[0].id)
    refusal(none.value, choices, status=404, code="conversation_not_found", what="Anna's entry, by Ben")


@pytest.mark.by_release("REL-CONV-DELETE/suite-from-v3", "REL-CONV-DELETE/smart-only-v2r7", table=SUITE_CONV_DELETE)
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_deleting_in_uc_suite_by_release(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """UC Suite deletes conversations from V3 (002:141-149, 003:47-48); V2R7's deleting is UC
    Smart's (002:187-191, 003:1097-1099)."""
    target = uc_target("office_suite")
    anna = await target.logged_in(ANNA)
    if SUITE_CONV_DELETE[target.release]:
        assert (await anna.delete_conversations()).deleted == 0
        return
    with pytest.raises(UcApiError) as refused:
        await anna.delete_conversations()
    refusal(refused.value, choices, status=403, code="conversations_delete_not_available")


@pytest.mark.clause("UC-CONV-5/save-entry", how="api")
async def test_an_entry_saved_as_a_personal_contact(uc_target: Callable[..., Target]) -> None:
    """Ben saves Anna's message entry as a contact, completing the name and a mobile number:
    his personal contacts then hold it with Anna's number; another entry, completed with a
    business number of its own, keeps that number."""
    target = uc_target("office")
    anna, ben = await target.logged_in(ANNA), await target.logged_in(BEN)
    await anna.send_message(BEN, "Call me back")
    ((entry,),) = [c.entries for c in await ben.conversations()]
    saved = await ben.save_entry_as_contact(entry.id, "Anna from accounts", mobile="+49 170 1234567")
    assert (saved.name, saved.business, saved.mobile) == ("Anna from accounts", ANNA, "+49 170 1234567")
    other = await ben.save_entry_as_contact(entry.id, "Anna at home", business="+49 89 7007-200")
    assert other.business == "+49 89 7007-200"
    listed = {(c.name, c.business) for c in (await ben.contacts()).contacts}
    assert listed == {("Anna from accounts", ANNA), ("Anna at home", "+49 89 7007-200")}
    assert (await anna.contacts()).contacts == [], "Anna's contacts are untouched"


@pytest.mark.clause("UC-CONV-5/smart-only", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_saving_an_entry_is_uc_smart_only(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """000:918: UC Smart mode; in UC Suite personal contacts are another client's (000:522)."""
    target = uc_target("office_suite")
    ben = await target.logged_in(BEN)
    with pytest.raises(UcApiError) as refused:
        await ben.save_entry_as_contact(1, "Anna")
    refusal(refused.value, choices, status=403, code="personal_by_other_client", message=PERSONAL_BY_OTHER_CLIENT)


@pytest.mark.lab_choice("LAB-FIELD-LIMITS", "LAB-MESSAGES")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" \n ", "The message is empty; write something to send."),
        ("x" * 2001, "The message has 2001 characters; at most 2000 can be sent."),
        ("a\x00b", "The message contains control characters; only text, line breaks and tabs can be sent."),
    ],
    ids=["empty", "2001-characters", "control-character"],
)
async def test_message_text_limits(
    uc_target: Callable[..., Target], text: str, message: str, choices: ChoiceChecks
) -> None:
    """The documents bound no message; the lab takes 1-2000 characters after trimming, line
    breaks but no other control characters (LAB-FIELD-LIMITS); 2000 characters are sent."""
    target = uc_target("office")
    anna = await target.logged_in(ANNA)
    choices.check("LAB-FIELD-LIMITS", (await anna.send_message(BEN, "y" * 2000 + "\n ")).text == "y" * 2000)
    with pytest.raises(UcApiError) as refused:
        await anna.send_message(BEN, text)
    refusal(refused.value, choices, status=400, code="message_text", message=message)
    ((entry,),) = [c.entries for c in await anna.conversations()]
    choices.check("LAB-FIELD-LIMITS", entry.text == "y" * 2000, "only the 2000-character message was sent")
