"""The UC API in-process (httpx ASGI transport): sessions, presence, VoIP check, connections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators.phone.ucapi import UcApi, UcApiError
from simulators.uc.api.app import ApiSettings, create_app
from simulators.uc.credentials import ScryptCost
from simulators.uc.state.core import State

from ..conftest import FakeTime, example

URL = "https://uc.lab:8802"
TOKEN = "internal-secret"


class Lab:
    """A state, its app, and clients from given addresses."""

    def __init__(self, state: State, clock: FakeTime) -> None:
        self.state = state
        self.clock = clock
        self.app = create_app(state, ApiSettings(internal_token=TOKEN))
        self.clients: list[UcApi] = []

    def api(self, address: str = "192.168.1.50", client: str = "myportal_at_work") -> UcApi:
        transport = httpx.ASGITransport(app=self.app, client=(address, 50000))
        api = UcApi(URL, transport=transport, client=client)
        self.clients.append(api)
        return api

    def raw(self, scheme: str = "https", address: str = "192.168.1.50") -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=(address, 50000)), base_url=f"{scheme}://uc.lab:8802"
        )

    async def user(self, number: str, password: str, **kw: Any) -> UcApi:
        api = self.api(**kw)
        await api.login(number, password)
        return api


async def _lab(path: Path, fake_time: FakeTime, name: str = "office", **system: Any) -> AsyncIterator[Lab]:
    state = State.open(path / f"{name}.sqlite", example(name, **system), cost=ScryptCost.FAST, real_time=fake_time)
    lab = Lab(state, fake_time)
    yield lab
    for api in lab.clients:
        await api.aclose()
    state.close()


@pytest.fixture
async def lab(tmp_path: Path, fake_time: FakeTime) -> AsyncIterator[Lab]:
    async for x in _lab(tmp_path, fake_time):
        yield x


@pytest.fixture
async def suite_lab(tmp_path: Path, fake_time: FakeTime) -> AsyncIterator[Lab]:
    async for x in _lab(tmp_path, fake_time, "office_suite"):
        yield x


async def test_http_is_refused_and_health_and_spec_answer_on_any_scheme(lab: Lab) -> None:
    async with lab.raw("http") as plain:
        r = await plain.post("/api/v1/login", json={"user": "200", "password": "Start#200a"})
        assert r.status_code == 403 and r.json()["error"] == "https_required"
        assert (await plain.get("/health")).json() == {"status": "ok"}
        spec = (await plain.get("/openapi.json")).json()
    assert spec["info"]["title"] == "OpenScape Business UC API (uclab stub)"
    assert "/api/v1/login" in spec["paths"] and "/api/v1/internal/registrations/claim" in spec["paths"]


async def test_login_errors(lab: Lab) -> None:
    api = lab.api()
    with pytest.raises(UcApiError) as wrong:
        await api.login("200", "wrong")
    assert (wrong.value.status, wrong.value.code, wrong.value.message) == (
        401,
        "wrong_credentials",
        "Wrong user name or password.",
    )
    with pytest.raises(UcApiError) as unknown:
        await api.login("999", "Start#200a")
    assert unknown.value.message == "Wrong user name or password."
    with pytest.raises(UcApiError) as name:
        await api.login("Anna", "Start#200a")
    assert (name.value.status, name.value.message) == (
        422,
        "Invalid request: user: the user name is your internal phone number (digits), e.g. 200.",
    )
    with pytest.raises(UcApiError) as unlicensed:
        await api.login("210", "Start#210t", client="myportal_for_desktop")
    assert (
        unlicensed.value.message
        == "myPortal for Desktop is a UC Suite client and this system runs UC Smart; use myPortal @work."
    )
    with pytest.raises(UcApiError) as not_logged_in:
        await api.me()
    assert (not_logged_in.value.status, not_logged_in.value.code) == (401, "not_logged_in")


async def test_malformed_requests_get_422_naming_the_field(lab: Lab) -> None:
    async with lab.raw() as c:
        r = await c.post("/api/v1/login", json={"usr": "200", "password": 5})
        assert r.status_code == 422
        assert r.json() == {
            "error": "invalid_request",
            "message": "Invalid request: user: required field is missing; add it; password: expected text, got the "
            "number 5; write it in quotes, e.g. \"5\"; usr: unknown field 'usr'; did you mean 'user'?.",
            "violations": ["user", "password", "usr"],
        }
        r = await c.post("/api/v1/login", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["message"].startswith("Invalid request: the body is not valid JSON")
        r = await c.post("/api/v1/login", content=b"user=200")
        assert r.json()["message"] == (
            "Invalid request: body: expected a JSON object; send the body as JSON with Content-Type: application/json."
        )
        r = await c.post(
            "/api/v1/login",
            content=b'{"user": "200", "password": "\\ud800"}',
            headers={"content-type": "application/json"},
        )
        assert r.json()["message"] == (
            "Invalid request: password: is not valid Unicode text (lone surrogates); send valid UTF-8 text."
        )
        assert (await c.get("/api/v1/nothing")).json()[
            "message"
        ] == "There is no /api/v1/nothing; see /openapi.json for the UC API."
        r = await c.delete("/api/v1/login")
        assert r.status_code == 405 and r.json()["error"] == "http_error"
        r = await c.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
        assert r.status_code == 401 and r.json()["error"] == "session_ended"


async def test_logout_ends_the_session(lab: Lab) -> None:
    api = await lab.user("200", "Start#200a")
    assert (await api.me()).number == "200"
    token = api.token
    await api.logout()
    api.token = token
    with pytest.raises(UcApiError) as ended:
        await api.me()
    assert ended.value.message == "Your session has ended (logged out or timed out); log in again."


async def test_uc_smart_allows_several_places_uc_suite_one_at_work(lab: Lab, suite_lab: Lab) -> None:
    """004:138 (UC Smart: several places) and 004:139 (UC Suite: one myPortal @work)."""
    await lab.user("200", "Start#200a", address="192.168.1.50")
    await lab.user("200", "Start#200a", address="203.0.113.7")
    sessions = (await (await lab.user("200", "Start#200a")).connections()).uc_sessions
    assert [s.address for s in sessions] == ["192.168.1.50", "203.0.113.7", "192.168.1.50"]

    office = await suite_lab.user("200", "582014", address="192.168.1.50")
    with pytest.raises(UcApiError) as second:
        await suite_lab.user("200", "582014", address="203.0.113.7")
    assert second.value.status == 409 and second.value.code == "only_one_client"
    assert second.value.message.startswith(
        "Only one myPortal @work client is allowed per user in UC Suite mode; 200 is already connected from 192.168.1.50 since "
    )
    desktop = await suite_lab.user("200", "582014", client="myportal_for_desktop")
    assert (await desktop.me()).client == "myportal_for_desktop"
    await office.logout()
    await suite_lab.user("200", "582014", address="203.0.113.7")


async def test_presence(lab: Lab) -> None:
    api = await lab.user("200", "Start#200a")
    colleague = await lab.user("201", "Start#201b")
    now = lab.state.now()
    p = await api.set_presence(
        "vacation", return_time=now + timedelta(hours=2), info_text="back Monday", forward_to="mobile"
    )
    assert (p.status, p.return_time_announced, p.forwarding["vacation"].target) == ("vacation", True, "mobile")
    seen = await colleague.presence_of("200")
    assert (seen.visible, seen.status, seen.info_text) == (True, "vacation", "back Monday")
    assert seen.return_time is not None
    lab.clock.now += 3 * 3600
    later = await api.presence()
    assert (later.status, later.return_time_announced) == ("vacation", False), "000:694: status stays, time dropped"
    assert (await colleague.presence_of("200")).return_time is None
    await api.set_visibility("not_visible")
    hidden = await colleague.presence_of("200")
    assert (hidden.visible, hidden.status, hidden.info_text) == (False, None, None)
    with pytest.raises(UcApiError) as unknown:
        await colleague.presence_of("999")
    assert (unknown.value.status, unknown.value.message) == (404, "There is no user with number 999.")

    mulap = await lab.user("210", "Start#210t")
    with pytest.raises(UcApiError) as dnd:
        await mulap.set_presence("do_not_disturb")
    assert (dnd.value.status, dnd.value.violations) == (400, ("dnd_mulap",))
    with pytest.raises(UcApiError) as callme:
        await api.set_presence("callme")
    assert callme.value.message == "CallMe is not available in this mode and release; choose Office."
    r = await api.request("PUT", "/api/v1/presence", {"status": "lunch", "return_time": "2030-01-01T12:00:00"})
    assert r.status_code == 422 and "time zone" in r.json()["message"]
    r = await api.request("PUT", "/api/v1/presence", {"status": "lunch", "return_time": "0001-01-01T00:00:00+14:00"})
    assert r.status_code == 422 and "out of range" in r.json()["message"]


async def test_callme_status_in_v3_needs_an_active_callme(tmp_path: Path, fake_time: FakeTime) -> None:
    """REL-CALLME: in V3 CallMe exists in UC Smart too; the status still needs an active service."""
    async for lab in _lab(tmp_path, fake_time, release="V3"):
        api = await lab.user("200", "Start#200a")
        with pytest.raises(UcApiError) as refused:
            await api.set_presence("callme")
        assert refused.value.violations == ("callme_not_active",)


async def test_suite_forwarding_is_set_by_another_client(suite_lab: Lab) -> None:
    at_work = await suite_lab.user("201", "693025")
    with pytest.raises(UcApiError) as refused:
        await at_work.set_presence("sick", forward_to="voicemail")
    assert (
        refused.value.message
        == "In UC Suite mode the forwarding destination is configured with another UC Suite client."
    )
    desktop = await suite_lab.user("201", "693025", client="myportal_for_desktop")
    assert (await desktop.set_presence("sick", forward_to="external", external_number="+49 89 123456")).status == "sick"


async def test_second_registration_is_visible_in_open_connections(lab: Lab) -> None:
    """TRB-2 (004:329): the refused second registration shows in the open connections."""
    async with lab.raw() as sip_side:
        claim = {
            "sip_user": "200",
            "contact": "sip:200@203.0.113.7:40001",
            "source": "203.0.113.7:40001",
            "transport": "tls",
        }
        denied = await sip_side.post("/api/v1/internal/registrations/claim", json=claim)
        assert denied.status_code == 403 and denied.json()["error"] == "internal_token"
        headers = {"X-UC-Internal-Token": TOKEN}
        first = (await sip_side.post("/api/v1/internal/registrations/claim", json=claim, headers=headers)).json()
        assert (first["accepted"], first["outcome"]) == (True, "new")
        second_claim = dict(claim, contact="sip:200@192.168.1.50:5061", source="192.168.1.50:5061")
        second = (
            await sip_side.post("/api/v1/internal/registrations/claim", json=second_claim, headers=headers)
        ).json()
        assert (second["accepted"], second["sip_code"], second["holder"]["source"]) == (False, 403, "203.0.113.7:40001")
        ghost = await sip_side.post(
            "/api/v1/internal/registrations/claim", json=dict(claim, sip_user="ghost"), headers=headers
        )
        assert ghost.status_code == 404
    api = await lab.user("200", "Start#200a")
    conns = await api.connections()
    assert [r.source for r in conns.voip_registrations] == ["203.0.113.7:40001"]
    assert [r.source for r in conns.refused_registrations] == ["192.168.1.50:5061"]
    assert conns.refused_registrations[0].reason.startswith(
        "Station 200 already has a VoIP registration from 203.0.113.7:40001 over TLS"
    )
    other = await (await lab.user("201", "Start#201b")).connections()
    assert other.voip_registrations == [] and other.refused_registrations == []
    async with lab.raw() as sip_side:
        released = await sip_side.post(
            "/api/v1/internal/registrations/release",
            json={
                "sip_user": "200",
                "contact": "sip:200@203.0.113.7:40001",
                "source": "203.0.113.7:40001",
                "transport": "tls",
            },
            headers={"X-UC-Internal-Token": TOKEN},
        )
        assert released.json() == {"released": True}
    assert (await api.connections()).voip_registrations == []


async def test_admin_view(lab: Lab) -> None:
    admin = lab.api()
    with pytest.raises(UcApiError) as wrong:
        await admin.admin_login("nope")
    assert wrong.value.message == "Wrong administrator password."
    await admin.admin_login("Admin#2026")
    users = {u.number: u for u in await admin.admin_users()}
    assert users["210"].is_mulap and [d.station for d in users["210"].devices] == ["211", "212"]
    assert users["204"].must_change_password and users["200"].pin_is_preset
    assert len(await admin.admin_devices()) == 9
    await lab.user("201", "Start#201b", address="10.1.1.1")
    assert [s.address for s in (await admin.admin_connections()).uc_sessions] == ["10.1.1.1"]
    user = await lab.user("200", "Start#200a")
    with pytest.raises(UcApiError) as forbidden:
        await user.admin_users()
    assert (forbidden.value.status, forbidden.value.code) == (403, "admin_only")
    with pytest.raises(UcApiError) as not_user:
        await admin.me()
    assert not_user.value.code == "not_a_user"


async def test_suite_pin_change_is_not_in_at_work(suite_lab: Lab) -> None:
    api = await suite_lab.user("200", "582014")
    assert await api.change_preassigned_pin("123456", "482913") == "Your voicemail PIN has been changed."
    with pytest.raises(UcApiError) as refused:
        await api.change_pin("482913", "582913")
    assert (refused.value.status, refused.value.code) == (403, "pin_by_other_client")
    desktop = await suite_lab.user("200", "582014", client="myportal_for_desktop")
    assert await desktop.change_pin("482913", "582913") == "Your voicemail PIN has been changed."
