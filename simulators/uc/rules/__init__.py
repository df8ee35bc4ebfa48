"""The system's rules as pure functions: a verdict plus the exact user-facing message.

- `verdict.py`: Verdict / Violation: what is wrong, in words a user can act on.
- `passwords.py`: UC-PWD-SMART, UC-PWD-SUITE (REL-PWD-SUITE decides where the Suite rule applies).
- `pins.py`: UC-PIN: the voicemail PIN (REL-PIN: the preassigned value, in profiles.py).
- `presence.py`: UC-PRES-1..3, UC-MULAP-1 (DND), CallMe status only while CallMe is active.
- `voip.py`: UC-VOIP-1: licence and controlled device before VoIP is enabled.
- `clients.py`: which UC clients may log in, and how many at once (UC-LOGIN-2, 004:130-139).
- `registrations.py`: TRB-2: one VoIP registration per station device.
- `directories.py`: UC-DIR-1, REL-SEARCH: directories, search, personal contacts and their limit.
- `contact_import.py`: UC-DIR-1: CSV and XML import files, every problem with its line.
- `favorites.py`: UC-FAV-1: favorites groups; delete group UC Smart only.
- `picture.py`: UC-IMG-1: the own picture, checked and scaled to 200 x 200 (Pillow).
- `conferences.py`: UC-CONF-1..5: MeetMe moderators, licences, PINs, limits, states, invitation texts.
- `phone_conferences.py`: UC-CONF-1: the Conference button's decision over the user's calls.
- `conference_slots.py`: where a conference participant's audio is mixed: the tree of mixer nodes.

The interpretation of every ambiguous phrase is in docs/RULES-INTERPRETATION.md.
"""
