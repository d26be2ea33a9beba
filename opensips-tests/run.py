#!/usr/bin/env python3
"""Real-server tests for sst.so: a real OpenSIPS, SIPp as UAC and UAS, MI over mi_fifo.

    OPENSIPS=/path/to/sbin/opensips python3 opensips-tests/run.py [--c-module] [--keep] [name ...]

Environment: OPENSIPS (else `opensips` on PATH), OPENSIPS_MODULES and OPENSIPS_DBTEXT
(else found from the binary by scripts/find-opensips-dir.sh, as `make install` does),
SST_SO (else <repo>/sst.so, what `make` builds).
--c-module runs the same scenarios against the server's own C sst.so and reports
where it differs from the expected (sst-rs) behaviour instead of failing.
Only the Python 3 standard library is used.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from realserver.infra import (REPO, Fail, Server, Skip, T, find_dbtext_schema, find_modules,
                              find_server)
from realserver.suite import SCENARIOS

# ---------------------------------------------------------------- driver

def modparams(mod, params):
    return "\n".join('modparam("%s", "%s", %s)' % (mod, k, json.dumps(v))
                     for k, v in params.items())


def run_one(args, env, name, sst_params, dlg_params, initial, test):
    dlg = {"db_mode": 0}
    dlg.update(dlg_params)
    pre_dialog = ""
    if "db_url" in dlg:
        if not env["dbtext"]:
            return "skip", env["dbtext_why"].replace("\n", " ")
        pre_dialog = 'loadmodule "db_text.so"'
    work = tempfile.mkdtemp(prefix="sst-rt-%s-" % name)
    if "db_url" in dlg:
        db = os.path.join(work, "db")
        os.mkdir(db)
        for f in ("dialog", "version"):
            shutil.copy(os.path.join(env["dbtext"], f), db)
        dlg["db_url"] = dlg["db_url"].replace("@DB@", db)
    server = Server(work, env["server"], env["mpath"], env["sst_so"],
                    modparams("sst", sst_params), modparams("dialog", dlg), initial,
                    args.log_level, pre_dialog)
    t = T(args, work, server)
    reason = None
    try:
        server.start()
        test(t)
    except Fail as e:
        reason = str(e)
    except Skip as e:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        return "skip", str(e)
    except Exception as e:  # a bug in a scenario must not leave the suite half-run
        reason = "runner error: %r" % e
    finally:
        was_alive = server.alive()
        server.stop()
    # whatever the scenario saw, a crash or a CRITICAL line is a failure of its own
    if server.proc and not was_alive:
        reason = (reason + "; " if reason else "") + \
            "server died (exit %s)" % server.proc.returncode
    bad = server.bad_log_lines()
    if bad and server.proc:
        reason = (reason + "; " if reason else "") + "log: " + bad[0].strip()[:200]
    # keep the evidence of a failure (or of a C-module difference with --keep)
    if args.keep or (reason and not args.c_module):
        reason = reason and "%s [%s]" % (reason, work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return reason, t.note


def setup_fail(reason):
    print("FAIL - setup: %s" % reason)
    print("real-server: 0 passed, 1 failed, 0 skipped")
    return 1


def skip_all(reason):
    """No suite to run: say why, in the result line too (make test's table reads it)."""
    print("skipped: %s" % reason)
    print("real-server: 0 passed, 0 failed, 1 skipped (%s)" % reason)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--c-module", action="store_true",
                    help="test the server's own C sst.so and report differences")
    ap.add_argument("--keep", action="store_true", help="keep every work directory")
    ap.add_argument("--log-level", type=int, default=3, help="opensips log_level (default 3)")
    ap.add_argument("--list", action="store_true", help="list scenario names")
    ap.add_argument("names", nargs="*", help="run only scenarios whose name contains one of these")
    args = ap.parse_args()
    if args.list:
        print("\n".join(sc.name for sc in SCENARIOS))
        return 0

    try:
        server = find_server()
    except Fail as e:
        return setup_fail(str(e))
    if not server:
        return skip_all("no OpenSIPS: set OPENSIPS=/path/to/sbin/opensips")
    if not shutil.which("sipp"):
        return skip_all("no sipp: install the Debian package sip-tester")
    mpath, why = find_modules(server)
    if not mpath:
        return setup_fail(why)
    if args.c_module:
        sst_so = os.path.join(mpath, "sst.so")
    else:
        sst_so = os.path.abspath(os.environ.get("SST_SO") or os.path.join(REPO, "sst.so"))
    if not os.path.exists(sst_so):
        return setup_fail("no module at %s (run `make` first or set SST_SO)" % sst_so)
    dbtext, dbtext_why = find_dbtext_schema(server)
    env = {"server": server, "mpath": mpath, "sst_so": sst_so,
           "dbtext": dbtext, "dbtext_why": dbtext_why}
    print("# server %s, modules %s, sst %s%s" % (server, mpath, sst_so,
                                                " (C module: differences reported)" if args.c_module else ""))

    passed = failed = skipped = differ = 0
    started = time.time()
    for sc in SCENARIOS:
        name = sc.name
        if args.names and not any(n in name for n in args.names):
            continue
        reason, note = run_one(args, env, name, sc.sst, sc.dialog, sc.route, sc.test)
        if reason == "skip":
            skipped += 1
            print("skipped - %s: %s" % (name, note))
        elif reason is None:
            passed += 1
            print("ok - %s%s" % (name, " (%s)" % note if note else ""))
        elif args.c_module:
            differ += 1
            print("differs - %s: %s" % (name, reason))
        else:
            failed += 1
            print("FAIL - %s: %s" % (name, reason))
        sys.stdout.flush()
    if args.c_module:
        print("# C module: %d scenario(s) differ from the expected behaviour" % differ)
    print("# %.0f s" % (time.time() - started))
    print("real-server: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
