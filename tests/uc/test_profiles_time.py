"""Release profiles (REL-*) and the time scale: the stub's data against the documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulators import catalogue
from simulators.uc.profiles import DIFFERENCES, PROFILES, Mode, Release, profile
from simulators.uc.timescale import TIMERS, SystemClock, Timer, TimeScale

R = Release


def test_every_difference_cites_document_lines_that_exist() -> None:
    known = catalogue.rules()
    for d in DIFFERENCES:
        assert d.rule in known, d.rule
        for ref in d.refs:
            assert catalogue.quote(ref), f"{d.rule}: {ref} points at no text"


@pytest.mark.parametrize(
    ("release", "preset", "callme_smart", "suite_pwd", "hold", "search", "keys", "trunk0"),
    [
        (R.V2R7, "200", True, False, True, "starting_with", False, True),
        (R.V3, "200", True, False, True, "starting_with", False, True),
        (R.V3R1, "200", True, False, False, "containing", False, False),
        (R.V3R2FR1, "123456", False, True, False, "containing", True, False),
        (R.V3R4FR1, "123456", False, True, False, "containing", True, False),
    ],
)
def test_profile_values(
    release: Release,
    preset: str,
    callme_smart: bool,
    suite_pwd: bool,
    hold: bool,
    search: str,
    keys: bool,
    trunk0: bool,
) -> None:
    p = PROFILES[release]
    assert p.preset_pin_for("200") == preset
    assert p.callme_available(Mode.SMART) is callme_smart and p.callme_available(Mode.SUITE)
    assert p.suite_password_change is suite_pwd
    assert p.hold_for_voip is hold
    assert p.search_match == search
    assert p.keys_kept_on_voip_switch is keys
    assert p.dialable_with_trunk_prefix is trunk0


def test_profile_lookup() -> None:
    assert profile("V3R1").release is R.V3R1
    assert profile(R.V3).is_at_least(R.V2R7) and not profile(R.V3).is_at_least(R.V3R1)
    assert "000:1452" in profile(R.V3R2FR1).refs("REL-PIN")
    with pytest.raises(ValueError, match=r"unknown release 'V4'; use one of: V2R7, V3, V3R1, V3R2FR1, V3R4FR1"):
        profile("V4")


def test_documented_timers() -> None:
    assert TIMERS[Timer.CALLME_TO_VOICEMAIL].seconds == 60
    assert TIMERS[Timer.CONFERENCE_END_AFTER_LAST_MODERATOR].seconds == 300
    assert TIMERS[Timer.VOICEMAIL_RETENTION].seconds == 30 * 86_400
    documented = {t for t, spec in TIMERS.items() if spec.documented}
    assert documented == {
        Timer.CALLME_TO_VOICEMAIL,
        Timer.CONFERENCE_END_AFTER_LAST_MODERATOR,
        Timer.VOICEMAIL_RETENTION,
    }
    for spec in TIMERS.values():
        for ref in spec.refs:
            assert catalogue.quote(ref), ref
    assert "60 seconds" in catalogue.quote("000:756")
    assert "30 days" in catalogue.quote("000:1394")
    assert "5 minutes" in catalogue.quote("000:1534")


def test_time_scale() -> None:
    fast = TimeScale(0.01)
    assert fast.timer(Timer.CALLME_TO_VOICEMAIL) == pytest.approx(0.6)
    assert fast.real(300) == pytest.approx(3.0) and fast.documented(3.0) == pytest.approx(300)
    assert TimeScale().timer(Timer.CALLME_TO_VOICEMAIL) == 60
    with pytest.raises(ValueError, match="time scale must be > 0"):
        TimeScale(0)


def test_system_clock_runs_scaled_and_rescales_without_a_jump() -> None:
    clock = SystemClock.starting(1000.0, TimeScale(0.01))
    start = datetime.fromtimestamp(1000.0, UTC)
    assert clock.now(1000.0) == start
    assert clock.now(1000.6) == start + timedelta(seconds=60)
    assert clock.real_at(start + timedelta(seconds=60)) == pytest.approx(1000.6)
    slower = clock.rescaled(1000.6, TimeScale(1.0))
    assert slower.now(1000.6) == start + timedelta(seconds=60)
    assert slower.now(1001.6) == start + timedelta(seconds=61)
