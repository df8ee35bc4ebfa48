"""The lab's pytest plugin (loaded by the root conftest.py).

Fixtures
    lab_factory   make(topology) -> a Lab that is up; every lab made is torn down after
                  the test, even a failed one, and its evidence attached to the report
    lab           the Lab of the test's `@pytest.mark.topology(...)` (or indirect param)
    stubs         start(lab, host="system", **options) -> the UC server stub in that host; on
                  an external system (below) a handle for it (simulators/system.py), or a
                  skip when the test gives the stub options (a configuration of its own)
    phones        start(lab, host, name=None, **settings) -> a pjsua2 phone in that host
                  (both stopped after the test, before its labs go down; settings helpers
                  in simulators/harness.py)

    choices       the lab-choice checks of a test (simulators/ledger.py): check(id, ok, seen)

Markers (simulators/ledger.py; unknown ids or `how` values stop the run)
    clause(*ids, how=...)  documented clauses (spec/rules.yaml, RULE-ID/name) the test shows,
                  and how: wire, api, client-model, construction (simulators/catalogue.py)
    lab_choice(*ids)  behaviour the documents leave open (spec/lab_choices.yaml) it asserts
    rule(*ids)    a citation of rules (spec/rules.yaml): listed in the summary, never a verdict
    topology(x)   the topology `lab` builds (a name from topologies/ or a path)
    slow          real-time and soak variants; skipped unless --uclab-slow (or --uclab-real-time)
    scaled        a time-scaled twin of a slow variant; skipped with --uclab-real-time

Evidence (allure): the topology picture (SVG) when the lab comes up, and after teardown
its pcaps, the logs of every process, the generated rulesets, the SIP ladder and media
verdicts of its phones (simulators/netcheck.py) and the WAVs of failed verdicts; the run's
evidence page (index.html, written through the `pytest_uclab_evidence_page` hook that the
root conftest.py implements with reports/evidence) is attached and linked when the run is
kept or an allure report is collected. `--uclab-results FILE`
writes one JSON line per test (outcome, clauses and how they were shown, lab choices and
their outcomes, cited rules, topologies, the stubs' time scales, duration) for `uclab run`;
`--uclab-only-file PATH` (repeatable) keeps only those test files' tests, one shard's part.
`--uclab-real-time` runs the documented timers unscaled (the suites' time scale is 1.0,
harness.suite_time_scale) and the slow variants with them.

An external system under test: `--uclab-system-interface IFACE` makes every lab's `system`
host external, attached through this machine's IFACE (a VM's tap or veth; one lab at a
time, so no xdist). What needs the stub raises `NeedsStub` (the UC API, a stub
configuration), what would run inside the system host `NotInTheLab`: the test is reported
as skipped with that reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from . import catalogue, ledger
from .lab import Lab
from .net import draw, loader
from .net.errors import NotInTheLab
from .net.model import Topology
from .system import ExternalSystem, NeedsStub, with_external_system

allure: Any
try:
    import allure

    HAVE_ALLURE = True
except ImportError:  # pragma: no cover - allure-pytest is a pinned dependency
    allure = None
    HAVE_ALLURE = False

PCAP = ("application/vnd.tcpdump.pcap", "pcap")
UC_TRANSPORTS = ("door", "once", "inprocess")


class EvidenceHooks:
    """Hooks the plugin calls; the project's conftest.py implements them."""

    @staticmethod
    @pytest.hookspec(firstresult=True)
    def pytest_uclab_evidence_page(run_dir: Path) -> Path | None:
        """Write the evidence page (index.html) of a torn-down lab's run directory; its path.
        The renderer reads recorded evidence, so it lives outside this library (reports/)."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(EvidenceHooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("uclab")
    group.addoption("--uclab-keep", action="store_true", help="keep every run directory (default: only failed ones)")
    group.addoption("--uclab-slow", action="store_true", help="also run real-time and soak variants (@slow)")
    group.addoption("--uclab-results", metavar="FILE", help="write one JSON line per test result to FILE")
    group.addoption("--uclab-profile", metavar="PROFILE", default=None, help="release profile the suites target")
    group.addoption(
        "--uclab-system-interface",
        metavar="IFACE",
        default=None,
        help="the system under test is external, reached through this machine's interface IFACE (a VM's tap or veth)",
    )
    group.addoption(
        "--uclab-only-file",
        action="append",
        metavar="PATH",
        default=None,
        help="run only the tests of this test file (repeatable): one shard's part of a collected selection",
    )
    group.addoption(
        "--uclab-uc-transport",
        choices=UC_TRANSPORTS,
        default=os.environ.get("UCLAB_UC_TRANSPORT", "inprocess"),
        help="how the rules suites reach the UC API: door (every test through the lab network and TLS on 8802), "
        "once (each test's representative release profile through the door, the others in process; what uclab "
        "run does), inprocess (fast development runs; their api clauses then show nothing). Default: "
        "$UCLAB_UC_TRANSPORT or inprocess",
    )
    group.addoption(
        "--uclab-real-time",
        action="store_true",
        help="documented timers unscaled (time scale 1.0 in the suites); implies --uclab-slow",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--uclab-system-interface") and (getattr(config.option, "numprocesses", None) or 0) > 1:
        raise pytest.UsageError(
            "--uclab-system-interface: one external system serves one lab at a time; run without -n (one worker)"
        )
    if config.getoption("--uclab-real-time"):
        from .harness import REAL_TIME_ENV

        os.environ[REAL_TIME_ENV] = "1"  # the suites' helpers read it (harness.suite_time_scale)
    config.addinivalue_line("markers", "clause(*ids, how): documented clauses (spec/rules.yaml) this test shows")
    config.addinivalue_line("markers", "lab_choice(*ids): lab choices (spec/lab_choices.yaml) this test asserts")
    config.addinivalue_line("markers", "rule(*ids): rule IDs from spec/rules.yaml this test cites (no verdict)")
    config.addinivalue_line("markers", "topology(name): the topology the `lab` fixture brings up")
    config.addinivalue_line("markers", "slow: real-time or soak variant, run only with --uclab-slow")
    config.addinivalue_line("markers", "scaled: a time-scaled twin of a slow real-time variant; not run in real time")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        claims, wrong = ledger.read(m for name in ("clause", "lab_choice", "rule") for m in item.iter_markers(name))
        problems += [f"{item.nodeid}: {w}" for w in wrong]
        item.stash[CLAIMS] = claims
        item.stash[WRONG_MARKERS] = wrong
    if problems and not hasattr(config, "workerinput"):
        raise pytest.UsageError("\n".join(problems))
    # an xdist worker's UsageError is lost in a crash report: each such test errors, saying why
    _keep_only_files(config, items)
    if config.getoption("--uclab-real-time"):
        twin = pytest.mark.skip(reason="time-scaled twin: its real-time variant runs with --uclab-real-time")
        for item in items:
            if item.get_closest_marker("scaled"):
                item.add_marker(twin)
    if not (config.getoption("--uclab-slow") or config.getoption("--uclab-real-time")):
        skip = pytest.mark.skip(reason="real-time/soak variant: run with --uclab-slow")
        for item in items:
            if item.get_closest_marker("slow"):
                item.add_marker(skip)


def _keep_only_files(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --uclab-only-file: deselect every test outside the files named (a shard's part).
    The same collection on every shard and xdist worker keeps the parts disjoint."""
    only = config.getoption("--uclab-only-file")
    if only is None:
        return
    wanted = set(only)
    kept = [item for item in items if item.nodeid.split("::", 1)[0] in wanted]
    dropped = [item for item in items if item.nodeid.split("::", 1)[0] not in wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _skipping_what_the_system_cannot_do() -> Generator[None, Any, Any]:
    """A hook wrapper's body: NeedsStub or NotInTheLab (an external system) becomes a skip."""
    try:
        return (yield)
    except (NeedsStub, NotInTheLab) as exc:
        pytest.skip(str(exc))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    wrong = item.stash.get(WRONG_MARKERS, [])
    if wrong:
        pytest.fail("; ".join(wrong), pytrace=False)
    return (yield from _skipping_what_the_system_cannot_do())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    return (yield from _skipping_what_the_system_cannot_do())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"uclab_rep_{report.when}", report)
    checks = item.stash.get(CHECKS, None)
    if report.when == "teardown" and checks is not None:
        failed = {c: "; ".join(f) for c, f in checks.results.items() if f}
        if failed:
            report.user_properties.append((LAB_CHOICES_FAILED, failed))
    return report


LAB_CHOICES_FAILED = "uclab_lab_choices_failed"
_failed_choices: list[tuple[str, str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect lab-choice failures (also from xdist workers: they travel in user_properties)."""
    for key, value in report.user_properties:
        if key == LAB_CHOICES_FAILED and isinstance(value, dict):
            _failed_choices.extend((report.nodeid, str(c), str(m)) for c, m in value.items())


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _failed_choices:
        terminalreporter.section("lab choices that did not hold (spec/lab_choices.yaml)")
        for nodeid, choice, message in _failed_choices:
            terminalreporter.line(f"{choice} in {nodeid}: {message}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A lab choice that did not hold fails the run even though its test passed."""
    if _failed_choices and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


CLAIMS = pytest.StashKey[ledger.Claims]()
CHECKS = pytest.StashKey[ledger.ChoiceChecks]()
WRONG_MARKERS = pytest.StashKey[list[str]]()
"""what is wrong with a test's clause, lab_choice and rule markers (ledger.read)"""


def claims_of(item: pytest.Item) -> ledger.Claims:
    if CLAIMS not in item.stash:
        claims, _ = ledger.read(m for name in ("clause", "lab_choice", "rule") for m in item.iter_markers(name))
        item.stash[CLAIMS] = claims
    return item.stash[CLAIMS]


def _rules_of(item: pytest.Item) -> list[str]:
    return claims_of(item).rules


@pytest.fixture
def choices(request: pytest.FixtureRequest) -> ledger.ChoiceChecks:
    """The test's lab-choice checks (simulators/ledger.py): recorded apart from its outcome."""
    checks = ledger.ChoiceChecks(claims_of(request.node).lab_choices)
    request.node.stash[CHECKS] = checks
    return checks


def note_time_scale(node: Any, scale: float) -> None:
    """A stub (or an in-process UC API) of the test runs its documented timers at `scale`."""
    scales: list[float] = getattr(node, "uclab_time_scales", [])
    if scale not in scales:
        scales.append(scale)
    node.uclab_time_scales = scales


def note_in_process(node: Any) -> None:
    """The test's UC API was served in process: its `api` clause claims show nothing."""
    node.uclab_in_process = True


@pytest.fixture(autouse=True)
def _uclab_labels(request: pytest.FixtureRequest) -> None:
    ids = _rules_of(request.node)
    if not HAVE_ALLURE or not ids:
        return
    known = catalogue.rules()
    for rid in ids:
        allure.dynamic.label("rule", rid)
        allure.dynamic.tag(rid)
        rule = known[rid]
        allure.dynamic.feature(rule.section.split(" (")[0])
        for ref in rule.refs:
            allure.dynamic.link(f"seeds/{ref}", name=f"{rid} {ref}: {catalogue.quote(ref, 2)[:80]}")


def _attach_file(path: Path, name: str) -> None:
    if not HAVE_ALLURE or not path.exists() or path.stat().st_size == 0:
        return
    if path.suffix == ".pcap":
        allure.attach.file(str(path), name=name, attachment_type=PCAP)
    elif path.suffix in (".svg",):
        allure.attach.file(str(path), name=name, attachment_type=allure.attachment_type.SVG)
    elif path.suffix == ".wav":
        allure.attach.file(str(path), name=name, attachment_type=("audio/wav", "wav"))
    elif path.suffix == ".json":
        allure.attach.file(str(path), name=name, attachment_type=allure.attachment_type.JSON)
    else:
        allure.attach.file(str(path), name=name, attachment_type=allure.attachment_type.TEXT)


def attach_evidence(lab: Lab) -> None:
    """Attach what a torn-down lab left in its run directory."""
    if lab.run is None:
        return
    from .netcheck import write_sip_ladder

    with contextlib.suppress(Exception):
        write_sip_ladder(lab)  # evidence/sip-ladder.txt from the phones' SIP logs
    d = lab.run.dir
    for sub, pattern in (("pcap", "*.pcap"), ("logs", "*.log"), ("nft", "*"), ("evidence", "*"), ("media", "*.wav")):
        for path in sorted((d / sub).glob(pattern)) if (d / sub).exists() else []:
            _attach_file(path, f"{lab.topo.name}/{sub}/{path.name}")


class LabFactory:
    def __init__(self, request: pytest.FixtureRequest):
        self.request = request
        self.labs: list[Lab] = []

    def __call__(self, topology: Topology | str | Path, *, verify: bool = True, services: bool = True) -> Lab:
        interface = self.request.config.getoption("--uclab-system-interface")
        if interface:
            topo = topology if isinstance(topology, Topology) else loader.load(topology)
            topology = with_external_system(topo, interface)
        lab = Lab(topology)
        self.labs.append(lab)
        lab.up(verify=verify, services=services)
        svg = lab.dir / "evidence" / "topology.svg"
        svg.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            svg.write_bytes(draw.svg(lab.topo))
            if HAVE_ALLURE:
                allure.attach.file(
                    str(svg), name=f"topology {lab.topo.name}", attachment_type=allure.attachment_type.SVG
                )
        return lab

    def failed(self) -> bool:
        """Whether a test that used these labs failed: the fixture's own test, or, for a
        module- or class-scoped fixture, any test collected under that node."""
        node = self.request.node
        items = (
            [node]
            if isinstance(node, pytest.Item)
            else [item for item in self.request.session.items if node.nodeid and item.nodeid.startswith(node.nodeid)]
        )
        return any(
            getattr(getattr(item, f"uclab_rep_{w}", None), "failed", False) for item in items for w in ("setup", "call")
        )

    def evidence_page(self, lab: Lab, kept: bool) -> Path | None:
        """The run's evidence page, written when someone will look at it: the run directory is
        kept, or an allure report is being collected (the page is attached and linked)."""
        config = self.request.config
        if lab.run is None or not (kept or config.getoption("allure_report_dir", None)):
            return None
        try:
            path: Path | None = config.hook.pytest_uclab_evidence_page(run_dir=lab.run.dir)
        except Exception as exc:  # the page is evidence about the test, never its verdict
            print(f"\nuclab: no evidence page for {lab.topo.name}: {exc}")
            return None
        if path is not None and HAVE_ALLURE:
            allure.attach.file(
                str(path), name=f"evidence page {lab.topo.name}", attachment_type=allure.attachment_type.HTML
            )
            allure.dynamic.link(path.resolve().as_uri(), name=f"evidence page {lab.topo.name} ({lab.run_id})")
        return path

    def close(self) -> None:
        node = self.request.node
        failed = self.failed()
        keep = self.request.config.getoption("--uclab-keep")
        for lab in reversed(self.labs):
            lab.down()
            with contextlib.suppress(Exception):
                attach_evidence(lab)
            page = self.evidence_page(lab, bool(failed or keep))
            if lab.run is not None:
                if failed or keep:
                    shown = f"; page {page}" if page else ""
                    print(f"\nuclab: evidence of {lab.topo.name} kept in {lab.run.dir}{shown}")
                else:
                    shutil.rmtree(lab.run.dir, ignore_errors=True)
        node.uclab_topologies = [lab.topo.name for lab in self.labs]


@pytest.fixture
def lab_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., Lab]]:
    factory = LabFactory(request)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def lab(request: pytest.FixtureRequest, lab_factory: Callable[..., Lab]) -> Lab:
    marker = request.node.get_closest_marker("topology")
    topology: Any = getattr(request, "param", None) or (marker.args[0] if marker else None)
    if topology is None:
        raise pytest.UsageError(
            f"{request.node.nodeid} uses the `lab` fixture without @pytest.mark.topology(...) or an indirect param"
        )
    return lab_factory(topology)


@pytest.fixture
async def stubs(request: pytest.FixtureRequest) -> AsyncIterator[Callable[..., Any]]:
    from simulators.uc.service import Stub, start_stub  # the stub's deps load only when used

    started: list[Stub] = []

    async def start(lab: Lab, host: str = "system", **options: Any) -> Stub | ExternalSystem:
        spec = lab.topo.hosts.get(host)
        if spec is not None and spec.external is not None:
            system = ExternalSystem.of(lab, host)
            if options:
                given = ", ".join(sorted(options))
                system.requires_stub(
                    f"this test starts the stub with its own {given}, which an external system does not take"
                )
            return system
        stub = await start_stub(lab, host, **options)
        started.append(stub)
        note_time_scale(request.node, stub.config.system.time_scale)
        return stub

    try:
        yield start
    finally:
        for stub in reversed(started):
            stub.stop()


@pytest.fixture
async def phones() -> AsyncIterator[Callable[..., Any]]:
    from simulators.phone.client import Phone
    from simulators.phone.launch import start_phone

    started: list[Phone] = []

    async def start(lab: Lab, host: str, name: str | None = None, **settings: Any) -> Phone:
        phone = await start_phone(lab, host, name, **settings)
        started.append(phone)
        return phone

    try:
        yield start
    finally:
        for phone in reversed(started):
            await phone.close()


@pytest.fixture
def profile(request: pytest.FixtureRequest) -> str | None:
    value: str | None = request.config.getoption("--uclab-profile")
    return value


def _first_line(obj: object) -> str:
    doc = getattr(obj, "__doc__", None) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    path = item.config.getoption("--uclab-results")
    if not path:
        return
    reps = [getattr(item, f"uclab_rep_{w}", None) for w in ("setup", "call")]
    outcome = "passed"
    message = ""
    for rep in reps:
        if rep is None:
            continue
        if rep.failed:
            outcome, message = "failed", str(rep.longrepr)[-2000:]
            break
        if rep.skipped:
            xfailed = getattr(rep, "wasxfail", None)
            if xfailed is not None:
                outcome, message = ledger.recorded_outcome(str(xfailed)), str(xfailed)
            else:
                outcome = "skipped"
                message = str(rep.longrepr[-1]) if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
    claims = claims_of(item)
    in_process = bool(getattr(item, "uclab_in_process", False))
    choices = ledger.choice_outcomes(claims.lab_choices, item.stash.get(CHECKS, None), outcome, message)
    record = {
        "nodeid": item.nodeid,
        "outcome": outcome,
        "rules": claims.rules,
        "clauses": [{"id": c.id, "how": ledger.effective_how(c.how, in_process)} for c in claims.clauses],
        "lab_choices": choices,
        "cited": list(claims.cited),
        "time_scales": getattr(item, "uclab_time_scales", []),
        "real_time": bool(item.config.getoption("--uclab-real-time")),
        "topologies": getattr(item, "uclab_topologies", []),
        "duration_s": round(sum(getattr(r, "duration", 0.0) for r in reps if r is not None), 3),
        "doc": _first_line(getattr(item, "obj", None)),
        "message": message,
        "time": time.time(),
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
