"""The UC API of the stub: what UC clients do against the system over 8802 (FastAPI).

One small app factory, the checks every router takes, and one router module per concern;
each router module has `router(state, access) -> APIRouter` and lists its routes.

- `app.py`: `create_app(state, settings)`, the app factory that includes every router.
- `access.py`: who may call a route: user and administrator sessions, the SIP side's token.
- `limits.py`: failed-login limits of both logins, per address and per account (LAB-AUTH-LIMITS).
- `errors.py`: one JSON error shape, validation and routing errors, https only, unknown query parameters.
- `models.py`: the request and reply models the routers share (pydantic).
- `system.py`: liveness and the system's name, mode, release and clock.
- `session.py`: login, logout, who you are, the password change and your open connections.
- `connections.py`: the open connections (UC sessions, VoIP registrations) as users and the administrator see them.
- `presence.py`: your presence status, its options and visibility, and others' status.
- `pins.py`: the voicemail PIN and the preassigned PIN.
- `voip.py`: switching myPortal @work's VoIP on and off.
- `admin.py`: the administrator's read-only view.
- `registrations.py`: the SIP side's registration claims and releases (one per station).
- `directory.py`: directories, search, search-to-call, personal contacts and their import.
- `favorites.py`: favorites groups and their entries.
- `picture.py`: the own picture and other users' pictures.
- `own_contact.py`: your own mobile, home/external number and e-mail address, as others see them.
- `conferences.py`: Conference Management of MeetMe conferences.
- `phone_conferences.py`: the Call window's Conference button (phone-controlled conferences).
- `voicemail.py`: the voicemail box's messages and their recordings.
- `conversations.py`: calls, voice messages and instant messages per party; unread counters, mark read, delete.
- `callme.py`: the CallMe destination and CallMe outbound calls.
- `cti.py`: dialling from an associated desk phone (CTI, without VoIP).
- `callcore_client.py`: the one way to the call core, with one 503 when it does not answer.
- `inprocess.py`: the API served in-process over httpx's ASGI transport, for harnesses.
"""
