"""The release differences the stub owns, one profile at a time (RULES section 4, REL-*).

Every rules suite runs once per release profile (conftest.RUN_PROFILES: V2R7, V3, V3R1,
V3R2FR1, V3R4FR1, or `--uclab-profile`), each asserting its rule's REL-* difference where
it has one (test_pins: REL-PIN; test_passwords: REL-PWD-SUITE; test_presence: REL-CALLME;
test_directories: REL-SEARCH). This module shows the whole profile at a glance: what the
target reports and, for each difference the UC API can show, the value the documents give
for the profile's release (the tables in oracles.py, with their lines).

Not asserted here: REL-HOLD, REL-KEYS and REL-DIAL are behaviours of calls and of the
client (the call core); REL-HOTKEY and REL-ADMIN are the client's own; REL-HIST
is the history the tables come from.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApiError

from .conftest import RUN_PROFILES, Target
from .oracles import (
    CALLME_SUITE_ONLY,
    PRESET_IS_123456,
    SEARCH_CONTAINING,
    SUITE_CHANGE_IN_AT_WORK,
    callme_exists,
    dial_match,
    preset_pin,
)
from .verdicts import MESSAGES, refusal


def test_every_profile_is_in_every_table() -> None:
    """The oracle tables cover the profiles the suites run (at least V2R7, V3, V3R2FR1, V3R4FR1)."""
    assert {"V2R7", "V3", "V3R2FR1", "V3R4FR1"} <= set(RUN_PROFILES)
    for table in (PRESET_IS_123456, SUITE_CHANGE_IN_AT_WORK):
        assert set(table) == set(RUN_PROFILES)
    assert [dial_match(r) for r in RUN_PROFILES] == [
        "starting_with", "starting_with", "containing", "containing", "containing",
    ]  # fmt: skip
    assert [callme_exists(r, "smart") for r in RUN_PROFILES] == [True, True, True, False, False]


@pytest.mark.by_release("REL-PIN/from-v3r2fr1", "REL-PIN/before", table=PRESET_IS_123456)
@pytest.mark.by_release("REL-CALLME/suite-only", "REL-CALLME/before", table=CALLME_SUITE_ONLY)
@pytest.mark.by_release("REL-SEARCH/containing", "REL-SEARCH/starting-with", table=SEARCH_CONTAINING)
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_uc_smart_profile(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    target = uc_target("office")
    api = await target.logged_in("200")
    system = await api.system()
    assert (system.mode, system.release) == ("smart", target.release)
    # REL-PIN: the preassigned PIN is 123456 or the internal number
    choices.equal(
        MESSAGES,
        await api.change_preassigned_pin(preset_pin(target.release, "200"), "482913"),
        "Your voicemail PIN has been changed.",
    )
    # REL-CALLME: CallMe exists in UC Smart up to V3R1 only
    assert (await api.presence_options()).callme_available is callme_exists(target.release, "smart")
    # REL-SEARCH: call by name "starting with" up to V3, "containing" from V3R1
    assert (await api.dial_search("ller")).match == dial_match(target.release)


@pytest.mark.by_release("REL-PWD-SUITE/from-v3r2", "REL-PWD-SUITE/before", table=SUITE_CHANGE_IN_AT_WORK)
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_uc_suite_profile(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    target = uc_target("office_suite")
    api = await target.logged_in("200")
    assert (await api.system()).mode == "suite"
    assert (await api.presence_options()).callme_available is callme_exists(target.release, "suite")
    if SUITE_CHANGE_IN_AT_WORK[target.release]:
        choices.equal(MESSAGES, await api.change_password("714936"), "Your password has been changed.")
    else:
        with pytest.raises(UcApiError) as refused:
            await api.change_password("714936")
        refusal(refused.value, choices, status=403, code="not_offered")
