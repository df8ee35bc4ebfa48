"""Tests of simulators/uc/state/.

- `test_state.py`: seeding, persistence across reopen, sync with the configuration, claims.
- `test_state_directory.py`: directories, personal contacts, favorites, pictures and their migration.
- `test_journal.py`: the call journal behind Conversations.
"""
