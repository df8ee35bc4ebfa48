"""The conformance suites: each test a documented scenario, named by its rule IDs and lines.

Suites judge what a user, an administrator or the wire can see (phones, the UC API,
captures); they use the stub only as a harness (tests/uc/test_boundaries.py).

- `lab/`: the documented network set-ups, proven to be what their files say before any SIP runs.
- `network/`: NET, NAT, PORT, TRB and ALG rules: myPortal @work across LAN, VPN and Internet.
- `rules/`: the UC rules (passwords, PINs, presence, directories, favorites, picture, login, VoIP).
- `telephony/`: call functions, CallMe, deskshare, MULAP, voicemail and conferences with real phones.
"""
