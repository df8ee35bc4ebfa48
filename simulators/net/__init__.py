"""The network simulator: lab networks in network namespaces, built from a topology.

A topology (YAML or `builder`) is validated (`model`, `checks`, `loader`), routed
(`routing`) and built out of kernel parts (`network`): namespaces, veths on per-segment
bridges, addresses, routes and nftables rulesets. VPN tunnels, faulty SIP ALGs and link
impairments run against the built network through `links.Links`.

- `model.py`: the topology model: segments, hosts, routers, NATs, firewalls, VPNs, validated.
- `checks.py`: the rules that relate parts of a topology to each other (addresses, gateways, forwards).
- `loader.py`: topology files: YAML in, a validated Topology or errors naming file, line, field and fix out.
- `builder.py`: topologies built in Python, validated through the same path as files.
- `errors.py`: errors that name the place and the fix (Problem, TopologyError, LabError).
- `routing.py`: the routes of every node, and which addresses each node is expected to reach.
- `network.py`: builds a topology out of kernel parts and takes it apart again.
- `links.py`: the switch's numbering and the view of a built network its add-ons use.
- `netns.py`: network namespaces without helper processes, and entering them from a thread.
- `nftables.py`: router rulesets (NAT, filtering, firewall, kernel SIP helper) as readable nft text.
- `nftlib.py`: loads nft files in-process through libnftables.
- `runs.py`: runs: ids, directories, liveness, and removing what dead runs left behind.
- `process.py`: processes inside lab hosts, which die with the orchestrator.
- `reaper.py`: the reaper that removes a lab whose orchestrator died, even by SIGKILL.
- `labthread.py`: one long-lived thread for lab operations called from inside an asyncio loop.
- `probe.py`: sockets opened inside lab hosts: the ping matrix of "verified ready", TCP connects.
- `capture.py`: a pcap per interface, recorded by tcpdump inside the interface's host.
- `impair.py`: delay, jitter, loss and rate on one interface, both directions.
- `delayline.py`: the delay-line process: packets from NFQUEUE released after a delay.
- `vpn.py`: WireGuard VPNs with wireguard-go in the hosts' namespaces.
- `alg.py`: faulty SIP ALGs: the middlebox started in the router, its packets queued to it.
- `middlebox.py`: the faulty-ALG middlebox process: NFQUEUE in, a named behaviour, verdict out.
- `alg_behaviours.py`: the named SIP ALG behaviours the middlebox can play.
- `sipmsg.py`: just enough SIP for a middlebox to change headers or the SDP of a message.
- `stun.py`: STUN messages (RFC 5389 / 8489) with the RFC 5780 attributes, no I/O.
- `stunserver.py`: coturn as a STUN server on a lab host.
- `natclassify.py`: RFC 5780 NAT behaviour discovery, with the transport injected.
- `natdiscovery.py`: coturn's turnutils_natdiscovery run in a lab host, an independent classifier.
- `dns.py`: a DNS server inside the lab (Debian's dnsmasq) for names such as the office router's public name.
- `draw.py`: pictures and text summaries of topologies.
"""
