"""UC passwords through the UC API: UC-PWD-SMART, UC-PWD-SUITE, REL-PWD-SUITE, UC-LOGIN-2.

Every verdict of the target is compared with the oracle in oracles.py (written from the
documents), for hypothesis-generated passwords and for a table of hand-picked edge cases
per rule; refusal messages are asserted exactly (messages.py).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.ledger import ChoiceChecks
from simulators.phone.ucapi import UcApi, UcApiError

from .conftest import Target
from .messages import expected_smart, expected_suite
from .oracles import SUITE_CHANGE_IN_AT_WORK, smart_violations, suite_violations
from .strategies import digit_runs
from .verdicts import MESSAGES, judge, refusal

CHANGED = "Your password has been changed."
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


async def _change(
    api: UcApi,
    new: str,
    expected: set[str],
    message: Callable[[Sequence[str]], str],
    *,
    choices: ChoiceChecks,
    old: str | None = None,
    track: Callable[[], None] | None = None,
) -> bool:
    """Change the password and judge the target's verdict against the oracle's."""
    return await judge(
        api.change_password(new, old=old),
        expected=expected,
        code="password_rules",
        success=CHANGED,
        message=message,
        what=new,
        choices=choices,
        track=track,
    )


# ---------------------------------------------------------------- UC Smart


SMART_TABLE = [
    # boundaries 7/8/16/17
    ("Abc1!de", {"too_short"}),
    ("Abc1!def", set()),
    ("Abc1!defghijklmn", set()),
    ("Abc1!defghijklmno", {"too_long"}),
    # each missing class
    ("abc1!def", {"no_uppercase"}),
    ("ABC1!DEF", {"no_lowercase"}),
    ("Abcd!efg", {"no_digit"}),
    ("Abc1defg", {"no_special"}),
    # characters outside the allowed set (decision: printable ASCII only)
    ("Abc1! defg", {"not_allowed"}),
    ("Äbc1!def", {"not_allowed", "no_uppercase"}),
    ("Abc1!dé\tf", {"not_allowed"}),
    ("", {"too_short", "no_uppercase", "no_lowercase", "no_digit", "no_special"}),
    ("~`{|}[]\\^_Aa1", set()),
]


@pytest.mark.clause("UC-PWD-SMART/length", "UC-PWD-SMART/classes", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize(("password", "violations"), SMART_TABLE, ids=[repr(p) for p, _ in SMART_TABLE])
async def test_smart_edge_cases(
    uc_target: Callable[..., Target], password: str, violations: set[str], choices: ChoiceChecks
) -> None:
    """UC Smart: 8-16 characters, upper, lower, digit, special (000:1870-1872)."""
    target = uc_target("office")
    api = await target.logged_in("200")
    assert smart_violations(password) == violations, "the table disagrees with the oracle"
    await _change(
        api,
        password,
        violations,
        lambda codes: expected_smart(codes, password),
        old=target.user("200")["password"],
        choices=choices,
    )


@pytest.mark.lab_choice("LAB-MESSAGES")
def test_smart_messages_exact() -> None:
    """The refusal wording for two representative cases, written out in full."""
    assert expected_smart(["too_short", "no_special"], "Abc1def") == (
        "The password has 7 characters; it needs at least 8. "
        "The password has no special character (such as ! # $ % & * + - . / : ; = ? @ _). "
        "UC Smart passwords must be 8 to 16 characters long and include at least one uppercase letter, "
        "one lowercase letter, one digit and one special character."
    )
    assert expected_smart(["not_allowed"], "Abc1! dé") == (
        "The password contains characters that are not allowed (space, é); use letters A-Z and a-z, digits 0-9 "
        "and special characters such as ! # $ % & * + - . / : ; = ? @ _. "
        "UC Smart passwords must be 8 to 16 characters long and include at least one uppercase letter, "
        "one lowercase letter, one digit and one special character."
    )


_ALPHABET = string.ascii_letters + string.digits + string.punctuation + " äÄéß\t€"
_smart_passwords = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=20),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),  # any Unicode but lone surrogates
    # near-valid: one of each class, then filler, around the length boundaries
    st.tuples(
        st.sampled_from(string.ascii_uppercase),
        st.sampled_from(string.ascii_lowercase),
        st.sampled_from(string.digits),
        st.sampled_from(string.punctuation),
        st.text(alphabet=_ALPHABET, min_size=2, max_size=15),
    ).map(lambda t: "".join(t)),
)


@pytest.mark.clause("UC-PWD-SMART/length", "UC-PWD-SMART/classes", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
@PROPERTY
@given(password=_smart_passwords)
async def test_smart_passwords_match_the_oracle(
    uc_target: Callable[..., Target], password: str, choices: ChoiceChecks
) -> None:
    """Generated passwords: the target accepts exactly what the document's rule allows.

    One target for all examples (the verdict does not depend on the state; the current
    password, needed as the old one, is tracked); an accepted password must log in.
    """
    target = uc_target("office", shared=True)
    if "api" not in target.memo:
        target.memo["api"] = await target.logged_in("200")
        target.memo["password"] = target.user("200")["password"]
    api: UcApi = target.memo["api"]
    accepted = await _change(
        api,
        password,
        smart_violations(password),
        lambda codes: expected_smart(codes, password),
        old=target.memo["password"],
        choices=choices,
        track=lambda: target.memo.update(password=password),
    )
    if accepted:
        assert (await target.api().login("200", password)).user == "200"


@pytest.mark.clause("UC-PWD-SMART/old-password", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_smart_change_needs_the_old_password(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """UC Smart asks for the old password (000:1865); a wrong one or a differing repeat is refused."""
    target = uc_target("office")
    api = await target.logged_in("200")
    with pytest.raises(UcApiError) as missing:
        await api.change_password("Good#pass1")
    refusal(
        missing.value,
        choices,
        status=400,
        code="old_password_missing",
        message="Enter your old password; UC Smart mode asks for it.",
    )
    with pytest.raises(UcApiError) as wrong:
        await api.change_password("Good#pass1", old="Not#theold1")
    refusal(wrong.value, choices, status=403, code="wrong_old_password", message="The old password is wrong.")
    with pytest.raises(UcApiError) as differ:
        await api.change_password("Good#pass1", repeat="Good#pass2", old=target.user("200")["password"])
    refusal(
        differ.value,
        choices,
        status=400,
        code="passwords_differ",
        message="The new password and its repetition differ; type the same password twice.",
    )
    choices.equal(MESSAGES, await api.change_password("Good#pass1", old=target.user("200")["password"]), CHANGED)
    with pytest.raises(UcApiError) as old_login:
        await target.api().login("200", target.user("200")["password"])
    refusal(old_login.value, choices, status=401, message="Wrong user name or password.")
    await target.api().login("200", "Good#pass1")


@pytest.mark.clause("UC-PWD-SMART/https-only", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_password_change_only_over_https(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """'only available when the connection to the system is encrypted (https)' (000:1857)."""
    target = uc_target("office")
    if target.http_url is None:
        pytest.skip("the target has no plain-http URL to try")
    api = await target.logged_in("200")
    plain = target.api(url=target.http_url)
    plain.token = api.token
    with pytest.raises(UcApiError) as refused:
        await plain.change_password("Good#pass1", old=target.user("200")["password"])
    refusal(
        refused.value,
        choices,
        status=403,
        code="https_required",
        message="The UC API only answers over an encrypted connection; connect with https:// (e.g. https://<system>:8802).",
    )


# ---------------------------------------------------------------- UC Suite


async def _suite_user(target: Target) -> UcApi:
    """User 200 in UC Suite mode, logged in with a client that can change the password in
    the target's release: myPortal @work from V3R2, another UC Suite client before."""
    at_work = SUITE_CHANGE_IN_AT_WORK[target.release]
    return await target.logged_in(ACCOUNT, client="myportal_at_work" if at_work else "myportal_for_desktop")


ACCOUNT = "200"
SUITE_TABLE = [
    # at least six digits
    ("58201", {"too_short"}),
    ("582014", set()),
    ("5820a4", {"not_digits", "too_short"}),
    ("58 2014", {"not_digits"}),
    # repeated: "aa" allowed, "aaa" not (in a row; the same digit elsewhere is fine)
    ("582214", set()),
    ("582224", {"repeated"}),
    ("121213", set()),
    # sequential: three allowed, four not; descending too; no wrap 9 -> 0
    ("581239", set()),
    ("581234", {"sequential"}),
    ("584329", set()),
    ("584321", {"sequential"}),
    ("890159", set()),
    # the account name 200, forwards or reversed (002), inside, at the start and end
    ("200583", {"account_name"}),
    ("583200", {"account_name"}),
    ("582004", {"account_name"}),
    ("580024", {"account_name_reversed"}),
    ("002583", {"account_name_reversed"}),
    ("", {"too_short"}),
]


@pytest.mark.clause(
    "UC-PWD-SUITE/digits",
    "UC-PWD-SUITE/repeated",
    "UC-PWD-SUITE/sequential",
    "UC-PWD-SUITE/account-name",
    how="api",
)
@pytest.mark.lab_choice("LAB-MESSAGES")
@pytest.mark.parametrize(("password", "violations"), SUITE_TABLE, ids=[repr(p) for p, _ in SUITE_TABLE])
async def test_suite_edge_cases(
    uc_target: Callable[..., Target], password: str, violations: set[str], choices: ChoiceChecks
) -> None:
    """UC Suite: digits only, >= 6, <= 2 repeated, <= 3 sequential, no account name (000:1876-1881)."""
    target = uc_target("office_suite")
    api = await _suite_user(target)
    assert suite_violations(password, ACCOUNT) == violations, "the table disagrees with the oracle"
    await _change(api, password, violations, lambda codes: expected_suite(codes, password, ACCOUNT), choices=choices)


@pytest.mark.lab_choice("LAB-MESSAGES")
def test_suite_messages_exact() -> None:
    assert expected_suite(["repeated", "account_name_reversed"], "0021115", "200") == (
        "The password repeats a character more than twice in a row. "
        "The password contains the account name reversed (002). "
        "UC Suite passwords consist of at least six digits, repeat a digit at most twice in a row, have at most "
        "three sequential digits in a row, and must not contain the account name forwards or reversed."
    )


_runs = digit_runs(3, 5)
_suite_passwords = st.one_of(
    st.text(alphabet=string.digits, max_size=12),
    st.builds(
        lambda a, run, b: a + run + b, st.text(string.digits, max_size=3), _runs, st.text(string.digits, max_size=3)
    ),
    st.text(alphabet=string.digits + "a# ", max_size=9),
    st.builds(
        lambda a, b: a + ACCOUNT[::-1] + b, st.text(string.digits, max_size=4), st.text(string.digits, max_size=4)
    ),
)


@pytest.mark.clause(
    "UC-PWD-SUITE/digits",
    "UC-PWD-SUITE/repeated",
    "UC-PWD-SUITE/sequential",
    "UC-PWD-SUITE/account-name",
    how="api",
)
@pytest.mark.lab_choice("LAB-MESSAGES")
@PROPERTY
@given(password=_suite_passwords)
async def test_suite_passwords_match_the_oracle(
    uc_target: Callable[..., Target], password: str, choices: ChoiceChecks
) -> None:
    """Generated passwords, one target for all examples (UC Suite has no old password)."""
    target = uc_target("office_suite", shared=True)
    if "api" not in target.memo:
        target.memo["api"] = await _suite_user(target)
    await _change(
        target.memo["api"],
        password,
        suite_violations(password, ACCOUNT),
        lambda codes: expected_suite(codes, password, ACCOUNT),
        choices=choices,
    )


@pytest.mark.clause("UC-PWD-SUITE/no-old-password", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_suite_has_no_old_password_field(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """'In UC Suite mode: Enter your new password ...' (000:1876-1878): no old password."""
    target = uc_target("office_suite")
    api = await _suite_user(target)
    with pytest.raises(UcApiError) as refused:
        await api.change_password("582014", old=target.user(ACCOUNT)["password"])
    refusal(
        refused.value,
        choices,
        status=400,
        code="old_password_not_expected",
        message="UC Suite mode has no old-password field; leave it out.",
    )
    choices.equal(MESSAGES, await api.change_password("582014"), CHANGED)


# ---------------------------------------------------------------- release differences


@pytest.mark.by_release("REL-PWD-SUITE/from-v3r2", "REL-PWD-SUITE/before", table=SUITE_CHANGE_IN_AT_WORK)
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_suite_password_change_per_release(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """myPortal @work changes UC Suite passwords only from V3R2; before, another UC Suite client does.
    Runs once per release profile (conftest.RUN_PROFILES)."""
    target = uc_target("office_suite")
    release = target.release
    api = await target.logged_in(ACCOUNT)
    if SUITE_CHANGE_IN_AT_WORK[release]:
        choices.equal(MESSAGES, await api.change_password("582014"), CHANGED)
        return
    with pytest.raises(UcApiError) as refused:
        await api.change_password("582014")
    refusal(
        refused.value,
        choices,
        status=403,
        code="not_offered",
        message=f"myPortal @work {release} has no password change in UC Suite mode; change the password with another UC Suite client (e.g. myPortal for Desktop).",
    )
    desktop = await target.logged_in(ACCOUNT, client="myportal_for_desktop")
    choices.equal(MESSAGES, await desktop.change_password("582014"), CHANGED)
    with pytest.raises(UcApiError) as rules:
        await desktop.change_password("581234")
    assert rules.value.violations == ("sequential",)


# ---------------------------------------------------------------- first login (UC-LOGIN-2)


@pytest.mark.clause("UC-LOGIN-2/smart", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_first_login_forces_a_password_change_smart(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """UC Smart: myPortal @work asks for a new password at first login (000:349-350)."""
    target = uc_target("office")
    initial = target.user("204")["password"]
    api = target.api()
    result = await api.login("204", initial)
    assert result.password_change_required
    with pytest.raises(UcApiError) as blocked:
        await api.me()
    refusal(
        blocked.value,
        choices,
        status=403,
        code="password_change_required",
        message="Your administrator requires a new password first: change it (POST /api/v1/password), then continue.",
    )
    choices.equal(MESSAGES, await api.change_password("Fresh#204e", old=initial), CHANGED)
    assert (await api.me()).must_change_password is False
    again = target.api()
    assert not (await again.login("204", "Fresh#204e")).password_change_required


@pytest.mark.clause("UC-LOGIN-2/suite", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_first_login_in_suite_mode_uses_another_client(
    uc_target: Callable[..., Target], choices: ChoiceChecks
) -> None:
    """UC Suite: the first password change is done with another UC Suite client (000:351)."""
    target = uc_target("office_suite")
    initial = target.user("204")["password"]
    with pytest.raises(UcApiError) as refused:
        await target.api().login("204", initial)
    refusal(
        refused.value,
        choices,
        status=403,
        code="change_with_other_client",
        message="Your administrator requires a new password before you can log in; in UC Suite mode change it with another UC Suite client (e.g. myPortal for Desktop), then log in again.",
    )
    desktop = target.api(client="myportal_for_desktop")
    assert (await desktop.login("204", initial)).password_change_required
    choices.equal(MESSAGES, await desktop.change_password("714936"), CHANGED)
    assert not (await target.api().login("204", "714936")).password_change_required
