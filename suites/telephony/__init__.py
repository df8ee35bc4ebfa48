"""Telephony with real phones through the system: calls, CallMe, deskshare, MULAP, voicemail, conferences.

- `common.py`: what the suites share: the labs of the three ways in, the stub with a compressed clock, awaiting what a party hears.
- `test_call_functions.py`: call functions (UC-CALL-1..3) on the LAN and at home over the Internet.
- `test_callme.py`: CallMe / One Number Service (UC-CALLME-1..3, REL-CALLME).
- `test_deskshare.py`: deskshare with *9419 (NET-1.8..1.10) on the LAN, through the VPN and over the Internet.
- `test_mulap.py`: MULAP (NET-1.3, UC-MULAP-1): one number, a DECT and a VoIP client member.
- `test_voicemail.py`: voicemail and status-based forwarding (UC-VM-1, UC-PRES-2, UC-CALL-1).
- `conferencing.py`: what the conference suites and benchmark share: conference stations, DTMF dial-in, pairs to verify.
- `test_conference_management.py`: MeetMe conference management over the front door (UC-CONF-2..5).
- `test_conference_media.py`: MeetMe conferences with real phones: dial-in, the mix, music on hold, the end.
- `test_conference_phone.py`: phone-controlled conferences with real phones (UC-CONF-1).
- `test_conference_networks.py`: a MeetMe conference across LAN, VPN, Internet and a symmetric NAT.
"""
