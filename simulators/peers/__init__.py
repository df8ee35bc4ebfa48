"""Peers of the lab other than the phones and the stub: independent SIP and traffic peers.

- `sipp_scenarios.py`: SIPp scenarios (register, call, answer, registrar) built from one set of message parts.
- `sipp.py`: running SIPp in a lab host and judging it by its exit status; the tone it streams.
- `traffic.py`: small traffic tools for the integration tests: UDP echo, UDP and TCP probes.
- `sipwire.py`: raw SIP on the wire from inside a lab host: UDP datagrams, TCP and TLS streams.
- `sipauth.py`: SIP digest authentication as a client does it (RFC 3261, RFC 2617), without I/O.
- `torture.py`: the lab's SIP torture corpus, one message per case of RFC 4475 section 3.
- `tlsscan.py`: sslyze from a lab host against a lab TLS server, judged by Mozilla's intermediate profile.
"""
