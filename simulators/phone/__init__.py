"""The client side: pjsua2 softphone agents and the myPortal @work client model.

- `settings.py`: PhoneSettings: transports, registration, RTP ports, ICE, codecs, tone.
- `protocol.py`: the agent's control protocol (NDJSON over a Unix socket): requests, responses, events.
- `device.py`: the softphone on the pjsua2 thread: account, registration, calls, media wiring.
- `agent.py`: the agent process (python -m simulators.phone.agent), one per device.
- `zygote.py`: a process with an agent's imports done that forks agents into their hosts.
- `launch.py`: start_phone: an agent in a lab host, started and connected.
- `client.py`: Phone and Call: the typed asyncio client of one agent, every call with a timeout.
- `verdict.py`: media verdicts over detection timelines (pure).
- `media.py`: awaiting and judging audio between calls, client side.
- `voip.py`: myPortal @work VoIP settings: NAT type, ICE status, ICE servers, preselection (pure).
- `servers.py`: myPortal @work server connections: LAN/WAN address:port, order of attempts (pure).
- `ucapi.py`: the client side of the UC API on 8802, as myPortal @work and the suites use it.
- `conference.py`: myPortal @work's Conference Management, driven over the UC API.
- `links.py`: the number a tel or callto hyperlink dials (pure).
"""
