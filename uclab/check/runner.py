"""The whole check: every site's possibilities measured, judged, and the fitting remedies tried.

1. `expand` gives each site its possibilities; `rounds` groups them into as few networks as
   possible (sites side by side, each with its own router settings).
2. Per round: the network is built (or the running lab reconfigured), every site of the round
   is measured concurrently (measure.py), and each is judged against the documents (verdict.py).
3. Per site and possibility that does not work: every documented remedy that fits is applied
   and the site measured again (office-router remedies in one network for all sites they
   concern, site remedies side by side), so the report lists what was shown to fix it.

A network that differs from the running one only in router settings is applied with
`lab.reconfigure_router`; one whose system settings differ restarts the stub; anything else
(a site's access, the VPN's clients) brings a new lab up. Progress goes to `progress`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import build as build_mod
from . import expand as expand_mod
from . import oracle, remedies
from .expand import OFFICE, Concrete, Possibility
from .measure import Bench, Stations
from .model import Access, Customer
from .oracle import RemedyRef
from .verdict import SiteMeasurement, Verdict, judge, worst

Say = Callable[[str], None]


@dataclass
class Tried:
    """One measurement of one site: a possibility as described, or with a remedy applied."""

    possibility: Possibility
    measurement: SiteMeasurement
    verdict: Verdict
    evidence: Path
    remedy: RemedyRef | None = None


@dataclass
class SiteResult:
    name: str
    access: Access
    tried: list[Tried] = field(default_factory=list)

    @property
    def as_described(self) -> list[Tried]:
        return [t for t in self.tried if t.remedy is None]

    @property
    def remedies(self) -> list[Tried]:
        return [t for t in self.tried if t.remedy is not None]

    @property
    def verdict(self) -> str:
        return worst([t.verdict.verdict for t in self.as_described])


@dataclass
class Result:
    customer: Customer
    sites: list[SiteResult]
    notes: list[str]
    mapping: list[str]
    evidence: Path
    seconds: float
    labs: list[Path] = field(default_factory=list)
    topology: Any = None  # the first network built (the picture)

    @property
    def ok(self) -> bool:
        return all(s.verdict in ("ready", "ready-with-warnings") for s in self.sites)


def _shape(topo: Any) -> str:
    data = topo.model_dump(mode="json")
    for router in data["routers"].values():
        for key in ("nat", "firewall", "port_forwards", "sip_alg"):
            router.pop(key, None)
    data.pop("description", None)
    return json.dumps(data, sort_keys=True)


def _router_changes(old: Any, new: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for name, router in new.routers.items():
        if router != old.routers[name]:
            dumped = router.model_dump(mode="json")
            out[name] = {k: dumped[k] for k in ("nat", "firewall", "port_forwards", "sip_alg")}
    return out


class Executor:
    """Keeps one bench running and turns it into the network asked for, as cheaply as it can."""

    def __init__(self, out: Path, stations: int, say: Say) -> None:
        self.out = out
        self.stations = stations
        self.say = say
        self.bench: Bench | None = None
        self.labs: list[Path] = []
        self.first_topology: Any = None

    async def network(self, net: Concrete, label: str) -> Bench:
        built = build_mod.build(net, self.stations)
        if self.first_topology is None:
            self.first_topology = built.topology
        bench = self.bench
        if bench is not None and _shape(bench.built.topology) == _shape(built.topology):
            changes = _router_changes(bench.lab.topo, built.topology)
            if changes:
                self.say(f"reconfigure {', '.join(changes)} for: {label}")
                await asyncio.to_thread(bench.reconfigure, changes)
            if bench.built.config != built.config:
                self.say(f"restart the system with new settings for: {label}")
                await bench.restart_stub(built)
            bench.built = built
        else:
            if bench is not None:
                await bench.close()
            self.say(f"build the network for: {label}")
            bench = await Bench.start(built, self.out, Stations(*build_mod.station_pools(self.stations)))
            self.labs.append(bench.lab.dir)
            self.say(f"network up: run {bench.lab.run_id} ({bench.lab.dir})")
        bench.label = label
        self.bench = bench
        return bench

    async def close(self) -> None:
        if self.bench is not None:
            await self.bench.close()
            self.bench = None


def _stations(customer: Customer, expansion: expand_mod.Expansion) -> int:
    most = max((len(p) for p in expansion.sites.values()), default=1)
    clients = sum(len(s.clients) for s in customer.sites)
    return max(8, min(64, clients * most * 4))


async def _measure(
    bench: Bench, net: Concrete, sites: dict[str, tuple[Possibility, RemedyRef | None]], say: Say
) -> list[Tried]:
    async def one(site: str) -> Tried:
        possibility, remedy = sites[site]
        m = await bench.measure_site(site, lambda s, msg: say(f"[{s}] {msg}"))
        stun_needed = net.customer.site(site).access is not Access.OFFICE
        v = judge(oracle.findings(net, site), m, stun_needed)
        return Tried(possibility, m, v, bench.lab.dir, remedy)

    return list(await asyncio.gather(*(one(s) for s in sites)))


async def run(customer: Customer, out: Path, say: Say) -> Result:
    t0 = time.monotonic()
    expansion = expand_mod.expand(customer)
    rounds = expand_mod.rounds(expansion)
    results = {s.name: SiteResult(s.name, s.access) for s in customer.sites}
    executor = Executor(out, _stations(customer, expansion), say)
    say(f"{customer.customer}: {len(customer.sites)} sites, {expansion.count} possibilities in {len(rounds)} networks")
    for note in expansion.notes:
        say(f"note: {note}")
    failing: list[tuple[str, Possibility, Concrete]] = []
    try:
        for i, rnd in enumerate(rounds, 1):
            net = expand_mod.concrete(customer, rnd.choices)
            label = Possibility(rnd.choices).label
            bench = await executor.network(net, f"network {i}/{len(rounds)}: {label}")
            for tried in await _measure(bench, net, {s: (p, None) for s, p in rnd.sites.items()}, say):
                results[tried.measurement.site].tried.append(tried)
                say(f"[{tried.measurement.site}] {tried.possibility.label}: {tried.verdict.verdict}")
                if not tried.verdict.works:
                    failing.append((tried.measurement.site, tried.possibility, net))
        for batch in _remedy_batches(failing):
            net, sites, label = batch
            bench = await executor.network(net, label)
            for tried in await _measure(bench, net, sites, say):
                results[tried.measurement.site].tried.append(tried)
                assert tried.remedy is not None
                say(f"[{tried.measurement.site}] remedy '{remedies.describe(tried.remedy)}': {tried.verdict.verdict}")
    finally:
        await executor.close()
    mapping = build_mod.build(expand_mod.concrete(customer), 1).mapping
    return Result(
        customer,
        list(results.values()),
        expansion.notes,
        mapping,
        out,
        time.monotonic() - t0,
        executor.labs,
        executor.first_topology,
    )


Batch = tuple[Concrete, dict[str, tuple[Possibility, RemedyRef | None]], str]


def _remedy_batches(failing: list[tuple[str, Possibility, Concrete]]) -> list[Batch]:
    """Remedy measurements grouped into networks: an office-router remedy with every failing
    site it concerns; site remedies of different sites side by side."""
    groups: dict[tuple[Any, ...], list[dict[str, tuple[Possibility, RemedyRef, Concrete]]]] = {}
    for site, possibility, net in failing:
        office = tuple(c for c in possibility.choices if c.where == OFFICE)
        for ref in remedies.fitting(oracle.findings(net, site)):
            key = (office, ref if ref.where == OFFICE else None)
            batches = groups.setdefault(key, [])
            target = next((b for b in batches if site not in b), None)
            if target is None:
                target = {}
                batches.append(target)
            target[site] = (possibility, ref, net)
    out: list[Batch] = []
    for batches in groups.values():
        for b in batches:
            net = _merged(b)
            for ref in dict.fromkeys(r for _, r, _ in b.values()):
                net = remedies.apply(ref, net)
            label = "; ".join(f"{s}: {remedies.describe(r)}" for s, (_, r, _) in b.items())
            out.append((net, {s: (p, r) for s, (p, r, _) in b.items()}, f"remedies: {label}"))
    return out


def _merged(batch: dict[str, tuple[Possibility, RemedyRef, Concrete]]) -> Concrete:
    """One network for the batch: each site as in the possibility it failed in."""
    first = next(iter(batch.values()))[2]
    customer = first.customer
    choices = tuple(dict.fromkeys(c for p, _, _ in batch.values() for c in p.choices))
    return expand_mod.concrete(customer, choices)
