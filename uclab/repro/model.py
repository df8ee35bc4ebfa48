"""The scenario file: what an engineer writes from a field ticket, as pydantic models.

    title: one-way audio since the new home router
    topology: home_internet                  # a name in topologies/ or a file
    system: office                           # an example configuration or a file, or {config: office, latch_rtp: false}
    phones:
      home: {host: home_pc, user: "200", client: myportal_voip, server: public}
      desk: {host: office_pc, user: "202", client: desk_phone}
    steps:
      - router: {name: home_router, sip_alg: "faulty:sdp-rewrite-no-pinhole"}
      - call: {from: desk, to: home}
      - expect: {audio: two-way}
      - wait: 5s
      - hangup: desk

Each step is a mapping with one key, the step's kind (STEP_KINDS). `uclab repro --schema`
prints the JSON schema (for editors); `load` gives file:line errors naming the field and the
allowed values (simulators/yamlcheck).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from simulators import yamlcheck
from simulators.net.errors import Problem, TopologyError

PhoneName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,23}$", description="a phone of `phones:`")]
Number = Annotated[str, Field(pattern=r"^[0-9*#]{1,16}$", description='a call number, e.g. "202"')]
Verdict = Literal["two-way", "one-way", "none"]
SCHEMA_HINT = "see `uclab repro --schema` for the fields"
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")


class ScenarioError(TopologyError):
    """A scenario file is invalid; each problem names file:line, the field and the fix."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def seconds(value: Any) -> float:
    """5, "5s", "500ms", "1m" -> seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    m = DURATION.match(str(value))
    if m is None:
        raise ValueError(f"{value!r} is not a duration; write e.g. 5s, 500ms or 1m")
    return float(m[1]) * {"ms": 0.001, "s": 1.0, "m": 60.0}[m[2] or "s"]


Duration = Annotated[float, Field(description="seconds: 5, 5s, 500ms, 1m")]


class SystemSpec(Strict):
    config: str = Field("office", description="an example configuration (simulators/uc/examples) or a YAML file")
    latch_rtp: bool | None = Field(
        None, description="override: the system sends RTP where it comes from (true) or where the SDP says (false)"
    )


class PhoneSpec(Strict):
    host: str = Field(description="the topology host the phone runs on")
    user: Number = Field(description="the station's call number (a user of the system configuration)")
    client: Literal["myportal_voip", "desk_phone"] = "myportal_voip"
    server: str = Field("LAN", description="LAN, public (the office's public door) or ADDRESS:PORT")
    transport: Literal["tls", "udp"] | None = Field(
        None, description="myPortal @work: tls to 8802 (default) or udp to the system's 5060 (a client set to UDP)"
    )
    keepalive_s: int | None = Field(None, ge=0, le=3600, description="UDP keep-alive interval; 0 = off")
    ice: bool | None = Field(None, description="ICE on or off (default: on for myPortal @work, off for a desk phone)")


# -- steps ---------------------------------------------------------------------------------------


class CallSpec(Strict):
    from_: PhoneName = Field(alias="from")
    to: PhoneName | Number = Field(description="a phone of the scenario or a call number")
    answer: bool = Field(True, description="the callee answers (false: it only rings)")


class TransferSpec(Strict):
    from_: PhoneName = Field(alias="from")
    to: PhoneName | Number


class DtmfSpec(Strict):
    from_: PhoneName = Field(alias="from")
    digits: str = Field(pattern=r"^[0-9*#A-D]+$")


class RouterSpec(Strict):
    name: str = Field(description="a router of the topology")
    nat: str | dict[str, Any] | None = Field(None, description="a NAT preset, none, or {preset, udp_timeout_s, ...}")
    sip_alg: str | None = Field(None, description="none, kernel or faulty:BEHAVIOUR")
    firewall: str | dict[str, Any] | None = Field(None, description="none, stateful, stateless or strict")

    @model_validator(mode="after")
    def _something(self) -> RouterSpec:
        if self.nat is None and self.sip_alg is None and self.firewall is None:
            raise ValueError("say what changes: nat, sip_alg or firewall")
        return self

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.nat is not None:
            out["nat"] = None if self.nat == "none" else self.nat
        if self.sip_alg is not None:
            out["sip_alg"] = self.sip_alg
        if self.firewall is not None:
            out["firewall"] = self.firewall
        return out


class ImpairSpec(Strict):
    host: str
    interface: str = "eth0"
    delay_ms: float = Field(0, ge=0, le=10_000)
    jitter_ms: float = Field(0, ge=0, le=10_000)
    loss_pct: float = Field(0, ge=0, le=100)
    rate_kbit: int | None = Field(None, gt=0)


class RoamSpec(Strict):
    host: str
    to: str | None = Field(description="a roaming location of the host, or null: back where it started")


class ExpectSpec(Strict):
    audio: Verdict | None = Field(None, description="the audio between `between` (default: the last call's parties)")
    direction: str | None = Field(None, description='for one-way: "talker -> listener", e.g. "home -> desk"')
    between: tuple[PhoneName, PhoneName] | None = None
    within: Duration = Field(3.0, description="how long the audio is listened to")
    ringing: PhoneName | None = Field(None, description="this phone rings (an incoming call)")
    not_ringing: PhoneName | None = Field(None, description="this phone does not ring")
    registered: PhoneName | None = None
    not_registered: PhoneName | None = None
    nat_type: dict[PhoneName, Literal["simple", "Symmetric", "could not be detected"]] | None = Field(
        None, description="what Check NAT type shows on each phone named"
    )
    ice_status: dict[PhoneName, Literal["available", "not available"]] | None = None

    _within = field_validator("within", mode="before")(classmethod(lambda cls, v: seconds(v)))

    @model_validator(mode="after")
    def _something(self) -> ExpectSpec:
        fields = ("audio", "ringing", "not_ringing", "registered", "not_registered", "nat_type", "ice_status")
        if all(getattr(self, f) is None for f in fields):
            raise ValueError(f"say what is expected: one of {', '.join(fields)}")
        if self.direction is not None and self.audio != "one-way":
            raise ValueError("direction goes with audio: one-way")
        return self


class CallStep(Strict):
    call: CallSpec


class AnswerStep(Strict):
    answer: PhoneName


class HangupStep(Strict):
    hangup: PhoneName


class HoldStep(Strict):
    hold: PhoneName


class RetrieveStep(Strict):
    retrieve: PhoneName


class TransferStep(Strict):
    transfer: TransferSpec


class DtmfStep(Strict):
    dtmf: DtmfSpec


class RegisterStep(Strict):
    register_: PhoneName = Field(alias="register")  # `register` is a BaseModel class method


class UnregisterStep(Strict):
    unregister: PhoneName


class WaitStep(Strict):
    wait: Duration

    _wait = field_validator("wait", mode="before")(classmethod(lambda cls, v: seconds(v)))


class RouterStep(Strict):
    router: RouterSpec


class ImpairStep(Strict):
    impair: ImpairSpec


class RoamStep(Strict):
    roam: RoamSpec


class CheckNatStep(Strict):
    check_nat: PhoneName


class CheckIceStep(Strict):
    check_ice: PhoneName


class ExpectStep(Strict):
    expect: ExpectSpec


STEPS: dict[str, type[Strict]] = {
    "call": CallStep,
    "answer": AnswerStep,
    "hangup": HangupStep,
    "hold": HoldStep,
    "retrieve": RetrieveStep,
    "transfer": TransferStep,
    "dtmf": DtmfStep,
    "register": RegisterStep,
    "unregister": UnregisterStep,
    "wait": WaitStep,
    "router": RouterStep,
    "impair": ImpairStep,
    "roam": RoamStep,
    "check_nat": CheckNatStep,
    "check_ice": CheckIceStep,
    "expect": ExpectStep,
}
STEP_KINDS = tuple(STEPS)
KIND_OF: dict[type[BaseModel], str] = {model: kind for kind, model in STEPS.items()}


def step_kind(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in STEPS else None
    if isinstance(value, BaseModel):
        return KIND_OF.get(type(value))
    return None


def body(step: BaseModel) -> Any:
    """What a step says (its one field's value)."""
    return getattr(step, next(iter(type(step).model_fields)))


if TYPE_CHECKING:
    Step: TypeAlias = Strict
else:  # a union tagged by the step's one key: errors name that step's own fields only
    _TAGGED = tuple(Annotated[model, Tag(kind)] for kind, model in STEPS.items())
    Step = Annotated[
        Union.__getitem__(_TAGGED),
        Discriminator(
            step_kind,
            custom_error_type="step_kind",
            custom_error_message=f"a step is a mapping with one key, one of: {', '.join(STEP_KINDS)}",
        ),
    ]


class Scenario(Strict):
    title: str = Field(min_length=1, description="what the ticket says, in a line")
    ticket: str | None = Field(None, description="the ticket's reference, shown on the page")
    topology: str = Field(description="a name in topologies/ or a topology file (relative to this file)")
    topology_changes: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted topology fields set before the lab comes up, e.g. "
        "{routers.home_router.nat: {preset: port-restricted-cone, udp_timeout_s: 3}}",
    )
    system: str | SystemSpec | None = Field("office", description="the system: an example name, a file, or null")
    phones: dict[PhoneName, PhoneSpec] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)

    def system_spec(self) -> SystemSpec | None:
        if self.system is None:
            return None
        return SystemSpec(config=self.system) if isinstance(self.system, str) else self.system


def phones_named(step: BaseModel) -> list[str]:
    """The phone names a step refers to (for the cross-check against `phones:`)."""
    said = body(step)
    if isinstance(said, str):
        return [said]
    names: list[str] = []
    if isinstance(said, (CallSpec, TransferSpec, DtmfSpec)):
        names.append(said.from_)
        to = getattr(said, "to", None)
        if isinstance(to, str) and not to[:1].isdigit():
            names.append(to)
    if isinstance(said, ExpectSpec):
        for f in ("ringing", "not_ringing", "registered", "not_registered"):
            if getattr(said, f):
                names.append(getattr(said, f))
        names += list(said.between or ()) + list(said.nat_type or {}) + list(said.ice_status or {})
    return names


# -- loading -------------------------------------------------------------------------------------


def _field_names() -> set[str]:
    models: list[type[BaseModel]] = [
        Scenario,
        SystemSpec,
        PhoneSpec,
        CallSpec,
        TransferSpec,
        DtmfSpec,
        RouterSpec,
        ImpairSpec,
        RoamSpec,
        ExpectSpec,
    ]
    return yamlcheck.field_names(models) | set(STEP_KINDS) | {"from"}


def _loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the discriminator's tag (steps.2.call.call.from -> steps.2.call.from)."""
    out: list[str | int] = []
    for part in loc:
        if out and part == out[-1] and isinstance(part, str) and part in STEPS:
            continue
        out.append(part.rstrip("_") if isinstance(part, str) and part.endswith("_") else part)
    return tuple(out)


def validate(data: Any, source: str | None = None, node: yaml.Node | None = None) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(
            source, [Problem((), f"a scenario is a mapping with title, topology, phones, steps; {SCHEMA_HINT}")]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _loc(yamlcheck.clean_loc(err["loc"]))
            text = yamlcheck.describe(dict(err), _field_names(), SCHEMA_HINT)
            problems.append(Problem(loc, text, yamlcheck.line_of(node, loc)))
        raise ScenarioError(source, problems) from None
    problems = [Problem(loc, msg, yamlcheck.line_of(node, loc)) for loc, msg in unknown_phones(scenario)]
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def unknown_phones(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Steps naming a phone `phones:` does not define."""
    known = sorted(scenario.phones)
    out: list[tuple[tuple[str | int, ...], str]] = []
    for i, step in enumerate(scenario.steps):
        kind = step_kind(step) or "?"
        for name in phones_named(step):
            if name not in scenario.phones:
                out.append(
                    (("steps", i, kind), f"no phone {name!r} in `phones:`; phones: {', '.join(known) or 'none'}")
                )
    return out


def parse(text: str, source: str | None = None) -> Scenario:
    try:
        data, node = yamlcheck.compose(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [yamlcheck.yaml_problem(exc)]) from None
    duplicates = yamlcheck.duplicate_keys(node)
    if duplicates:
        raise ScenarioError(source, duplicates)
    return validate(data, source, node)


def load(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(p), [Problem((), "no such file; give the path of a scenario YAML")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(p), [Problem((), f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]) from None
    return parse(text, str(p))


def json_schema() -> str:
    return json.dumps(Scenario.model_json_schema(by_alias=True), indent=2, sort_keys=True)
