"""The call core of the UC stub: a pjsua2 B2BUA that anchors every call's media.

A supervisor process forks pjsua2 workers (PJSUA_MAX_CALLS is 4: two anchored calls each)
and conference mixer nodes; pure logic (switch, routing, dialogues) is tested without pjsua2.

- `main.py`: the process: the supervisor that forks workers and mixer nodes and serves the control socket.
- `child.py`: what every forked worker or mixer node runs last: its control socket until stopped.
- `settings.py`: `CoreSettings`, everything the call core starts with (validated).
- `switch.py`: legs, sessions and what to do on each SIP event (pure).
- `sipmsg.py`: the few header values the call core reads from a received INVITE (pure).
- `routing.py`: where a call goes: the system's telephony features decided over the state (pure).
- `ivr.py`: the dialogues the call core holds itself: prompts, DTMF, recording (pure, time passed in).
- `local.py`: legs the call core answers itself, the pjsua2 side of the dialogues.
- `state_access.py`: a worker's access to the state: routing, deskshare logins, voice messages.
- `latching.py`: RTP latching off for one pjmedia transport (the `latch_rtp: false` setting).
- `worker.py`: one pjsua2 endpoint: legs as pjsua2 calls, the switch's actions carried out.
- `mixer.py`: a conference mixer node: a bridge that mixes conference legs and links to other nodes.
- `phone_conferences.py`: a worker's share of phone-controlled conferences: its groups of legs and their uplinks.
"""
