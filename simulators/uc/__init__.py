"""The UC server stub: the office's OpenScape Business system from real parts.

Layers, each a package: `api` (the UC API clients use) -> `state` (SQLite) -> `rules`
(pure verdicts); `callcore` (pjsua2 processes that anchor the calls) and `edge` (what
faces the network: the front door, Kamailio) beside them. Dependencies point that way only.

- `api/`: the UC API: one app factory, the access checks, one router per concern, the call core client.
- `state/`: the SQLite state: users, devices, sessions, presence, directories, conferences, the journal.
- `rules/`: the system's rules as pure functions: a verdict plus the exact user-facing message.
- `callcore/`: the call core: a pjsua2 B2BUA of forked workers and conference mixer nodes.
- `edge/`: what faces the network: the front door on 8802, Kamailio and its registrar link.
- `service.py`: the stub in a lab host: the `uc_stub` lab service and `start_stub`, its processes and readiness.
- `server.py`: the uc-server process: front door, UC API, registration decisions and its control socket.
- `config.py`: the system configuration an administrator sets up (YAML, validated).
- `profiles.py`: how the system behaves in each release (release profiles, pure data).
- `timescale.py`: the documented timers and the stub's time scale (pure).
- `credentials.py`: stored secrets: SIP digest HA1 and slow hashes of passwords, PINs and tokens.
- `tls.py`: the lab CA, the stub's server certificate and TLS contexts.
- `control.py`: the control sockets of the stub's processes: newline-delimited JSON over Unix sockets.
- `supervisor.py`: restarts the stub's processes when they die, and who restarts what.
- `authlimits.py`: the failed-authentication limits and their figures (a lab choice, LAB-AUTH-LIMITS).
- `backdoor.py`: the stub's internals for its self-tests and benchmarks, never for a conformance verdict.
"""
