"""Running a scenario: the lab, the system and the phones it names, then its steps in order.

    report = run(load("examples/repro/one_way_audio_faulty_alg.yaml"), Path("examples/repro/..."))
    report.exit_code          # 0 every expectation held, 1 one did not (or a step could not be done)

An action that cannot be done (no call to hang up, a refused registration) fails its step and
ends the scenario, the rest marked "not run"; an expectation that does not hold fails its
step and the scenario goes on, so one run shows every symptom. The evidence page
(reports/evidence/page.py) is written into the run directory when the lab is down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reports.evidence import page
from simulators.lab import Lab
from simulators.net import loader
from simulators.net.model import Topology

from ..session import LabSession, SessionError
from . import model as m
from .report import Report, StepResult

STEPS_FILE = "steps.json"
NOT_RINGING_WITHIN = 2.0


def resolve_topology(scenario: m.Scenario, source: Path) -> Topology:
    """A topology name (topologies/) or a file, relative to the scenario file first."""
    from simulators.net.builder import TopologyBuilder

    beside = (source.parent / scenario.topology).resolve()
    topology = loader.load(beside if beside.is_file() else scenario.topology)
    if not scenario.topology_changes:
        return topology
    builder = TopologyBuilder.from_topology(topology)
    for path, value in scenario.topology_changes.items():
        builder.set(path, value)
    return builder.build()


def resolve_system(scenario: m.Scenario, source: Path) -> Any:
    """The SystemConfig the scenario asks for (None: no system)."""
    from simulators.uc.service import config_source

    spec = scenario.system_spec()
    if spec is None:
        return None
    beside = source.parent / spec.config
    cfg = config_source(beside if beside.is_file() else spec.config)
    if spec.latch_rtp is not None:
        cfg = cfg.model_copy(update={"sip": cfg.sip.model_copy(update={"latch_rtp": spec.latch_rtp})})
    return cfg


def describe(step: BaseModel) -> str:
    """The step as written, in one line."""
    kind = m.step_kind(step) or "?"
    said = m.body(step)
    if isinstance(said, BaseModel):
        fields = said.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        return f"{kind}: " + ", ".join(f"{k}={v}" for k, v in fields.items())
    return f"{kind}: {said}"


class Runner:
    def __init__(self, scenario: m.Scenario, source: Path) -> None:
        self.scenario = scenario
        self.source = source
        self.last_call: tuple[str, str] | None = None
        self.t0 = 0.0

    # -- the whole run --------------------------------------------------------------------

    def run(self, topology: Topology, system: Any) -> Report:
        started = time.perf_counter()
        lab = Lab(topology)
        lab.up()
        try:
            report = asyncio.run(self._run(lab, system))
        finally:
            lab.down()
        report.seconds = time.perf_counter() - started
        assert lab.run is not None
        report.write_steps(lab.run.dir / "evidence" / STEPS_FILE)
        report.page = str(page.write(lab.run.dir))
        report.seconds = time.perf_counter() - started
        return report

    async def _run(self, lab: Lab, system: Any) -> Report:
        sc = self.scenario
        report = Report(title=sc.title, file=str(self.source), topology=lab.topo.name, run_dir=str(lab.dir))
        session = LabSession(lab)
        self.t0 = time.monotonic()
        try:
            session.capture_everywhere()
            if system is not None:
                await self._setup(
                    report,
                    "system",
                    f"system: {self.scenario.system_spec().config}",  # type: ignore[union-attr]
                    session.start_system(system),
                )
            for name, spec in sc.phones.items():
                if report.stopped:
                    break
                await self._setup(
                    report,
                    "phone",
                    f"phone {name}: {spec.client} {spec.user} on {spec.host}",
                    self._start_phone(session, name, spec),
                )
            for step in sc.steps:
                if report.stopped:
                    report.add(
                        StepResult(
                            n=len(report.steps) + 1,
                            kind=m.step_kind(step) or "?",
                            what=describe(step),
                            text="not run: an earlier step could not be done",
                            outcome="not run",
                        )
                    )
                    continue
                await self._step(report, session, step)
        finally:
            await session.close()
        return report

    async def _setup(self, report: Report, kind: str, what: str, action: Any) -> None:
        t = time.monotonic()
        try:
            text = await action
            outcome = "failed" if "NOT registered" in text else "info"
        except SessionError as exc:
            text, outcome = str(exc), "failed"
        report.add(self._result(report, kind, what, text, outcome, t))
        if outcome == "failed":
            report.stopped = True

    async def _start_phone(self, session: LabSession, name: str, spec: m.PhoneSpec) -> str:
        extra: dict[str, Any] = {}
        if spec.ice is not None:
            extra["ice"] = spec.ice
        return await session.start_phone(
            name, spec.host, spec.user, spec.client, spec.server,
            transport=spec.transport, keepalive_s=spec.keepalive_s, **extra,
        )  # fmt: skip

    def _result(self, report: Report, kind: str, what: str, text: str, outcome: str, t: float, **kw: Any) -> StepResult:
        return StepResult(
            n=len(report.steps) + 1, kind=kind, what=what, text=text, outcome=outcome,
            at=t - self.t0, seconds=time.monotonic() - t, **kw,
        )  # fmt: skip

    # -- one step -------------------------------------------------------------------------

    async def _step(self, report: Report, session: LabSession, step: BaseModel) -> None:
        kind = m.step_kind(step) or "?"
        t = time.monotonic()
        try:
            if isinstance(step, m.ExpectStep):
                held, text, measured = await self._expect(session, step.expect)
                report.add(self._result(report, kind, describe(step), text, "ok" if held else "failed", t,
                                        expectation=True, measured=measured))  # fmt: skip
                return
            text = await self._act(session, step)
        except SessionError as exc:
            report.add(self._result(report, kind, describe(step), str(exc), "failed", t))
            report.stopped = True
            return
        report.add(self._result(report, kind, describe(step), text, "ok", t))

    def _number(self, to: str) -> str:
        spec = self.scenario.phones.get(to)
        return spec.user if spec is not None else to

    async def _act(self, session: LabSession, step: BaseModel) -> str:
        said = m.body(step)
        if isinstance(step, m.CallStep):
            c = step.call
            text = await session.dial(c.from_, self._number(c.to))
            self.last_call = (c.from_, c.to) if c.to in self.scenario.phones else None
            if c.answer and c.to in self.scenario.phones:
                text += "; " + await session.answer(c.to)
            return text
        if isinstance(step, m.WaitStep):
            await asyncio.sleep(step.wait)  # the scenario's own pause (a binding timeout, a user's idle time)
            return f"waited {step.wait:g} s"
        if isinstance(step, m.RouterStep):
            return session.router(step.router.name, **step.router.changes())
        if isinstance(step, m.ImpairStep):
            i = step.impair
            kw = i.model_dump(exclude={"host", "interface"}, exclude_none=True)
            return session.impair(i.host, i.interface, **{k: v for k, v in kw.items() if v})
        if isinstance(step, m.RoamStep):
            return session.roam(step.roam.host, step.roam.to)
        if isinstance(step, m.TransferStep):
            return await session.transfer(step.transfer.from_, self._number(step.transfer.to))
        if isinstance(step, m.DtmfStep):
            return await session.dtmf(step.dtmf.from_, step.dtmf.digits)
        if isinstance(step, m.CheckNatStep):
            return (await session.check_nat(step.check_nat))[1]
        if isinstance(step, m.CheckIceStep):
            return (await session.check_ice(step.check_ice))[1]
        simple: dict[type[BaseModel], Callable[[str], Awaitable[str]]] = {
            m.AnswerStep: session.answer, m.HangupStep: session.hangup, m.HoldStep: session.hold,
            m.RetrieveStep: session.retrieve, m.RegisterStep: session.register, m.UnregisterStep: session.unregister,
        }  # fmt: skip
        action = simple.get(type(step))
        if action is None:
            raise SessionError(f"step {m.step_kind(step)} is not implemented", 2)
        result: str = await action(said)
        return result

    async def _expect(self, session: LabSession, e: m.ExpectSpec) -> tuple[bool, str, dict[str, Any]]:
        """(held, what was expected and measured, the measurement) for every expectation named."""
        held, parts = True, []
        measured: dict[str, Any] = {}
        if e.audio is not None:
            pair = e.between or self.last_call
            if pair is None:
                raise SessionError("expect audio: no call between two phones of the scenario yet; name `between`", 2)
            ok, verdict, text = await session.audio(pair[0], pair[1], e.audio, e.within)
            if ok and e.direction is not None:
                ok = _same_direction(verdict.direction, e.direction)
            want = e.audio + (f" ({e.direction})" if e.direction else "")
            got = verdict.kind + (f" ({verdict.direction})" if verdict.direction else "")
            parts.append(
                f"audio {pair[0]} <-> {pair[1]}: expected {want}, measured {got}" + ("" if ok else f"\n{text}")
            )
            measured["audio"] = {"kind": verdict.kind, "direction": verdict.direction, "explained": verdict.explain()}
            held &= ok
        for name, want_ring in ((e.ringing, True), (e.not_ringing, False)):
            if name is not None:
                rang = await session.rings(name, 5.0 if want_ring else NOT_RINGING_WITHIN)
                parts.append(
                    f"{name} {'rings' if rang else 'does not ring'} (expected {'ringing' if want_ring else 'no ringing'})"
                )
                measured[f"{name}.ringing"] = rang
                held &= rang == want_ring
        for name, want_reg in ((e.registered, True), (e.not_registered, False)):
            if name is not None:
                reg = await session.is_registered(name)
                parts.append(
                    f"{name} is {'registered' if reg else 'not registered'} (expected {'registered' if want_reg else 'not registered'})"
                )
                measured[f"{name}.registered"] = reg
                held &= reg == want_reg
        for name, want_nat in (e.nat_type or {}).items():
            outcome, text = await session.check_nat(name)
            parts.append(f"{text} (expected {want_nat})")
            measured[f"{name}.nat_type"] = outcome
            held &= outcome == want_nat
        for name, want_ice in (e.ice_status or {}).items():
            status, text = await session.check_ice(name)
            parts.append(f"{text} (expected {want_ice})")
            measured[f"{name}.ice_status"] = status
            held &= status == want_ice
        return held, "; ".join(parts), measured


def _same_direction(measured: str | None, expected: str) -> bool:
    def norm(s: str) -> list[str]:
        return [p.strip() for p in s.split("->")]

    return measured is not None and norm(measured) == norm(expected)


def run(scenario: m.Scenario, source: Path) -> Report:
    """Resolve the scenario's topology and system (ScenarioError-like errors first), then run it."""
    topology = resolve_topology(scenario, source)
    system = resolve_system(scenario, source)
    return Runner(scenario, source).run(topology, system)
