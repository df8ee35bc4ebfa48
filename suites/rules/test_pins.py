"""The voicemail PIN through the UC API: UC-PIN and REL-PIN.

Every verdict is compared with the oracle in oracles.py (000:1468; 003:1684-1687;
002:1894-1897), for hypothesis-generated PINs and a table of hand-picked cases; the
preassigned PIN must be changed first (000:1452) and its value depends on the release.
"""

from __future__ import annotations

import string
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import PIN_POLICY, expected_pin
from .oracles import PRESET_IS_123456, pin_violations, preset_pin
from .strategies import digit_runs
from .verdicts import MESSAGES, judge, refusal

CHANGED = "Your voicemail PIN has been changed."
FIRST_PIN = "482913"
USER = "200"


async def _ready(target: Target) -> UcApi:
    """User 200 logged in, the preassigned PIN already replaced by FIRST_PIN."""
    api = await target.logged_in(USER)
    await api.change_preassigned_pin(preset_pin(target.release, USER), FIRST_PIN)
    return api


async def _change_pin(
    api: UcApi, old: str, pin: str, choices: ChoiceChecks, track: Callable[[], None] | None = None
) -> bool:
    """Change the PIN and judge the target's verdict against the oracle's."""
    return await judge(
        api.change_pin(old, pin),
        expected=pin_violations(pin),
        code="pin_rules",
        success=CHANGED,
        message=expected_pin,
        what=pin,
        choices=choices,
        track=track,
    )


PIN_TABLE = [
    ("582913", set()),
    ("48291", {"not_six_digits"}),
    ("4829135", {"not_six_digits"}),
    ("48291a", {"not_six_digits"}),
    ("\uff14\uff18\uff12\uff19\uff11\uff13", {"not_six_digits"}),  # full-width digits are not 0-9
    ("", {"not_six_digits"}),
    ("333333", {"repeated"}),
    ("000000", {"repeated"}),
    ("333334", set()),  # decision: the rule is about the whole PIN (003:1684-1687, 002:1894-1897)
    ("112233", set()),
    ("123456", {"sequence"}),
    ("012345", {"sequence"}),
    ("456789", {"sequence"}),
    ("987654", {"sequence"}),
    ("543210", {"sequence"}),
    ("123457", set()),
    ("890123", set()),  # no wrap from 9 to 0
    ("210987", set()),
]


@pytest.mark.clause("UC-PIN/six-digits", "UC-PIN/no-repeated", "UC-PIN/no-sequence", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize(("pin", "violations"), PIN_TABLE, ids=[repr(p) for p, _ in PIN_TABLE])
async def test_pin_edge_cases(
    uc_target: Callable[..., Target], pin: str, violations: set[str], choices: ChoiceChecks
) -> None:
    target = uc_target("office")
    api = await _ready(target)
    assert pin_violations(pin) == violations, "the table disagrees with the oracle"
    await _change_pin(api, FIRST_PIN, pin, choices)


@pytest.mark.lab_choice("LAB-MESSAGES")
def test_pin_messages_exact() -> None:
    assert expected_pin(["sequence"]) == (
        "The PIN is an ascending or descending sequence of digits. The voicemail PIN consists of six digits; "
        "repeated digits (such as 333333) and ascending or descending sequences (such as 987654) are not allowed."
    )
    assert PIN_POLICY.startswith("The voicemail PIN consists of six digits")


_pins = st.one_of(
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=string.digits + "a ", max_size=8),
    digit_runs(6, 6),
    st.builds(
        lambda run, d: run[:5] + d,
        digit_runs(6, 6),
        st.sampled_from(string.digits),
    ),
)


@pytest.mark.clause("UC-PIN/six-digits", "UC-PIN/no-repeated", "UC-PIN/no-sequence", "UC-PIN/old-new-repeat", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pin=_pins)
async def test_pins_match_the_oracle(uc_target: Callable[..., Target], pin: str, choices: ChoiceChecks) -> None:
    """Generated PINs, one target for all examples (the current PIN is tracked as the old one)."""
    target = uc_target("office", shared=True)
    if "api" not in target.memo:
        target.memo["api"] = await _ready(target)
        target.memo["pin"] = FIRST_PIN
    api: UcApi = target.memo["api"]
    old = target.memo["pin"]
    if await _change_pin(api, old, pin, choices, track=lambda: target.memo.update(pin=pin)) and pin != old:
        with pytest.raises(UcApiError) as stale:
            await api.change_pin(old, "582913")
        refusal(stale.value, choices, status=403, message="The old PIN is wrong.")


@pytest.mark.clause("UC-PIN/preset-first", "UC-PIN/old-new-repeat", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_preassigned_pin_must_be_changed_first(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """'only available after you have changed the preassigned PIN' (000:1452)."""
    target = uc_target("office")
    api = await target.logged_in(USER)
    preset = preset_pin(target.release, USER)
    with pytest.raises(UcApiError) as first:
        await api.change_pin(preset, FIRST_PIN)
    refusal(
        first.value,
        choices,
        status=409,
        code="preassigned_pin_unchanged",
        message="Change PIN is only available after you have changed the preassigned PIN: call your voicemail box (351) from your phone and follow the prompts.",
    )
    with pytest.raises(UcApiError) as rules:
        await api.change_preassigned_pin(preset, "111111")
    refusal(rules.value, choices, status=400, violations=("repeated",))
    choices.equal(MESSAGES, await api.change_preassigned_pin(preset, FIRST_PIN), CHANGED)
    with pytest.raises(UcApiError) as again:
        await api.change_preassigned_pin(preset, "582913")
    refusal(
        again.value,
        choices,
        status=409,
        code="preassigned_pin_changed",
        message="The preassigned PIN has already been changed; use Change PIN with your current PIN.",
    )
    with pytest.raises(UcApiError) as differ:
        await api.change_pin(FIRST_PIN, "582913", repeat="582914")
    refusal(
        differ.value, choices, status=400, message="The new PIN and its repetition differ; type the same PIN twice."
    )
    choices.equal(MESSAGES, await api.change_pin(FIRST_PIN, "582913"), CHANGED)


@pytest.mark.clause("UC-PIN/preset-first", how="api")
@pytest.mark.by_release("REL-PIN/from-v3r2fr1", "REL-PIN/before", table=PRESET_IS_123456)
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_preassigned_pin_per_release(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """123456 from V3R2 FR1 (000:162, 000:1452, 002:1880); the internal number before (003:1667-1668).
    Runs once per release profile (conftest.RUN_PROFILES)."""
    target = uc_target("office")
    release = target.release
    api = await target.logged_in(USER)
    other = USER if PRESET_IS_123456[release] else "123456"
    with pytest.raises(UcApiError) as wrong:
        await api.change_preassigned_pin(other, FIRST_PIN)
    refusal(
        wrong.value,
        choices,
        status=403,
        code="wrong_preassigned_pin",
        message="That is not the preassigned PIN of your voicemail box.",
    )
    choices.equal(MESSAGES, await api.change_preassigned_pin(preset_pin(release, USER), FIRST_PIN), CHANGED)


@pytest.mark.clause("UC-PIN/mailbox", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_no_mailbox_without_voicemail_licence(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    target = uc_target("office")
    api = await target.logged_in("210")
    with pytest.raises(UcApiError) as refused:
        await api.change_preassigned_pin("123456", FIRST_PIN)
    refusal(
        refused.value,
        choices,
        status=403,
        code="no_mailbox",
        message="User 210 has no voicemail box (no Voicemail licence); ask your administrator.",
    )


@pytest.mark.clause("UC-VM-6/pin-smart", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize("config", ["office", "office_suite"])
async def test_change_pin_in_uc_smart_mode_only(
    uc_target: Callable[..., Target], config: str, choices: ChoiceChecks
) -> None:
    """Change PIN's prerequisite "UC Smart mode" (000:1454): after the preassigned PIN was
    replaced (the box's phone dialogue), UC Smart changes the PIN and UC Suite refuses it."""
    target = uc_target(config)
    api = await target.logged_in(USER)
    await api.change_preassigned_pin(preset_pin(target.release, USER), FIRST_PIN)
    if config == "office":
        choices.equal(MESSAGES, await api.change_pin(FIRST_PIN, "591730"), CHANGED)
        return
    with pytest.raises(UcApiError) as refused:
        await api.change_pin(FIRST_PIN, "591730")
    refusal(
        refused.value,
        choices,
        status=403,
        code="pin_by_other_client",
        message="In UC Suite mode myPortal @work has no Change PIN; use another UC Suite client or the voicemail "
        "box's phone menu.",
    )
