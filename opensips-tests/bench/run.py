#!/usr/bin/env python3
"""Side-by-side benchmark of the C sst.so and sst-rs through one real OpenSIPS.

    OPENSIPS=/path/to/sbin/opensips python3 opensips-tests/bench/run.py [--calls N] [--held K]
    OPENSIPS=/path/to/sbin/opensips python3 opensips-tests/bench/run.py --scale [--scale-dialogs D]
    OPENSIPS=/path/to/sbin/opensips python3 opensips-tests/bench/run.py --soak [N] [--c-module]

Same server build, same config (bench.cfg.in), same SIPp call flow (INVITE with
Session-Expires 1800 and Supported: timer; 200 OK with Session-Expires
1800;refresher=uac; ACK; BYE), once with the server's own C sst.so
(<modules>/sst.so) and once with ours (SST_SO, else <repo>/sst.so):

  a) instructions per call spent in the module: the server runs under
     valgrind --tool=callgrind with a single UDP worker; after a warm-up the
     counters are zeroed (callgrind_control -z), N calls are made, the
     profile is dumped (callgrind_control -d) and every call the server makes
     into the module's object file is added up with its inclusive cost.
  b) shared memory per tracked dialog: shmem:real_used_size with K held calls
     minus idle, divided by K, with the sst flag set and (baseline) not set.

--soak [N]: N calls (default 200,000; opt-in, never part of `make test`)
through one server in four flows at once (SE 1800 answered 1800; proxy-inserted
SE; no timer; re-INVITE refresh), after a warm-up: shm and per-process pkg
real_used_size before and after (tolerances justified at SOAK_SHM_TOLERANCE),
failed calls, ERROR/CRITICAL/crash lines, the server alive at the end.

--scale: D concurrent tracked dialogs with short session timers and no BYE:
memory per dialog at each step, every dialog's expiry against its negotiated
interval (from E_DLG_STATE_CHANGED event timestamps), errors in the log.

Environment: OPENSIPS (else `opensips` on PATH), OPENSIPS_MODULES (else derived
from the binary's prefix), SST_SO (else <repo>/sst.so), C_SST_SO (else
<modules>/sst.so). Needs sipp, valgrind (callgrind_control) and python3 only.
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # opensips-tests/
from realserver.infra import REPO, Fail, find_modules, find_server  # noqa: E402

from bench import mode_compare, mode_scale, mode_soak  # noqa: E402
from bench.report import log  # noqa: E402
from bench.server import BenchEnv, server_version  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=300, help="calls measured under callgrind (default 300)")
    ap.add_argument("--warmup", type=int, default=20, help="calls before the counters are zeroed")
    ap.add_argument("--cg-rate", type=float, default=10, help="calls/s under callgrind (default 10)")
    ap.add_argument("--held", type=int, default=500, help="concurrent held calls for shm (default 500)")
    ap.add_argument("--held-rate", type=int, default=100, help="calls/s while building them up")
    ap.add_argument("--workers", type=int, default=1, help="UDP workers for the shm and scale runs")
    ap.add_argument("--shm-mb", type=int, default=64, help="-m for the shm runs (MB)")
    ap.add_argument("--allocator", help="opensips -a ALLOCATOR (default: the server's own, F_MALLOC)")
    ap.add_argument("--skip-callgrind", action="store_true")
    ap.add_argument("--skip-shm", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--scale", action="store_true", help="the scale run instead (sst-rs only)")
    ap.add_argument("--scale-c", action="store_true",
                    help="the scale run with the C module (it arms min_se, not the 2xx's Session-Expires, "
                         "when min_se < Session-Expires: give --scale-min-se equal to the interval)")
    ap.add_argument("--soak", type=int, nargs="?", const=200000, default=None, metavar="N",
                    help="the soak run instead: N calls (default 200000) in four call flows, "
                         "memory before/after, error lines, liveness")
    ap.add_argument("--soak-rate", type=float, default=800, help="offered calls/s over all flows")
    ap.add_argument("--soak-warmup", type=int, default=200, help="warm-up calls per flow")
    ap.add_argument("--soak-workers", type=int, default=2, help="UDP workers for the soak run")
    ap.add_argument("--soak-shm-mb", type=int, default=1024,
                    help="-m for the soak run: every finished transaction waits in tm for 5 s "
                         "(~7 KB each), so at 800 calls/s some 100 MB are in use")
    ap.add_argument("--c-module", action="store_true", help="soak: the server's own C sst.so")
    ap.add_argument("--scale-dialogs", type=int, default=50000)
    ap.add_argument("--scale-step", type=int, default=10000)
    ap.add_argument("--scale-rate", type=int, default=400, help="calls/s while creating dialogs")
    ap.add_argument("--scale-se", type=int, default=None,
                    help="Session-Expires (default: long enough to hold all dialogs at once)")
    ap.add_argument("--scale-min-se", type=int, default=10)
    ap.add_argument("--scale-group", type=int, default=20, help="seconds of ACKs per group in the report")
    ap.add_argument("--scale-shm-mb", type=int, default=1024)
    ap.add_argument("--scale-tolerance", type=float, default=1.5,
                    help="allowed |expiry - negotiated| in seconds (default 1.5: the dialog "
                         "timer's 1 s tick plus the drift of the core's tick counter against "
                         "the wall clock over the interval, see README)")
    return ap.parse_args()


def main():
    args = parse_args()
    server = find_server()
    if not server:
        print("skipped: no OpenSIPS (set OPENSIPS=/path/to/opensips)")
        return 0
    quick = args.scale or args.scale_c or args.soak or args.skip_callgrind
    for tool in ["sipp"] + ([] if quick else ["valgrind", "callgrind_control"]):
        if not shutil.which(tool):
            print("skipped: no %s" % tool)
            return 0
    mpath, why = find_modules(server)
    if not mpath:
        raise Fail(why)
    env = BenchEnv(
        server=server, mpath=mpath,
        c_so=os.path.abspath(os.environ.get("C_SST_SO") or os.path.join(mpath, "sst.so")),
        ours_so=os.path.abspath(os.environ.get("SST_SO") or os.path.join(REPO, "sst.so")),
        version=server_version(server),
        command=" ".join(["OPENSIPS=" + server] +
                         (["SST_SO=" + os.environ["SST_SO"]] if "SST_SO" in os.environ else []) +
                         ["python3", os.path.relpath(__file__, REPO)] + sys.argv[1:]))
    for so in (env.c_so, env.ours_so):
        if not os.path.exists(so):
            raise Fail("no module at %s" % so)
    env.work = tempfile.mkdtemp(prefix="sst-bench-")
    log("work folder %s" % env.work)
    if args.soak:
        mode = mode_soak
    elif args.scale or args.scale_c:
        mode = mode_scale
    else:
        mode = mode_compare
    try:
        rc = mode.run(args, env)
    finally:
        if not args.keep:
            shutil.rmtree(env.work, ignore_errors=True)
    return rc


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fail as e:
        print("FAIL - %s" % e)
        sys.exit(1)
