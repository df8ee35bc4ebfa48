"""The call core of the UC stub: a pjsua2 B2BUA that anchors every call's media.

switch.py    legs, sessions and what to do on each SIP event (pure)
sipmsg.py    the few header values the core reads from an INVITE (pure)
settings.py  CoreSettings (validated)
latching.py  RTP latching off for one pjmedia transport (the `latch_rtp: false` setting)
worker.py    one pjsua2 endpoint: legs as pjsua2 calls, the switch's actions carried out
main.py      the process: a supervisor forking workers (PJSUA_MAX_CALLS is 4), control socket
"""
