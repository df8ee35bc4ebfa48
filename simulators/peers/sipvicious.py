"""SIPVicious (PyPI `sipvicious`, pinned) from a lab host against the stub: svwar and svcrack.

    found = svwar(lab, "desk_phone", ("192.168.1.30", 5060), "100-299")     # {extension: how}
    crack = svcrack(lab, "desk_phone", ("192.168.1.30", 5060), "200", words, within=15.0)
    crack.password, crack.tried, crack.refused

Both tools run as processes inside the attacking host (`lab.spawn`), so every packet crosses
the lab network and nothing leaves it (targets are lab addresses; `-A`, which asks the
Internet for an address, is never passed). Each run is bounded: svwar by its range and
`timeout`, svcrack by `within` seconds, after which it gets SIGINT and prints what it
found, as when an attacker gives up. svcrack sends a REGISTER without credentials, answers
each challenge with the next word; a 403 gives it no challenge, so a blocked address only
gets 403 to every further REGISTER.

The tools' verdicts are read from their own output: svwar's table of extensions (with
`--force`, it scans even when an unknown extension is challenged, and reports every
extension whose first response line differs from the unknown one's), svcrack's "The
password for U is P" line; with `-vv` svcrack logs every word it tries ("trying W").
"""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from simulators.lab import Lab

BIN = Path(sys.executable).parent
_TABLE_ROW = re.compile(r"^\|\s*(\S+)\s*\|\s*(\S+)\s*\|$", re.MULTILINE)
_TRYING = re.compile(r"trying (.*)$", re.MULTILINE)
_CRACKED = re.compile(r"The password for (\S+) is (.*)$", re.MULTILINE)


class SipviciousError(RuntimeError):
    """A tool did not run (missing, bad arguments, no answer from the target)."""


@dataclass(frozen=True)
class WarResult:
    extensions: dict[str, str]
    """extension -> svwar's classification (reqauth, noauth, weird)"""
    code: int | None
    log: str


@dataclass(frozen=True)
class CrackResult:
    user: str
    password: str | None
    """the password svcrack found, None when it found nothing"""
    tried: int
    """words svcrack sent with credentials"""
    seconds: float
    """from start to its end (found, list exhausted, or stopped at `within`)"""
    stopped: bool
    """still running at `within` and stopped then"""
    log: str


def _tool(name: str) -> str:
    path = BIN / f"sipvicious_{name}"
    if not path.exists():
        raise SipviciousError(f"{path} is missing: run scripts/setup.sh (sipvicious is pinned in requirements.txt)")
    return str(path)


def _work(lab: Lab) -> Path:
    work = lab.dir / "sipvicious"
    work.mkdir(exist_ok=True)
    return work


def svwar(
    lab: Lab,
    host: str,
    target: tuple[str, int],
    extensions: str,
    method: str = "REGISTER",
    timeout: float = 60.0,
) -> WarResult:
    """svwar --force over `extensions` (e.g. "200-299") with `method` from inside `host`.

    svwar stops at the first answer that looks like the unknown extension's when that is a
    challenge ("We got an unknown response"): so start the range at an extension that
    exists, whose answer must then look the same for nothing to be found."""
    argv = [_tool("svwar"), "--force", "-b", lab.address(host), "-m", method, "-e", extensions]
    argv.append(f"udp://{target[0]}:{target[1]}")
    result = lab.exec(host, argv, timeout=timeout)
    out = result.stdout + result.stderr
    rows = {ext: how for ext, how in _TABLE_ROW.findall(result.stdout) if ext != "Extension"}
    if "No server response" in out:
        raise SipviciousError(f"svwar got no answer from {target[0]}:{target[1]}:\n{out[-1500:]}")
    return WarResult(rows, result.returncode, out)


def svcrack(lab: Lab, host: str, target: tuple[str, int], user: str, words: list[str], within: float) -> CrackResult:
    """svcrack for `user` with `words` (in that order) from inside `host`, for at most `within` s."""
    work = _work(lab)
    dictionary = work / f"words-{user}.txt"
    dictionary.write_text("".join(f"{w}\n" for w in words))
    argv = [_tool("svcrack"), "-vv", "-b", lab.address(host), "-u", user, "-d", str(dictionary)]
    argv.append(f"udp://{target[0]}:{target[1]}")
    t0 = time.monotonic()
    proc = lab.spawn(host, argv, name=f"svcrack-{user}-{secrets.token_hex(3)}", watch=True, cwd=work)
    try:
        proc.popen.wait(within)
        stopped = False
    except subprocess.TimeoutExpired:
        stopped = True
        proc.stop(signal.SIGINT, timeout=5.0)  # it prints what it found, as on ctrl-c
    seconds = time.monotonic() - t0
    proc.stop()
    log = proc.log_text()
    if "no server response" in log:
        raise SipviciousError(f"svcrack got no answer from {target[0]}:{target[1]}:\n{log[-1500:]}")
    cracked = {u: p.strip() for u, p in _CRACKED.findall(log)}
    return CrackResult(user, cracked.get(user), len(_TRYING.findall(log)), seconds, stopped, log)


def word_list(password: str, size: int = 400, position: int = 390) -> list[str]:
    """`size` guesses an attacker would try, with the real `password` at `position` (0-based)."""
    stems = ["password", "secret", "sip", "voip", "admin", "phone", "office", "welcome", "letmein", "qwerty"]
    guesses = ["123456", "1234", "0000", "1111", "12345678"]
    guesses += [f"{stem}{n}" for n in ("", "1", "123", "2024", "!", "#1") for stem in stems]
    guesses += [f"{a}{b}" for a in ("sip", "pw", "ext") for b in range(100, 300)]
    unique = [g for g in dict.fromkeys(guesses) if g != password]
    if size > len(unique) + 1 or not 0 <= position < size:
        raise ValueError(f"a list of {size} words with the password at {position}: at most {len(unique) + 1} words")
    out = unique[: size - 1]
    out.insert(position, password)
    return out
