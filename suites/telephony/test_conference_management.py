"""MeetMe conference management against the stub over the front door (UC-CONF-2..5).

A moderator (Ben, 201, with a conference licence) manages a permanent conference from
myPortal @work on the office LAN; Anna (200, no licence) is a participant. The suite asserts
what the documents say the moderator may do and what everyone else is refused, the
invitation texts, and that a permanent conference holds no conference channel while nobody
dialled in. Media (dial-in by DTMF, everyone hears everyone, music on hold) is
test_conference_media.py's.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.harness import StartStub
from simulators.lab import Lab
from simulators.phone.conference import Conferences
from simulators.phone.ucapi import UcApiError

from .common import admin_login, feature_stub, uc_login
from .conferencing import channels_in_use


@pytest.mark.clause(
    "UC-CONF-2/licence",
    "UC-CONF-2/permanent",
    "UC-CONF-3/initiator",
    "UC-CONF-3/moderator-only",
    "UC-CONF-3/external-not-moderator",
    "UC-CONF-3/at-least-one",
    "UC-CONF-3/moderator-licence",
    "UC-CONF-3/removed-leave",
    "UC-CONF-5/to-all",
    "UC-CONF-5/individual",
    how="api",
)
async def test_moderator_manages_a_permanent_conference_and_others_are_refused(
    lab_factory: Callable[..., Lab], stubs: StartStub
) -> None:
    """UC-CONF-2 (000:1489-1518): created permanent, no channel used until someone dials in;
    UC-CONF-3 (000:1519-1545, 000:1587-1604): the creator is moderator, only moderators change
    anything, externals cannot be moderators, one moderator must remain; UC-CONF-5
    (000:1556-1566): the invitation to all has no personal PIN, an individual one has."""
    lab = lab_factory("office_lan")
    stub = await feature_stub(lab, stubs)
    ben_api = await uc_login(lab, stub, "office_pc", "201")
    anna_api = await uc_login(lab, stub, "office_pc2", "200")
    admin = await admin_login(lab, stub, "office_pc")
    try:
        ben, anna = Conferences(ben_api), Conferences(anna_api)
        with pytest.raises(UcApiError) as no_licence:
            await anna.create("Anna's own")
        assert (no_licence.value.status, no_licence.value.violations) == (403, ("conference_licence_missing",))
        conf = await ben.create("Project review", guest_pin_allowed=True)
        assert conf["moderator"] and [p["moderator"] for p in conf["participants"]] == [True]
        anna_p = await ben.add(conf["id"], "200")
        ext = await ben.add(conf["id"], name="Xaver Extern", phone="+49 89 555 0100")
        # a permanent conference: listed, but no channel in use (000:1517)
        assert await channels_in_use(admin, conf["id"]) == 0
        assert {p["state"] for p in (await ben.get(conf["id"]))["participants"]} == {"inactive"}
        # Anna sees it without the star and may change nothing
        [listed] = await anna.list()
        assert (listed["id"], listed["moderator"], listed["guest_pin"]) == (conf["id"], False, None)
        for attempt in (anna.change(conf["id"], name="Hijacked"), anna.remove(conf["id"], ext["id"])):
            with pytest.raises(UcApiError) as refused:
                await attempt
            assert (refused.value.status, refused.value.violations) == (403, ("not_moderator",))
        with pytest.raises(UcApiError) as external:
            await ben.set_moderator(conf["id"], ext["id"])
        assert external.value.violations == ("external_cannot_moderate",)
        with pytest.raises(UcApiError) as unlicensed:  # Anna has no conference licence (000:1538)
            await ben.set_moderator(conf["id"], anna_p["id"])
        assert unlicensed.value.violations == ("moderator_licence_missing",)
        me = next(p for p in conf["participants"] if p["number"] == "201")
        with pytest.raises(UcApiError) as last:
            await ben.set_moderator(conf["id"], me["id"], False)
        assert (last.value.status, last.value.violations) == (409, ("last_moderator",))
        to_all = (await ben.invitation(conf["id"]))["text"]
        to_anna = (await ben.invitation(conf["id"], anna_p["id"]))["text"]
        assert "Dial-in number: 7400" in to_all and f"Guest PIN: {conf['guest_pin']}" in to_all
        assert anna_p["personal_pin"] not in to_all
        assert f"Your personal PIN (conference ID): {anna_p['personal_pin']}" in to_anna
        await ben.remove(conf["id"], ext["id"])
        assert [p["number"] for p in (await ben.get(conf["id"]))["participants"]] == ["201", "200"]
        await ben.delete(conf["id"])
        assert await anna.list() == []
    finally:
        await ben_api.aclose()
        await anna_api.aclose()
        await admin.aclose()


@pytest.mark.clause("UC-CONF-2/max-16", "UC-CONF-2/smart-only", how="api")
async def test_sixteen_participants_and_not_one_more_in_uc_smart_only(
    lab_factory: Callable[..., Lab], stubs: StartStub
) -> None:
    """UC-CONF-2 (000:1513) "Max. number of participants per conference: 16": Ben's conference
    (Ben and 15 external participants) is full; a 17th is refused and the list stays at 16.
    (000:1505) "The application controlled Conference is available in UC Smart mode only": the
    same system in UC Suite mode refuses to create one, naming that rule."""
    lab = lab_factory("office_lan")
    stub = await feature_stub(lab, stubs)
    api = await uc_login(lab, stub, "office_pc", "201")
    try:
        ben = Conferences(api)
        conf = await ben.create("All hands")
        for i in range(15):
            await ben.add(conf["id"], name=f"Guest {i:02d}", phone=f"+49 89 555 01{i:02d}")
        assert len((await ben.get(conf["id"]))["participants"]) == 16
        with pytest.raises(UcApiError) as full:
            await ben.add(conf["id"], name="Guest 16", phone="+49 89 555 0116")
        assert 400 <= full.value.status < 500 and full.value.violations == ("conference_full",), full.value
        assert len((await ben.get(conf["id"]))["participants"]) == 16, "the 17th was listed"
    finally:
        await api.aclose()
    stub.stop()
    for path in (lab.dir / "uc-system").glob("state.sqlite*"):
        path.unlink()  # the same system, set up again in UC Suite mode
    suite = await feature_stub(lab, stubs, mode="suite")
    api = await uc_login(lab, suite, "office_pc", "201")
    try:
        with pytest.raises(UcApiError) as smart_only:
            await Conferences(api).create("All hands")
        assert 400 <= smart_only.value.status < 500, smart_only.value
        assert smart_only.value.violations == ("conference_smart_only",), smart_only.value
    finally:
        await api.aclose()
