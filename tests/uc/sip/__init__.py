"""Tests that start the stub in a lab: its SIP edge, call core and front door with real phones.

- `conftest.py`: labs, the stub and phones as fixtures.
- `https.py`: a minimal HTTPS/1.1 client inside a lab host.
- `media.py`: reading the call core's view of a call: is its media anchored in the system?
- `test_service.py`: the `uc_stub` lab service.
- `test_frontdoor.py`: the front door on 8802.
- `test_tls_profile.py`: sslyze from a lab host: 8802 and 5061 meet Mozilla's intermediate profile.
- `test_auth_limits.py`: failed digest authentication limited per address and per account on the SIP doors.
- `test_lan_calls.py`: calls on the office LAN: registration, routing, anchored media, call functions.
- `test_internet.py`: myPortal @work over the public Internet, only 8802 forwarded.
- `test_interop.py`: SIPp, not pjsua2, registers and calls through the stub.
- `test_media_settings.py`: RTP latching and the "system on its WAN interface" mistake.
- `test_registrations.py`: one VoIP registration per station, and across a restart.
- `test_bad_input.py`: torture cases and garbage leave the stub running and answering.
- `test_core_restart.py`: a dead call core worker is replaced and its successor forgets its legs.
"""
