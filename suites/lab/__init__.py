"""The documented network set-ups as labs, checked before any scenario relies on them.

- `test_documented_networks.py`: every file in topologies/ comes up and proves its paths, NAT classification, port forwards and VPNs.
"""
