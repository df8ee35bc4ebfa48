"""What the call core's services read from the state: the voicemail box's announcement of its
owner's absence per caller (UC-PRES-2 000:667, UC-PRES-3 000:683-694, LAB-PRESENCE-ANNOUNCEMENT)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from simulators.uc.callcore import ivr
from simulators.uc.callcore.state_access import Services
from simulators.uc.rules.presence import PresenceChange, Status, Visibility
from simulators.uc.state.core import State

pytestmark = pytest.mark.lab_choice("LAB-PRESENCE-ANNOUNCEMENT")


def test_the_box_tells_each_caller_what_the_owners_visibility_lets_it_know(state: State, tmp_path: Path) -> None:
    """A colleague hears the status and the return time; the owner, nobody under not
    visible, and a caller who is no subscriber under internally hear none; Office is no
    absence."""
    services = Services(lambda: state, tmp_path / "voicemail")
    state.set_presence("201", PresenceChange(Status.VACATION, return_time=state.now() + timedelta(hours=1)))
    vacation = (ivr.STATUS_TONES[Status.VACATION], ivr.RETURN_TIME_TONE)
    heard = {}
    for visibility in Visibility:
        state.set_visibility("201", visibility)
        heard[visibility] = services.greeting("201", "200").announcement
    assert heard == {
        Visibility.INTERNAL_AND_EXTERNAL: vacation,
        Visibility.INTERNAL: vacation,
        Visibility.NOT_VISIBLE: (),
    }
    state.set_visibility("201", Visibility.INTERNAL)
    assert services.greeting("201", "201").announcement == (), "the owner calling the own box"
    assert services.greeting("201", "anonymous").announcement == (), "no subscriber, internally only"
    state.set_visibility("201", Visibility.INTERNAL_AND_EXTERNAL)
    assert services.greeting("201", "anonymous").announcement == vacation
    state.set_presence("201", PresenceChange(Status.OFFICE))
    assert services.greeting("201", "200").announcement == ()
