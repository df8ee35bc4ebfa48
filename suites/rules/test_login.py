"""Login and server connections: UC-LOGIN-1, TRB-4 (in process; over real networks: test_login_lab.py).

"Enter your internal phone number (e.g., 330) in the User Name field" (000:326); "You can
configure up to four different server connections" (000:316, 000:1851), each with a WAN and
a LAN address written `address:port` (000:328-346; default port 8802, 000:1980); both
configured, one profile serves in the office and at home (004:125). "If myPortal @work
displays the message "Connection Time out", the UC Server cannot be reached" (000:361).

The client model (simulators/phone/servers.py, ucapi.login_through) tries the selected
connection's LAN address, then its WAN address. In process, a PC "at home" reaches only the
office router's public address and one "in the office" only the system's LAN address
(conftest.REACHES); the lab version lets the real networks decide.

The first login's forced password change (UC-LOGIN-2, 000:349-351) and the password change
only over https (000:1857) are in test_passwords.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.ledger import ChoiceChecks
from simulators.phone.servers import ServerConnections, ServerSettingError
from simulators.phone.ucapi import CONNECTION_TIME_OUT, UcApiError, UcApiUnreachable, login_through

from .conftest import LAN_DOOR, WAN_DOOR, Target
from .verdicts import MESSAGES, refusal

USER = "200"
CLOSED_PORT = WAN_DOOR.replace(":8802", ":8803")


def connections(lan: str | None = LAN_DOOR, wan: str | None = WAN_DOOR, user: str = USER) -> ServerConnections:
    conns = ServerConnections()
    conns.configure(1, user, lan=lan, wan=wan)
    return conns


# ---------------------------------------------------------------- the user name (000:326)


@pytest.mark.clause("UC-LOGIN-1/user-name", how="api")
@pytest.mark.lab_choice("LAB-MESSAGES")
async def test_the_user_name_is_the_internal_number(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """000:326: the user name is the internal number; a name is refused, and an unknown number
    and a wrong password are refused alike (nothing tells which one was wrong)."""
    target = uc_target("office")
    api = target.api()
    result = await api.login(USER, target.user(USER)["password"])
    assert (result.user, result.name) == (USER, "Anna Adler")
    assert (await api.me()).number == USER
    with pytest.raises(UcApiError) as by_name:
        await target.api().login("Anna Adler", target.user(USER)["password"])
    refusal(
        by_name.value,
        choices,
        status=422,
        message="Invalid request: user: the user name is your internal phone number (digits), e.g. 200.",
        what="login by name",
    )
    answers = []
    for user, password in (("299", target.user(USER)["password"]), (USER, "Wrong#pass1")):
        with pytest.raises(UcApiError) as wrong:
            await target.api().login(user, password)
        refusal(wrong.value, choices, status=401, message="Wrong user name or password.", what=f"login {user}")
        answers.append((wrong.value.status, wrong.value.message))
    assert answers[0] == answers[1], f"an unknown number and a wrong password answered differently: {answers}"
    mulap = await target.api().login("210", target.user("210")["password"])
    assert mulap.user == "210", "a MULAP user logs in with the MULAP number (004:80)"


@pytest.mark.lab_choice("LAB-HTTPS-ONLY", "LAB-MESSAGES")
async def test_login_only_over_https(uc_target: Callable[..., Target], choices: ChoiceChecks) -> None:
    """LAB-HTTPS-ONLY: the login carries the password, so it is refused over plain http like
    the password change (000:1857)."""
    target = uc_target("office")
    if target.http_url is None:
        pytest.skip("the target has no plain-http URL to try")
    with pytest.raises(UcApiError) as plain:
        await target.api(url=target.http_url).login(USER, target.user(USER)["password"])
    refusal(
        plain.value,
        choices,
        status=403,
        code="https_required",
        message="The UC API only answers over an encrypted connection; connect with https:// (e.g. https://<system>:8802).",
        what="login over http",
    )


# ---------------------------------------------------------------- server connections (000:316, 000:1966-2016)


@pytest.mark.clause("UC-LOGIN-1/four-connections", "UC-LOGIN-1/address-port", how="client-model")
@pytest.mark.lab_choice("LAB-MESSAGES")
def test_up_to_four_server_connections(choices: ChoiceChecks) -> None:
    """000:316, 000:1851: up to four server connections; address:port in one field, port 8802
    when left out (000:335, 000:1980); the user name is the internal number."""
    conns = ServerConnections()
    for index in range(1, 5):
        conns.configure(index, str(199 + index), lan=f"192.168.1.30:{8801 + index}", wan="uc.example.com")
    assert [c.index for c in conns.connections()] == [1, 2, 3, 4]
    for index in (0, 5):
        with pytest.raises(ServerSettingError) as refused:
            conns.configure(index, USER, lan=LAN_DOOR)
        choices.equal(MESSAGES, str(refused.value), f"server connection {index} does not exist; choose 1-4")
    one = conns.get(4)
    assert (str(one.lan), str(one.wan)) == ("192.168.1.30:8805", "uc.example.com:8802"), "default port 8802 (000:1980)"
    with pytest.raises(ServerSettingError) as by_name:
        conns.configure(1, "Anna Adler", lan=LAN_DOOR)
    choices.equal(
        MESSAGES,
        str(by_name.value),
        "user name 'Anna Adler' of connection 1 must be the internal phone number (digits), e.g. 330",
    )
    with pytest.raises(ServerSettingError) as separated:
        conns.configure(1, USER, lan="192.168.1.30 8802")
    choices.check(MESSAGES, "write address:port, e.g. 192.168.1.30:8802" in str(separated.value), str(separated.value))
    with pytest.raises(ServerSettingError) as neither:
        conns.configure(1, USER)
    choices.equal(
        MESSAGES,
        str(neither.value),
        "connection 1 needs a LAN or a WAN server address; write address:port, e.g. 192.168.1.30:8802 (the WAN one "
        "for Internet access)",
    )


@pytest.mark.clause("UC-LOGIN-1/lan-and-wan", "NET-1.7/both-addresses", how="client-model")
@pytest.mark.in_process
@pytest.mark.parametrize(
    ("place", "lan", "wan", "tried"),
    [
        ("office", LAN_DOOR, WAN_DOOR, [("lan", True)]),
        ("home", LAN_DOOR, WAN_DOOR, [("lan", False), ("wan", True)]),
        ("home", None, WAN_DOOR, [("wan", True)]),
        ("office", LAN_DOOR, None, [("lan", True)]),
    ],
)
async def test_the_client_tries_lan_then_wan(
    uc_target: Callable[..., Target], place: str, lan: str | None, wan: str | None, tried: list[tuple[str, bool]]
) -> None:
    """With both addresses one profile works in the office and at home (004:125): the LAN address
    first, the WAN address when the LAN one does not answer."""
    target = uc_target("office")
    login = await login_through(connections(lan, wan), 1, target.user(USER)["password"], target.client_at(place))
    assert [(t.attempt.network, t.answered) for t in login.tried] == tried
    assert login.result.user == USER and (await login.api.me()).number == USER


@pytest.mark.clause("TRB-4/connection-time-out", how="client-model")
@pytest.mark.in_process
@pytest.mark.parametrize(("place", "wan"), [("nowhere", WAN_DOOR), ("home", CLOSED_PORT)])
async def test_connection_time_out_when_no_address_answers(
    uc_target: Callable[..., Target], place: str, wan: str
) -> None:
    """ "If myPortal @work displays the message "Connection Time out", the UC Server cannot be
    reached. In this case please check the IP address and port" (000:361)."""
    target = uc_target("office")
    with pytest.raises(UcApiUnreachable) as failed:
        await login_through(connections(LAN_DOOR, wan), 1, target.user(USER)["password"], target.client_at(place))
    assert failed.value.message == CONNECTION_TIME_OUT == "Connection Time out"
    assert failed.value.reason.startswith(f"LAN {LAN_DOOR}: ") and f"; WAN {wan}: " in failed.value.reason


@pytest.mark.clause("UC-LOGIN-1/lan-and-wan", how="client-model")
@pytest.mark.in_process
async def test_the_first_server_that_answers_decides(uc_target: Callable[..., Target]) -> None:
    """A wrong password answered on the LAN address is the answer: the WAN address is not tried."""
    target = uc_target("office")
    urls: list[str] = []
    make = target.client_at("office")

    def recording(url: str):  # type: ignore[no-untyped-def]
        urls.append(url)
        return make(url)

    with pytest.raises(UcApiError) as refused:
        await login_through(connections(), 1, "Wrong#pass1", recording)
    assert refused.value.status == 401, refused.value
    assert urls == [f"https://{LAN_DOOR}"]
