"""The evidence page of a run: what the run recorded, drawn for a person.

- `sip.py`: SIP messages as the captures saw them, read with tshark (TLS to 8802 decrypted with the stub's key log).
- `ladder.py`: SIP ladders per call as SVG, one column per address, both sides of every router.
- `page.py`: the run's index.html: topology, steps, audio timeline and verdicts, WAVs, ladders, files.
"""
