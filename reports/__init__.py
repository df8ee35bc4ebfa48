"""Reports: read what a run recorded and render it; never measure.

- `summary.py`: the run summary, one verdict per rule with the documents' words (md/html/json).
- `matrix.py`: the support matrix report of the cells a sweep recorded.
- `runinfo.py`: a run directory's record of itself (run.json) and its durations (durations.json).
- `allure.py`: the Allure 3 HTML report of a run directory, with its history across runs.
- `merge.py`: one report from the run directories of a run's shards.
- `evidence/`: the evidence page of a run: SIP ladders from the captures, drawn for a person.
"""
