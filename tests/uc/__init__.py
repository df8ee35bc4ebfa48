"""Self-tests of the UC server stub (simulators/uc); the subpackages mirror its packages.

- `conftest.py`: the example configuration and a fast state, shared by the stub's unit tests.
- `test_config.py`: system configuration files: every bad input one clear error.
- `test_credentials.py`: stored secrets: HA1 for SIP digest, scrypt hashes.
- `test_profiles_time.py`: release profiles and the time scale against the documents.
- `test_phone_conference.py`: phone-controlled conferences across rules, state, switch and UC API.
- `test_ucapi_client.py`: the UC API client against the stub's published spec.
- `test_boundaries.py`: the suites and the client side meet the stub only over its API.
- `test_citations.py`: every document reference points at existing text.
- `test_tls.py`: the lab CA and server certificate a standard validator accepts, and the TLS profile files.
- `test_supervisor.py`: the stub's supervisor restarts the processes it should.
"""
