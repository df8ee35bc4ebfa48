"""Media verdicts over detection timelines (DESIGN.md section 6). Pure: no I/O, no clock.

Every device transmits its own tone; each call's received stream has a Timeline of the
tones heard on it. A party *hears* another in a window when the other's tone was heard
for at least `min_heard_ms` within it. Between two parties A and B:

    two-way   A hears B and B hears A (each first heard within `late_after_ms`, if given)
    late      both directions, but one was first heard more than `late_after_ms` after
              the reference instant (e.g. the call was answered)
    one-way   exactly one direction; `direction` says which ("alice -> bob": bob hears alice)
    none      neither direction
    crossed   someone hears a party that is not its peer (a stranger's tone, or its own)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from simulators.pj.tones import Timeline

Kind = Literal["two-way", "one-way", "none", "late", "crossed"]


@dataclass(frozen=True)
class Party:
    """One end of a call: its name, the tone it sends, what it receives on that call."""

    name: str
    tone: int
    heard: Timeline


@dataclass(frozen=True)
class Direction:
    talker: str
    listener: str
    heard_ms: float
    first_at: float | None
    delay_ms: float | None

    @property
    def heard(self) -> bool:
        return self.first_at is not None

    def __str__(self) -> str:
        return f"{self.talker} -> {self.listener}"


@dataclass(frozen=True)
class AudioVerdict:
    kind: Kind
    a: str
    b: str
    a_to_b: Direction
    b_to_a: Direction
    window: tuple[float, float]
    strangers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def direction(self) -> str | None:
        """For one-way: "talker -> listener" of the direction that works."""
        if self.kind != "one-way":
            return None
        return str(self.a_to_b if self.a_to_b.heard else self.b_to_a)

    def explain(self) -> str:
        def d(x: Direction) -> str:
            if not x.heard:
                return f"{x}: not heard"
            late = f", first after {x.delay_ms:.0f} ms" if x.delay_ms is not None else ""
            return f"{x}: heard {x.heard_ms:.0f} ms{late}"

        span = (self.window[1] - self.window[0]) * 1000
        extra = "".join(f"; {k} also hears {', '.join(v)}" for k, v in self.strangers.items())
        dirn = f" ({self.direction})" if self.direction else ""
        return f"{self.kind}{dirn} over {span:.0f} ms: {d(self.a_to_b)}; {d(self.b_to_a)}{extra}"


def who_hears(
    heard: Timeline, owners: Mapping[int, str], window: tuple[float, float], min_heard_ms: float = 60.0
) -> dict[str, float]:
    """Who does this stream's listener hear in `window`? {party: first heard at}."""
    start, end = window
    out: dict[str, float] = {}
    for freq in sorted(heard.freqs()):
        if heard.heard_ms(freq, start, end) >= min_heard_ms:
            first = heard.first_heard(freq, start, end)
            if first is not None:
                out[owners.get(freq, f"{freq} Hz")] = first
    return out


def _direction(
    talker: Party,
    listener: Party,
    window: tuple[float, float],
    min_heard_ms: float,
    reference: float | None,
) -> Direction:
    start, end = window
    ms = listener.heard.heard_ms(talker.tone, start, end)
    first = listener.heard.first_heard(talker.tone, start, end) if ms >= min_heard_ms else None
    delay = None if first is None or reference is None else max(0.0, (first - reference) * 1000.0)
    return Direction(talker.name, listener.name, ms, first, delay)


def judge(
    a: Party,
    b: Party,
    window: tuple[float, float],
    *,
    owners: Mapping[int, str] | None = None,
    min_heard_ms: float = 60.0,
    reference: float | None = None,
    late_after_ms: float | None = None,
) -> AudioVerdict:
    """The verdict between `a` and `b` over `window` (start, end), times in seconds."""
    names = dict(owners or {})
    names.setdefault(a.tone, a.name)
    names.setdefault(b.tone, b.name)
    ab = _direction(a, b, window, min_heard_ms, reference)
    ba = _direction(b, a, window, min_heard_ms, reference)
    strangers: dict[str, list[str]] = {}
    for listener, peer in ((a, b), (b, a)):
        others = [n for n in who_hears(listener.heard, names, window, min_heard_ms) if n != peer.name]
        if others:
            strangers[listener.name] = others
    kind: Kind
    if strangers:
        kind = "crossed"
    elif ab.heard and ba.heard:
        late = late_after_ms is not None and any(
            d.delay_ms is not None and d.delay_ms > late_after_ms for d in (ab, ba)
        )
        kind = "late" if late else "two-way"
    elif ab.heard or ba.heard:
        kind = "one-way"
    else:
        kind = "none"
    return AudioVerdict(kind, a.name, b.name, ab, ba, window, strangers)


def group_hearing(
    parties: Sequence[Party], window: tuple[float, float], min_heard_ms: float = 60.0
) -> dict[str, set[str]]:
    """In a conference: who hears whom, {listener: {talkers}} (own tone excluded)."""
    owners = {p.tone: p.name for p in parties}
    return {p.name: {n for n in who_hears(p.heard, owners, window, min_heard_ms) if n != p.name} for p in parties}
