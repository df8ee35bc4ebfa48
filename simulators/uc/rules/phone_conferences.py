"""Phone-controlled conferences (UC-CONF-1, 000:1489-1513, 000:1331-1339). Pure.

A phone-controlled conference is set up from a call in progress (000:1493-1497): the user
talks to one party while another is on hold and presses Conference in the Call window
(000:1331-1339, 000:1090). In the lab the button is a UC API request of the user's
myPortal @work session (POST /api/v1/calls/conference); the system then joins the calls
in its call core. Outbound, no authentication, at most 8 participants (000:1509-1513),
not tied to UC Smart nor to a conference licence (only the application-controlled one is,
000:1499, 000:1505).

Lab readings (docs/RULES-INTERPRETATION.md, "Phone-controlled conference"):
- the button needs exactly one held call and one active call of the user's device through
  the system; the held call's party joins, the active call (and its party) stays: the user's
  held leg is released by the system, so the phone ends with one call, the conference;
- growing: the same button with the conference held and a new party active (or the
  conference active and a new party held): the new party joins, the user's held leg is
  released; the 9th participant (the user counted once) is refused and nothing changes;
- a participant who hangs up leaves; when one participant is left the conference ends and
  the system releases that last call; the initiator is a participant like the others (the
  conference goes on without them while two remain).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .conferences import PHONE_CONFERENCE_MAX
from .verdict import ACCEPTED, Verdict, refuse

POLICY = (
    "A phone-controlled conference joins the call you are talking in with the call you hold "
    "(000:1331-1339), with at most 8 participants (000:1513)."
)
FULL = f"A phone-controlled conference has at most {PHONE_CONFERENCE_MAX} participants"
NO_HELD = "You hold no call: put one party on hold and call the other, then press Conference."
NO_ACTIVE = "You are not talking to anyone: a conference needs an active call besides the held one."
TOO_MANY = "You have more than one {kind} call: a conference joins exactly one held and one active call."
BOTH_IN = "Both calls are already the conference."
NO_CHANNEL = "No conference channel is free; try again later."


@dataclass(frozen=True)
class DeviceCall:
    """One call of the user's device through the system, as the call core sees it."""

    worker: int
    """the call core worker that anchors the call"""
    leg: str
    """the user's own leg of the call"""
    held: bool
    """the user put the call on hold (the core relayed the hold)"""
    conference: int | None = None
    """the phone-controlled conference this leg is the user's way into"""
    peer: str | None = None
    """the far party's leg (same worker); None for a conference leg"""
    parties: int = 0
    """participants of `conference` (the user included)"""


@dataclass(frozen=True)
class Plan:
    """What the Conference button does."""

    held: DeviceCall
    """released by the system; its party (if a plain call) joins"""
    active: DeviceCall
    """stays: the user's conference leg from now on"""
    conference: int | None
    """the conference that grows; None: a new one"""
    joining: tuple[tuple[int, str], ...]
    """(worker, leg) of every leg that joins the conference"""
    parties: int
    """participants afterwards"""


def decide(calls: Sequence[DeviceCall]) -> Plan | Verdict:
    """The Conference button pressed with the device's `calls` (answered ones only)."""
    held = [c for c in calls if c.held]
    active = [c for c in calls if not c.held]
    if not held:
        return refuse("no_held_call", NO_HELD, POLICY)
    if not active:
        return refuse("no_active_call", NO_ACTIVE, POLICY)
    if len(held) > 1:
        return refuse("calls_ambiguous", TOO_MANY.format(kind="held"), POLICY)
    if len(active) > 1:
        return refuse("calls_ambiguous", TOO_MANY.format(kind="active"), POLICY)
    h, a = held[0], active[0]
    if h.conference is not None and a.conference is not None:
        return refuse("already_conference", BOTH_IN, POLICY)
    joining: list[tuple[int, str]] = []
    if h.conference is None:
        assert h.peer is not None, "a plain call has a far party"
        joining.append((h.worker, h.peer))
    if a.conference is None:
        assert a.peer is not None, "a plain call has a far party"
        joining += [(a.worker, a.leg), (a.worker, a.peer)]
    conference = h.conference if h.conference is not None else a.conference
    before = h.parties if h.conference is not None else a.parties if a.conference is not None else 1
    parties = before + (2 if conference is None else 1)
    if parties > PHONE_CONFERENCE_MAX:
        return refuse("conference_full", FULL)
    return Plan(h, a, conference, tuple(joining), parties)


def check_channels(plan: Plan, workers: Collection[int], free: Mapping[int, int], uplinked: Collection[int]) -> Verdict:
    """Room for the plan in the call core: once the conference spans two or more workers,
    every worker's group needs its leg into a mixer node (one call slot). `workers`: the
    conference's workers so far; `free`: free call slots by worker; `uplinked`: workers whose
    group of this conference has its uplink. The user's held leg frees its slot first.
    (A call cannot move to another worker: without the slot the group would talk alone.)"""
    after = {*workers, *(w for w, _ in plan.joining)}
    if len(after) < 2:
        return ACCEPTED
    for worker in sorted(after - set(uplinked)):
        if free.get(worker, 0) + (1 if worker == plan.held.worker else 0) < 1:
            return refuse("no_channel", NO_CHANNEL)
    return ACCEPTED


def refuse_without_calls() -> Verdict:
    """The button pressed by a user without any call through the system."""
    verdict = decide([])
    assert isinstance(verdict, Verdict)
    return verdict


__all__ = ["ACCEPTED", "BOTH_IN", "FULL", "NO_ACTIVE", "NO_HELD", "POLICY", "DeviceCall", "Plan", "decide"]
