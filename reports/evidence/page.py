"""The evidence page of one run: `<run>/index.html`.

What it shows, all from what the run recorded:

    the topology picture            topology.json, drawn by simulators/net/draw (Graphviz)
    the steps                       evidence/steps.json (a `uclab repro` scenario): outcome, timing
    expectations                    the same file: what was expected, what was measured
    audio per call                  evidence/calls.json: when each side heard whom, the
                                    verdict windows; evidence/media-verdicts.json: verdicts
    WAV players                     the received audio a failed verdict saved (media/*.wav)
    SIP ladders                     pcap/*.pcap through tshark (reports/evidence/ladder.py)
    files                           the pcaps (they open in Wireshark and sngrep as they are;
                                    Wireshark decrypts 8802 with pcap/tls-keys-*.txt), logs

    write(run_dir)                  -> run_dir/index.html
    write(run_dir, out=Path("x.html"))   the same page elsewhere, links relative to it
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from . import ladder as ladder_mod
from . import sip

PAGE = "index.html"
STEPS = "steps.json"
e = html.escape

CSS = """
body{font-family:sans-serif;margin:20px;max-width:1400px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:4px 8px;vertical-align:top}
.ok{background:#e8f5e9}.failed{background:#ffebee}.info{background:#f5f5f5}
.verdict{font-weight:bold}.scroll{overflow-x:auto;border:1px solid #eee;padding:4px}
.summary{font-size:15px;padding:8px;border-radius:4px}.summary.ok{border:1px solid #2e7d32}
.summary.failed{border:1px solid #c62828}code{background:#f4f4f4;padding:1px 3px}
"""


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _rel(target: Path, base: Path) -> str:
    return os.path.relpath(target, base)


def topology_svg(run_dir: Path) -> str:
    """The topology picture: the one the plugin saved, or drawn now from topology.json."""
    saved = run_dir / "evidence" / "topology.svg"
    if saved.exists():
        text = saved.read_text()
    else:
        data = _load(run_dir / "topology.json")
        if data is None:
            return "<p>(no topology.json)</p>"
        try:
            from simulators.net import draw
            from simulators.net.model import Topology

            text = draw.svg(Topology.model_validate(data)).decode()
        except Exception as exc:  # a picture is not worth failing the page for
            return f"<p>(topology picture unavailable: {e(str(exc))})</p>"
    return text[text.find("<svg") :] if "<svg" in text else text


def _steps_section(steps: dict[str, Any] | None, base: Path, run_dir: Path) -> str:
    if not steps:
        return ""
    ok = steps.get("ok", True)
    failed = [s for s in steps.get("steps", []) if s.get("outcome") == "failed"]
    summary = (
        "every expectation held"
        if ok
        else "; ".join(f"step {s['n']}: {s['text']}" for s in failed) or "the scenario did not finish"
    )
    rows = []
    for s in steps.get("steps", []):
        rows.append(
            f'<tr class="{e(s.get("outcome", "info"))}"><td>{s["n"]}</td><td>{e(s["kind"])}</td>'
            f"<td>{e(s['what'])}</td><td>{e(s['text'])}</td><td>{s.get('at', 0):.2f}</td>"
            f"<td>{s.get('seconds', 0):.2f}</td><td>{e(s.get('outcome', ''))}</td></tr>"
        )
    title = e(steps.get("title", ""))
    source = e(steps.get("file", ""))
    return f"""<h2>Steps</h2>
<p class="summary {"ok" if ok else "failed"}"><b>{title}</b> ({source}): {e(summary)}</p>
<table><tr><th>#</th><th>step</th><th>as written</th><th>what happened</th><th>at (s)</th><th>took (s)</th>
<th>outcome</th></tr>{"".join(rows)}</table>"""


def _verdicts_section(verdicts: list[dict[str, Any]] | None, base: Path) -> str:
    if not verdicts:
        return ""
    rows = []
    for v in verdicts:
        players = "".join(
            f'<div><audio controls preload="none" src="{e(_rel(Path(w), base))}"></audio> '
            f"<code>{e(Path(w).name)}</code></div>"
            for w in v.get("received_audio", [])
        )
        cls = "ok" if v.get("ok") else "failed"
        rows.append(
            f'<tr class="{cls}"><td>{e(v.get("at", ""))}</td><td>{e(v.get("label", ""))}</td>'
            f"<td>{e(v.get('expected', ''))}</td><td class='verdict'>{e(v.get('measured', '-'))}</td>"
            f"<td>{e(v.get('explained', ''))}</td><td>{players}</td></tr>"
        )
    return (
        "<h2>Audio verdicts</h2><table><tr><th>at</th><th>between</th><th>expected</th><th>measured</th>"
        f"<th>per direction</th><th>received audio</th></tr>{''.join(rows)}</table>"
    )


PALETTE = ("#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#d81b60")


def audio_timeline(calls: dict[str, Any]) -> str:
    """One SVG: a row per call of each phone with bars where it heard someone, the call's
    state changes as ticks and the verdict windows as bands (green held, red did not)."""
    entries = calls.get("calls") or []
    if not entries:
        return ""
    times = [s["t"] for c in entries for s in c["states"]] + [
        t for c in entries for spans in c["heard"].values() for a, b in spans for t in (a, b) if t is not None
    ]
    if not times:
        return ""
    t0, t1 = min(times), max(times) + 0.5
    scale = 900 / max(t1 - t0, 0.001)
    left, row = 170, 30
    height = 40 + row * len(entries)
    talkers = sorted({who for c in entries for who in c["heard"]})
    colour = {who: PALETTE[i % len(PALETTE)] for i, who in enumerate(talkers)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{left + 940}" height="{height + 20}" font-family="sans-serif" font-size="11">'
    ]
    for v in calls.get("verdicts") or []:
        x = left + (v["since"] - t0) * scale
        w = max(2.0, (v["until"] - v["since"]) * scale)
        fill = "#c8e6c9" if v["ok"] else "#ffcdd2"
        out.append(
            f'<rect x="{x:.1f}" y="20" width="{w:.1f}" height="{height - 20}" fill="{fill}"><title>{e(v["label"])}: {"held" if v["ok"] else "did not hold"}</title></rect>'
        )
    for i, c in enumerate(entries):
        y = 30 + i * row
        out.append(f'<text x="4" y="{y + 12}">{e(c["phone"])} {e(c["call"])} ({e(c["direction"])})</text>')
        out.append(f'<line x1="{left}" y1="{y + 8}" x2="{left + 920}" y2="{y + 8}" stroke="#eee"/>')
        for who, spans in c["heard"].items():
            for a, b in spans:
                end = b if b is not None else t1
                x = left + (a - t0) * scale
                out.append(
                    f'<rect class="heard" x="{x:.1f}" y="{y + 2}" width="{max(1.0, (end - a) * scale):.1f}" height="12" fill="{colour[who]}"><title>heard {e(str(who))}: {a - t0:.2f}-{end - t0:.2f} s</title></rect>'
                )
        for s in c["states"]:
            x = left + (s["t"] - t0) * scale
            out.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 16}" stroke="#333"><title>{e(s["state"])} {s["code"]} {e(s["reason"])} at {s["t"] - t0:.2f} s</title></line>'
            )
    legend = "  ".join(f"■ heard {who}" for who in talkers)
    out.append(
        f'<text x="{left}" y="12" fill="#555">0 s … {t1 - t0:.1f} s; bars: what each call heard ({e(legend)}); ticks: call states; bands: verdict windows</text>'
    )
    out.append("</svg>")
    return "<h2>Audio per call</h2><div class='scroll'>" + "\n".join(out) + "</div>"


def ladders_section(run_dir: Path) -> str:
    try:
        messages = sip.read_run(run_dir)
    except (sip.TsharkMissing, RuntimeError) as exc:
        return f"<h2>SIP ladders</h2><p>{e(str(exc))}</p>"
    names = ladder_mod.address_names(_load(run_dir / "topology.json") or {})
    ladders = ladder_mod.call_ladders(messages, names)
    if not ladders:
        return "<h2>SIP ladders</h2><p>No call was captured (no INVITE in the pcaps).</p>"
    parts = ["<h2>SIP ladders (from the captures)</h2>"]
    parts.append(
        "<p>One column per address; a message crossing a router is shown on each side, with the "
        "SDP's c=/m= as carried there. Hover an arrow for its capture points and headers.</p>"
    )
    for lad in ladders:
        parts.append(f"<h3>{e(lad.title)}</h3><div class='scroll'>{ladder_mod.render(lad)}</div>")
    return "\n".join(parts)


def _files_section(run_dir: Path, base: Path) -> str:
    items = []
    for sub, pattern in (("pcap", "*.pcap"), ("pcap", "tls-keys-*.txt"), ("logs", "*.log"), ("evidence", "*.json")):
        for p in sorted((run_dir / sub).glob(pattern)) if (run_dir / sub).exists() else []:
            items.append(f'<li><a href="{e(_rel(p, base))}">{e(sub)}/{e(p.name)}</a></li>')
    return "<h2>Files</h2><ul>" + "".join(items) + "</ul>" if items else ""


def render(run_dir: Path, base: Path | None = None, title: str | None = None) -> str:
    base = base or run_dir
    steps = _load(run_dir / "evidence" / STEPS)
    verdicts = _load(run_dir / "evidence" / "media-verdicts.json")
    calls = _load(run_dir / "evidence" / "calls.json") or {}
    meta = _load(run_dir / "meta.json") or {}
    heading = title or (steps or {}).get("title") or f"run {run_dir.name}"
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>uclab evidence: {e(heading)}</title>
<style>{CSS}</style></head><body>
<h1>{e(heading)}</h1>
<p>run <code>{e(run_dir.name)}</code>, topology <code>{e(str(meta.get("topology", "")))}</code>, directory <code>{e(str(run_dir))}</code></p>
{_steps_section(steps, base, run_dir)}
<h2>Topology</h2><div class="scroll topology">{topology_svg(run_dir)}</div>
{audio_timeline(calls)}
{_verdicts_section(verdicts, base)}
{ladders_section(run_dir)}
{_files_section(run_dir, base)}
</body></html>
"""


def write(run_dir: Path, out: Path | None = None, title: str | None = None) -> Path:
    """Write the page (run_dir/index.html, or `out` with links relative to it)."""
    target = out or run_dir / PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(run_dir, target.parent.resolve(), title))
    return target
