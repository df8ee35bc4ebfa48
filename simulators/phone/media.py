"""Judging audio between calls, client side: await tone events, then apply the verdict.

    v = await audio_between(alice_call, bob_call)            # returns as soon as two-way
    await expect_audio(alice_call, bob_call, "one-way", direction="alice -> bob")

A two-way verdict returns as soon as both directions were heard long enough; any other
verdict needs the whole window (`within`). On a verdict other than the expected one the
last seconds of audio each side received are saved as WAV in the run directory and named
in the assertion message.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from . import protocol as p
from .client import Call, PhoneError
from .verdict import AudioVerdict, Party, group_hearing, judge


def _party(call: Call) -> Party:
    return Party(call.phone.name, call.phone.tone, call.timeline)


def verdict_now(
    a: Call,
    b: Call,
    window: tuple[float, float],
    *,
    min_heard_ms: float = 60.0,
    reference: float | None = None,
    late_after_ms: float | None = None,
) -> AudioVerdict:
    owners = {**a.phone.owners, **b.phone.owners}
    return judge(
        _party(a),
        _party(b),
        window,
        owners=owners,
        min_heard_ms=min_heard_ms,
        reference=reference,
        late_after_ms=late_after_ms,
    )


async def _next_tone_event(calls: tuple[Call, ...], timeout: float) -> None:
    if timeout <= 0:
        return
    tasks = []
    for c in calls:
        mark = c.phone.mark()
        pred = c._ev(p.ToneEvent)
        tasks.append(asyncio.ensure_future(c.phone.wait_event(pred, timeout, mark, "tone change")))
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, PhoneError):
                await t


async def audio_between(
    a: Call,
    b: Call,
    *,
    within: float = 1.5,
    since: float | None = None,
    min_heard_ms: float = 60.0,
    reference: float | None = None,
    late_after_ms: float | None = None,
) -> AudioVerdict:
    """The verdict between two calls over [since, since + within] (since defaults to now)."""
    start = time.monotonic() if since is None else since
    deadline = start + within
    kw = {"min_heard_ms": min_heard_ms, "reference": reference, "late_after_ms": late_after_ms}
    while True:
        now = time.monotonic()
        end = min(now, deadline)
        v = verdict_now(a, b, (start, end), **kw)  # type: ignore[arg-type]
        if v.kind == "two-way" or now >= deadline:
            return v
        # wake on the next tone change, or when a tone being heard has lasted long enough
        wake = deadline
        for call in (a, b):
            for onset in call.timeline.heard_at(now).values():
                due = max(onset, start) + min_heard_ms / 1000.0
                if due > now:
                    wake = min(wake, due)
        await _next_tone_event((a, b), wake - now)


async def stops_hearing(listener: Call, talker: Call, timeout: float = 3.0) -> float:
    """Await the moment `listener` no longer hears `talker`'s tone (after a path was cut);
    returns it (monotonic), so a verdict can start there instead of after a guessed pause.
    How long the last received audio lingers (jitter buffer, concealment) depends on load."""
    deadline = time.monotonic() + timeout
    while talker.phone.tone in listener.timeline.heard_at(now := time.monotonic()):
        if now >= deadline:
            raise AssertionError(
                f"{listener.phone.name} still hears {talker.phone.name} ({talker.phone.tone} Hz) "
                f"{timeout} s after the path was cut"
            )
        await _next_tone_event((listener,), deadline - now)
    return now


async def save_evidence(*calls: Call, seconds: float = 4.0) -> list[Path]:
    paths: list[Path] = []
    for c in calls:
        if c.phone.run_dir is None or c.state == "disconnected":
            continue
        path = c.phone.run_dir / "media" / f"{c.phone.name}-{c.id}-{time.strftime('%H%M%S')}.wav"
        with contextlib.suppress(PhoneError):
            paths.append(await c.save_audio(path, seconds))
    return paths


async def expect_audio(
    a: Call,
    b: Call,
    kind: str = "two-way",
    *,
    direction: str | None = None,
    within: float = 1.5,
    since: float | None = None,
    **kw: float,
) -> AudioVerdict:
    """Assert the verdict (and for one-way its direction); keep WAV evidence if it fails."""
    v = await audio_between(a, b, within=within, since=since, **kw)
    if v.kind != kind or (direction is not None and v.direction != direction):
        wavs = await save_evidence(a, b)
        want = f"{kind} ({direction})" if direction else kind
        raise AssertionError(
            f"audio {a.phone.name}<->{b.phone.name}: expected {want}, got {v.explain()}; "
            f"received audio saved: {', '.join(map(str, wavs)) or 'none'}"
        )
    return v


async def expect_group(
    members: dict[str, list[Call]],
    expected: dict[str, set[str]],
    *,
    within: float = 1.5,
    since: float | None = None,
    min_heard_ms: float = 60.0,
) -> dict[str, set[str]]:
    """A conference: assert who hears whom ({listener: {talkers}}), each member given by
    its calls (a host with two calls hears on both). Returns as soon as `expected` holds;
    otherwise fails after `within` with what was heard and WAV evidence."""
    start = time.monotonic() if since is None else since
    deadline = start + within
    calls = tuple(c for cs in members.values() for c in cs)

    def parties() -> list[Party]:
        out = []
        for cs in members.values():
            heard = cs[0].timeline
            for c in cs[1:]:
                heard = heard.merged(c.timeline)
            out.append(Party(cs[0].phone.name, cs[0].phone.tone, heard))
        return out

    while True:
        now = time.monotonic()
        hearing = group_hearing(parties(), (start, min(now, deadline)), min_heard_ms)
        if hearing == expected:
            return hearing
        if now >= deadline:
            wavs = await save_evidence(*calls)
            raise AssertionError(
                f"conference: expected {expected}, heard {hearing}; received audio saved: "
                f"{', '.join(map(str, wavs)) or 'none'}"
            )
        await _next_tone_event(calls, min(deadline - now, min_heard_ms / 1000.0))
