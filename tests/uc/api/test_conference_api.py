"""Conference Management in the UC API, in-process (UC-CONF-2..5): rules and refusals."""

# ruff: noqa: F401, F811 (test_api.py's fixtures, imported under the names these tests use)

from __future__ import annotations

import pytest

from simulators.phone.conference import Conferences
from simulators.phone.ucapi import UcApiError
from simulators.uc.callcore import routing
from simulators.uc.callcore.ivr import CONFIRM_TONE, MUSIC_ON_HOLD_TONE, PROMPT_TONE, Collect, Collected, Tone
from simulators.uc.rules import conference_slots as mix
from simulators.uc.rules import conferences as rules

from .test_api import Lab
from .test_api import lab as smart
from .test_api import suite_lab as suite


async def test_create_list_rename_and_the_moderator_rules(smart: Lab) -> None:
    ben = Conferences(await smart.user("201", "Start#201b"))
    anna = Conferences(await smart.user("200", "Start#200a"))
    with pytest.raises(UcApiError) as no_licence:
        await anna.create("Weekly")
    assert (no_licence.value.status, no_licence.value.code, no_licence.value.message) == (
        403,
        "conference_rules",
        "You have no conference licence; ask your administrator to assign one to manage conferences.",
    )
    conf = await ben.create("  Weekly   sync ", guest_pin_allowed=False)
    assert (conf["name"], conf["moderator"], conf["dial_in_number"]) == ("Weekly sync", True, "7400")
    [me] = conf["participants"]
    assert (me["number"], me["moderator"], me["state"], len(me["personal_pin"])) == ("201", True, "inactive", 6)
    anna_p = await ben.add(conf["id"], "200")
    ext = await ben.add(conf["id"], name="Xaver Extern", phone="+49 89 555", email="x@ext.example")
    assert (anna_p["external"], ext["external"], ext["moderator"]) == (False, True, False)
    # anna sees it, without the star, and may change nothing
    [seen] = await anna.list()
    assert (seen["moderator"], seen["guest_pin"]) == (False, None)
    not_mod = (
        403,
        "conference_rules",
        "Only a moderator of this conference may change it; ask one of its moderators (marked with a star).",
    )
    for attempt in (
        anna.change(conf["id"], name="Mine"),
        anna.add(conf["id"], "202"),
        anna.remove(conf["id"], ext["id"]),
        anna.set_moderator(conf["id"], anna_p["id"]),
        anna.delete(conf["id"]),
        anna.end(conf["id"]),
        anna.invitation(conf["id"]),
    ):
        with pytest.raises(UcApiError) as refused:
            await attempt
        assert (refused.value.status, refused.value.code, refused.value.message) == not_mod
    # moderators: internal, licensed; externals never; at least one remains
    with pytest.raises(UcApiError) as ext_mod:
        await ben.set_moderator(conf["id"], ext["id"])
    assert (ext_mod.value.status, ext_mod.value.message) == (
        400,
        "Participants entered by hand (external) and guests cannot be moderators; choose an internal participant.",
    )
    with pytest.raises(UcApiError) as unlicensed:
        await ben.set_moderator(conf["id"], anna_p["id"])
    assert (unlicensed.value.status, unlicensed.value.message) == (
        403,
        "200 has no conference licence, which a moderator needs; ask your administrator for one.",
    )
    with pytest.raises(UcApiError) as last:
        await ben.set_moderator(conf["id"], me["id"], False)
    assert (last.value.status, last.value.message) == (
        409,
        "A conference needs at least one moderator; set another participant as moderator first.",
    )
    with pytest.raises(UcApiError) as twice:
        await ben.add(conf["id"], "200")
    assert twice.value.message == "200 is already a participant of this conference."
    renamed = await ben.change(conf["id"], name="Daily", guest_pin_allowed=True)
    assert (renamed["name"], renamed["guest_pin_allowed"]) == ("Daily", True)
    await ben.remove(conf["id"], ext["id"])
    assert [p["number"] for p in (await ben.get(conf["id"]))["participants"]] == ["201", "200"]
    assert await ben.delete(conf["id"]) == "Conference 'Daily' deleted."
    assert await anna.list() == []


async def test_sixteen_listed_at_most(smart: Lab) -> None:
    ben = Conferences(await smart.user("201", "Start#201b"))
    conf = await ben.create("Big")
    for i in range(rules.MEETME_MAX - 1):
        await ben.add(conf["id"], name=f"Guest {i}", phone=f"+4930{i:04d}")
    with pytest.raises(UcApiError) as full:
        await ben.add(conf["id"], name="One too many", phone="+49301")
    assert (full.value.status, full.value.message) == (
        409,
        "The conference already lists 16 participants, the most it can have; remove one first.",
    )


async def test_invitations_to_all_and_to_one(smart: Lab) -> None:
    """UC-CONF-5 (000:1562-1564, 000:1609-1610): to all only the guest PIN (if allowed) and
    the dial-in number; to one participant also the personal PIN."""
    ben = Conferences(await smart.user("201", "Start#201b"))
    conf = await ben.create("Review")
    anna = await ben.add(conf["id"], "200")
    full = await ben.get(conf["id"])
    to_all = await ben.invitation(conf["id"])
    assert to_all["text"] == (
        'Invitation to the conference "Review" (OSBiz Lab)\nDial-in number: 7400\n'
        "Call the dial-in number and enter the PIN followed by #."
    )
    assert to_all["to"] == ["anna.adler@osbiz.lab"]
    await ben.change(conf["id"], guest_pin_allowed=True)
    to_all = await ben.invitation(conf["id"])
    assert f"Guest PIN: {full['guest_pin']}" in to_all["text"] and anna["personal_pin"] not in to_all["text"]
    one = await ben.invitation(conf["id"], anna["id"])
    assert one["text"].splitlines()[2:4] == [
        f"Your personal PIN (conference ID): {anna['personal_pin']}",
        f"Guest PIN: {full['guest_pin']}",
    ]


async def test_uc_suite_has_no_conference_management(suite: Lab) -> None:
    user = suite.state.config.users[0]
    api = Conferences(await suite.user(user.number, user.password))
    with pytest.raises(UcApiError) as refused:
        await api.create("X")
    assert refused.value.status == 403 and refused.value.violations == ("conference_smart_only",)


def test_a_restarted_worker_lets_the_members_it_anchored_leave(smart: Lab) -> None:
    """A worker that died took its calls along: when its successor starts, the members whose
    calls it anchored leave (slot released, guests forgotten, the last-moderator rule applied);
    members anchored elsewhere stay."""
    state = smart.state
    conf = state.create_conference("201", "Ben", "X", True, state.now())
    anna = state.add_member(conf.id, lambda c: None, number="200", name="Anna")
    ben = conf.members[0]
    assert ben.pin and anna.pin
    _, on_0 = state.dial_in(ben.pin, 7, state.now(), "201", worker=0)
    _, on_1 = state.dial_in(anna.pin, 7, state.now(), "200", worker=1)
    _, guest = state.dial_in(conf.guest_pin, 7, state.now(), "+4989123", worker=0)
    assert on_0 and on_1 and guest
    for member in (ben.id, anna.id, guest.member.id):
        state.member_connected(conf.id, member, state.now())
    assert state.channels_in_use() == {conf.id: 3}
    assert sorted(state.meetme_worker_started(0, state.now(), 300)) == sorted(
        [(conf.id, ben.id), (conf.id, guest.member.id)]
    )
    after = state.conference(conf.id)
    assert after is not None and [(m.number, m.state.value) for m in after.members] == [
        ("201", "inactive"),
        ("200", "waiting"),
    ]
    assert after.info == rules.END_INFO_TEXT  # Ben, the moderator, is gone: Anna is told
    assert state.channels_in_use() == {conf.id: 1}
    assert state.meetme_worker_started(0, state.now(), 300) == []


def test_dial_in_states_and_the_automatic_end(smart: Lab) -> None:
    """UC-CONF-4 (000:1546-1555): alone -> waiting, two -> active; the last moderator leaving
    sets the info text and the end time; guests leave the list when they hang up."""
    state = smart.state
    conf = state.create_conference("201", "Ben", "X", True, state.now())
    anna = state.add_member(conf.id, lambda c: None, number="200", name="Anna")
    ben = conf.members[0]
    assert ben.pin and anna.pin
    wrong, none = state.dial_in("000000", 7, state.now(), "202")
    assert (wrong.admitted, wrong.code, none) == (False, "wrong_pin", None)
    ok, joined = state.dial_in(ben.pin, 7, state.now(), "201")
    assert ok.admitted and joined is not None and joined.member.state is rules.ParticipantState.DIALING_IN
    again, _ = state.dial_in(ben.pin, 7, state.now(), "201")
    assert again.code == "already_connected"
    after = state.member_connected(conf.id, ben.id, state.now())
    assert after is not None and [m.state.value for m in after.members] == ["waiting", "inactive"]
    _, j2 = state.dial_in(anna.pin, 7, state.now(), "200")
    assert j2 is not None
    after = state.member_connected(conf.id, anna.id, state.now())
    assert after is not None and [m.state.value for m in after.members] == ["active", "active"]
    _, guest = state.dial_in(conf.guest_pin, 7, state.now(), "+4989123")
    assert guest is not None and guest.member.guest
    state.member_connected(conf.id, guest.member.id, state.now())
    assert state.channels_in_use() == {conf.id: 3}
    left = state.member_left(conf.id, ben.id, state.now(), 300)
    assert left is not None and left.info == rules.END_INFO_TEXT and left.ends_at is not None
    assert (left.ends_at - state.now()).total_seconds() == pytest.approx(300, abs=1)
    left = state.member_left(conf.id, guest.member.id, state.now(), 300)
    assert left is not None and [m.number for m in left.members] == ["201", "200"]
    state.change_conference(conf.id, lambda c: None, guest_allowed=False)
    refused, _ = state.dial_in(conf.guest_pin, 7, state.now(), "+4989123")
    assert refused.code == "guest_pin_not_allowed"


def test_mixer_tree_sixteen_participants_on_seven_nodes() -> None:
    slots: list[mix.Slot] = []
    for member in range(1, 17):
        placement = mix.place(slots, 1, 7)
        assert placement is not None, f"participant {member} found no slot"
        slots += mix.claim(slots, 1, member, placement)
    for node in range(7):
        assert mix.used(slots, node) <= mix.SLOTS_PER_NODE
    assert mix.place(slots, 1, 7) is None
    ups = [s for s in slots if s.role == "up"]
    assert len(ups) == 6  # a tree: 7 nodes, 6 links
    # everyone leaves: no slot and no link remains
    for member in range(1, 17):
        slots = mix.release(slots, 1, member)
    assert slots == []


def test_mixer_links_are_pruned_when_a_side_empties() -> None:
    slots: list[mix.Slot] = []
    for member in range(1, 5):
        placement = mix.place(slots, 1, 3)
        assert placement is not None
        slots += mix.claim(slots, 1, member, placement)
    assert [s.role for s in slots if s.node == 1] == ["participant", "up"]
    slots = mix.release(slots, 1, 4)
    assert {s.node for s in slots} == {0} and all(s.role == "participant" for s in slots)


def test_pin_entry() -> None:
    entry = rules.PinEntry()
    assert [entry.feed(d) for d in "12#"] == [None, None, "12"]
    assert [entry.feed(d) for d in "9*123456"][-1] == "123456"


def test_mixer_node_reconciles_legs_with_slots() -> None:
    """A node dials its missing uplinks, hangs up legs without a row, and names legs so that
    the far side can check them against its own rows."""
    slots: list[mix.Slot] = []
    for member in range(1, 6):
        placement = mix.place(slots, 1, 2)
        assert placement is not None
        slots += mix.claim(slots, 1, member, placement)
    [up] = mix.uplinks(slots, 1)
    assert up == (1, mix.link_ref(1, 0))
    assert mix.parse_user(mix.link_user(1, 1, 0)) == up
    assert mix.parse_user(mix.participant_user(1, 4)) == (1, "4")
    for bad in ("7400", "conf-p1", "confx-p1", "conf1-q1", "conf1-l1", "conf1-l1-x"):
        assert mix.parse_user(bad) is None, bad
    plan = mix.reconcile(slots, 1, [(1, "4"), (1, "9")])
    assert plan.dial == [up] and plan.hangup == [(1, "9")]
    assert mix.reconcile(slots, 0, mix.expected_legs(slots, 0)) == mix.Reconcile([], [])
    assert not mix.lone(slots, 1)
    for member in range(2, 6):
        slots = mix.release(slots, 1, member)
    assert mix.lone(slots, 1) and mix.uplinks(slots, 1) == []


def test_dial_in_number_routes_to_the_pin_dialogue_which_hands_the_call_over(smart: Lab) -> None:
    """The dial-in number is answered by the core's PIN dialogue (UC-CONF-2, 000:1510); an
    admitted caller's call is handed to the conference, not ended."""
    state = smart.state
    route = routing.route(state, state.config.conferences.dial_in_number, "201")
    assert route == routing.Service("conference", "201")
    dialogue = Collect(("pin",), max_len=rules.PIN_DIGITS, full_ends_field=True)
    assert dialogue.start(0.0)[0] == Tone(PROMPT_TONE)
    for d in "12345":
        dialogue.digit(d, 0.0)
    # complete after the sixth digit; a # after it changes nothing (RULES-INTERPRETATION)
    assert dialogue.digit("6", 0.0)[-1] == Collected(("123456",))
    assert dialogue.digit("#", 0.0) == []
    short = Collect(("pin",), max_len=rules.PIN_DIGITS, full_ends_field=True)
    short.start(0.0)
    for d in "123":
        short.digit(d, 0.0)
    assert short.digit("#", 0.0)[-1] == Collected(("123",))
    assert dialogue.handover("conference 1") == [Tone(None)] and dialogue.state == "done"
    assert dialogue.timer(1.0) == [] and dialogue.digit("1", 1.0) == []
    assert MUSIC_ON_HOLD_TONE not in (PROMPT_TONE, CONFIRM_TONE)


async def test_the_administrator_sees_the_participants_states_and_the_channels_held(smart: Lab) -> None:
    """000:1517: no conference channel while nobody dialled in; 000:1547-1550: Inactive uses
    none, a participant in the conference uses one. Users do not get this view."""
    ben = Conferences(await smart.user("201", "Start#201b"))
    conf = await ben.create("Weekly")
    anna = await ben.add(conf["id"], "200")
    admin = smart.api()
    await admin.admin_login("Admin#2026")
    seen = await admin.admin_conference(conf["id"])
    assert (seen.name, seen.active, seen.channels_in_use) == ("Weekly", False, 0)
    assert [(p.number, p.moderator, p.state) for p in seen.participants] == [
        ("201", True, "inactive"),
        ("200", False, "inactive"),
    ]
    state = smart.state
    for member in (anna, conf["participants"][0]):
        _, joined = state.dial_in(member["personal_pin"], 2, state.now(), member["number"])
        assert joined is not None
        dialing = (await admin.admin_conference(conf["id"])).participant(member["id"])
        assert dialing is not None and dialing.state == "dialing_in"
        state.member_connected(conf["id"], member["id"], state.now())
        seen = await admin.admin_conference(conf["id"])
        assert seen.active and seen.channels_in_use == (1 if member is anna else 2)
    assert [p.state for p in seen.participants] == ["active", "active"]
    with pytest.raises(UcApiError) as user:
        await ben.api.admin_conferences()
    assert (user.value.status, user.value.code) == (403, "admin_only")
