"""Tests of simulators/uc/api/, in-process (httpx's ASGI transport).

- `test_api.py`: sessions, presence, the VoIP check, connections, the administrator view; the shared `Lab` fixtures.
- `test_api_directory.py`: directories, personal contacts, imports, favorites and the picture.
- `test_api_schema.py`: schemathesis against the published spec: no server error, no undocumented answer.
- `test_conference_api.py`: Conference Management's rules and refusals, and the administrator's conference view.
- `test_callcore_client.py`: the call core client: one 503 when the call core does not answer.
- `test_limits.py`: failed-login limits of both logins, per address and per account, with time passed in.
"""
