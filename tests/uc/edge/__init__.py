"""Tests of simulators/uc/edge/ without a lab.

- `test_kamailio_cfg.py`: the generated Kamailio configuration and subscriber table.
- `test_registrar.py`: registration claims from Kamailio to the state, without I/O.
- `test_sniff.py`: first-line classification on 8802 and the PROXY v1 header.
"""
