"""Conformance suites of the system's telephony features with real phones through the stub.

- `common.py`: the labs of the three ways in, the stub with a compressed clock, UC API sessions, awaiting tones.
- `conferencing.py`: conference stations, dial-in by DTMF, participants' states as the moderator sees them.
- `test_call_functions.py`: call functions through the system (UC-CALL-1..3), on the LAN and over the Internet.
- `test_callme.py`: CallMe / One Number Service (UC-CALLME-1..3, REL-CALLME).
- `test_deskshare.py`: deskshare with the service code, on the LAN, through the VPN and over the Internet.
- `test_mulap.py`: a MULAP number with its members (NET-1.3, UC-MULAP-1).
- `test_voicemail.py`: voicemail and status-based forwarding (UC-VM-1, UC-PRES-2).
- `test_conference_management.py`: MeetMe Conference Management from myPortal @work (UC-CONF-2..5).
- `test_conference_media.py`: MeetMe conferences with real phones: dial-in, the mix, music on hold, the end.
- `test_conference_phone.py`: phone-controlled conferences from the Call window's Conference button (UC-CONF-1).
- `test_conference_networks.py`: one MeetMe conference across the LAN, the VPN and NATs.
"""
