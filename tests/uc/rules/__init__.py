"""Tests of simulators/uc/rules/ (pure: tables of verdicts and exact messages).

- `test_rules.py`: passwords, PINs, presence, VoIP, clients, registrations.
- `test_directory_rules.py`: directories, personal contacts, their import, favorites and the own picture.
"""
