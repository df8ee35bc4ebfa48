"""What of the stub faces the network: the front door on 8802 and the SIP edge (Kamailio).

- `frontdoor.py`: TCP 8802: TLS, then HTTP to the UC API or SIP to Kamailio.
- `sniff.py`: what a new connection speaks, from its first request line, and the PROXY v1 header (pure).
- `asgi.py`: serving the UC API on the connections the front door hands over.
- `kamailio.py`: Kamailio's generated configuration, subscriber table, process and RPC.
- `registrar.py`: registration events between Kamailio and the state over evapi (one per station).

`kamailio.cfg` is Kamailio's configuration script; kamailio.py renders its parameters.
"""
