"""Where a conference participant's audio is mixed: a tree of pjsua2 bridges. Pure.

pjsua2-python 2.15.1 holds at most 4 calls per process (PJSUA_MAX_CALLS), so a 16-party
conference cannot be mixed in one bridge. The call core runs *mixer nodes* (processes of 4
call slots each) and cascades them: a node mixes its own participants' legs with *links*
(one SIP call per parent/child pair of nodes). In a pjmedia bridge each port hears the sum
of the ports connected to it; within a node every leg of a conference is connected to every
other, so a link carries the sum of its side of the tree. A tree has no loops, so everyone
hears everyone exactly once, without echo.

Placement (`place`): a conference's first participant opens it on the emptiest node; later
ones go to a node of the conference with at least two free slots; when every node of the
conference has at most one slot left, the participant goes to a fresh node linked under a
node with one slot left (that slot becomes the link); the very last slot of a node takes a
participant only when no fresh node is left. 16 participants need 7 nodes (a root of 3 and
a chain of 2s ending with 3).

Release (`release`): a participant leaves its slot; then, repeatedly, a node of the
conference that holds no participant and exactly one link drops that link (a leaf with only
its uplink, or a root with only one child), so links exist only between non-empty sides.

Nodes reconcile their SIP legs with the rows here: a link row without a leg is dialled by
the child, a leg without a row is hung up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

SLOTS_PER_NODE = 4
INPUT_LEVEL = 0.125
"""Each participant enters the tree at 1/8 of its level (what its leg brings into its node's
bridge: pjsua2 AudioMedia.adjustTxLevel, mixer.enter_at). A pjmedia bridge scales a sum
that would clip down as a whole, and in a cascade such scalings compound on the far talkers'
share; 15 talkers at the tone level (-8.5 dBFS peak) would clip. At 1/8 the sum of 16 stays
below full scale, so no node scales and every talker reaches every listener at the same
level however many links lie between (measured: benchmarks/conference_bench.py --levels,
docs/ARCHITECTURE.md section 6)."""
Role = Literal["participant", "up", "down"]


@dataclass(frozen=True)
class Slot:
    node: int
    conference: int
    role: Role
    ref: str
    """participant: the member id as text; links: "<child>><parent>" """


@dataclass(frozen=True)
class Placement:
    node: int
    link_parent: int | None = None
    """a new link: `node` dials this parent node"""


def link_ref(child: int, parent: int) -> str:
    return f"{child}>{parent}"


def parse_link(ref: str) -> tuple[int, int]:
    child, parent = ref.split(">")
    return int(child), int(parent)


def used(slots: Iterable[Slot], node: int) -> int:
    return sum(1 for s in slots if s.node == node)


def place(slots: list[Slot], conference: int, nodes: int) -> Placement | None:
    """Where the next participant of `conference` goes; None when no channel is left."""
    mine = sorted({s.node for s in slots if s.conference == conference})
    free = {n: SLOTS_PER_NODE - used(slots, n) for n in range(nodes)}
    if not mine:
        best = max(range(nodes), key=lambda n: (free[n], -n), default=None)
        return None if best is None or free[best] < 1 else Placement(best)
    roomy = [n for n in mine if free[n] >= 2]
    if roomy:
        return Placement(roomy[0])
    last = [n for n in mine if free[n] == 1]
    fresh = [n for n in range(nodes) if n not in mine and free[n] >= 2]
    if last and fresh:
        return Placement(max(fresh, key=lambda n: (free[n], -n)), link_parent=last[0])
    if last:
        return Placement(last[0])
    return None


def claim(slots: list[Slot], conference: int, member: int, placement: Placement) -> list[Slot]:
    """The rows to add for `placement`."""
    new = [Slot(placement.node, conference, "participant", str(member))]
    if placement.link_parent is not None:
        ref = link_ref(placement.node, placement.link_parent)
        new += [Slot(placement.node, conference, "up", ref), Slot(placement.link_parent, conference, "down", ref)]
    return new


def release(slots: list[Slot], conference: int, member: int) -> list[Slot]:
    """The rows left after `member` of `conference` leaves (links pruned)."""
    left = [s for s in slots if not (s.conference == conference and s.role == "participant" and s.ref == str(member))]
    while True:
        mine = [s for s in left if s.conference == conference]
        drop: str | None = None
        for node in sorted({s.node for s in mine}):
            here = [s for s in mine if s.node == node]
            links = [s for s in here if s.role != "participant"]
            if len(links) == 1 and len(here) == 1:
                drop = links[0].ref
                break
        if drop is None:
            return left
        left = [s for s in left if not (s.conference == conference and s.role != "participant" and s.ref == drop)]


def depth_of(slots: list[Slot], conference: int, node: int) -> int:
    """Hops from `node` to the conference's root (0 for the root)."""
    ups = {parse_link(s.ref)[0]: parse_link(s.ref)[1] for s in slots if s.conference == conference and s.role == "up"}
    hops = 0
    while node in ups and hops <= len(ups):
        node, hops = ups[node], hops + 1
    return hops


# -- the legs of a mixer node (reconciled against the rows) --------------------------------

LegKey = tuple[int, str]
"""(conference, ref): a participant's member id, or a link's "<child>><parent>" """


def participant_user(conference: int, member: int) -> str:
    """The Request-URI user a worker dials to bring `member`'s call into its mixer node."""
    return f"conf{conference}-p{member}"


def link_user(conference: int, child: int, parent: int) -> str:
    """The Request-URI user the child node dials for its uplink to `parent`."""
    return f"conf{conference}-l{child}-{parent}"


def parse_user(user: str) -> LegKey | None:
    """The leg a Request-URI user names, or None when it names none."""
    head, sep, tail = user.partition("-")
    if not sep or not head.startswith("conf") or not head[4:].isdigit():
        return None
    conference = int(head[4:])
    if tail.startswith("p") and tail[1:].isdigit():
        return conference, tail[1:]
    if tail.startswith("l"):
        child, sep, parent = tail[1:].partition("-")
        if sep and child.isdigit() and parent.isdigit():
            return conference, link_ref(int(child), int(parent))
    return None


def expected_legs(slots: Iterable[Slot], node: int) -> set[LegKey]:
    """The legs `node` may hold: its participants and both ends of its links."""
    return {(s.conference, s.ref) for s in slots if s.node == node}


def uplinks(slots: Iterable[Slot], node: int) -> list[LegKey]:
    """The links `node` dials (it is the child)."""
    return [(s.conference, s.ref) for s in slots if s.node == node and s.role == "up"]


@dataclass(frozen=True)
class Reconcile:
    dial: list[LegKey]
    hangup: list[LegKey]


def reconcile(slots: list[Slot], node: int, have: Iterable[LegKey]) -> Reconcile:
    """What `node` does to match its legs (`have`, live or being set up) with the rows."""
    held = set(have)
    expected = expected_legs(slots, node)
    return Reconcile(
        dial=[key for key in uplinks(slots, node) if key not in held],
        hangup=sorted(held - expected),
    )


def lone(slots: Iterable[Slot], conference: int) -> bool:
    """The conference has one participant: it hears music on hold (000:1546)."""
    return sum(1 for s in slots if s.conference == conference and s.role == "participant") == 1
