"""The own contact data's state: the user's fields beside the administrator's, across restarts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulators.uc.config import validate_config
from simulators.uc.credentials import ScryptCost
from simulators.uc.rules.directories import Directory
from simulators.uc.state.core import State

from ..conftest import FakeTime, example_data

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_the_users_fields_survive_a_new_configuration(state: State, fake_time: FakeTime) -> None:
    """The administrator changes Anna's mobile and e-mail after she set her mobile: her mobile
    stays hers, her untouched e-mail follows the administrator's."""
    assert state.set_own_contact("200", {"mobile": "+4917012345678", "home": "+49891234567"}, NOW) is not None
    data = example_data()
    anna = next(u for u in data["users"] if u["number"] == "200")
    anna["mobile"], anna["email"] = "+4917099999999", "anna@osbiz.example"
    path = state.path
    state.close()
    again = State.open(path, validate_config(data), cost=ScryptCost.FAST, real_time=fake_time)
    mine = again.own_contact("200")
    assert mine is not None
    assert (mine.mobile, mine.home, mine.email) == ("+4917012345678", "+49891234567", "anna@osbiz.example")
    assert mine.set_by_user == {"mobile", "home"}
    user = again.user("200")
    assert user is not None and (user.mobile, user.email) == ("+4917012345678", "anna@osbiz.example")
    listing = again.listing("201", Directory.INTERNAL, "200")
    assert listing is not None and (listing.mobile, listing.private) == ("+4917012345678", "+49891234567")
    again.close()


def test_a_deleted_field_stays_deleted(state: State) -> None:
    state.set_own_contact("200", {"email": None}, NOW)
    mine = state.own_contact("200")
    assert mine is not None and mine.email is None and mine.mobile == "+4917000000200"
    assert mine.set_by_user == {"email"}


def test_only_the_three_fields_and_known_users(state: State) -> None:
    with pytest.raises(ValueError, match=r"not own contact fields: \['name'\]"):
        state.set_own_contact("200", {"name": "Anna Schmidt"}, NOW)
    assert state.set_own_contact("299", {"mobile": "+49"}, NOW) is None
    assert state.own_contact("299") is None
