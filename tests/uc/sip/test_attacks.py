"""SIPVicious and a UC API password guesser from a lab host against the stub (LAB-AUTH-LIMITS).

An attacker on the office LAN (desk_phone's or dect's address) runs svwar and svcrack
(simulators/peers/sipvicious.py) and guesses a UC login; the stub runs with the lab's
default limits (10 failures per address within 60 s block it for 300 s):

- svwar finds no extension, by REGISTER or INVITE: a known extension is challenged like an
  unknown one (the scan starts at 200, which exists);
- svcrack does not find device 200's password within a bounded run (a 400-word list with the
  password at position 390): after the address's 10th failure every REGISTER gets 403, so
  it tries about 10 words; 200's own phone on another host still registers meanwhile;
- the UC API login of user 200 is refused with 429 after 10 wrong passwords, and 200 still
  logs in from another host.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from simulators.lab import Lab
from simulators.peers import sipvicious as sv
from simulators.phone.ucapi import UcApi
from simulators.robustness import guess_uc_password
from simulators.uc.authlimits import AuthLimits

from .conftest import StartPhone, StartStub, registered, secret, voip_client

DEFAULTS = AuthLimits()
CRACK_WITHIN_S = 8.0
PASSWORDS = {"200": "Start#200a"}
"""the initial UC password of office.yaml's user 200"""


@pytest.mark.lab_choice("LAB-AUTH-LIMITS")
async def test_svwar_finds_no_extension(office_lab: Lab, stubs: StartStub) -> None:
    stub = await stubs(office_lab)
    for method in ("REGISTER", "INVITE"):
        war = await asyncio.to_thread(sv.svwar, office_lab, "desk_phone", (stub.lan_ip, 5060), "200-260", method)
        assert war.extensions == {}, f"svwar by {method} found {war.extensions}"
        assert "found nothing" in war.log, war.log[-800:]


@pytest.mark.lab_choice("LAB-AUTH-LIMITS")
async def test_svcrack_is_stopped_and_the_phone_of_the_account_still_registers(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    stub = await stubs(office_lab)
    words = sv.word_list(secret("200"), size=400, position=390)
    crack = await asyncio.to_thread(sv.svcrack, office_lab, "dect", (stub.lan_ip, 5060), "200", words, CRACK_WITHIN_S)
    assert crack.password is None, f"svcrack found 200's password after {crack.tried} words"
    assert crack.stopped, "svcrack ended before the bound: " + crack.log[-800:]
    assert DEFAULTS.source_failures <= crack.tried <= DEFAULTS.source_failures + 1, crack.tried
    assert "403 Too many failed authentications from this address" in crack.log
    alice = await phones(office_lab, "office_pc", **voip_client(stub, "200"))
    await registered(alice)
    assert stub.supervisor is not None and stub.supervisor.restarts == []


@pytest.mark.lab_choice("LAB-AUTH-LIMITS")
async def test_uc_login_guessing_is_refused_and_the_user_still_logs_in(office_lab: Lab, stubs: StartStub) -> None:
    stub = await stubs(office_lab)

    def api(host: str) -> UcApi:
        return UcApi(
            f"https://{stub.door}",
            verify=stub.ca_file,
            socket_factory=lambda: office_lab.socket(host, socket.SOCK_STREAM),
        )

    async with api("dect") as attacker:
        guess = await guess_uc_password(attacker, "200", sv.word_list(PASSWORDS["200"], size=400, position=390))
    assert guess.found is None
    assert guess.tried == DEFAULTS.source_failures
    assert guess.refused > 0
    assert guess.refusal.startswith("Too many failed logins from your address; try again in "), guess.refusal
    async with api("office_pc") as user:
        await user.login("200", PASSWORDS["200"])
