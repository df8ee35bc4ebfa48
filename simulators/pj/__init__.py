"""A shared pjsua2 runtime: one Endpoint per process, driven from one thread.

Used by the phone agents (simulators.phone) and by the UC stub's call core; it imports
neither. Pure logic (tone detection, timelines, E-model) is kept apart from the pjsua2
adapters so it can be tested without pjsua2 or namespaces.

    tones.py     tone plan, Goertzel detector, detection timelines (pure)
    emodel.py    ITU-T G.107 E-model MOS estimate (pure)
    config.py    endpoint settings (transports, RTP ports, STUN, ICE, codecs, TLS)
    runtime.py   PjRuntime: the endpoint's thread and its work queue
    audio.py     tone player, received-audio port (live detection + WAV ring buffer)
    stats.py     stream statistics, ICE pair, remote media address
    codecs.py    codec priorities, answer-with-one-codec switch, validated tone sets
    stunprobe.py STUN binding probes (reachability, mapped address)
    selfcall.py  a bare one-process pjsua2 call (tone validation, benchmark floor)
    tonecheck.py validates the tone plan per codec over a real call
"""
