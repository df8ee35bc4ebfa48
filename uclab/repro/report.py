"""What a scenario run found: every step's outcome, the expectations and what was measured.

`text()` is what `uclab repro` prints, `model_dump_json()` what `--json` writes, and
`evidence/steps.json` (the same data) is what the evidence page shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Outcome = Literal["ok", "failed", "info", "not run"]


class StepResult(BaseModel):
    n: int
    kind: str
    what: str = Field(description="the step as written")
    text: str = Field(description="what happened, as a user would see it")
    outcome: Outcome
    at: float = Field(0.0, description="seconds since the scenario started")
    seconds: float = 0.0
    expectation: bool = False
    measured: dict[str, Any] | None = None


class Report(BaseModel):
    title: str
    file: str
    topology: str
    run_dir: str
    steps: list[StepResult] = Field(default_factory=list)
    stopped: bool = Field(False, description="a step could not be done; the rest did not run")
    seconds: float = 0.0
    page: str = ""

    def add(self, step: StepResult) -> None:
        self.steps.append(step)

    @property
    def failed(self) -> list[StepResult]:
        return [s for s in self.steps if s.outcome == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_json(self) -> str:
        data = self.model_dump()
        data["ok"] = self.ok
        data["exit_code"] = self.exit_code
        import json

        return json.dumps(data, indent=1)

    def write_steps(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json())

    def text(self) -> str:
        lines = [f"{self.title} ({self.file})", f"run {Path(self.run_dir).name}, topology {self.topology}"]
        for s in self.steps:
            mark = {"ok": "ok", "failed": "FAILED", "info": "", "not run": "not run"}[s.outcome]
            first, *more = s.text.splitlines() or [""]
            lines.append(f"{s.n:>3}  {s.what[:60]:<60} {mark:<8} {s.seconds:6.2f} s  {first}")
            lines += [f"{'':>5}{line}" for line in more]
        expectations = [s for s in self.steps if s.expectation]
        if self.ok:
            lines.append(f"RESULT: every expectation held ({len(expectations)} of {len(expectations)})")
        else:
            held = sum(1 for s in expectations if s.outcome == "ok")
            lines.append(f"RESULT: {len(self.failed)} step(s) failed; {held} of {len(expectations)} expectations held")
            for s in self.failed:
                lines.append(f"  step {s.n} ({s.what}): {s.text.splitlines()[0] if s.text else ''}")
        lines.append(f"evidence: {self.page or self.run_dir}  ({self.seconds:.1f} s)")
        return "\n".join(lines)
