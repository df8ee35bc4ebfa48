"""Unit tests of the media verdicts (pure functions over timelines, time passed in)."""

from __future__ import annotations

from simulators.phone.verdict import Party, group_hearing, judge, who_hears
from simulators.pj.tones import Timeline, ToneChange

A, B, C = 450, 550, 650
W = (10.0, 11.0)


def heard(*spans: tuple[int, float, float | None]) -> Timeline:
    tl = Timeline()
    for freq, on, off in spans:
        tl.apply(ToneChange(freq, True, on))
        if off is not None:
            tl.apply(ToneChange(freq, False, off))
    return tl


def parties(alice_hears: Timeline, bob_hears: Timeline) -> tuple[Party, Party]:
    return Party("alice", A, alice_hears), Party("bob", B, bob_hears)


def test_two_way() -> None:
    v = judge(*parties(heard((B, 10.1, None)), heard((A, 10.05, None))), W)
    assert v.kind == "two-way" and v.direction is None
    assert v.a_to_b.first_at == 10.05 and v.b_to_a.first_at == 10.1


def test_one_way_names_the_working_direction() -> None:
    v = judge(*parties(heard((B, 10.0, None)), heard()), W)
    assert (v.kind, v.direction) == ("one-way", "bob -> alice")
    v = judge(*parties(heard(), heard((A, 10.0, None))), W)
    assert (v.kind, v.direction) == ("one-way", "alice -> bob")


def test_none_and_too_short_is_not_heard() -> None:
    assert judge(*parties(heard(), heard()), W).kind == "none"
    blip = judge(*parties(heard((B, 10.5, 10.53)), heard()), W, min_heard_ms=60)
    assert blip.kind == "none"


def test_outside_the_window_does_not_count() -> None:
    v = judge(*parties(heard((B, 8.0, 9.9)), heard((A, 8.0, 9.9))), W)
    assert v.kind == "none"


def test_late_after_threshold() -> None:
    a, b = parties(heard((B, 10.1, None)), heard((A, 10.7, None)))
    v = judge(a, b, W, reference=10.0, late_after_ms=300)
    assert v.kind == "late" and v.a_to_b.delay_ms is not None and round(v.a_to_b.delay_ms) == 700
    assert judge(a, b, W, reference=10.0, late_after_ms=800).kind == "two-way"


def test_crossed_when_a_stranger_is_heard() -> None:
    v = judge(*parties(heard((C, 10.0, None)), heard((A, 10.0, None))), W, owners={C: "carol"})
    assert v.kind == "crossed" and v.strangers == {"alice": ["carol"]}
    assert "alice also hears carol" in v.explain()


def test_who_hears_names_parties() -> None:
    tl = heard((B, 10.0, None), (C, 10.2, None))
    assert who_hears(tl, {B: "bob", C: "carol"}, W) == {"bob": 10.0, "carol": 10.2}


def test_group_hearing_excludes_own_tone() -> None:
    ps = [
        Party("alice", A, heard((B, 10, None), (C, 10, None))),
        Party("bob", B, heard((A, 10, None), (B, 10, None))),
        Party("carol", C, heard()),
    ]
    assert group_hearing(ps, W) == {"alice": {"bob", "carol"}, "bob": {"alice"}, "carol": set()}
