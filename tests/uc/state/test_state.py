"""The stub's SQLite state: seeding, persistence across reopen, sync with the config, claims."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from simulators.uc.config import DeviceKind, Licence, validate_config
from simulators.uc.credentials import ScryptCost, ha1
from simulators.uc.rules.clients import ClientKind
from simulators.uc.rules.presence import Forwarding, ForwardTarget, PresenceChange, Status, Visibility
from simulators.uc.rules.registrations import Outcome
from simulators.uc.state.core import SCHEMA_VERSION, State, StateError, UnknownUser

from ..conftest import FakeTime, example, example_data


def reopen(state: State, fake_time: FakeTime, **system: Any) -> State:
    path = state.path
    state.close()
    return State.open(path, example(**system), cost=ScryptCost.FAST, real_time=fake_time)


def test_seeded_from_the_config(state: State) -> None:
    assert state.schema_version() == SCHEMA_VERSION
    accounts = {a.username: a for a in state.sip_accounts()}
    assert accounts["200"].ha1 == ha1("200", "osbiz.lab", "sip200secret")
    assert (accounts["211"].number, accounts["211"].station, accounts["211"].kind) == ("210", "211", DeviceKind.DECT)
    assert [d.id for d in state.devices_for_number("210")] == ["dect_211", "webrtc_212"]
    assert [d.id for d in state.devices_for_number("200")] == ["webrtc_200"]
    assert state.devices_for_number("999") == []
    assert state.number_of_device("212") == "210" and state.number_of_device("200") == "200"
    with pytest.raises(StateError, match="no device has SIP user 'nobody'"):
        state.number_of_device("nobody")
    user = state.user("204")
    assert user is not None and user.must_change_password and Licence.GROUPWARE in user.licences
    assert state.verify_password("200", "Start#200a") and not state.verify_password("200", "start#200a")
    assert not state.verify_password("999", "Start#200a")
    assert state.pin_is_preset("200") and state.verify_pin("200", "123456") and not state.verify_pin("200", "200")
    p = state.presence("200")
    assert (p.status, p.visibility, p.return_time) == (Status.OFFICE, Visibility.INTERNAL_AND_EXTERNAL, None)
    assert p.forwarding[Status.SICK] == Forwarding(ForwardTarget.VOICEMAIL)
    assert state.deskshare_dummies() == ["100"]
    assert state.verify_admin_password("Admin#2026")


def test_user_changes_survive_a_restart(state: State, fake_time: FakeTime) -> None:
    state.set_password("200", "New#pass200")
    state.set_pin("200", "482913")
    state.set_presence(
        "200", PresenceChange(Status.VACATION, state.now() + timedelta(days=2), "back soon", ForwardTarget.MOBILE)
    )
    state.set_visibility("200", Visibility.INTERNAL)
    state.set_voip("210", True, "212")
    token, session = state.open_session("200", role="user", client=ClientKind.AT_WORK, address="192.168.1.50")
    claim = state.claim_registration("200", "sip:200@192.168.1.50:5061", "192.168.1.50:5061", "TLS", call_id="c1")
    assert claim.accepted

    again = reopen(state, fake_time)
    assert again.verify_password("200", "New#pass200") and not again.verify_password("200", "Start#200a")
    assert (
        not again.pin_is_preset("200") and again.verify_pin("200", "482913") and not again.verify_pin("200", "123456")
    )
    p = again.presence("200")
    assert (p.status, p.info_text, p.visibility) == (Status.VACATION, "back soon", Visibility.INTERNAL)
    assert p.forwarding[Status.VACATION].target is ForwardTarget.MOBILE
    user = again.user("210")
    assert user is not None and (user.voip_enabled, user.controlled_device) == (True, "212")
    found = again.session(token)
    assert found is not None and found.id == session.id
    assert [r.contact for r in again.registrations()] == ["sip:200@192.168.1.50:5061"]
    again.close()


def test_admin_changes_follow_the_config(state: State, fake_time: FakeTime, tmp_path: Path) -> None:
    state.set_password("201", "Kept#pass201")
    state.set_pin("201", "482913")
    data = example_data(release="V3")
    data["users"] = [u for u in data["users"] if u["number"] != "200"]
    data["devices"] = [d for d in data["devices"] if d["id"] != "webrtc_200"]
    for u in data["users"]:
        if u["number"] == "201":
            u["name"], u["licences"], u["password"] = "Ben B.", ["uc_user"], "Ignored#1"
    for d in data["devices"]:
        if d["id"] == "webrtc_201":
            d["sip_password"] = "rotated201"
    path = state.path
    state.close()
    again = State.open(path, validate_config(data, "changed.yaml"), cost=ScryptCost.FAST, real_time=fake_time)
    assert again.user("200") is None
    with pytest.raises(UnknownUser):
        again.presence("200")
    user = again.user("201")
    assert user is not None and (user.name, user.licences) == ("Ben B.", frozenset({Licence.UC_USER}))
    assert again.verify_password("201", "Kept#pass201"), "a user's own password is kept"
    assert again.verify_pin("201", "482913")
    assert again.pin_is_preset("202") and again.verify_pin("202", "202"), "V3: the preset PIN is the number (REL-PIN)"
    rotated = again.sip_account("201")
    assert rotated is not None and rotated.ha1 == ha1("201", "osbiz.lab", "rotated201")
    assert again.sip_account("200") is None
    again.close()


def test_sessions(state: State, fake_time: FakeTime) -> None:
    token, session = state.open_session("200", role="user", client=ClientKind.AT_WORK, address="10.0.0.1")
    assert state.session("nope") is None
    assert [s.id for s in state.sessions("200")] == [session.id]
    fake_time.now += 3600
    touched = state.session(token)
    assert touched is not None and touched.last_seen > session.last_seen
    fake_time.now += 24 * 3600
    assert state.session(token) is None, "idle for a day: closed"
    assert state.sessions("200") == []
    token2, s2 = state.open_session("200", role="user", client=ClientKind.AT_WORK, address="10.0.0.1")
    state.set_session_scope(s2.id, "password_change")
    assert state.session(token2).scope == "password_change"  # type: ignore[union-attr]
    assert state.close_session(s2.id) and state.session(token2) is None


def test_registration_claims(state: State, fake_time: FakeTime) -> None:
    first = state.claim_registration(
        "200", "sip:200@10.0.0.5:5061", "203.0.113.7:40001", "tls", expires_s=60, call_id="a"
    )
    assert (first.accepted, first.outcome, first.sip_code) == (True, Outcome.NEW, 200)
    second = state.claim_registration("200", "sip:200@192.168.1.50:5061", "192.168.1.50:5061", "tls", call_id="b")
    assert (second.accepted, second.sip_code, second.sip_reason) == (False, 403, "Station 200 already registered")
    assert second.holder is not None and second.holder.source == "203.0.113.7:40001"
    assert second.retry_after_s == pytest.approx(60)
    refused = state.refused_registrations()
    assert [(r.station, r.source) for r in refused] == [("200", "192.168.1.50:5061")]
    fake_time.now += 30
    refresh = state.claim_registration(
        "200", "sip:200@10.0.0.5:5061", "203.0.113.7:40001", "tls", expires_s=60, call_id="a"
    )
    assert refresh.outcome is Outcome.REFRESH and refresh.registration is not None
    assert refresh.registration.since == first.registration.since  # type: ignore[union-attr]
    assert not state.release_registration("200", "sip:200@192.168.1.50:5061", call_id="b"), "only the holder releases"
    assert state.release_registration("200", "sip:200@10.0.0.5:5061", call_id="a")
    assert state.registrations() == []
    assert state.claim_registration(
        "200", "sip:200@192.168.1.50:5061", "192.168.1.50:5061", "tls", call_id="b"
    ).accepted
    fake_time.now += 301
    assert state.registrations() == [], "expired"
    taken = state.claim_registration("200", "sip:x", "198.51.100.9:1", "tcp", call_id="c")
    assert taken.outcome is Outcome.REPLACED_EXPIRED
    assert state.release_registration("200"), "the SIP side's expiry drops it unconditionally"
    with pytest.raises(StateError, match="no device has SIP user 'ghost'"):
        state.claim_registration("ghost", "sip:x", "1.1.1.1:1", "udp")


def test_mulap_members_register_each(state: State) -> None:
    assert state.claim_registration("211", "sip:211@192.168.1.61", "192.168.1.61:5060", "udp").accepted
    assert state.claim_registration("212", "sip:212@192.168.1.50", "192.168.1.50:5061", "tls").accepted
    assert sorted((r.station, r.number) for r in state.registrations()) == [("211", "210"), ("212", "210")]


def test_scaled_registration_lifetime(tmp_path: Path, fake_time: FakeTime) -> None:
    s = State.open(tmp_path / "s.sqlite", example(time_scale=0.01), cost=ScryptCost.FAST, real_time=fake_time)
    d = s.claim_registration("200", "sip:a", "1.1.1.1:1", "udp")  # default: 300 documented s = 3 real s
    assert d.registration is not None
    assert (d.registration.expires_at - d.registration.since).total_seconds() == pytest.approx(300)
    fake_time.now += 2.9
    assert s.registrations() != []
    fake_time.now += 0.2
    assert s.registrations() == []
    s.close()


def _claim_in_process(path: str, contact: str, results: multiprocessing.Queue[bool]) -> None:
    s = State.open(path, example(), cost=ScryptCost.FAST)
    results.put(s.claim_registration("201", contact, contact.split("@")[1], "tls").accepted)
    s.close()


def test_two_processes_cannot_both_win_a_station(tmp_path: Path) -> None:
    state = State.open(tmp_path / "shared.sqlite", example(), cost=ScryptCost.FAST)
    ctx = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[bool] = ctx.Queue()
    procs = [
        ctx.Process(target=_claim_in_process, args=(str(state.path), f"sip:201@10.0.0.{i}:5061", results))
        for i in range(4)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=20) for _ in procs]
    for p in procs:
        p.join(timeout=20)
    assert sorted(outcomes) == [False, False, False, True]
    assert len(state.registrations()) == 1 and len(state.refused_registrations()) == 3
    state.close()


def test_clock_is_shared_and_rescaled(tmp_path: Path, fake_time: FakeTime) -> None:
    path = tmp_path / "s.sqlite"
    a = State.open(path, example(time_scale=0.5), cost=ScryptCost.FAST, real_time=fake_time)
    start = a.now()
    fake_time.now += 10
    b = State.open(path, example(time_scale=0.5), cost=ScryptCost.FAST, real_time=fake_time)
    assert a.now() == b.now() == start + timedelta(seconds=20)
    b.close()
    c = State.open(path, example(time_scale=1.0), cost=ScryptCost.FAST, real_time=fake_time)
    fake_time.now += 10
    assert c.now() == start + timedelta(seconds=30), "rescaled without a jump"
    a.close()
    c.close()


def test_unusable_files(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"state directory .* does not exist; create the run directory first"):
        State.open(tmp_path / "missing" / "s.sqlite", example(), cost=ScryptCost.FAST)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="is not a usable SQLite state file"):
        State.open(garbage, example(), cost=ScryptCost.FAST)
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE other (x)")
    with pytest.raises(StateError, match="holds tables that are not the stub's state; use a fresh run directory"):
        State.open(foreign, example(), cost=ScryptCost.FAST)
    newer = tmp_path / "newer.sqlite"
    State.open(newer, example(), cost=ScryptCost.FAST).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(
        StateError, match=rf"written by a newer stub \(schema 99 > {SCHEMA_VERSION}\); use a fresh run directory"
    ):
        State.open(newer, example(), cost=ScryptCost.FAST)


def test_played_voice_messages_are_deleted_after_the_retention(state: State) -> None:
    """UC-VM-1 (000:1394): a played message is deleted 30 days after it was played; an
    unplayed one is kept however old it is. Time is passed in, as the stub's clock does."""
    from datetime import datetime

    retention = 30 * 24 * 3600.0
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    played = state.add_voice_message("200", "201", "/m/1.wav", 4.0, t0)
    kept = state.add_voice_message("200", "202", "/m/2.wav", 3.0, t0)
    state.mark_played(played.id, t0 + timedelta(hours=1))
    just_before = t0 + timedelta(hours=1, seconds=retention - 1)
    assert [m.id for m in state.voice_messages("200", just_before, retention)] == [kept.id, played.id]
    at_retention = t0 + timedelta(hours=1, seconds=retention)
    assert [m.id for m in state.voice_messages("200", at_retention, retention)] == [kept.id]
    assert state.expire_voice_messages(t0 + timedelta(days=400), retention) == []  # unplayed: never
