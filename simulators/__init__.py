"""The library that builds labs: networks, softphones, the UC stub and other SIP peers.

Nothing here imports the application (`uclab/`), the suites, the reports, the benchmarks
or the self-tests (tests/test_layout.py keeps it so).

- `net/`: the network simulator: namespaces, links, NAT, firewalls, VPNs, SIP ALGs, impairment.
- `pj/`: the shared pjsua2 runtime and its pure media logic (tones, timelines, E-model).
- `phone/`: the client side: pjsua2 softphone agents and the myPortal @work client model.
- `uc/`: the UC server stub (Kamailio, the TLS front door, the UC API, the call core, coturn).
- `peers/`: other SIP and traffic peers of the lab: SIPp scenarios and runs, UDP/TCP probes.
- `lab.py`: the lab: one running topology with its processes, owned by this process.
- `system.py`: the system under test as the suites reach it: the stub, or an external system (NeedsStub).
- `harness.py`: what tests and suites use to drive the stub and phones in a lab (client side only).
- `robustness.py`: the stub under attack, load and faults: what its robustness self-tests and benchmark share.
- `faults.py`: kill -9 of a stub process during a call, and what the users and the UC API saw afterwards.
- `netcheck.py`: what the network suites check a user sees, and the call evidence they leave.
- `catalogue.py`: the rule catalogue (spec/rules.yaml, its clauses, spec/lab_choices.yaml) and the documents it points into.
- `ledger.py`: what a test claims to show (clause, lab_choice and rule markers) and its lab-choice checks.
- `doctor.py`: whether this host can run the lab, and if not, what to install.
- `yamlcheck.py`: validation errors that name the place and the fix, for YAML files and JSON requests.
- `parent_death.py`: children the lab forks die with whoever forked them (PR_SET_PDEATHSIG).
- `pytest_plugin.py`: the lab's pytest plugin: lab fixtures, clause and lab-choice markers, evidence per test.
"""
