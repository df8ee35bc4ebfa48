"""A scenario file against the same steps as a pytest test, in one run (2 cores).

    .venv/bin/python -m benchmarks.repro_bench [--rounds 3]

Each round runs, as a user would, `uclab repro examples/repro/one_call_home_internet.yaml`
(home_internet up, the system, two phones, one call, its audio judged, captures on both
sides of every router and the evidence page with its ladders) and then the floor: pytest on
benchmarks/repro_floor.py, the same steps with the plugin's fixtures (no extra captures, no
page). Wall time of each whole process; the ratio is scenario / floor, the target is the
scenario within 15 s. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "repro" / "one_call_home_internet.yaml"
TARGET_S = 15.0


def timed(argv: list[str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    return time.perf_counter() - t0, proc.returncode, proc.stdout[-2000:] + proc.stderr[-2000:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    scenario: list[float] = []
    floor: list[float] = []
    for _ in range(args.rounds):
        s, rc, out = timed([sys.executable, "-m", "uclab", "repro", str(SCENARIO)])
        if rc != 0:
            print(out, file=sys.stderr)
            return 1
        scenario.append(s)
        f, rc, out = timed(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "benchmarks/repro_floor.py"]
        )
        if rc != 0:
            print(out, file=sys.stderr)
            return 1
        floor.append(f)
    med_s, med_f = statistics.median(scenario), statistics.median(floor)
    print(f"{'round':>5} {'uclab repro (s)':>16} {'pytest (s)':>11}")
    for i, (s, f) in enumerate(zip(scenario, floor, strict=True), 1):
        print(f"{i:>5} {s:>16.2f} {f:>11.2f}")
    print(f"median {med_s:.2f} s vs {med_f:.2f} s: ratio {med_s / med_f:.2f}; target <= {TARGET_S:.0f} s: "
          f"{'met' if max(scenario) <= TARGET_S else 'MISSED'}")  # fmt: skip
    print(json.dumps({"scenario_s": scenario, "floor_s": floor, "ratio": round(med_s / med_f, 2),
                      "target_met": max(scenario) <= TARGET_S}))  # fmt: skip
    return 0 if max(scenario) <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
