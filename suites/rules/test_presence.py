"""Presence through the UC API: UC-PRES-1..3, UC-MULAP-1 (DND), REL-CALLME.

Every status of 000:638-649 (and Meeting, 000:709, 003:706) with a return time and an info
text (000:634, 000:711-712); Office without a return time; Do Not Disturb not for a MULAP
(000:649); the visibility settings (000:683-694) as a colleague sees them; the return time
that passes (000:694); CallMe only while the CallMe service is active (000:642), and only
where the release has CallMe (REL-CALLME); status-based forwarding (UC-PRES-2, 000:661-681).
Verdicts are compared with oracles_presence.py; messages are asserted exactly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from simulators.harness import until
from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import PRESENCE_SENTENCES
from .oracles import callme_exists
from .oracles_presence import ABSENT, STATUSES, VISIBILITIES, seen_by_colleague, selectable
from .verdicts import MESSAGES, refusal

USER, COLLEAGUE, MULAP = "200", "201", "210"
CALLME_DESTINATION = "204"
"""a phone at another workplace (000:750), a station in both office configurations: the stub has no trunk"""


async def _refused(call: Awaitable[object]) -> UcApiError:
    with pytest.raises(UcApiError) as refused:
        await call
    return refused.value


async def _now(api: UcApi) -> datetime:
    """The system's clock (it may run faster than real time, GET /api/v1/system)."""
    return (await api.system()).now


@pytest.mark.clause("UC-PRES-1/statuses", "UC-PRES-1/return-time", "UC-PRES-1/info-text", how="api")
@pytest.mark.parametrize("status", ABSENT)
async def test_every_absent_status_with_return_time_and_info_text(
    uc_target: Callable[..., Target], status: str
) -> None:
    """Meeting, Sick, Break, Gone Out, Vacation, Lunch, At Home, DND: each with its return time
    and info text, seen so by a colleague (000:543, 000:634, 000:709-713)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    back = (await _now(api)) + timedelta(days=1, hours=2)
    mine = await api.set_presence(status, return_time=back, info_text=f"{status} until tomorrow")
    assert (mine.status, mine.return_time, mine.return_time_announced, mine.info_text) == (
        status,
        back,
        True,
        f"{status} until tomorrow",
    )
    seen = await (await target.logged_in(COLLEAGUE)).presence_of(USER)
    assert (seen.visible, seen.status, seen.return_time, seen.info_text) == (
        True,
        status,
        back,
        f"{status} until tomorrow",
    )
    without = await api.set_presence(status)
    assert (without.return_time, without.info_text) == (None, ""), "the return time is optional (000:711)"


@pytest.mark.clause("UC-PRES-1/return-time", "UC-PRES-1/info-text", how="api")
@pytest.mark.lab_choice("LAB-FIELD-LIMITS", "LAB-MESSAGES")
async def test_office_has_an_info_text_but_no_return_time(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """ "For every change in the presence status (except for Office)" a return time (000:634);
    Office with an info text (000:721)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    back = (await _now(api)) + timedelta(hours=1)
    refused = await _refused(api.set_presence("office", return_time=back))
    refusal(
        refused,
        choices,
        status=400,
        violations=("office_return_time",),
        message=PRESENCE_SENTENCES["office_return_time"],
    )
    office = await api.set_presence("office", info_text="home office today")
    assert (office.status, office.info_text, office.return_time) == ("office", "home office today", None)
    past = await _refused(api.set_presence("lunch", return_time=(await _now(api)) - timedelta(minutes=1)))
    refusal(past, choices, status=400, violations=("return_time_past",), message=PRESENCE_SENTENCES["return_time_past"])
    # LAB-FIELD-LIMITS: an info text of at most 200 characters (none is documented)
    try:
        long_text: UcApiError | None = None
        await api.set_presence("lunch", info_text="x" * 201)
    except UcApiError as exc:
        long_text = exc
    choices.check("LAB-FIELD-LIMITS", long_text is not None, "an info text of 201 characters was accepted")
    if long_text is not None:
        choices.equal(
            MESSAGES,
            (long_text.status, long_text.message),
            (422, "Invalid request: info_text: too long: at most 200 characters."),
        )
    longest = (await api.set_presence("lunch", info_text="x" * 200)).info_text
    choices.equal("LAB-FIELD-LIMITS", longest, "x" * 200, "an info text of 200 characters")


@pytest.mark.clause("UC-PRES-1/statuses", "UC-PRES-1/callme-only-active", "UC-PRES-1/dnd-not-mulap", how="api")
@pytest.mark.rule("REL-CALLME")
@pytest.mark.parametrize(("config", "number"), [("office", USER), ("office", MULAP), ("office_suite", USER)])
async def test_the_statuses_offered(uc_target: Callable[..., Target], config: str, number: str) -> None:
    """The presence menu: CallMe only while active (000:642), no DND for a MULAP (000:649); every
    offered status is accepted, every other one refused."""
    target = uc_target(config)
    api = await target.logged_in(number)
    expected = selectable(target.mode, target.release, callme_active=False, mulap=number == MULAP)
    assert (await api.presence_options()).statuses == expected
    for status in STATUSES:
        if status in expected:
            assert (await api.set_presence(status)).status == status
        else:
            assert 400 <= (await _refused(api.set_presence(status))).status < 500, status


@pytest.mark.clause("UC-MULAP-1/no-dnd", "UC-PRES-1/dnd-not-mulap", "UC-PRES-2/every-but-dnd", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_do_not_disturb_not_for_a_mulap(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """ "Do Not Disturb: Absent (not available in MULAP configurations)" (000:649); no status-based
    forwarding for it (000:667)."""
    target = uc_target("office")
    mulap = await target.logged_in(MULAP)
    refused = await _refused(mulap.set_presence("do_not_disturb"))
    refusal(refused, choices, status=400, violations=("dnd_mulap",), message=PRESENCE_SENTENCES["dnd_mulap"])
    api = await target.logged_in(USER)
    assert (await api.set_presence("do_not_disturb")).status == "do_not_disturb"
    forwarded = await _refused(api.set_presence("do_not_disturb", forward_to="voicemail"))
    choices.equal(MESSAGES, forwarded.message, PRESENCE_SENTENCES["dnd_forwarding"])


@pytest.mark.clause("UC-PRES-3/internally-and-externally", "UC-PRES-3/internally", "UC-PRES-3/not-visible", how="api")
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("status", ["office", "vacation"])
async def test_visibility(uc_target: Callable[..., Target], visibility: str, status: str) -> None:
    """Internally and externally / internally: colleagues see the status; not visible: they do
    not, except Office (000:685-692)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    assert (await api.set_visibility(visibility)).visibility == visibility
    await api.set_presence(status, info_text="note")
    seen = await (await target.logged_in(COLLEAGUE)).presence_of(USER)
    expected = seen_by_colleague(status, visibility)
    assert (seen.visible, seen.status) == (expected is not None, expected)
    assert seen.info_text == ("note" if expected is not None else None)
    listed = (await (await target.logged_in(COLLEAGUE)).search("Anna")).hits[0].presence
    assert listed is not None and listed.status == expected, "the internal directory shows the same (000:543)"


@pytest.mark.clause("UC-PRES-3/return-time-dropped", how="api")
async def test_the_passed_return_time_is_dropped_and_the_status_stays(uc_target: Callable[..., Target]) -> None:
    """ "After the scheduled time for your return has passed, the announcement of this time is
    dropped. Your presence status remains unchanged." (000:694). The system clock runs 1000
    times as fast (time_scale 0.001), so five minutes pass in 0.3 s."""
    target = uc_target("office", time_scale=0.001)
    api = await target.logged_in(USER)
    colleague = await target.logged_in(COLLEAGUE)
    back = (await _now(api)) + timedelta(minutes=5)
    set_now = await api.set_presence("gone_out", return_time=back, info_text="at the bank")
    assert set_now.return_time_announced

    async def passed() -> bool:
        return not (await api.presence()).return_time_announced

    await until(passed)
    mine = await api.presence()
    assert (mine.status, mine.return_time, mine.info_text) == ("gone_out", back, "at the bank")
    seen = await colleague.presence_of(USER)
    assert (seen.status, seen.return_time, seen.info_text) == ("gone_out", None, "at the bank")


@pytest.mark.clause("UC-PRES-1/callme-only-active", "UC-CALLME-3/others-see-office", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.rule("REL-CALLME")
@pytest.mark.parametrize("config", ["office", "office_suite"])
async def test_callme_only_while_active(uc_target: Callable[..., Target], config: str, choices: ChoiceChecks) -> None:
    """CallMe "Only selectable if the CallMe service is active. Otherwise, Office appears here"
    (000:642); UC Suite only from V3R2 FR1 (000:163), any mode before (003:897-903). Others see a
    CallMe user as Office (000:764)."""
    target = uc_target(config)
    api = await target.logged_in(USER)
    exists = callme_exists(target.release, target.mode)
    refused = await _refused(api.set_presence("callme"))
    code = "callme_not_active" if exists else "callme_not_available"
    refusal(refused, choices, status=400, violations=(code,), message=PRESENCE_SENTENCES[code])
    if not exists:
        # no CallMe service in this release and mode: it cannot be activated, the status stays refused
        off = await _refused(api.set_callme(CALLME_DESTINATION))
        refusal(off, choices, status=403, code="callme_not_available")
        options = await api.presence_options()
        assert (options.callme_available, options.callme_active) == (False, False)
        assert (await _refused(api.set_presence("callme"))).violations == ("callme_not_available",)
        return
    await target.activate_callme(api, CALLME_DESTINATION)
    options = await api.presence_options()
    assert (options.callme_available, options.callme_active) == (True, True)
    assert options.statuses == selectable(target.mode, target.release, callme_active=True, mulap=False)
    assert (await api.set_presence("callme")).status == "callme"
    seen = await (await target.logged_in(COLLEAGUE)).presence_of(USER)
    assert seen.status == "office"


@pytest.mark.clause("UC-PRES-2/every-but-dnd", "UC-PRES-2/choices", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_status_based_forwarding_in_uc_smart(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """Every status but DND may forward; by default to the voicemail box; choices Voicemail,
    Mobile, External (000:661-671, 000:710)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    presence = await api.presence()
    assert {s: f.target for s, f in presence.forwarding.items() if s in ABSENT and s != "do_not_disturb"} == {
        s: "voicemail" for s in ABSENT if s != "do_not_disturb"
    }
    assert (await api.set_presence("vacation", forward_to="mobile")).forwarding["vacation"].target == "mobile"
    external = await api.set_presence("sick", forward_to="external", external_number="+49 (89) 7007-98765")
    assert (external.forwarding["sick"].target, external.forwarding["sick"].external_number) == (
        "external",
        "+49 (89) 7007-98765",
    )
    missing = await _refused(api.set_presence("sick", forward_to="external"))
    choices.equal(MESSAGES, missing.message, PRESENCE_SENTENCES["external_number_missing"])
    ben = await target.logged_in(COLLEAGUE)
    no_mobile = await _refused(ben.set_presence("lunch", forward_to="mobile"))
    choices.equal(MESSAGES, no_mobile.message, PRESENCE_SENTENCES["no_mobile_number"])


@pytest.mark.clause("UC-PRES-2/suite-other-client", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_uc_suite_forwarding_is_set_by_another_client(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """UC Suite: "The configuration for forwarding destination is done by another UC Suite client" (000:679)."""
    target = uc_target("office_suite")
    api = await target.logged_in(USER)
    refused = await _refused(api.set_presence("sick", forward_to="voicemail"))
    choices.equal(MESSAGES, refused.message, PRESENCE_SENTENCES["forwarding_by_other_client"])
    assert (await api.presence_options()).forwarding_targets == []
    assert (await api.set_presence("sick")).status == "sick", "the status itself is set in myPortal @work"
