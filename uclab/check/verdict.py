"""Measurements and the documented findings -> a site's verdict, with causes in the document's words. Pure.

    ready                 every step worked; nothing documented to warn about
    ready-with-warnings   every step worked, but the documents warn about the set-up (a stateless
                          firewall, 004:300; the system on its WAN interface, 004:106; a SIP ALG on
                          the path, 004:381) or the link quality is past a published limit
    not-ready             a step failed; the causes are the documented problems that explain it
                          (each with its remedies), or, where none does, what was measured
    not-supported         the documents say the set-up is not supported (symmetric NAT over the
                          Internet, NAT-1 004:318; a strict firewall, NAT-2 004:319), whatever
                          was measured

A cause is {rule, doc, text}: the rule ID, the document line and the document's own words
(simulators/catalogue.quote), plus `why`: what applies at this site. A failure that no
documented cause explains is reported as such (rule and doc null), never hidden.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from simulators import catalogue

from .oracle import Finding
from .quality import Rating

VERDICTS = ("ready", "ready-with-warnings", "not-ready", "not-supported")
STEP_WORDS = {
    "login": "UC login",
    "nat_type": "Check NAT type",
    "ice_status": "Check ICE status",
    "register": "VoIP registration",
    "rings": "incoming call rings",
    "audio_in": "audio of the incoming call",
    "outgoing": "outgoing call connects",
    "audio_out": "audio of the outgoing call",
    "binding_timeout": "call after the NAT binding timeout and re-INVITEs",
    "hold": "hold and retrieve",
}


@dataclass
class Check:
    step: str
    client: str
    ok: bool | None  # None: not reached, or informative only
    measured: str
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "client": self.client,
            "ok": self.ok,
            "measured": self.measured,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class SiteMeasurement:
    site: str
    checks: list[Check] = field(default_factory=list)
    quality: list[Rating] = field(default_factory=list)
    seconds: float = 0.0

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]


@dataclass(frozen=True)
class Cause:
    rule: str | None
    doc: str | None
    text: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Verdict:
    verdict: str
    causes: list[Cause] = field(default_factory=list)
    warnings: list[Cause] = field(default_factory=list)

    @property
    def works(self) -> bool:
        return self.verdict in ("ready", "ready-with-warnings")


class MissingDocuments(RuntimeError):
    """The product documents are not where the catalogue looks; a cause without its words is no cause."""


def cause(f: Finding) -> Cause:
    text = catalogue.quote(f.ref)
    if not text:
        raise MissingDocuments(
            f"no text at {f.ref} in {catalogue.seeds_dir()}: the product documents are missing; set UCLAB_SEEDS to their folder"
        )
    return Cause(f.rule, f.ref, text, f.text)


def judge(findings: list[Finding], m: SiteMeasurement, stun_needed: bool) -> Verdict:
    """The site's verdict from what was measured and what the documents say about its set-up.
    `stun_needed`: STUN connectivity is required (VPN 004:94, Internet 004:107); in the office
    it is not (004:68), so an unavailable ICE status there is a warning, not a failure."""
    failed = [c for c in m.failed() if stun_needed or c.step != "ice_status"]
    soft = [c for c in m.failed() if c not in failed]
    steps = {c.step for c in failed}
    unsupported = [f for f in findings if f.kind == "not-supported"]
    problems = [f for f in findings if f.kind == "problem"]
    explaining = [f for f in unsupported + problems if steps & set(f.breaks)]
    explained = {s for f in explaining for s in f.breaks}
    warnings = [cause(f) for f in findings if f.kind == "warning" or (f.kind == "problem" and f not in explaining)]
    warnings += [
        Cause(
            None,
            None,
            c.measured,
            f"{c.client}: {STEP_WORDS[c.step]}; STUN connectivity is not needed in-house (004:68)",
        )
        for c in soft
    ]
    warnings += [Cause(None, None, w, "link quality") for r in m.quality for w in r.warnings]
    causes = [cause(f) for f in unsupported]
    causes += [cause(f) for f in explaining if f not in unsupported]
    for c in failed:
        if c.step not in explained:
            causes.append(
                Cause(
                    None,
                    None,
                    c.measured,
                    f"{c.client}: {STEP_WORDS[c.step]} failed and no documented cause of this set-up explains it",
                )
            )
    if unsupported:
        return Verdict("not-supported", causes, warnings)
    if failed:
        return Verdict("not-ready", causes, warnings)
    return Verdict("ready-with-warnings" if warnings else "ready", [], warnings)


def worst(verdicts: list[str]) -> str:
    """The site's overall verdict over its possibilities: the worst one counts."""
    return max(verdicts, key=VERDICTS.index) if verdicts else "not-ready"
