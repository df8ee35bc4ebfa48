"""The stub's rules as pure functions: tables of verdicts and exact messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulators.uc.config import DeviceKind, Licence
from simulators.uc.profiles import PROFILES, Mode, Release
from simulators.uc.rules import clients, passwords, pins, registrations, voip
from simulators.uc.rules import presence as pr
from simulators.uc.rules.clients import ClientKind

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Abc1!de", ("too_short",)),
        ("Abc1!def", ()),
        ("Abc1!defghijklmn", ()),
        ("Abc1!defghijklmno", ("too_long",)),
        ("abc1!def", ("no_uppercase",)),
        ("ABC1!DEF", ("no_lowercase",)),
        ("Abcd!efg", ("no_digit",)),
        ("Abc1defg", ("no_special",)),
        ("Abc1! défg", ("not_allowed",)),
        ("", ("too_short", "no_uppercase", "no_lowercase", "no_digit", "no_special")),
    ],
)
def test_smart_password_rule(password: str, codes: tuple[str, ...]) -> None:
    assert passwords.check_smart(password).codes == codes


def test_smart_password_message() -> None:
    verdict = passwords.check_smart("Abc1 \x07")
    assert verdict.message == (
        "The password has 6 characters; it needs at least 8. "
        "The password contains characters that are not allowed (space, U+0007); use letters A-Z and a-z, digits "
        "0-9 and special characters such as ! # $ % & * + - . / : ; = ? @ _. "
        "The password has no special character (such as ! # $ % & * + - . / : ; = ? @ _). "
        "UC Smart passwords must be 8 to 16 characters long and include at least one uppercase letter, one "
        "lowercase letter, one digit and one special character."
    )
    assert passwords.check_smart("Abc1!def").message == ""


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("58201", ("too_short",)),
        ("582014", ()),
        ("5820a4", ("not_digits", "too_short")),
        ("582214", ()),
        ("582224", ("repeated",)),
        ("121213", ()),
        ("581239", ()),
        ("581234", ("sequential",)),
        ("584321", ("sequential",)),
        ("890159", ()),
        ("200583", ("account_name",)),
        ("583002", ("account_name_reversed",)),
        ("2002", ("too_short", "account_name", "account_name_reversed")),
    ],
)
def test_suite_password_rule(password: str, codes: tuple[str, ...]) -> None:
    assert passwords.check_suite(password, "200").codes == codes


def test_suite_palindrome_account_is_reported_once() -> None:
    assert passwords.check_suite("582024", "202").codes == ("account_name",)
    assert passwords.check_suite("1", "200").message == (
        "The password has 1 digit; it needs at least 6. UC Suite passwords consist of at least six digits, repeat a "
        "digit at most twice in a row, have at most three sequential digits in a row, and must not contain the "
        "account name forwards or reversed."
    )


def test_runs() -> None:
    assert passwords.longest_repeat("") == 0 and passwords.longest_repeat("a1aa") == 2
    assert passwords.longest_repeat("aaa1") == 3
    assert passwords.longest_sequence("") == 0 and passwords.longest_sequence("7") == 1
    assert passwords.longest_sequence("1234") == 4 and passwords.longest_sequence("4321") == 4
    assert passwords.longest_sequence("1232") == 3 and passwords.longest_sequence("12a34") == 2
    assert passwords.longest_sequence("8901") == 2, "no wrap from 9 to 0"
    assert (
        passwords.check_password(Mode.SUITE, "582014", "200").ok
        and not passwords.check_password(Mode.SMART, "582014", "200").ok
    )


@pytest.mark.parametrize(
    ("pin", "codes"),
    [
        ("482913", ()),
        ("48291", ("not_six_digits",)),
        ("4829a3", ("not_six_digits",)),
        ("333333", ("repeated",)),
        ("333334", ()),
        ("123456", ("sequence",)),
        ("987654", ("sequence",)),
        ("890123", ()),
    ],
)
def test_pin_rule(pin: str, codes: tuple[str, ...]) -> None:
    assert pins.check_pin(pin).codes == codes


def _ctx(**kw: object) -> pr.PresenceContext:
    base: dict[str, object] = dict(
        mode=Mode.SMART,
        callme_available=False,
        callme_active=False,
        is_mulap=False,
        has_mobile=True,
        client_sets_forwarding=True,
    )
    base.update(kw)
    return pr.PresenceContext(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "ctx", "codes"),
    [
        (pr.PresenceChange(pr.Status.VACATION, NOW + timedelta(days=3), "back Monday"), _ctx(), ()),
        (pr.PresenceChange(pr.Status.OFFICE, NOW + timedelta(hours=1)), _ctx(), ("office_return_time",)),
        (pr.PresenceChange(pr.Status.LUNCH, NOW), _ctx(), ("return_time_past",)),
        (pr.PresenceChange(pr.Status.DO_NOT_DISTURB), _ctx(is_mulap=True), ("dnd_mulap",)),
        (pr.PresenceChange(pr.Status.DO_NOT_DISTURB), _ctx(), ()),
        (
            pr.PresenceChange(pr.Status.DO_NOT_DISTURB, forward_to=pr.ForwardTarget.VOICEMAIL),
            _ctx(),
            ("dnd_forwarding",),
        ),
        (pr.PresenceChange(pr.Status.CALLME), _ctx(), ("callme_not_available",)),
        (pr.PresenceChange(pr.Status.CALLME), _ctx(callme_available=True), ("callme_not_active",)),
        (pr.PresenceChange(pr.Status.CALLME), _ctx(callme_available=True, callme_active=True), ()),
        (
            pr.PresenceChange(pr.Status.SICK, forward_to=pr.ForwardTarget.MOBILE),
            _ctx(has_mobile=False),
            ("no_mobile_number",),
        ),
        (pr.PresenceChange(pr.Status.SICK, forward_to=pr.ForwardTarget.EXTERNAL), _ctx(), ("external_number_missing",)),
        (
            pr.PresenceChange(
                pr.Status.SICK, forward_to=pr.ForwardTarget.EXTERNAL, external_number="+49 (89) 7007-98765"
            ),
            _ctx(),
            (),
        ),
        (
            pr.PresenceChange(pr.Status.SICK, forward_to=pr.ForwardTarget.EXTERNAL, external_number="call me"),
            _ctx(),
            ("external_number_invalid",),
        ),
        (pr.PresenceChange(pr.Status.SICK, external_number="0891234"), _ctx(), ("external_number_unused",)),
        (
            pr.PresenceChange(pr.Status.SICK, forward_to=pr.ForwardTarget.VOICEMAIL),
            _ctx(mode=Mode.SUITE, client_sets_forwarding=False),
            ("forwarding_by_other_client",),
        ),
        (pr.PresenceChange(pr.Status.OFFICE, forward_to=pr.ForwardTarget.MOBILE), _ctx(), ()),
        (pr.PresenceChange(pr.Status.BREAK, info_text="x" * 201), _ctx(), ("info_text_too_long",)),
    ],
)
def test_presence_rule(change: pr.PresenceChange, ctx: pr.PresenceContext, codes: tuple[str, ...]) -> None:
    assert pr.check_change(change, ctx, NOW).codes == codes


def test_presence_views() -> None:
    assert pr.default_forwarding(pr.Status.SICK).target is pr.ForwardTarget.VOICEMAIL
    assert pr.default_forwarding(pr.Status.OFFICE).target is pr.ForwardTarget.NONE
    assert pr.return_time_announced(NOW + timedelta(seconds=1), NOW)
    assert not pr.return_time_announced(NOW, NOW) and not pr.return_time_announced(None, NOW)
    assert pr.seen_status(pr.Status.CALLME, pr.Visibility.NOT_VISIBLE) is pr.Status.OFFICE
    assert pr.seen_status(pr.Status.SICK, pr.Visibility.NOT_VISIBLE) is None
    assert pr.seen_status(pr.Status.SICK, pr.Visibility.INTERNAL) is pr.Status.SICK
    assert pr.check_change(pr.PresenceChange(pr.Status.DO_NOT_DISTURB), _ctx(is_mulap=True), NOW).message == (
        "Do Not Disturb is not available for a MULAP number; choose another status."
    )


def test_the_voicemail_announcement_follows_status_visibility_and_caller() -> None:
    """UC-PRES-2 (000:667) status-based announcements, as far as UC-PRES-3 (000:683-694) lets
    the caller know: who hears what, and the time of return only while it is ahead."""
    back = NOW + timedelta(hours=2)
    every, internal, hidden = pr.Visibility.INTERNAL_AND_EXTERNAL, pr.Visibility.INTERNAL, pr.Visibility.NOT_VISIBLE
    told = pr.Announcement(pr.Status.VACATION, back)
    assert pr.announcement(pr.Status.VACATION, every, back, True, NOW) == told
    assert pr.announcement(pr.Status.VACATION, every, back, False, NOW) == told
    assert pr.announcement(pr.Status.VACATION, internal, back, True, NOW) == told
    assert pr.announcement(pr.Status.VACATION, internal, back, False, NOW) is None
    assert pr.announcement(pr.Status.VACATION, hidden, back, True, NOW) is None
    assert pr.announcement(pr.Status.VACATION, every, back, True, back) == pr.Announcement(pr.Status.VACATION, None)
    for present in (pr.Status.OFFICE, pr.Status.CALLME, pr.Status.DO_NOT_DISTURB):
        assert pr.announcement(present, every, None, True, NOW) is None


WEBRTC = voip.StationDevice("webrtc_212", "212", DeviceKind.VOIP_CLIENT, "212")
DECT = voip.StationDevice("dect_211", "211", DeviceKind.DECT, "211")
DESK = voip.StationDevice("desk_202", "202", DeviceKind.SIP_PHONE, "202")
IP_UC = frozenset({Licence.IP_USER, Licence.UC_USER})


def test_voip_check() -> None:
    ok = voip.check_voip("200", IP_UC, None, [WEBRTC], None)
    assert ok.verdict.ok and ok.device == WEBRTC
    assert voip.check_voip("205", frozenset({Licence.DESKSHARE, Licence.UC_USER}), None, [WEBRTC], None).verdict.ok
    cases = [
        (voip.check_voip("203", frozenset({Licence.UC_USER}), None, [WEBRTC], None), "missing_licence"),
        (voip.check_voip("202", IP_UC, None, [DESK], None), "incompatible_device"),
        (voip.check_voip("204", IP_UC, None, [], None), "no_device"),
        (voip.check_voip("200", IP_UC, None, [WEBRTC], "212"), "not_mulap"),
        (voip.check_voip("210", IP_UC, [DECT, WEBRTC], [], None), "controlled_device_missing"),
        (voip.check_voip("210", IP_UC, [DECT, WEBRTC], [], "299"), "controlled_device_unknown"),
        (voip.check_voip("210", IP_UC, [DECT, WEBRTC], [], "211"), "incompatible_device"),
    ]
    for check, code in cases:
        assert check.verdict.codes == (code,) and check.device is None
    assert voip.check_voip("210", IP_UC, [DECT, WEBRTC], [], "212").device == WEBRTC
    assert cases[5][0].verdict.message == (
        "Controlled device 299 is not a member of MULAP 210; choose your WebRTC phone number (WebRTC members: 212)."
    )


def test_clients() -> None:
    uc = frozenset({Licence.UC_USER})
    at_work = clients.OpenClient(ClientKind.AT_WORK, "192.168.1.50", NOW)
    assert clients.check_login(Mode.SMART, ClientKind.AT_WORK, "200", uc, [at_work]).ok, "UC Smart: several places"
    suite = clients.check_login(Mode.SUITE, ClientKind.AT_WORK, "200", uc, [at_work])
    assert suite.codes == ("only_one_client",)
    assert suite.message == (
        "Only one myPortal @work client is allowed per user in UC Suite mode; 200 is already connected from "
        "192.168.1.50 since 2026-05-04 12:00:00 UTC. Log out there first."
    )
    assert clients.check_login(Mode.SUITE, ClientKind.DESKTOP, "200", uc, [at_work]).ok, "004:187-189"
    assert clients.check_login(Mode.SUITE, ClientKind.OUTLOOK, "200", uc, []).codes == ("missing_licence",)
    assert clients.check_login(Mode.SMART, ClientKind.DESKTOP, "200", uc, []).codes == ("client_not_in_mode",)
    assert clients.check_login(Mode.SMART, ClientKind.AT_WORK, "200", frozenset({Licence.IP_USER}), []).codes == (
        "missing_licence",
    )
    assert clients.check_first_login(Mode.SUITE, ClientKind.AT_WORK).codes == ("change_with_other_client",)
    assert clients.check_first_login(Mode.SMART, ClientKind.AT_WORK).ok
    v3, v3r2 = PROFILES[Release.V3], PROFILES[Release.V3R2FR1]
    assert clients.check_password_change_offered(Mode.SUITE, v3, ClientKind.AT_WORK).codes == ("not_offered",)
    assert clients.check_password_change_offered(Mode.SUITE, v3, ClientKind.DESKTOP).ok
    assert clients.check_password_change_offered(Mode.SUITE, v3r2, ClientKind.AT_WORK).ok
    assert clients.old_password_required(Mode.SMART) and not clients.old_password_required(Mode.SUITE)


def _b(
    contact: str, source: str, call_id: str | None = None, instance: str | None = None, ttl: int = 300
) -> registrations.Binding:
    return registrations.Binding(contact, source, "tls", call_id, instance, NOW, NOW + timedelta(seconds=ttl))


def test_second_registration_is_refused_until_the_first_ends() -> None:
    first = _b("sip:200@10.0.0.5:5061", "203.0.113.7:40001", "call-a")
    assert registrations.decide("200", None, first, NOW).outcome is registrations.Outcome.NEW
    refresh = _b("sip:200@10.0.0.5:5061", "203.0.113.7:40001", "call-a")
    assert registrations.decide("200", first, refresh, NOW).outcome is registrations.Outcome.REFRESH
    rewritten = _b("sip:200@203.0.113.7:40001", "203.0.113.7:40001", "call-a")
    assert registrations.decide("200", first, rewritten, NOW).outcome is registrations.Outcome.REFRESH
    other = _b("sip:200@192.168.1.50:5061", "192.168.1.50:5061", "call-b")
    refused = registrations.decide("200", first, other, NOW + timedelta(seconds=100))
    assert refused.outcome is registrations.Outcome.REFUSED and not refused.accepted
    assert refused.retry_after_s == 200
    assert refused.message == (
        "Station 200 already has a VoIP registration from 203.0.113.7:40001 over TLS since 2026-05-04 12:00:00 UTC; "
        "only one VoIP registration per station is allowed. Unregister the other client first."
    )
    later = registrations.decide("200", first, other, NOW + timedelta(seconds=300))
    assert later.outcome is registrations.Outcome.REPLACED_EXPIRED
    # instance ids decide when both sides have one
    with_instance = _b("sip:a", "1.1.1.1:1", instance="<urn:uuid:1>")
    assert not registrations.same_client(with_instance, _b("sip:a", "1.1.1.1:1", instance="<urn:uuid:2>"))
