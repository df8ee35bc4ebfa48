"""Registrations and call setups per second through the UC stub, against Kamailio alone.

    .venv/bin/python -m benchmarks.stub_load [--registrations 2000] [--calls 300] [--workers 8]

Load comes from SIPp (Debian sip-tester) in lab hosts of office_lan, aimed at the system
only, bounded in count (-m) and time (-timeout):

* registrations: REGISTER -> 401 -> REGISTER with digest -> 200, one device refreshing
  (every REGISTER is one claim decided by the UC server's state, TRB-2);
* call setups: INVITE -> 407 -> INVITE with digest -> 200 -> ACK -> BYE -> 200 from an
  authenticated device to a SIPp UAS registered as another device, offered at --rate per
  second with at most --workers calls in flight; through the stub every call is two
  anchored legs in the pjsua2 call core. Failed calls and core worker restarts are
  reported (pjsua2 2.15.1's 64-socket ioqueue limits how fast one worker can churn).

The floor is Kamailio alone on the same host with the same digest table: REGISTER saved
directly (no UC server), INVITE proxied straight to the callee (no call core). Reported:
rates, and stub/floor ratios (how much of Kamailio's own speed the stub keeps). Prints a
table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from pathlib import Path

from simulators.lab import Lab
from simulators.net.process import LabProcess
from simulators.peers import sipp_scenarios as scenarios
from simulators.peers.sipp import run_sipp, start_sipp, wait_bound
from simulators.uc import backdoor
from simulators.uc.edge import kamailio
from simulators.uc.service import start_stub

CALLER, CALLER_IP = "desk_phone", "192.168.1.60"
CALLEE, CALLEE_IP = "office_pc2", "192.168.1.51"

UAC_NO_MEDIA = scenarios.call("202", callee="201", codec=scenarios.PCMA)
UAS_NO_MEDIA = scenarios.answer("201", codec=scenarios.PCMA, ringing=False)

FLOOR_CFG = """#!KAMAILIO
# benchmarks/stub_load.py: Kamailio alone, the floor (digest + registrar + proxy, nothing else)
debug=1
log_stderror=yes
children={children}
auto_aliases=no
dns=no
rev_dns=no
listen=udp:{lan}:5060
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "db_sqlite.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db", "db_url", "sqlite://{db}")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 0)
modparam("auth", "algorithm", "MD5")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_contacts", 1)
event_route[core:worker-one-init] {{
	xlog("L_NOTICE", "UC kamailio-ready\\n");
}}
request_route {{
	if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
	if (is_method("CANCEL")) {{ if (t_check_trans()) t_relay(); exit; }}
	if (!is_method("ACK")) {{ if (t_precheck_trans()) {{ t_check_trans(); exit; }} t_check_trans(); }}
	if (has_totag()) {{
		if (loose_route()) {{ t_relay(); exit; }}
		if (is_method("ACK")) {{ if (t_check_trans()) t_relay(); exit; }}
		sl_send_reply("404", "Not here");
		exit;
	}}
	remove_hf("Route");
	if (!is_method("REGISTER|INVITE")) {{ sl_send_reply("405", "Method Not Allowed"); exit; }}
	if (!auth_check("{realm}", "subscriber", "1")) {{ auth_challenge("{realm}", "1"); exit; }}
	consume_credentials();
	if (is_method("REGISTER")) {{ save("location", "0x04"); exit; }}
	record_route();
	if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }}
	t_relay();
}}
"""


def sipp_args(ip: str, port: int, user: str = "202") -> list[str]:
    return ["-s", user, "-au", user, "-ap", f"sip{user}secret", "-i", ip, "-p", str(port), "-mi", ip]


_COUNT = re.compile(r"(Successful|Failed) call\s*\|\s*\d+\s*\|\s*(\d+)")


async def timed_sipp(
    lab: Lab, name: str, scenario: str, target: str, args: list[str], calls: int, timeout: float
) -> tuple[float, int, int]:
    """Run SIPp to the end: (seconds, successful, failed)."""
    t0 = time.perf_counter()
    result = await run_sipp(lab, CALLER, name, scenario, target, args, timeout=timeout, calls=calls)
    elapsed = time.perf_counter() - t0
    counts = {kind: int(n) for kind, n in _COUNT.findall(result.log)}
    if "Successful" not in counts and result.code == 0:
        counts = {"Successful": calls, "Failed": 0}
    if "Successful" not in counts:
        raise RuntimeError(f"SIPp {name} gave no statistics (exit {result.code}):\n{result.log[-2500:]}")
    return elapsed, counts["Successful"], counts.get("Failed", 0)


async def measure(
    lab: Lab, target: str, registrations: int, calls: int, concurrency: int, rate: int
) -> dict[str, float]:
    reg_args = [*sipp_args(CALLER_IP, 5062), "-r", "5000", "-l", "20"]
    reg = scenarios.register("202", expires=300)
    reg_s, reg_ok, reg_failed = await timed_sipp(lab, "load-reg", reg, target, reg_args, registrations, 120)
    # the callee: register 201 from the port its UAS then answers on
    callee_reg = await run_sipp(
        lab,
        CALLEE,
        "load-callee-reg",
        scenarios.register("201", expires=300),
        target,
        sipp_args(CALLEE_IP, 5064, "201"),
    )
    if callee_reg.code != 0:
        raise RuntimeError(f"callee registration failed:\n{callee_reg.log[-2000:]}")
    uas = start_sipp(
        lab, CALLEE, "load-uas", UAS_NO_MEDIA, target, ["-i", CALLEE_IP, "-p", "5064", "-mi", CALLEE_IP], 300, calls
    )
    try:
        await wait_bound(lab, CALLEE, 5064)
        call_args = [*sipp_args(CALLER_IP, 5066), "-r", str(rate), "-l", str(concurrency)]
        call_s, call_ok, call_failed = await timed_sipp(lab, "load-uac", UAC_NO_MEDIA, target, call_args, calls, 120)
    finally:
        uas.stop()
    return {
        "reg_per_s": reg_ok / reg_s,
        "reg_failed": reg_failed,
        "calls_per_s": call_ok / call_s,
        "calls_failed": call_failed,
    }


def run_stub(registrations: int, calls: int, workers: int, rate: int) -> dict[str, float]:
    lab = Lab("office_lan").up()
    try:

        async def go() -> dict[str, float]:
            stub = await start_stub(lab, "system", config="office", workers=workers, kamailio_debug=1)
            try:
                result = await measure(lab, f"{stub.lan_ip}:5060", registrations, calls, workers, rate)
                result["core_restarts"] = (await backdoor.core(stub, "status"))["restarts"]
                return result
            finally:
                stub.stop()

        return asyncio.run(go())
    finally:
        lab.down()


def run_floor(registrations: int, calls: int, concurrency: int, rate: int) -> dict[str, float]:
    lab = Lab("office_lan").up()
    proc: LabProcess | None = None
    try:
        from simulators.uc.config import load_config
        from simulators.uc.credentials import ha1

        cfg = load_config(Path(__file__).resolve().parents[1] / "simulators" / "uc" / "examples" / "office.yaml")
        work = lab.dir / "floor"
        work.mkdir()
        db = work / "subscriber.sqlite"
        accounts = [kamailio.Account(d.sip_user, ha1(d.sip_user, cfg.realm, d.sip_password)) for d in cfg.devices]
        kamailio.write_subscribers(db, accounts)
        cfg_path = work / "floor.cfg"
        cfg_path.write_text(FLOOR_CFG.format(children=2, lan=lab.address("system"), db=db, realm=cfg.realm))
        proc = lab.spawn(
            "system", ["kamailio", "-f", str(cfg_path), "-DD", "-E", "-Y", str(work)], name="kamailio-floor", watch=True
        )
        proc.wait_for(r"UC kamailio-ready", 10)
        return asyncio.run(measure(lab, f"{lab.address('system')}:5060", registrations, calls, concurrency, rate))
    finally:
        if proc is not None:
            proc.stop()
        lab.down()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--workers", type=int, default=8, help="call core workers (2 concurrent calls each)")
    parser.add_argument("--rate", type=int, default=40, help="offered call setups per second (SIPp -r)")
    args = parser.parse_args()
    stub = run_stub(args.registrations, args.calls, args.workers, args.rate)
    floor = run_floor(args.registrations, args.calls, args.workers, args.rate)
    result = {
        "stub_reg_per_s": round(stub["reg_per_s"], 1),
        "floor_reg_per_s": round(floor["reg_per_s"], 1),
        "reg_ratio": round(stub["reg_per_s"] / floor["reg_per_s"], 3),
        "stub_calls_per_s": round(stub["calls_per_s"], 1),
        "floor_calls_per_s": round(floor["calls_per_s"], 1),
        "calls_ratio": round(stub["calls_per_s"] / floor["calls_per_s"], 3),
        "stub_calls_failed": stub["calls_failed"],
        "floor_calls_failed": floor["calls_failed"],
        "stub_reg_failed": stub["reg_failed"],
        "core_worker_restarts": stub["core_restarts"],
        "offered_calls_per_s": args.rate,
        "registrations": args.registrations,
        "calls": args.calls,
        "concurrency": args.workers,
        "core_workers": args.workers,
    }
    print(f"{'':<20}{'stub/s':>10}{'floor/s':>10}{'ratio':>8}")
    print(f"{'registrations':<20}{result['stub_reg_per_s']:>10}{result['floor_reg_per_s']:>10}{result['reg_ratio']:>8}")
    print(
        f"{'call setups':<20}{result['stub_calls_per_s']:>10}{result['floor_calls_per_s']:>10}{result['calls_ratio']:>8}"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
