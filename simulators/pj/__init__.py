"""A shared pjsua2 runtime: one Endpoint per process, driven from one thread.

Used by the phone agents (simulators.phone) and by the UC stub's call core; it imports
neither. Pure logic (tone detection, timelines, E-model) is kept apart from the pjsua2
adapters so it can be tested without pjsua2 or namespaces.

- `tones.py`: the tone plan, a Goertzel detector and detection timelines (pure).
- `emodel.py`: an ITU-T G.107 E-model MOS estimate (pure).
- `config.py`: endpoint settings: transports, RTP ports, STUN, ICE, codecs, TLS.
- `runtime.py`: PjRuntime: the endpoint's thread and its work queue.
- `audio.py`: the tone player and the received-audio port (live detection, WAV ring buffer).
- `stats.py`: stream statistics, the ICE pair and the remote media address of a call.
- `codecs.py`: codec priorities, the answer-with-one-codec switch, validated tone sets.
- `stunprobe.py`: STUN binding probes from this process: reachability, mapped address.
- `selfcall.py`: a bare one-process pjsua2 call, for tone validation and benchmark floors.
- `tonecheck.py`: validates the tone plan per codec over a real call and records it (tone_validation.json).
"""
