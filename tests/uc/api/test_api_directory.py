"""The UC API's directories, personal contacts, imports, favorites and picture, in-process."""

# ruff: noqa: F401, F811 (test_api.py's fixtures, imported under the names these tests use)

from __future__ import annotations

import pytest

from simulators.phone.ucapi import UcApiError

from ..rules.test_directory_rules import image
from .test_api import Lab
from .test_api import lab as smart
from .test_api import suite_lab as suite


def _csv(n: int, prefix: str = "Contact") -> bytes:
    return ("Name;Mobile\n" + "".join(f"{prefix} {i:04d};+49 170 {i:07d}\n" for i in range(n))).encode()


async def test_the_3001st_personal_contact_is_refused(smart: Lab) -> None:
    """000:1948: UC Smart supports adding or importing 3000 contacts."""
    api = await smart.user("200", "Start#200a")
    imported = await api.import_contacts(_csv(2999), "csv")
    assert (imported.added, imported.total) == (2999, 2999)
    assert (await api.add_contact("Number 3000")).origin == "manual"
    with pytest.raises(UcApiError) as full:
        await api.add_contact("Number 3001")
    assert (full.value.status, full.value.code, full.value.message) == (
        409,
        "personal_contacts_full",
        "You already have 3000 personal contacts, the most UC Smart keeps; delete contacts you no longer need, "
        "then add this one.",
    )
    with pytest.raises(UcApiError) as too_many:
        await api.import_contacts(_csv(3000), "csv")
    assert too_many.value.message == (
        "The file has 3000 contacts; with your 1 manually added contacts that makes 3001, and UC Smart keeps at most "
        "3000 personal contacts. Import at most 2999 contacts, or delete manually added contacts first. Nothing was "
        "imported."
    )
    listed = await api.contacts()
    assert (listed.count, listed.limit) == (3000, 3000)
    hits = await api.search("Contact 29", directory="personal", limit=5)
    assert (hits.total, hits.truncated, [h.name for h in hits.hits][:2]) == (
        99,
        True,
        ["Contact 2900", "Contact 2901"],
    )


async def test_bad_files_change_nothing(smart: Lab) -> None:
    api = await smart.user("200", "Start#200a")
    await api.import_contacts(b"Name\nKept\n", "csv")
    with pytest.raises(UcApiError) as bad:
        await api.import_contacts(b"Name;Mobile\nA;1\nB;x\n", "csv")
    assert (bad.value.status, bad.value.code, bad.value.violations) == (
        400,
        "import_invalid",
        ("line 3: mobile_invalid",),
    )
    with pytest.raises(UcApiError) as xml:
        await api.import_contacts(b"<contacts><contact><name>A</name></contact>", "xml")
    assert xml.value.violations == ("line 1: xml_syntax",)
    assert [c.name for c in (await api.contacts()).contacts] == ["Kept"]
    r = await api.request("POST", "/api/v1/contacts/import", params={"format": "vcard"}, content=b"x")
    assert r.status_code == 422 and "unknown format 'vcard'; use one of: 'csv' or 'xml'" in r.json()["message"]
    r = await api.request("POST", "/api/v1/contacts/import", params={"format": "csv", "encodng": "utf-8"}, content=b"x")
    assert (r.status_code, r.json()["message"]) == (
        422,
        "Invalid request: unknown query parameter 'encodng'; did you mean 'encoding'?.",
    )
    r = await api.request(
        "POST", "/api/v1/contacts/import", params={"format": "csv"}, content=b"x" * (4 * 1024 * 1024 + 1)
    )
    assert (r.status_code, r.json()["message"]) == (
        413,
        "The contacts file is larger than 4 MB; upload a smaller one.",
    )


async def test_personal_contacts_in_suite_mode_come_from_another_client(suite: Lab) -> None:
    """000:522: in UC Suite mode personal contacts are added or imported with another UC Suite client."""
    at_work = await suite.user("200", "582014")
    with pytest.raises(UcApiError) as refused:
        await at_work.add_contact("Pal")
    assert (refused.value.status, refused.value.message) == (
        403,
        "In UC Suite mode you add, edit and import personal contacts with another UC Suite client (e.g. myPortal for "
        "Desktop); myPortal @work shows them.",
    )
    desktop = await suite.user("200", "582014", client="myportal_for_desktop")
    pal = await desktop.add_contact("Pal Müller")
    found = await at_work.search("Muller")
    assert [(h.directory, h.name) for h in found.hits] == [
        ("global", "Jürgen Müller"),
        ("external", "Lieferant Müller GmbH"),
        ("personal", "Pal Müller"),
    ]
    assert [d.directory for d in await at_work.directories()] == [
        "personal",
        "internal",
        "system",
        "global",
        "external",
    ]
    assert pal.origin == "manual"


async def test_external_directory_is_uc_suite_only(smart: Lab) -> None:
    api = await smart.user("200", "Start#200a")
    with pytest.raises(UcApiError) as refused:
        await api.search("Mü", directory="external")
    assert (refused.value.status, refused.value.violations) == (400, ("external_uc_suite_only",))
    group = await api.create_group("X")
    with pytest.raises(UcApiError):
        await api.add_favorite(group.id, "external", "e123")


async def test_favorites_through_the_api(smart: Lab, suite: Lab) -> None:
    api = await smart.user("200", "Start#200a")
    team = await api.create_group("  Team  ")
    assert team.name == "Team"
    with pytest.raises(UcApiError) as clash:
        await api.create_group("TEAM")
    assert (clash.value.status, clash.value.message) == (
        409,
        "You already have a favorites group named 'Team'; choose another name.",
    )
    ben = await api.add_favorite(team.id, "internal", "201")
    assert ben.contact.presence is not None and ben.contact.presence.status == "office"
    with pytest.raises(UcApiError) as missing:
        await api.add_favorite(team.id, "global", "nope")
    assert (missing.value.status, missing.value.message) == (
        404,
        "There is no entry nope in the global directory; search for the contact and use the id of the result.",
    )
    with pytest.raises(UcApiError) as other:
        await (await smart.user("201", "Start#201b")).delete_group(team.id)
    assert (other.value.status, other.value.message) == (404, f"You have no favorites group {team.id}.")
    assert await api.remove_favorite(team.id, ben.favorite_id) == "Ben Brandt has been deleted from Team."
    assert await api.delete_group(team.id) == "The favorites group Team has been deleted."

    suite_user = await suite.user("200", "582014")
    group = await suite_user.create_group("Suite")
    with pytest.raises(UcApiError) as refused:
        await suite_user.delete_group(group.id)
    assert (refused.value.status, refused.value.code) == (403, "group_delete_by_other_client")
    desktop = await suite.user("200", "582014", client="myportal_for_desktop")
    assert await desktop.delete_group(group.id) == "The favorites group Suite has been deleted."


async def test_picture_through_the_api(smart: Lab, suite: Lab) -> None:
    api = await smart.user("200", "Start#200a")
    colleague = await smart.user("201", "Start#201b")
    with pytest.raises(UcApiError) as none:
        await colleague.picture_of("200")
    assert (none.value.status, none.value.message) == (404, "Anna Adler has no picture.")
    info = await api.upload_picture(image("JPEG", 800, 600), "image/jpeg")
    assert (info.media_type, info.width, info.height, info.original_width) == ("image/jpeg", 200, 200, 800)
    media, data = await colleague.picture_of("200")
    assert media == "image/jpeg" and data == (await api.picture())[1]
    assert (await colleague.search("Anna")).hits[0].has_picture
    assert await api.delete_picture() == "Your picture has been deleted."
    with pytest.raises(UcApiError) as gone:
        await api.delete_picture()
    assert gone.value.message == "You have no picture."
    with pytest.raises(UcApiError) as bad:
        await api.upload_picture(b"\x89PNG\r\n\x1a\n broken")
    assert (bad.value.status, bad.value.code) == (400, "picture_rules")
    suite_user = await suite.user("200", "582014")
    with pytest.raises(UcApiError) as refused:
        await suite_user.upload_picture(image("PNG", 50, 50))
    assert (refused.value.status, refused.value.message) == (
        403,
        "Your own picture can only be provided in UC Smart mode; this system runs UC Suite.",
    )


async def test_presence_options(smart: Lab, suite: Lab) -> None:
    anna = await (await smart.user("200", "Start#200a")).presence_options()
    assert anna.statuses == [
        "office", "meeting", "sick", "break", "gone_out", "vacation", "lunch", "at_home", "do_not_disturb",
    ]  # fmt: skip
    assert anna.forwarding_targets == ["none", "voicemail", "mobile", "external"]
    ben = await (await smart.user("201", "Start#201b")).presence_options()
    assert ben.forwarding_targets == ["none", "voicemail", "external"], "no mobile number to forward to"
    mulap = await (await smart.user("210", "Start#210t")).presence_options()
    assert "do_not_disturb" not in mulap.statuses
    at_work = await (await suite.user("201", "693025")).presence_options()
    assert (at_work.forwarding_targets, at_work.callme_available, at_work.callme_active) == ([], True, False)
    assert "callme" not in at_work.statuses
