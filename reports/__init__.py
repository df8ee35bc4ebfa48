"""Reports read what a campaign recorded and render it; they run no lab and no suite.

- `summary.py`: the run summary: one verdict per rule, with the documents' words next to it.
- `matrix.py`: the support matrix report: the cells a sweep recorded, set against the documents.
"""
