"""The client side: pjsua2 softphone agents and the myPortal @work client model.

settings.py  PhoneSettings: transports, registration, RTP ports, ICE, codecs, tone
protocol.py  control protocol (NDJSON over a Unix socket): requests, responses, events
device.py    the softphone on the pjsua2 thread: accounts, calls, media wiring
agent.py     the agent process (python -m simulators.phone.agent)
client.py    Phone / Call: typed asyncio client, every call with a timeout
launch.py    start_phone(lab, host, ...): spawn an agent in a lab host and connect
verdict.py   media verdicts over detection timelines (pure)
media.py     awaiting and judging audio between calls (client side)
voip.py      myPortal @work VoIP settings: NAT type, ICE status, ICE servers, preselection
servers.py   myPortal @work server connections (LAN/WAN address:port, order of attempts)
"""
