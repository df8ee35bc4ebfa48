"""`uclab bench topology`: lab build + teardown time against a plain ip/nft script.

Runs the lab and the floor scripts alternately (so the kernel's deferred namespace cleanup
weighs on both alike), takes medians, and prints a table and, as its last line, JSON:

    {"topology": ..., "lab_ms": ..., "floor_ms": ..., "ratio": lab/floor,
     "floor_batch_ms": ..., "ratio_vs_batch": ..., "ready_ms": ..., "ready_with_services_ms": ...}

`ratio` is against the plain script (one `ip` per step); `ratio_vs_batch` against `ip
-batch`, the fastest a shell script can be. `ready_ms` is the time to a verified-ready lab
(every expected path answered a ping), `ready_with_services_ms` includes the services
(coturn) too.
"""

from __future__ import annotations

import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulators.lab import Lab
from simulators.net import loader

from .floor_script import build_script


def _time_lab(topo_name: str, **up: bool) -> float:
    lab = Lab(loader.load(topo_name))
    t0 = time.perf_counter()
    lab.up(**up)
    lab.down()
    return (time.perf_counter() - t0) * 1000


def _time_ready(topo_name: str, services: bool) -> float:
    lab = Lab(loader.load(topo_name))
    try:
        lab.up(services=services, verify=True)
        return lab.timings["ready_ms"]
    finally:
        lab.down()


def _time_floor(topo_name: str, style: str) -> float:
    topo = loader.load(topo_name)
    with tempfile.TemporaryDirectory(prefix="uclab-floor-") as tmp:
        build, teardown = build_script(topo, secrets.token_hex(3), Path(tmp), style)
        (Path(tmp) / "build.sh").write_text(build)
        (Path(tmp) / "teardown.sh").write_text(teardown)
        t0 = time.perf_counter()
        result = subprocess.run(["bash", str(Path(tmp) / "build.sh")], capture_output=True, text=True)
        subprocess.run(["bash", str(Path(tmp) / "teardown.sh")], capture_output=True, text=True)
        elapsed = (time.perf_counter() - t0) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"floor script failed: {result.stderr[-500:]}")
    return elapsed


def main(topology: str = "home_internet", repeat: int = 15) -> int:
    lab_ms: list[float] = []
    floor_ms: list[float] = []
    batch_ms: list[float] = []
    _time_lab(topology, services=False, verify=False)  # warm caches (imports, libnftables)
    for i in range(repeat):
        lab_ms.append(_time_lab(topology, services=False, verify=False))
        floor_ms.append(_time_floor(topology, "plain"))
        batch_ms.append(_time_floor(topology, "batch"))
        print(f"  round {i + 1}/{repeat}: lab {lab_ms[-1]:.1f} ms, plain {floor_ms[-1]:.1f} ms, "
              f"batch {batch_ms[-1]:.1f} ms", file=sys.stderr, flush=True)  # fmt: skip
    ready = statistics.median(_time_ready(topology, services=False) for _ in range(5))
    ready_svc = statistics.median(_time_ready(topology, services=True) for _ in range(5))
    result: dict[str, float | int | str] = {
        "topology": topology,
        "repeat": repeat,
        "lab_ms": round(statistics.median(lab_ms), 1),
        "floor_ms": round(statistics.median(floor_ms), 1),
        "floor_batch_ms": round(statistics.median(batch_ms), 1),
        "ready_ms": round(ready, 1),
        "ready_with_services_ms": round(ready_svc, 1),
    }
    result["ratio"] = round(statistics.median(lab_ms) / statistics.median(floor_ms), 3)
    result["ratio_vs_batch"] = round(statistics.median(lab_ms) / statistics.median(batch_ms), 3)
    print(f"build+teardown of {topology} (median of {repeat}):")
    print(f"  lab                 {result['lab_ms']:8.1f} ms")
    print(f"  floor (plain ip/nft){result['floor_ms']:8.1f} ms   ratio {result['ratio']}")
    print(f"  floor (ip -batch)   {result['floor_batch_ms']:8.1f} ms   ratio {result['ratio_vs_batch']}")
    print(f"  verified ready      {result['ready_ms']:8.1f} ms ({result['ready_with_services_ms']} ms with services)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "home_internet"))
