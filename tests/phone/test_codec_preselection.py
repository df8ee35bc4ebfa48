"""Codec Preselection (RULES NAT-6, 000:2093-2114), asserted on the wire."""

from __future__ import annotations

import asyncio

import pytest

from simulators.lab import Lab
from simulators.phone.client import connect
from simulators.phone.media import expect_audio

from .conftest import StartPhone
from .sipcap import sip_messages

AUDIO_CODECS = {"PCMA", "PCMU", "G722"}


async def _answer_and_updates(lab: Lab, phones: StartPhone, preselection: bool | None) -> tuple[list[str], list[str]]:
    """bob offers PCMA, PCMU and G722 to alice; returns (codecs in alice's SDP answer,
    requests that changed the session afterwards)."""
    extra = {} if preselection is None else {"codec_preselection": preselection}
    alice, bob = await asyncio.gather(phones(lab, "alice", **extra), phones(lab, "bob"))
    cap = lab.capture("alice", "eth0", bpf="udp port 5060", tag=f"presel-{preselection}")
    b, a = await connect(bob, alice)
    await expect_audio(a, b, "two-way")
    await b.hangup()
    messages = sip_messages(cap.stop())
    answer = next(
        m for m in messages if m.is_response and m.cseq.endswith("INVITE") and m.first_line.startswith("SIP/2.0 200")
    )
    offer = next(m for m in messages if m.first_line.startswith("INVITE") and m.body)
    assert set(offer.audio_codecs()) >= AUDIO_CODECS, offer.audio_codecs()
    updates = [m.first_line.split()[0] for m in messages if m.first_line.split()[0] in ("UPDATE", "INVITE")][1:]
    return [c for c in answer.audio_codecs() if c in AUDIO_CODECS], updates


@pytest.mark.rule("NAT-6")
async def test_codec_preselection_off_by_default_answers_all_codecs(lan_lab: Lab, phones: StartPhone) -> None:
    """NAT-6 (000:2093-2114): by default (off) alice's SDP answer lists every codec she
    shares with the offer, so the offerer re-negotiates down to one (here pjsua's UPDATE,
    the re-INVITE the document blames for payload delays)."""
    codecs, updates = await _answer_and_updates(lan_lab, phones, None)
    assert len(codecs) >= 2, codecs
    assert updates, "the offerer did not re-negotiate the multi-codec answer"


@pytest.mark.rule("NAT-6")
async def test_codec_preselection_on_answers_one_codec(lan_lab: Lab, phones: StartPhone) -> None:
    """NAT-6 (000:2093-2114): with Codec Preselection on, the SDP answer carries exactly one
    codec and the offerer has nothing to re-negotiate."""
    codecs, updates = await _answer_and_updates(lan_lab, phones, True)
    assert len(codecs) == 1, codecs
    assert updates == [], updates
