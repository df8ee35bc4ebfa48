"""The state of directories, personal contacts, favorites and pictures; the migration to schema 2."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulators.uc import credentials
from simulators.uc.config import validate_config
from simulators.uc.credentials import ScryptCost
from simulators.uc.rules.directories import ContactFields, Directory
from simulators.uc.rules.picture import check_picture
from simulators.uc.rules.presence import PresenceChange, Status
from simulators.uc.state.core import MIGRATIONS, SCHEMA_VERSION, State

from ..conftest import FakeTime, example, example_data
from ..rules.test_directory_rules import image

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def _never(*_: object) -> None:
    return None


class Full(Exception):
    pass


def test_admin_directories_follow_the_config(state: State, fake_time: FakeTime) -> None:
    found = {(e.directory, e.name) for e in state.listings("200", [Directory.SYSTEM, Directory.GLOBAL])}
    assert (Directory.SYSTEM, "Pizzeria Roma") in found and (Directory.GLOBAL, "Jürgen Müller") in found
    juergen = next(e for e in state.listings("200", [Directory.GLOBAL]) if e.name == "Jürgen Müller")
    karl = next(e for e in state.listings("200", [Directory.GLOBAL]) if e.name == "Karl Mueller")
    group = state.create_favorite_group("200", "Suppliers", NOW, _never)
    assert state.add_favorite("200", group.id, juergen, NOW) is not None
    assert state.add_favorite("200", group.id, karl, NOW) is not None
    data = example_data()
    data["directories"]["global_contacts"][1]["business"] = "+49 89 7007-999"  # Karl Mueller changed
    path = state.path
    state.close()
    again = State.open(path, validate_config(data), cost=ScryptCost.FAST, real_time=fake_time)
    same = next(e for e in again.listings("200", [Directory.GLOBAL]) if e.name == "Jürgen Müller")
    assert same.id == juergen.id, "an unchanged entry keeps its id across restarts"
    entries = again.favorite_groups("200")[0].entries
    assert [e.listing.name for e in entries] == ["Jürgen Müller"], "a changed entry is a new one: it left the group"
    again.close()


def test_personal_contacts_and_the_limit_check_run_in_one_transaction(state: State) -> None:
    seen: list[int] = []

    def room(count: int) -> None:
        seen.append(count)
        if count >= 2:
            raise Full

    a = state.add_personal("200", ContactFields("A"), NOW, room)
    state.add_personal("200", ContactFields("B", mobile="+49 1"), NOW, room)
    with pytest.raises(Full):
        state.add_personal("200", ContactFields("C"), NOW, room)
    assert seen == [0, 1, 2] and [c.fields.name for c in state.personal_contacts("200")] == ["A", "B"]
    assert state.personal_contacts("201") == [], "personal contacts are not shared (000:524)"
    assert state.personal_contact("201", str(a.id)) is None
    for bad in ("x", "-1", "9" * 30, "\u0661"):
        assert state.personal_contact("200", bad) is None
    edited = state.update_personal("200", str(a.id), ContactFields("A2"), NOW)
    assert edited is not None and (edited.fields.name, edited.origin) == ("A2", "manual")
    assert state.delete_personal("200", str(a.id)) is not None and state.count_personal("200") == 1


def test_import_synchronises_imported_contacts_only(state: State) -> None:
    """000:520: an import synchronises the earlier imported contacts; edited ones are manual and stay."""
    manual = state.add_personal("200", ContactFields("Hand Made"), NOW, _never)
    first = state.import_personal(
        "200", [ContactFields("A", mobile="1"), ContactFields("B"), ContactFields("C")], "csv", NOW, _never
    )
    assert (first.added, first.updated, first.removed, first.kept, first.total) == (3, 0, 0, 1, 4)
    by_name = {c.fields.name: c for c in state.personal_contacts("200")}
    group = state.create_favorite_group("200", "Imported", NOW, _never)
    state.add_favorite("200", group.id, by_name["A"].listing, NOW)
    state.update_personal("200", str(by_name["C"].id), ContactFields("C", business="2"), NOW)  # edited: now manual

    second = state.import_personal("200", [ContactFields("A", mobile="11"), ContactFields("D")], "xml", NOW, _never)
    assert (second.added, second.updated, second.removed, second.kept, second.total) == (1, 1, 1, 2, 4)
    after = {c.fields.name: c for c in state.personal_contacts("200")}
    assert set(after) == {"Hand Made", "A", "C", "D"}, "B (imported, not in the file) is gone; C was edited"
    assert after["A"].id == by_name["A"].id and after["A"].fields.mobile == "11" and after["A"].origin == "xml"
    assert [e.listing.id for e in state.favorite_groups("200")[0].entries] == [str(by_name["A"].id)]
    assert after["Hand Made"].id == manual.id

    seen: list[tuple[int, int]] = []

    def room(kept: int, importing: int) -> None:
        seen.append((kept, importing))
        raise Full

    with pytest.raises(Full):
        state.import_personal("200", [ContactFields("Z")], "csv", NOW, room)
    assert seen == [(2, 1)] and set(c.fields.name for c in state.personal_contacts("200")) == set(after)


def test_favorites_follow_what_they_point_to(state: State, fake_time: FakeTime) -> None:
    contact = state.add_personal("200", ContactFields("Pal"), NOW, _never)
    group = state.create_favorite_group("200", "Mixed", NOW, _never)
    ben = state.listing("200", Directory.INTERNAL, "201")
    pizza = next(iter(state.listings("200", [Directory.SYSTEM])))
    assert ben is not None
    for listing in (ben, contact.listing, pizza):
        assert state.add_favorite("200", group.id, listing, NOW) is not None
    assert state.add_favorite("200", group.id, ben, NOW) is None, "once per group"
    other = state.create_favorite_group("200", "Other", NOW, _never)
    assert state.add_favorite("200", other.id, ben, NOW) is not None, "a contact may be in several groups"
    state.delete_personal("200", str(contact.id))
    assert [e.listing.name for e in state.favorite_groups("200")[0].entries] == ["Ben Brandt", "Pizzeria Roma"]
    assert state.favorite_group("201", group.id) is None, "another user's group is not yours"
    assert not state.delete_favorite_group("201", group.id)

    data = example_data()
    data["users"] = [u for u in data["users"] if u["number"] != "201"]
    data["devices"] = [x for x in data["devices"] if x["id"] != "webrtc_201"]
    path = state.path
    state.close()
    again = State.open(path, validate_config(data), cost=ScryptCost.FAST, real_time=fake_time)
    assert [e.listing.name for e in again.favorite_groups("200")[0].entries] == ["Pizzeria Roma"], (
        "a user removed by the administrator leaves the favorites"
    )
    renamed = again.rename_favorite_group("200", group.id, "Renamed", _never)
    assert renamed is not None and renamed.name == "Renamed"
    assert again.delete_favorite_group("200", group.id) and [g.name for g in again.favorite_groups("200")] == ["Other"]
    again.close()


def test_pictures_survive_a_restart(state: State, fake_time: FakeTime) -> None:
    picture, _ = check_picture(image("JPEG", 300, 100))
    assert picture is not None
    stored = state.set_picture("200", picture, NOW)
    assert stored.picture == picture and (picture.format, picture.original_width) == ("jpeg", 300)
    assert state.has_picture(["200", "201"]) == {"200"}
    path = state.path
    state.close()
    again = State.open(path, example(), cost=ScryptCost.FAST, real_time=fake_time)
    kept = again.picture("200")
    assert kept is not None and kept.picture.data == picture.data
    assert again.delete_picture("200") and again.picture("200") is None and not again.delete_picture("200")
    again.close()


def _version_1_database(path: Path) -> None:
    """What the committed stub (schema 1) left behind: its tables and a user who changed things."""
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[1].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    conn.execute(
        "INSERT INTO users (number, name, licences, mobile, password_hash, must_change_password) VALUES (?,?,?,?,?,0)",
        (
            "200",
            "Anna Adler",
            "ip_user,uc_user,voicemail",
            None,
            credentials.hash_secret("Mine#2026x", ScryptCost.FAST),
        ),
    )
    conn.execute(
        "INSERT INTO presence (number, status, info_text, visibility) VALUES ('200', 'lunch', 'back at 1', 'internal')"
    )
    conn.execute("INSERT INTO voicemail (number, preset_pin) VALUES ('200', '123456')")
    conn.commit()
    conn.close()


def test_migration_from_schema_1_keeps_what_users_changed(tmp_path: Path, fake_time: FakeTime) -> None:
    path = tmp_path / "v1.sqlite"
    _version_1_database(path)
    state = State.open(path, example(), cost=ScryptCost.FAST, real_time=fake_time)
    assert state.schema_version() == SCHEMA_VERSION  # every later migration ran too
    assert state.verify_password("200", "Mine#2026x"), "the user's own password survives the migration"
    p = state.presence("200")
    assert (p.status.value, p.info_text, p.visibility.value) == ("lunch", "back at 1", "internal")
    user = state.user("200")
    assert user is not None and user.email == "anna.adler@osbiz.lab", "the new column is filled from the config"
    assert any(e.name == "Pizzeria Roma" for e in state.listings("200", [Directory.SYSTEM]))
    assert state.add_personal("200", ContactFields("New"), NOW, _never).origin == "manual"
    state.close()
    again = State.open(path, example(), cost=ScryptCost.FAST, real_time=fake_time)
    assert [c.fields.name for c in again.personal_contacts("200")] == ["New"], "opening again migrates nothing"
    again.close()


def test_callme_destination(state: State) -> None:
    """The CallMe service's number (the CallMe API sets it): active while set; deleting it leaves the
    CallMe status for Office (000:642, 000:782)."""
    assert state.set_callme("200", "+49 170 5550100").callme_active
    state.set_presence("200", PresenceChange(Status.CALLME))
    after = state.set_callme("200", None)
    assert (after.callme_active, after.status) == (False, Status.OFFICE)
