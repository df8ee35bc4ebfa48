"""The generated Kamailio configuration and subscriber table (simulators/uc/edge/kamailio.py)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from simulators.uc.credentials import ha1
from simulators.uc.edge import kamailio
from simulators.uc.tls import LabTls


def settings(tmp_path: Path, **kw: object) -> kamailio.EdgeSettings:
    tls = LabTls.ensure(tmp_path / "tls", ["192.168.1.30", "198.51.100.120"])
    fields: dict[str, object] = {
        "lan_ip": "192.168.1.30",
        "realm": "osbiz.lab",
        "directory": tmp_path,
        "tls_cert": tls.cert_file,
        "tls_key": tls.key_file,
        "door_endpoints": ["198.51.100.120:8802"],
        "domains": ["osbiz.lab"],
    }
    fields.update(kw)
    return kamailio.EdgeSettings(**fields)  # type: ignore[arg-type]


def test_defs_name_every_socket_alias_and_value(tmp_path: Path) -> None:
    text = kamailio.defs_text(settings(tmp_path, core_workers=5))
    for line in (
        "listen=udp:192.168.1.30:5060",
        "listen=tcp:192.168.1.30:5060",
        "listen=tls:192.168.1.30:5061",
        "listen=udp:127.0.0.1:5060",
        "listen=tcp:127.0.0.1:5090",
        "alias=192.168.1.30:8802",
        "alias=198.51.100.120:8802",
        "alias=osbiz.lab",
        '#!substdef "!UC_REALM!osbiz.lab!g"',
        '#!substdef "!UC_CORE_WORKERS!5!g"',
    ):
        assert line in text.splitlines()


def test_values_that_would_break_the_cfg_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="contains"):
        kamailio.defs_text(settings(tmp_path, realm='evil"realm'))


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="kamailio not installed (make setup)")
def test_rendered_cfg_passes_kamailio_check(tmp_path: Path) -> None:
    s = settings(tmp_path)
    kamailio.render(s)
    kamailio.write_subscribers(s.auth_db, [])
    kamailio.check_config(s)
    assert s.dispatcher_list.read_text().count("sip:127.0.0.1:") == s.core_workers


def test_subscribers_hold_ha1_only_and_are_rewritten_in_place(tmp_path: Path) -> None:
    db = tmp_path / "subscriber.sqlite"
    assert kamailio.write_subscribers(db, [kamailio.Account("200", ha1("200", "osbiz.lab", "secret"))]) == 1
    inode = db.stat().st_ino
    kamailio.write_subscribers(db, [kamailio.Account("201", "x" * 32), kamailio.Account("202", "y" * 32)])
    assert db.stat().st_ino == inode
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT username, password, ha1 FROM subscriber ORDER BY username").fetchall()
        version = conn.execute("SELECT table_version FROM version WHERE table_name='subscriber'").fetchone()
    assert rows == [("201", "", "x" * 32), ("202", "", "y" * 32)]
    assert version == (kamailio.SUBSCRIBER_VERSION,)


def test_argv_runs_in_the_foreground_with_files_in_the_stub_dir(tmp_path: Path) -> None:
    s = settings(tmp_path)
    argv = kamailio.argv(s)
    assert argv[:3] == ["kamailio", "-f", str(s.cfg_path)] and "-DD" in argv and "-E" in argv
    assert str(tmp_path) in argv
