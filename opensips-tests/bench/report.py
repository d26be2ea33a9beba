"""What the benchmark prints: progress lines while it measures, and each mode's
Markdown report (headers, tables, one line per figure) from its results."""
import datetime
import os
import subprocess
import time

from realserver.infra import REPO

from bench.memory import LEAK_UNIT, SOAK_PKG_TOLERANCE, SOAK_SHM_TOLERANCE


def log(msg):
    print("# " + msg, flush=True)


def repo_state():
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        return rev + (" + uncommitted changes in src/" if dirty else "")
    except OSError:
        return "unknown"


def ratio(a, b):
    return "%.2f×" % (a / b) if b else "n/a"


def short(fn, width=58):
    return fn if len(fn) <= width else fn[:width - 1] + "…"


def first(lines, width=200):
    """", first: <the first line>" when there are lines, else nothing."""
    return (", first: " + lines[0][:width]) if lines else ""


def distribution(xs):
    """min, median, p99 and max of sorted seconds."""
    k = len(xs)
    if not k:
        return "no samples"
    q = lambda p: xs[min(k - 1, int(p * k))]
    return "min %+.3f, median %+.3f, p99 %+.3f, max %+.3f s" % (xs[0], q(0.5), q(0.99), xs[-1])


def print_header(title, env):
    print()
    print("## %s" % title)
    print("date:      %s" % datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    print("command:   %s" % env.command)


def print_table_head():
    print("| | C sst.so | sst-rs | ours/C |")
    print("|---|---:|---:|---:|")


# ---------------------------------------------------------------- C vs sst-rs

def print_compare(args, env, c, ours):
    """c, ours: the ModuleResults of the two modules."""
    print_header("sst.so benchmark: C module vs sst-rs", env)
    print("server:    %s (%s)" % (env.version, env.server))
    print("C module:  %s" % env.c_so)
    print("sst-rs:    %s (repo %s)" % (env.ours_so, repo_state()))
    print("allocator: %s" % (args.allocator or "server default (no -a)"))
    print("machine:   %d CPUs, %s" % (os.cpu_count(), os.uname().release))
    print()
    if not args.skip_callgrind:
        print_instructions(args, c, ours)
    if not args.skip_shm:
        print_shm(args, c, ours)


def _per_call_rows(costs, calls, limit=12):
    """Top `limit` functions by inclusive Ir, with calls and Ir per SIP call."""
    for fn, cost in sorted(costs.items(), key=lambda kv: -kv[1].ir)[:limit]:
        print("  %-60s %5.2f calls/call %9.0f Ir/call" % (short(fn), cost.calls / calls, cost.ir / calls))


def print_instructions(args, c, ours):
    calls = args.calls
    print("### a) instructions per call in the module (callgrind, 1 UDP worker, %d calls after %d warm-up)"
          % (calls, args.warmup))
    print()
    cc, oc = c.callgrind.cost, ours.callgrind.cost
    print_table_head()
    print("| module Ir per call (inclusive, all entry points) | %.0f | %.0f | %s |"
          % (cc.per_call, oc.per_call, ratio(oc.per_call, cc.per_call)))
    print("| of which inside the module's own code (self) | %.0f | %.0f | %s |"
          % (cc.self_ir / calls, oc.self_ir / calls, ratio(oc.self_ir, cc.self_ir)))
    # the allocator's cost per call moves with the free lists' state from run
    # to run: without it, the figure is the same in every run
    print("| of which inside the server's allocator (shm/pkg malloc, free) | %.0f | %.0f | %s |"
          % (cc.alloc_ir / calls, oc.alloc_ir / calls, ratio(oc.alloc_ir, cc.alloc_ir)))
    print("| module Ir per call without the allocator | %.0f | %.0f | %s |"
          % ((cc.total - cc.alloc_ir) / calls, (oc.total - oc.alloc_ir) / calls,
             ratio(oc.total - oc.alloc_ir, cc.total - cc.alloc_ir)))
    print("| SIP worker Ir per call (whole process) | %.0f | %.0f | %s |"
          % (cc.worker_total / calls, oc.worker_total / calls, ratio(oc.worker_total, cc.worker_total)))
    print()
    for m in (c, ours):
        a = m.callgrind.cost
        print("%s entry points (every call into the module from another object; "
              "calls and inclusive Ir per SIP call; callgrind_annotate's inclusive Ir as a check):" % m.label)
        for fn, cost in sorted(a.entry.items(), key=lambda kv: -kv[1].ir):
            print("  %-44s %5.2f calls %9.0f Ir  (annotate %9.0f)  from %s"
                  % (short(fn, 44), cost.calls / calls, cost.ir / calls,
                     a.annotate.get(fn, 0) / calls, ", ".join(a.callers[fn])[:60]))
        print("%s: calls from the module out to the server (top inclusive, Ir per call):" % m.label)
        _per_call_rows(a.outward, calls)
        if a.internal:
            print("%s: module functions called from module code (top inclusive, Ir per call):" % m.label)
            _per_call_rows(a.internal, calls)
        print()
    for m in (c, ours):
        errors = m.callgrind.errors
        if errors:
            print("%s callgrind run: %d error line(s) in the log%s" % (m.label, len(errors), first(errors)))
    print()


def print_shm(args, c, ours):
    print("### b) shared memory per dialog (shmem:real_used_size, %d held calls, %d UDP workers)"
          % (args.held, args.workers))
    print()
    print_table_head()
    for flag in (True, False):
        cd, od = c.shm(flag).per_dialog, ours.shm(flag).per_dialog
        print("| bytes/dialog, %s | %.1f | %.1f | %s |"
              % ("sst flag set (tracked)" if flag else "no sst flag (dialog only)", cd, od, ratio(od, cd)))
    c_sst, o_sst = c.sst_bytes_per_dialog(), ours.sst_bytes_per_dialog()
    print("| **sst's own bytes/dialog** (flag − no flag) | **%.1f** | **%.1f** | %s |"
          % (c_sst, o_sst, ratio(o_sst, c_sst)))
    print()
    print("raw real_used_size (idle / %d held / after all BYEs):" % args.held)
    for m in (c, ours):
        for flag in (False, True):
            r = m.shm(flag)
            print("  %-7s %-8s idle %9d  held %9d  after %9d  (after-idle %+d)%s"
                  % (m.label, "flag" if flag else "no flag", r.idle, r.held, r.after, r.after - r.idle,
                     "  ERRORS: %d, first: %s" % (len(r.errors), r.errors[0][:160]) if r.errors else ""))
    print()


# ---------------------------------------------------------------- scale

def print_scale(args, env, run, expiry, passed):
    """run: the ScaleRun, expiry: its DialogExpiry."""
    se, tol = run.se, args.scale_tolerance
    print_header("%s scale run" % run.module, env)
    print("server:    %s (%s), module %s" % (env.version, env.server, run.so))
    print("dialogs:   %d created in steps of %d at %d cps; Session-Expires %d, min_se %d; no BYE"
          % (run.dialogs, run.step, run.rate, se, run.min_se))
    print()
    print("| dialogs held | shm real_used_size | bytes/dialog over idle | t (s) |")
    print("|---:|---:|---:|---:|")
    for s in run.samples:
        per_dialog = "%.1f" % ((s.shm_used - run.idle) / s.dialogs) if s.dialogs else "-"
        print("| %d | %d | %s | %.0f |" % (s.dialogs, s.shm_used, per_dialog, s.elapsed))
    print()
    if expiry.sync:
        print("expiry − negotiated, synchronous stamps (on-timeout route − ACK − %d s) over %d dialogs: "
              "%s; outside ±%g s: %d"
              % (se, len(expiry.sync), distribution(expiry.sync), tol, len(expiry.late)))
    if expiry.via_event:
        print("the same from the E_DLG_STATE_CHANGED event_route (deleted − confirmed − %d s, both "
              "run later by a worker via IPC): %s; outside ±%g s: %d"
              % (se, distribution(expiry.via_event), tol,
                 sum(1 for d in expiry.via_event if abs(d) > tol)))
    if expiry.ipc_lag:
        print("IPC lag of the deletion event (event_route − on-timeout route): %s"
              % distribution(expiry.ipc_lag))
    stamps = expiry.stamps
    if expiry.runs:
        print("dialog timer runs that deleted dialogs: %d; largest %d dialogs; longest run %.3f s "
              "(first to last deletion of one run)" % (len(expiry.runs), max(r.dialogs for r in expiry.runs),
                                                        max(r.end - r.start for r in expiry.runs)))
        print("  run start − ACK − %d s: %s" % (se, distribution(expiry.run_start)))
        print("  deletion − its run's start: %s" % distribution(expiry.in_run))
        print("  by ACK time (groups of %d s): %s" % (args.scale_group, "; ".join(
            "+%d s: %+.2f..%+.2f" % (k * args.scale_group, min(v), max(v))
            for k, v in sorted(expiry.by_ack_group.items()))))
        for d, c in expiry.latest:
            r = expiry.run_of[c]
            print("  latest: %+.3f s = run start %+.3f s + %.3f s into a run of %d (ACK at %.3f)"
                  % (d, r.start - stamps.acked[c] - se, stamps.timed_out[c] - r.start, r.dialogs,
                     stamps.acked[c] % 100))
    final = run.final["shmem:real_used_size"]
    print("ACKs %d, on-timeout %d, confirmed %d, deleted %d, expired_sst %s, "
          "shm after all expired %d (idle %d, %+d)"
          % (len(stamps.acked), len(stamps.timed_out), len(stamps.confirmed), len(stamps.deleted),
             run.expired, final, run.idle, final - run.idle))
    print("error lines in the log: %d%s" % (len(run.errors), first(run.errors)))
    print("total %.0f s" % (time.time() - run.started))
    print("scale: %s" % ("PASS" if passed else "FAIL"))


# ---------------------------------------------------------------- soak

def print_soak(args, env, run, problems):
    """run: the SoakRun, problems: what made it fail (none: PASS)."""
    print_header("%s soak run" % run.module, env)
    print("server:    %s (%s), module %s (repo %s)" % (env.version, env.server, run.so, repo_state()))
    print("machine:   %d CPUs, %s; %d UDP workers, -m %d" % (os.cpu_count(), os.uname().release,
                                                             args.soak_workers, args.soak_shm_mb))
    print("calls:     %d (%d per flow, %s), after %d warm-up calls per flow; offered %g calls/s"
          % (run.calls, run.per_flow, ", ".join(run.flows), args.soak_warmup, args.soak_rate))
    print()
    print("| flow | successful | failed | retransmissions | UAC exit |")
    print("|---|---:|---:|---:|---:|")
    for name, r in run.flows.items():
        print("| %s | %s | %s | %s | %s |" % (name, r.ok, r.failed, r.retrans, r.uac_exit))
    print()
    base, after = run.base_shm["shmem:real_used_size"], run.after_shm["shmem:real_used_size"]
    print("rate:      %d successful calls in %.0f s = %.0f calls/s"
          % (run.ok, run.elapsed, run.ok / run.elapsed))
    print("dialogs:   processed %s, expired %s, failed %s; expired_sst %s"
          % (run.peak.get("dialog:processed_dialogs"), run.peak.get("dialog:expired_dialogs"),
             run.peak.get("dialog:failed_dialogs"), run.expired_sst))
    print("shm:       real_used_size baseline %d, after %d: %+d B (tolerance ±%d B; one leaked "
          "allocation per call would be >= %+d B)" % (base, after, run.shm_delta, SOAK_SHM_TOLERANCE,
                                                     LEAK_UNIT * run.calls))
    print("pkg:       real_used_size per process, baseline -> after (delta), tolerance ±%d B each:"
          % SOAK_PKG_TOLERANCE)
    names, base_pkg, after_pkg = run.base_pkg.names, run.base_pkg.used, run.after_pkg.used
    for p, d in sorted(run.pkg_delta.items()):
        print("  %2d %-28s %8d -> %8d (%+d)"
              % (p, names.get(p, "?")[:28], base_pkg[p], after_pkg.get(p, 0), d))
    print("log:       %d error line(s)%s; %d sst warning(s)%s"
          % (len(run.errors), first(run.errors), len(run.warnings), first(run.warnings)))
    print("server:    %s after the run" % ("alive" if run.alive else "DEAD (exit %s)" % run.exit_code))
    print("total %.0f s" % (time.time() - run.started))
    print("soak: %s" % ("FAIL - " + "; ".join(problems) if problems else "PASS"))
