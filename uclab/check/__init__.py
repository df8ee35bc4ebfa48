"""`uclab check`: a customer's network described in a file, built in the lab, measured site by
site, judged against the documents, with the documented remedies tried and measured.

- `model.py`: the customer file's pydantic model, its JSON schema and file:line errors.
- `expand.py`: `unknown` values (and a SIP ALG of unknown behaviour) expanded into the concrete networks to measure.
- `oracle.py`: what the documents say about one site's set-up: findings with rule, line, the steps they break and their remedies.
- `build.py`: a concrete customer network as a lab topology, the system's configuration and each site's login and registration plan.
- `measure.py`: what a user at each site does, with real phones against the real stub, as checks.
- `quality.py`: jitter, loss, RTT and E-model MOS of the measured calls against published limits with their sources.
- `verdict.py`: measurements and findings to ready / ready-with-warnings / not-ready / not-supported with causes in the document's words.
- `remedies.py`: the documented remedies, which fit a failing site, and each applied to the network.
- `runner.py`: the whole check: possibilities grouped into networks, measured, judged, remedies tried.
- `report.py`: the result as JSON, a self-contained HTML page with the coloured network picture, and JUnit XML.
"""
