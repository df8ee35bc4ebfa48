"""Tests of simulators/uc/callcore/ without a lab (pure logic, or pjsua2 in this process).

- `test_switch.py`: the switching rules, without pjsua2; its `Directory` stand-in serves other tests.
- `test_sipmsg.py`: what the call core reads from an INVITE.
- `test_ivr_features.py`: the dialogues and the deskshare decision, without pjsua2.
- `test_latching.py`: RTP latching off on a pjmedia transport.
- `test_local_recording.py`: a voicemail recording is filed only once its WAV is complete.
- `test_mixer_levels.py`: a participant enters a mixer node's bridge at its input level.
- `test_state_access.py`: what the voicemail box announces of its owner's absence to each caller.
"""
