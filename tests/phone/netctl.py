"""Breaking the network on purpose: drop UDP (RTP) at a router, in one direction."""

from __future__ import annotations

import itertools

from simulators.lab import Lab

TABLE = "phone_block"
_n = itertools.count()


def _nft(lab: Lab, router: str, script: str) -> None:
    path = lab.dir / "nft" / f"phone-block-{router}-{next(_n)}.nft"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    result = lab.exec(router, ["nft", "-f", str(path)])
    if result.returncode != 0:
        raise RuntimeError(f"nft in {router} failed: {result.stderr.strip()}\n{script}")


def drop_udp(lab: Lab, router: str, src: str, dst: str, ports: tuple[int, int] = (49152, 65535)) -> None:
    """Drop UDP from `src` to `dst` with a destination port in `ports` (default: the RTP range).

    The rule lives in its own nft table in the router's namespace, gone with the lab.
    """
    lo, hi = ports
    _nft(
        lab,
        router,
        f"table ip {TABLE} {{\n  chain block_fwd {{\n    type filter hook forward priority -50; policy accept;\n"
        f"    ip saddr {src} ip daddr {dst} udp dport {lo}-{hi} drop;\n  }}\n}}\n",
    )


def allow_all(lab: Lab, router: str) -> None:
    """Remove every rule `drop_udp` added at `router`."""
    _nft(lab, router, f"table ip {TABLE} {{ }}\ndelete table ip {TABLE}\n")
