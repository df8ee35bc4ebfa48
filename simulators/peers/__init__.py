"""Peers of the lab other than the phones and the stub: independent SIP and traffic peers.

- `sipp_scenarios.py`: SIPp scenarios (register, call, answer, registrar) built from one set of message parts.
- `sipp.py`: running SIPp in a lab host and judging it by its exit status; the tone it streams.
- `traffic.py`: small traffic tools for the integration tests: UDP echo, UDP and TCP probes.
"""
