"""The UC rules through the UC API, each check judged against an oracle written from the documents.

- `conftest.py`: the target the rules suites judge: a UC API reached only through simulators/phone/ucapi.py.
- `oracles.py`: oracles for the password and PIN rules, from the documents' wording.
- `oracles_directories.py`: oracles for directories, personal contacts and favorites.
- `oracles_presence.py`: oracles for presence and the own picture.
- `messages.py`: the UC API's published error wording for the password and PIN rules.
- `verdicts.py`: judging one rule check of the target against the oracle's verdict.
- `strategies.py`: Hypothesis building blocks shared by the rules suites.
- `test_passwords.py`: UC-PWD-SMART, UC-PWD-SUITE, REL-PWD-SUITE and UC-LOGIN-2.
- `test_pins.py`: the voicemail PIN: UC-PIN and REL-PIN.
- `test_presence.py`: presence: UC-PRES-1..3, UC-MULAP-1 (DND), REL-CALLME.
- `test_directories.py`: directories and personal contacts: UC-DIR-1 and REL-SEARCH.
- `test_favourites.py`: favorites: UC-FAV-1.
- `test_picture.py`: the own picture: UC-IMG-1.
- `test_conference_list.py`: the list of one's conferences, renaming and deleting: UC-CONF-7, UC-CONF-3.
- `test_links.py`: the number a tel or callto link dials (client model): UC-CALL-7.
- `test_own_contact.py`: the own mobile, home/external number and e-mail address: UC-ME-1, REL-CONTACT-DATA.
- `test_conversations.py`: instant messages, unread events and deleting conversations: UC-IM-1, UC-CONV-2, UC-CONV-4, REL-CONV-DELETE.
- `test_login.py`: login and server connections in process: UC-LOGIN-1, TRB-4.
- `test_login_lab.py`: server connections over real networks: UC-LOGIN-1, TRB-4, NET-1.7.
- `test_voip.py`: VoIP off by default and refused when the set-up is not adequate (UC-VOIP-1).
- `test_release_profiles.py`: the release differences the stub owns, one profile at a time (REL-*).
"""
