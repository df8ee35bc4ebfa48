"""The UC API's call core client (api/callcore_client.py): one refusal when the call core
does not answer, whichever route asked and however it failed, and nothing changed by it.

The call core here is absent, a stale socket file, or a stand-in control server of this
test (what the UC API sends it is the unit under test, not what the call core does: that
is the telephony suites' part, with real phones)."""

# ruff: noqa: F401, F811 (test_api.py's fixtures, imported under the names these tests use)

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from simulators.phone.conference import Conferences
from simulators.phone.ucapi import UcApiError
from simulators.uc.api import callcore_client
from simulators.uc.api.app import ApiSettings, create_app
from simulators.uc.control import serve

from .test_api import TOKEN, Lab
from .test_api import lab as smart
from .test_api import suite_lab as suite

UNREACHABLE = (503, "call_core_unreachable", "The call core did not answer; try again.")


def refusal(exc: pytest.ExceptionInfo[UcApiError]) -> tuple[int, str, str]:
    return (exc.value.status, exc.value.code, exc.value.message)


@contextlib.asynccontextmanager
async def call_core(lab: Lab, **ops: Callable[[dict[str, Any]], Awaitable[Any]]) -> AsyncIterator[None]:
    """A stand-in call core answering `ops` on the stub's call core socket."""
    server = await serve(callcore_client.core_socket(lab.state), dict(ops))
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


async def meeting(lab: Lab) -> tuple[Conferences, int, int]:
    """Ben's conference with Anna connected to it (dialled in, Waiting): (Ben's view, its id, Anna's id)."""
    ben = Conferences(await lab.user("201", "Start#201b"))
    conf = await ben.create("Weekly")
    anna = await ben.add(conf["id"], "200")
    state = lab.state
    _, joined = state.dial_in(anna["personal_pin"], 2, state.now(), "200", worker=0)
    assert joined is not None
    state.member_connected(conf["id"], anna["id"], state.now())
    assert (await ben.participant(conf["id"], "200"))["state"] == "waiting"
    return ben, conf["id"], anna["id"]


async def test_without_a_call_core_every_route_that_acts_on_calls_is_refused_and_nothing_changes(smart: Lab) -> None:
    """No call core socket at all (a stub started without its call core): the Conference
    button, and disconnect, remove, end and delete of a conference someone is connected to
    all get the same 503; the participant stays listed and connected, the conference stays."""
    assert not callcore_client.core_socket(smart.state).exists()
    ben, conf, anna = await meeting(smart)
    anna_api = await smart.user("200", "Start#200a")
    for attempt in (
        anna_api.conference(),
        ben.disconnect(conf, anna),
        ben.remove(conf, anna),
        ben.end(conf),
        ben.delete(conf),
    ):
        with pytest.raises(UcApiError) as refused:
            await attempt
        assert refusal(refused) == UNREACHABLE
    assert [(p["number"], p["state"]) for p in (await ben.get(conf))["participants"]] == [
        ("201", "inactive"),
        ("200", "waiting"),
    ]


async def test_without_a_call_core_callme_outbound_is_the_same_refusal(suite: Lab) -> None:
    """CallMe (UC Suite from V3R2 FR1, REL-CALLME): the service stays active."""
    anna = await suite.user("200", "582014")
    assert (await anna.set_callme("201")).active
    with pytest.raises(UcApiError) as refused:
        await anna.callme_call("202")
    assert refusal(refused) == UNREACHABLE
    assert (await anna.callme()).active


async def test_with_nobody_connected_conference_management_needs_no_call_core(smart: Lab) -> None:
    ben = Conferences(await smart.user("201", "Start#201b"))
    conf = await ben.create("Quiet")
    anna = await ben.add(conf["id"], "200")
    assert await ben.remove(conf["id"], anna["id"]) == "Anna Adler removed from the conference."
    assert await ben.end(conf["id"]) == "Conference 'Quiet' ended."
    assert await ben.delete(conf["id"]) == "Conference 'Quiet' deleted."


async def test_a_stale_socket_of_a_gone_call_core_is_the_same_refusal(smart: Lab) -> None:
    """The call core's process is gone and left its socket file: connecting is refused."""
    path = callcore_client.core_socket(smart.state)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()
    assert path.exists()
    ben, conf, anna = await meeting(smart)
    with pytest.raises(UcApiError) as refused:
        await ben.disconnect(conf, anna)
    assert refusal(refused) == UNREACHABLE


async def test_a_call_core_that_does_not_answer_in_time_is_the_same_refusal(
    smart: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(callcore_client, "REQUEST_TIMEOUT_S", 0.1)
    never = asyncio.Event()

    async def hangs(req: dict[str, Any]) -> None:
        await never.wait()

    anna = await smart.user("200", "Start#200a")
    async with call_core(smart, phone_calls=hangs):
        with pytest.raises(UcApiError) as refused:
            await anna.conference()
    assert refusal(refused) == UNREACHABLE


async def test_a_call_core_that_answers_with_an_error_says_so(smart: Lab) -> None:
    """Reached, but it could not carry the request out: 503 call_core_failed with its words."""

    async def fails(req: dict[str, Any]) -> None:
        raise RuntimeError("worker 1: no answer")

    anna = await smart.user("200", "Start#200a")
    async with call_core(smart, phone_calls=fails):
        with pytest.raises(UcApiError) as refused:
            await anna.conference()
    assert refusal(refused) == (503, "call_core_failed", "The call core could not do this: worker 1: no answer.")


async def test_removing_a_connected_participant_cuts_its_call_in_the_call_core(smart: Lab) -> None:
    cuts: list[dict[str, Any]] = []

    async def conference_cut(req: dict[str, Any]) -> int:
        cuts.append({k: v for k, v in req.items() if k not in ("id", "op")})
        return 1

    ben, conf, anna = await meeting(smart)
    async with call_core(smart, conference_cut=conference_cut):
        assert await ben.remove(conf, anna) == "Anna Adler removed from the conference."
        assert await ben.delete(conf) == "Conference 'Weekly' deleted."
    assert cuts == [{"conference": conf, "member": anna}]


def test_every_route_that_acts_on_calls_documents_the_503(smart: Lab) -> None:
    paths = smart.app.openapi()["paths"]
    for method, path in (
        ("post", "/api/v1/calls/conference"),
        ("post", "/api/v1/callme/calls"),
        ("delete", "/api/v1/conferences/{conf_id}"),
        ("post", "/api/v1/conferences/{conf_id}/end"),
        ("delete", "/api/v1/conferences/{conf_id}/participants/{member_id}"),
        ("post", "/api/v1/conferences/{conf_id}/participants/{member_id}/disconnect"),
    ):
        assert "503" in paths[path][method]["responses"], f"{method.upper()} {path}"


async def test_the_call_core_is_reached_where_the_settings_say(smart: Lab, tmp_path: Path) -> None:
    """The stub keeps its sockets apart from its state (runs.socket_dir): the app asks the call
    core at ApiSettings.core_socket, not next to the state file."""
    elsewhere = tmp_path / "sockets" / "core.sock"
    elsewhere.parent.mkdir()
    smart.app = create_app(smart.state, ApiSettings(internal_token=TOKEN, core_socket=elsewhere))
    cuts: list[int] = []

    async def conference_cut(req: dict[str, Any]) -> int:
        cuts.append(req["member"])
        return 1

    ben, conf, anna = await meeting(smart)
    server = await serve(elsewhere, {"conference_cut": conference_cut})
    try:
        assert await ben.remove(conf, anna) == "Anna Adler removed from the conference."
    finally:
        server.close()
        await server.wait_closed()
    assert cuts == [anna]
    assert not callcore_client.core_socket(smart.state).exists()


async def test_cti_rings_the_associated_phone_first_and_refuses_what_it_cannot_control(smart: Lab) -> None:
    """CTI (NET-1.1, 004:54; LAB-CTI-MAKECALL): the desk phone user's dial asks the call core to
    originate from the user's own phone; a VoIP client user, VoIP switched on, or a target that
    is no other internal number is refused before the call core is asked."""
    asked: list[dict[str, Any]] = []

    async def originate(req: dict[str, Any]) -> dict[str, Any]:
        asked.append({k: req[k] for k in ("user", "via", "target")})
        return {"ok": True}

    clara = await smart.user("202", "Start#202c")
    anna = await smart.user("200", "Start#200a")
    async with call_core(smart, originate=originate):
        calling = await clara.make_call("20-1")
        assert (calling.ringing, calling.then) == ("202", "201")
        with pytest.raises(UcApiError) as own:
            await clara.make_call("202")
        assert (own.value.status, own.value.code) == (400, "bad_target")
        with pytest.raises(UcApiError) as webrtc:
            await anna.make_call("201")
        assert (webrtc.value.status, webrtc.value.code) == (409, "no_associated_phone")
        await anna.enable_voip()
        with pytest.raises(UcApiError) as voip:
            await anna.make_call("201")
        assert (voip.value.status, voip.value.code) == (409, "voip_enabled")
    assert asked == [{"user": "202", "via": "202", "target": "201"}]
    with pytest.raises(UcApiError) as unreachable:
        await clara.make_call("201")
    assert refusal(unreachable) == UNREACHABLE
