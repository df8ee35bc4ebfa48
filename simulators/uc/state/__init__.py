"""The stub's state: SQLite in the run directory, surviving a restart.

`State` (core.py) is one class made of one mixin per part of the state; each part keeps
its own tables and, where it came later, its own schema track. The SQL is in this package.

- `core.py`: `State`: users, devices, sessions, registrations, presence and PINs, and opening the state file.
- `store.py`: the plumbing under the state classes: one SQLite connection, a lock, transactions, schema tracks.
- `directory.py`: directories, personal contacts, favorites and pictures.
- `telephony.py`: deskshare logins and voice messages.
- `own_contact.py`: the user's own mobile, home/external number and e-mail beside the administrator's.
- `journal.py`: the journal behind Conversations: calls, voice messages, chat messages, unread and deleted entries.
- `conferences.py`: MeetMe conferences, their participants, PINs and mixer slots.
- `phone_conferences.py`: phone-controlled conferences: their call legs and mixer slots.
"""
