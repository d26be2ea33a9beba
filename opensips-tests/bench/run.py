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
import csv
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))  # opensips-tests/, for realserver.infra
from realserver.infra import (REPO, Fail, Server, find_modules, find_server,  # noqa: E402
                              free_udp_port, render_cfg)

CFG_TEMPLATE = os.path.join(BENCH, "bench.cfg.in")
SCEN = os.path.join(BENCH, "scenarios")
ERR_LOG = re.compile(r"\bERROR\b|CRITICAL|segfault|Segmentation|signal 11|signal 6|core dump", re.I)


def log(msg):
    print("# " + msg, flush=True)


# ---------------------------------------------------------------- server

class BenchServer(Server):
    """The real-server runner's Server (MI over mi_fifo, stop, logs), rendered
    from the benchmark config and optionally started under a tool (valgrind)."""

    def __init__(self, work, binary, mpath, sst_so, set_flag=True, workers=1, min_se=90,
                 log_level=2, extra_routes="", shm_mb=64, prefix=(), allocator=None,
                 within="", after_dialog=""):
        os.makedirs(work, exist_ok=True)
        self._init_files(work, binary)
        self.initial = ""
        self.prefix = list(prefix)
        self.shm_mb = shm_mb
        self.allocator = allocator
        fill = {"LOG_LEVEL": str(log_level), "PORT": str(self.port), "MPATH": mpath,
                "SST_SO": sst_so, "FIFO": self.fifo, "REPLY_DIR": work + "/",
                "WORKERS": str(workers), "MIN_SE": str(min_se),
                "SET_FLAG": '\t\tsetflag("SST_FLAG");' if set_flag else "\t\t# sst flag not set: dialog only",
                "EXTRA_ROUTES": extra_routes, "WITHIN": within, "AFTER_DIALOG": after_dialog}
        render_cfg(CFG_TEMPLATE, fill, self.cfg)

    def start(self, timeout=10):
        extra = ["-m", str(self.shm_mb)] + (["-a", self.allocator] if self.allocator else [])
        super().start(timeout=timeout, prefix=self.prefix, extra_args=extra)

    def stop(self, timeout=10):
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def stats(self, timeout=10):
        res = self.mi("get_statistics", {"statistics": ["shmem:", "dialog:", "tm:", "sst:"]},
                      timeout=timeout) or {}
        return {k: int(v) for k, v in res.items() if str(v).lstrip("-").isdigit()}

    def quiesce(self, want_dialogs=0, timeout=60, mi_timeout=10):
        """Wait until no transaction is left and `want_dialogs` dialogs are active."""
        deadline = time.time() + timeout
        s = {}
        while time.time() < deadline:
            s = self.stats(mi_timeout)
            if (s.get("tm:inuse_transactions", 0) == 0 and s.get("dialog:early_dialogs", 0) == 0
                    and s.get("dialog:active_dialogs", 0) == want_dialogs):
                return s
            time.sleep(0.5)
        raise Fail("server not quiet after %d s: transactions %s, early %s, active dialogs %s (want %d)"
                   % (timeout, s.get("tm:inuse_transactions"), s.get("dialog:early_dialogs"),
                      s.get("dialog:active_dialogs"), want_dialogs))

    def error_lines(self):
        return [ln for ln in self.log_text().splitlines() if ERR_LOG.search(ln)]

    def pids(self):
        """The main process and every process it forked (all of them under the tool)."""
        kids = defaultdict(list)
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            ppid = int(st.rsplit(")", 1)[1].split()[1])
            kids[ppid].append(int(d))
        out, todo = [], [self.proc.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(kids.get(p, []))
        return sorted(out)


# ---------------------------------------------------------------- sipp

def sipp_stats(path):
    """Last line of a sipp -trace_stat CSV as a dict of the cumulative counters."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    head, last = rows[0], rows[-1]
    return {h: v for h, v in zip(head, last)}


class Load:
    """A sipp UAS and a sipp UAC making `calls` calls through the proxy."""

    def __init__(self, work, tag, server, calls, rate, limit, hold_ms, se, uac="uac.xml",
                 uas="uas.xml", timeout=600, keys=None):
        self.work, self.tag, self.calls = work, tag, calls
        self.uas_port, self.uac_port = free_udp_port(), free_udp_port()
        common = ["-i", "127.0.0.1", "-nostdin", "-key", "se", str(se),
                  "-trace_err", "-trace_stat", "-fd", "1", "-timeout", "%ds" % timeout,
                  "-max_socket", "65000"]
        for k, v in (keys or {}).items():
            common += ["-key", k, v]
        self.uas_cmd = ["sipp", "-sf", os.path.join(SCEN, uas), "-p", str(self.uas_port),
                        "-m", str(calls), "-error_file", self._p("uas.err"),
                        "-stf", self._p("uas.csv")] + common
        self.uac_cmd = ["sipp", "-sf", os.path.join(SCEN, uac), "-p", str(self.uac_port),
                        "-m", str(calls), "-r", str(rate), "-l", str(limit), "-d", str(hold_ms),
                        "-key", "uas_port", str(self.uas_port), "-error_file", self._p("uac.err"),
                        "-stf", self._p("uac.csv")] + common + \
            ["127.0.0.1:%d" % server.port]
        self.uas = self.uac = None

    def _p(self, name):
        return os.path.join(self.work, "%s-%s" % (self.tag, name))

    def start(self):
        self.uas = subprocess.Popen(self.uas_cmd, stdout=subprocess.DEVNULL,
                                    stderr=open(self._p("uas.out"), "w"), stdin=subprocess.DEVNULL)
        time.sleep(0.3)
        self.uac = subprocess.Popen(self.uac_cmd, stdout=subprocess.DEVNULL,
                                    stderr=open(self._p("uac.out"), "w"), stdin=subprocess.DEVNULL)

    def wait(self, timeout, strict=True):
        """Wait for both sipps; the counters of the UAC and UAS. `strict`: a
        failed or missing call raises Fail (else the caller reports it)."""
        rc = {}
        for name, p in (("uac", self.uac), ("uas", self.uas)):
            try:
                rc[name] = p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                rc[name] = "stopped"
            timeout = 10  # the UAS ends right after the UAC's last call
        uac, uas = sipp_stats(self._p("uac.csv")), sipp_stats(self._p("uas.csv"))
        ok = int(uac.get("SuccessfulCall(C)", 0) or 0)
        failed = int(uac.get("FailedCall(C)", 0) or 0) + int(uas.get("FailedCall(C)", 0) or 0)
        retrans = int(uac.get("Retransmissions(C)", 0) or 0) + int(uas.get("Retransmissions(C)", 0) or 0)
        if strict and (rc.get("uac") != 0 or ok != self.calls or failed):
            raise Fail("%s: sipp UAC exit %s, %d/%d calls successful, %d failed (see %s)"
                       % (self.tag, rc.get("uac"), ok, self.calls, failed, self._p("uac.err")))
        return {"ok": ok, "failed": failed, "retrans": retrans, "rc": rc}

    def kill(self):
        for p in (self.uac, self.uas):
            if p and p.poll() is None:
                p.kill()
                p.wait()


def run_calls(work, tag, server, calls, rate, limit=10, hold_ms=0, se=1800, timeout=None):
    load = Load(work, tag, server, calls, rate, limit, hold_ms, se)
    load.start()
    try:
        return load.wait(timeout or (calls / rate + hold_ms / 1000.0 + 120))
    finally:
        load.kill()


# ---------------------------------------------------------------- callgrind

def parse_callgrind(path):
    """Self costs per (object, function) and call edges with their inclusive cost.

    Format: valgrind's "Callgrind Format Specification" (cl-format). Only the
    first event (Ir) is read; positions are skipped."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    kind_of = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
               "cfl": "fl", "fn": "fn", "cfn": "fn"}
    npos = 1
    cur_ob = cur_fn = None
    cob = cfn = None
    selfc = defaultdict(int)
    edges = defaultdict(lambda: [0, 0])  # (caller ob, fn, callee ob, fn) -> [calls, inclusive Ir]
    total = 0
    pending = None  # (count) after calls=
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                ir = int(parts[npos]) if len(parts) > npos else 0
                if pending is not None:
                    # cob= names the callee's object for this one call only;
                    # without it the callee is in the caller's object
                    e = edges[(cur_ob, cur_fn, cob if cob is not None else cur_ob, cfn)]
                    e[0] += pending
                    e[1] += ir
                    pending = None
                    cob = None
                else:
                    selfc[(cur_ob, cur_fn)] += ir
                    total += ir
                continue
            if line.startswith("calls="):
                pending = int(line[6:].split()[0])
                continue
            key, _, val = line.partition("=")
            if key in kind_of:
                table = names[kind_of[key]]
                m = re.match(r"\((\d+)\)(?: (.*))?$", val)
                if m:
                    if m.group(2) is not None:
                        table[m.group(1)] = m.group(2)
                    val = table.get(m.group(1), "?")
                if key == "ob":
                    cur_ob = val
                elif key == "fn":
                    cur_fn = re.sub(r"'\d+$", "", val)
                    cob = None
                elif key == "cob":
                    cob = val
                elif key == "cfn":
                    cfn = re.sub(r"'\d+$", "", val)
            elif line.startswith("positions:"):
                npos = len(line.split(":", 1)[1].split())
            elif line.startswith("jump=") or line.startswith("jcnd="):
                pending = None
    return selfc, edges, total


def callgrind_run(args, env, label, sst_so, work):
    """One server under callgrind: warm-up, zero, N calls, dump. Returns the
    parsed dumps of every process of the server."""
    vg = ["valgrind", "--tool=callgrind", "--trace-children=yes",
          "--callgrind-out-file=%s/callgrind.out.%%p" % work, "--vgdb=yes"]
    server = BenchServer(work, env["server"], env["mpath"], sst_so, set_flag=True,
                         workers=1, min_se=90, prefix=vg, allocator=args.allocator)
    try:
        server.start(timeout=240)
        log("%s: server up under callgrind (pids %s)" % (label, " ".join(map(str, server.pids()))))
        run_calls(work, "warmup", server, args.warmup, rate=args.cg_rate, limit=5)
        server.quiesce(timeout=120, mi_timeout=30)
        pids = server.pids()
        for p in pids:
            subprocess.run(["callgrind_control", "-z", str(p)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
        t0 = time.time()
        sp = run_calls(work, "measured", server, args.calls, rate=args.cg_rate, limit=5)
        server.quiesce(timeout=120, mi_timeout=30)
        log("%s: %d calls in %.0f s under callgrind (%d retransmissions seen by sipp)"
            % (label, args.calls, time.time() - t0, sp["retrans"]))
        for p in pids:
            subprocess.run(["callgrind_control", "-d", "measured", str(p)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
        # each process writes its dump itself: wait until every file is complete
        dumps = [(p, os.path.join(work, "callgrind.out.%d.1" % p)) for p in pids]
        deadline = time.time() + 120
        while not all(dump_complete(f) for _, f in dumps):
            if time.time() > deadline:
                missing = [f for _, f in dumps if not dump_complete(f)]
                raise Fail("%s: callgrind dumps incomplete: %s" % (label, " ".join(missing)))
            time.sleep(0.5)
        errors = server.error_lines()
    finally:
        server.stop(timeout=120)
    return dumps, sp, errors


def dump_complete(path):
    """A callgrind dump ends with its totals: line."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 200))
            return b"\ntotals:" in f.read()
    except OSError:
        return False


def attribute(dumps, module_path, calls):
    """Inclusive cost of every call from outside the module's object into it.

    A call counts when its caller is in another object (the core, dialog.so,
    tm.so) and its callee in the module's file, so nested calls inside the
    module are not counted twice and nothing the server calls is missed
    (dialog callbacks, sstCheckMin, a free function of a callback parameter)."""
    module_path = os.path.realpath(module_path)
    is_mod = lambda ob: ob is not None and os.path.realpath(ob) == module_path
    entry = defaultdict(lambda: [0, 0])     # module fn -> [calls, Ir]
    outward = defaultdict(lambda: [0, 0])   # fn outside called by module code -> [calls, Ir]
    internal = defaultdict(lambda: [0, 0])  # module fn called by module code -> [calls, Ir]
    callers = defaultdict(set)
    mod_self = 0
    per_pid = {}
    for pid, path in dumps:
        selfc, edges, total = parse_callgrind(path)
        # PLT stubs ("0x..." in "???"): name the function they jump to
        stub = {}
        for (cob_, cfn_, tob, tfn), (n, ir) in edges.items():
            if cfn_ and cfn_.startswith("0x") and (cfn_ not in stub or ir > stub[cfn_][1]):
                stub[cfn_] = (tfn, ir)
        pid_entry = 0
        for (ob, fn), ir in selfc.items():
            if is_mod(ob):
                mod_self += ir
        for (cob_, cfn_, tob, tfn), (n, ir) in edges.items():
            if is_mod(tob) and not is_mod(cob_):
                entry[tfn][0] += n
                entry[tfn][1] += ir
                callers[tfn].add(cfn_)
                pid_entry += ir
            elif is_mod(cob_) and is_mod(tob):
                internal[tfn][0] += n
                internal[tfn][1] += ir
            elif is_mod(cob_):
                name = stub[tfn][0] if tfn in stub else tfn
                outward[name][0] += n
                outward[name][1] += ir
        per_pid[pid] = (total, pid_entry)
    total = sum(ir for _, ir in entry.values())
    worker = max(per_pid, key=lambda p: per_pid[p][1])
    return {"total": total, "per_call": total / calls, "entry": dict(entry),
            "callers": {k: sorted(v) for k, v in callers.items()}, "outward": dict(outward),
            "internal": dict(internal), "self": mod_self, "worker": worker,
            "worker_total": per_pid[worker][0],
            "all_processes": sum(t for t, _ in per_pid.values()), "per_pid": per_pid}


def annotate_inclusive(dumps, module_path):
    """Cross-check of `attribute` with callgrind_annotate --inclusive=yes: the
    inclusive cost of each function of the module's object, summed over the
    processes. callgrind_annotate lists a function once per source file its
    code comes from (inlined code from other files gets entries of its own);
    the entry of the function's own file holds the whole inclusive cost, and
    it is the largest, so that one is taken. Run from / so file names stay
    absolute and no source is annotated."""
    module_path = os.path.realpath(module_path)
    got = defaultdict(int)
    for _, path in dumps:
        r = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no",
                            path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           timeout=300, cwd="/")
        # only the entry of the function's own file carries the [object] suffix
        rows, ours = [], set()
        for ln in r.stdout.splitlines():
            m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*?)(?: \[(.*)\])?$", ln)
            if not m:
                continue
            fn = m.group(2).split(":", 1)[1] if ":" in m.group(2) else m.group(2)
            rows.append((fn, int(m.group(1).replace(",", ""))))
            if m.group(3) and os.path.realpath(m.group(3)) == module_path:
                ours.add(fn)
        best = defaultdict(int)
        for fn, v in rows:
            if fn in ours:
                best[fn] = max(best[fn], v)
        for fn, v in best.items():
            got[fn] += v
    return dict(got)


# ---------------------------------------------------------------- shm

def shm_run(args, env, label, sst_so, set_flag, work):
    server = BenchServer(work, env["server"], env["mpath"], sst_so, set_flag=set_flag,
                         workers=args.workers, min_se=90, shm_mb=args.shm_mb,
                         allocator=args.allocator)
    try:
        server.start()
        run_calls(work, "warmup", server, 50, rate=50, limit=50)
        idle = server.quiesce()["shmem:real_used_size"]
        hold_ms = int((args.held / args.held_rate + 25) * 1000)
        load = Load(work, "held", server, args.held, args.held_rate, args.held, hold_ms, 1800)
        load.start()
        try:
            held = server.quiesce(want_dialogs=args.held, timeout=hold_ms / 1000.0 - 5)
            time.sleep(1)
            held2 = server.stats()
            if held2["shmem:real_used_size"] != held["shmem:real_used_size"]:
                held = server.quiesce(want_dialogs=args.held, timeout=10)
            load.wait(hold_ms / 1000.0 + 60)
        finally:
            load.kill()
        after = server.quiesce(timeout=60)["shmem:real_used_size"]
        errors = server.error_lines()
    finally:
        server.stop()
    used = held["shmem:real_used_size"]
    return {"idle": idle, "held": used, "after": after, "per_dialog": (used - idle) / args.held,
            "errors": errors, "fragments": held.get("shmem:fragments")}


# ---------------------------------------------------------------- report helpers

def server_version(binary):
    out = subprocess.run([binary, "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True).stdout
    m = re.search(r"^version: (.*)$", out, re.M)
    return m.group(1) if m else "unknown"


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


# ---------------------------------------------------------------- modes

def bench(args, env):
    mods = [("C", env["c_so"]), ("sst-rs", env["ours_so"])]
    results = {}
    root = env["work"]

    if not args.skip_callgrind:
        for label, so in mods:
            work = os.path.join(root, "cg-" + label)
            dumps, sp, errors = callgrind_run(args, env, label, so, work)
            a = attribute(dumps, so, args.calls)
            a["annotate"] = annotate_inclusive(dumps, so)
            results[("cg", label)] = (a, errors, dumps, sp)

    if not args.skip_shm:
        for label, so in mods:
            for flag in (True, False):
                work = os.path.join(root, "shm-%s-%s" % (label, "flag" if flag else "noflag"))
                r = shm_run(args, env, label, so, flag, work)
                log("%s %s: idle %d, %d held %d, after %d -> %.1f B/dialog"
                    % (label, "flag" if flag else "no flag", r["idle"], args.held, r["held"],
                       r["after"], r["per_dialog"]))
                results[("shm", label, flag)] = r

    print()
    print("## sst.so benchmark: C module vs sst-rs")
    print("date:      %s" % datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    print("command:   %s" % env["command"])
    print("server:    %s (%s)" % (env["version"], env["server"]))
    print("C module:  %s" % env["c_so"])
    print("sst-rs:    %s (repo %s)" % (env["ours_so"], repo_state()))
    print("allocator: %s" % (args.allocator or "server default (no -a)"))
    print("machine:   %d CPUs, %s" % (os.cpu_count(), os.uname().release))
    print()

    if not args.skip_callgrind:
        print("### a) instructions per call in the module (callgrind, 1 UDP worker, %d calls after %d warm-up)"
              % (args.calls, args.warmup))
        print()
        c, o = results[("cg", "C")][0], results[("cg", "sst-rs")][0]
        print("| | C sst.so | sst-rs | ours/C |")
        print("|---|---:|---:|---:|")
        print("| module Ir per call (inclusive, all entry points) | %.0f | %.0f | %s |"
              % (c["per_call"], o["per_call"], ratio(o["per_call"], c["per_call"])))
        print("| of which inside the module's own code (self) | %.0f | %.0f | %s |"
              % (c["self"] / args.calls, o["self"] / args.calls,
                 ratio(o["self"], c["self"])))
        print("| SIP worker Ir per call (whole process) | %.0f | %.0f | %s |"
              % (c["worker_total"] / args.calls, o["worker_total"] / args.calls,
                 ratio(o["worker_total"], c["worker_total"])))
        print()
        for label, a in (("C", c), ("sst-rs", o)):
            print("%s entry points (every call into the module from another object; "
                  "calls and inclusive Ir per SIP call; callgrind_annotate's inclusive Ir as a check):" % label)
            for fn, (n, ir) in sorted(a["entry"].items(), key=lambda kv: -kv[1][1]):
                print("  %-44s %5.2f calls %9.0f Ir  (annotate %9.0f)  from %s"
                      % (short(fn, 44), n / args.calls, ir / args.calls,
                         a["annotate"].get(fn, 0) / args.calls, ", ".join(a["callers"][fn])[:60]))
            print("%s: calls from the module out to the server (top inclusive, Ir per call):" % label)
            for fn, (n, ir) in sorted(a["outward"].items(), key=lambda kv: -kv[1][1])[:12]:
                print("  %-60s %5.2f calls/call %9.0f Ir/call" % (short(fn), n / args.calls, ir / args.calls))
            if a["internal"]:
                print("%s: module functions called from module code (top inclusive, Ir per call):" % label)
                for fn, (n, ir) in sorted(a["internal"].items(), key=lambda kv: -kv[1][1])[:12]:
                    print("  %-60s %5.2f calls/call %9.0f Ir/call" % (short(fn), n / args.calls, ir / args.calls))
            print()
        for label in ("C", "sst-rs"):
            _, errors, dumps, sp = results[("cg", label)]
            if errors:
                print("%s callgrind run: %d error line(s) in the log, first: %s" % (label, len(errors), errors[0][:200]))
        print()

    if not args.skip_shm:
        print("### b) shared memory per dialog (shmem:real_used_size, %d held calls, %d UDP workers)"
              % (args.held, args.workers))
        print()
        print("| | C sst.so | sst-rs | ours/C |")
        print("|---|---:|---:|---:|")
        rows = []
        for flag in (True, False):
            c, o = results[("shm", "C", flag)], results[("shm", "sst-rs", flag)]
            rows.append((flag, c, o))
            print("| bytes/dialog, %s | %.1f | %.1f | %s |"
                  % ("sst flag set (tracked)" if flag else "no sst flag (dialog only)",
                     c["per_dialog"], o["per_dialog"], ratio(o["per_dialog"], c["per_dialog"])))
        c_sst = results[("shm", "C", True)]["per_dialog"] - results[("shm", "C", False)]["per_dialog"]
        o_sst = results[("shm", "sst-rs", True)]["per_dialog"] - results[("shm", "sst-rs", False)]["per_dialog"]
        print("| **sst's own bytes/dialog** (flag − no flag) | **%.1f** | **%.1f** | %s |"
              % (c_sst, o_sst, ratio(o_sst, c_sst)))
        print()
        print("raw real_used_size (idle / %d held / after all BYEs):" % args.held)
        for (kind, label, flag), r in sorted((k, v) for k, v in results.items() if k[0] == "shm"):
            print("  %-7s %-8s idle %9d  held %9d  after %9d  (after-idle %+d)%s"
                  % (label, "flag" if flag else "no flag", r["idle"], r["held"], r["after"],
                     r["after"] - r["idle"],
                     "  ERRORS: %d, first: %s" % (len(r["errors"]), r["errors"][0][:160]) if r["errors"] else ""))
        print()
    return 0


def scale(args, env):
    """D concurrent tracked dialogs, no BYE, short session timers."""
    work = os.path.join(env["work"], "scale")
    D, step, rate, se = args.scale_dialogs, args.scale_step, args.scale_rate, args.scale_se
    if se is None:
        # every dialog must still be up when the last one is created
        se = int(D / rate + (D // step) * 8 + 30)
    # Two pairs of timestamps per dialog. DLGEV: the E_DLG_STATE_CHANGED
    # event_route. In 3.x an event_route never runs where the event is raised:
    # evi/event_route.c route_send() hands it to ipc_dispatch_rpc(), so its
    # $Ts/$Tsm is when some worker got round to it -- for the deletions of one
    # timer tick, hundreds queued behind each other. The synchronous pair,
    # keyed by $DLG_did: DLGACK, logged by the worker right after loose_route()
    # has let the dialog module re-arm the timer for the ACK (dlg_handlers.c
    # dlg_onroute: update_dlg_timer() after DLGCB_REQ_WITHIN; the 2xx armed it
    # first, the ACK re-arms because lifetime_dirty stays set), and DLGTO, the
    # dialog's on-timeout route, which the timer handler process runs inside
    # dlg_ontimeout() right before it deletes the dialog.
    extra = """
event_route[E_DLG_STATE_CHANGED] {
	xlog("L_NOTICE", "DLGEV $Ts $Tsm $param(callid) $param(old_state)->$param(new_state)\\n");
}
route[sst_scale_timeout] {
	xlog("L_NOTICE", "DLGTO $Ts $Tsm $DLG_did\\n");
}
"""
    within = """\
		if (is_method("ACK") && loose_route()) {
			xlog("L_NOTICE", "DLGACK $Ts $Tsm $DLG_did\\n");
			t_relay();
			exit;
		}"""
    after_dialog = '\t\tdlg_on_timeout("sst_scale_timeout");'
    server = BenchServer(work, env["server"], env["mpath"], env["ours_so"] if not args.scale_c else env["c_so"],
                         set_flag=True, workers=args.workers, min_se=args.scale_min_se,
                         shm_mb=args.scale_shm_mb, log_level=3, extra_routes=extra,
                         within=within, after_dialog=after_dialog)
    samples = []
    t_start = time.time()
    try:
        server.start()
        idle = server.quiesce()["shmem:real_used_size"]
        samples.append((0, idle, 0))
        made = 0
        while made < D:
            n = min(step, D - made)
            load = Load(work, "step%d" % made, server, n, rate, n, 0, se,
                        uac="uac_nobye.xml", uas="uas_nobye.xml")
            load.start()
            try:
                load.wait(n / rate + 120)
            finally:
                load.kill()
            made += n
            s = server.quiesce(want_dialogs=made, timeout=60)
            samples.append((made, s["shmem:real_used_size"], time.time() - t_start))
            log("scale: %d dialogs, shm %d, %.0f B/dialog, t=%.0f s"
                % (made, s["shmem:real_used_size"], (s["shmem:real_used_size"] - idle) / made,
                   time.time() - t_start))
        # wait for every dialog to expire
        deadline = time.time() + se + 60
        while time.time() < deadline:
            s = server.stats()
            if s.get("dialog:active_dialogs", 0) == 0:
                break
            time.sleep(2)
        final = server.quiesce(timeout=60)
        errors = server.error_lines()
        expired = final.get("sst:expired_sst", final.get("expired_sst"))
    finally:
        server.stop(timeout=60)
    # event times: confirmed (old 3/2 -> 4) and deleted (-> 5), via IPC; and
    # the synchronous ACK (arming) and on-timeout (deletion) times
    confirmed, deleted, acked, timed_out = {}, {}, {}, {}

    def stamp(sec, usec):
        us = int(usec)
        return us / 1e6 if us > 10 ** 12 else int(sec) + us / 1e6  # $Tsm: µs of the second

    for ln in server.log_text().splitlines():
        m = re.search(r"DLG(EV|ACK|TO) (\d+) (\d+) (\S+)(?: (\d+)->(\d+))?", ln)
        if not m:
            continue
        t, cid = stamp(m.group(2), m.group(3)), m.group(4)
        if m.group(1) == "ACK":
            acked[cid] = t
        elif m.group(1) == "TO":
            timed_out[cid] = t
        elif int(m.group(6)) == 4:
            confirmed[cid] = t
        elif int(m.group(6)) == 5:
            deleted[cid] = t
    lat_ev = sorted(deleted[c] - confirmed[c] - se for c in confirmed if c in deleted)
    # event_route − on-timeout route, matched by order: both are written in
    # deletion order (the timer handler raises each event right after the
    # route, and a single worker runs the dispatched routes in turn)
    lat = sorted(timed_out[c] - acked[c] - se for c in acked if c in timed_out)
    late = [d for d in lat if abs(d) > args.scale_tolerance]
    # the timer handler deletes the dialogs due at one tick one after the
    # other: group on-timeout times into timer runs (gaps < 0.3 s) to tell the
    # tick rounding (ACK time within its second: up to 1 s early) from the
    # time the run started late and the time spent inside the run
    runs, prev, run_of = [], None, {}
    for cid, t in sorted(timed_out.items(), key=lambda kv: kv[1]):
        if prev is None or t - prev > 0.3:
            runs.append([t, t, 0])
        runs[-1][1], runs[-1][2], prev = t, runs[-1][2] + 1, t
        run_of[cid] = runs[-1]
    # IPC lag of the event_route timestamps, for the record
    ipc = sorted(e - t for e, t in zip(sorted(deleted.values()), sorted(timed_out.values())))
    print()
    print("## %s scale run" % ("C module" if args.scale_c else "sst-rs"))
    print("date:      %s" % datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    print("command:   %s" % env["command"])
    print("server:    %s (%s), module %s" % (env["version"], env["server"],
                                          env["c_so"] if args.scale_c else env["ours_so"]))
    print("dialogs:   %d created in steps of %d at %d cps; Session-Expires %d, min_se %d; no BYE"
          % (D, step, rate, se, args.scale_min_se))
    print()
    print("| dialogs held | shm real_used_size | bytes/dialog over idle | t (s) |")
    print("|---:|---:|---:|---:|")
    for made, used, t in samples:
        print("| %d | %d | %s | %.0f |" % (made, used, "%.1f" % ((used - idle) / made) if made else "-", t))
    print()
    def dist(xs):
        k = len(xs)
        if not k:
            return "no samples"
        q = lambda p: xs[min(k - 1, int(p * k))]
        return "min %+.3f, median %+.3f, p99 %+.3f, max %+.3f s" % (xs[0], q(0.5), q(0.99), xs[-1])

    n = len(lat)
    if n:
        print("expiry − negotiated, synchronous stamps (on-timeout route − ACK − %d s) over %d dialogs: "
              "%s; outside ±%g s: %d" % (se, n, dist(lat), args.scale_tolerance, len(late)))
    if lat_ev:
        print("the same from the E_DLG_STATE_CHANGED event_route (deleted − confirmed − %d s, both "
              "run later by a worker via IPC): %s; outside ±%g s: %d"
              % (se, dist(lat_ev), args.scale_tolerance,
                 sum(1 for d in lat_ev if abs(d) > args.scale_tolerance)))
    if ipc:
        print("IPC lag of the deletion event (event_route − on-timeout route): %s" % dist(ipc))
    if runs:
        print("dialog timer runs that deleted dialogs: %d; largest %d dialogs; longest run %.3f s "
              "(first to last deletion of one run)" % (len(runs), max(r[2] for r in runs),
                                                        max(r[1] - r[0] for r in runs)))
        # per dialog: lateness = (run start − ACK − se) + (its place in the run)
        start = sorted(run_of[c][0] - acked[c] - se for c in acked if c in run_of)
        inside = sorted(timed_out[c] - run_of[c][0] for c in acked if c in run_of)
        print("  run start − ACK − %d s: %s" % (se, dist(start)))
        print("  deletion − its run's start: %s" % dist(inside))
        # by ACK time: each group spans the 1 s tick; where the window sits
        # moves with the offset between the core's tick counter and the wall
        # clock, which changes between arming and expiry
        t0 = min(acked.values())
        groups = defaultdict(list)
        for c in acked:
            if c in timed_out:
                groups[int((acked[c] - t0) // args.scale_group)].append(timed_out[c] - acked[c] - se)
        print("  by ACK time (groups of %d s): %s" % (args.scale_group, "; ".join(
            "+%d s: %+.2f..%+.2f" % (k * args.scale_group, min(v), max(v))
            for k, v in sorted(groups.items()))))
        worst = sorted(((timed_out[c] - acked[c] - se, c) for c in acked if c in timed_out),
                       reverse=True)[:5]
        for d, c in worst:
            r = run_of[c]
            print("  latest: %+.3f s = run start %+.3f s + %.3f s into a run of %d (ACK at %.3f)"
                  % (d, r[0] - acked[c] - se, timed_out[c] - r[0], r[2], acked[c] % 100))
    print("ACKs %d, on-timeout %d, confirmed %d, deleted %d, expired_sst %s, shm after all expired %d (idle %d, %+d)"
          % (len(acked), len(timed_out), len(confirmed), len(deleted), expired, final["shmem:real_used_size"], idle,
             final["shmem:real_used_size"] - idle))
    print("error lines in the log: %d%s" % (len(errors), (", first: " + errors[0][:200]) if errors else ""))
    print("total %.0f s" % (time.time() - t_start))
    ok = n == D and not late and not errors
    print("scale: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


# ---------------------------------------------------------------- soak

# name, UAC scenario, UAS scenario, sipp keys, Session-Expires key
SOAK_FLOWS = [
    # flows 1 + 8: the UAC asks for 1800 with timer support, the UAS answers 1800
    ("se-1800", "uac.xml", "uas.xml", {}, 1800),
    # flow 5: no Session-Expires, Min-SE 90: the proxy inserts one (min_se 90)
    ("proxy-inserts-se", "uac_hdrs.xml", "uas.xml",
     {"hdr1": "Min-SE: 90", "hdr2": "X-Flow: proxy-inserts-se"}, 90),
    # flow 5 then 10: the proxy inserts SE, the UAS answers without: no timer
    ("no-timer", "uac_hdrs.xml", "uas_nose.xml",
     {"hdr1": "X-Flow: no-timer", "hdr2": "X-Unused: 1"}, 1800),
    # flows 1, 8, 11, 12: a refresh re-INVITE (200 with SE) and its ACK, then BYE
    ("refresh", "uac_refresh.xml", "uas_refresh.xml", {}, 1800),
]

# Tolerances for "memory is back at its baseline", and why. The smallest leak
# there can be is one allocation per call (or per message): F_MALLOC rounds a
# request up to 8 bytes and puts a fragment header in front of it, so every
# leaked allocation costs at least 24 bytes of real_used_size. Over the
# default 200,000 calls that is >= 4.8 MB of shm, or >= 2.4 MB of pkg in each
# of two workers -- two orders of magnitude above the tolerances. The
# tolerances themselves are above what can move without a leak: the dialog
# and tm hash tables and the per-process buffers are sized at start-up or by
# the warm-up, so the observed deltas are 0 or a few hundred bytes.
SOAK_SHM_TOLERANCE = 64 * 1024
SOAK_PKG_TOLERANCE = 16 * 1024
LEAK_UNIT = 24  # bytes: the smallest leaked allocation, see above


def pkg_stats(server, tries=4):
    """pkmem:<process>-real_used_size for every process, with its description.

    The figures are not read on the spot: get_statistics asks each process over
    IPC to store its pkg status (at most every ~2 s, core_stats.c) and returns
    what is stored, so a process that has not answered yet reads 0. Ask until
    every process reports a size (and two readings 2.5 s apart agree)."""
    used, prev = {}, None
    for _ in range(tries):
        res = server.mi("get_statistics", {"statistics": ["pkmem:"]}, timeout=10) or {}
        used = {}
        for k, v in res.items():
            m = re.match(r"pkmem:(\d+)-real_used_size$", k)
            if m:
                used[int(m.group(1))] = int(v)
        if used and all(used.values()) and used == prev:
            break
        prev = used
        time.sleep(2.5)
    names = {}
    try:
        for p in (server.mi("ps") or {}).get("Processes", []):
            names[int(p.get("ID", -1))] = p.get("Type", "?")
    except Fail:
        pass
    return used, names


def settle(server, timeout=120):
    """No transaction, no dialog, and shm real_used_size the same twice 2 s apart."""
    prev = None
    deadline = time.time() + timeout
    while True:
        s = server.quiesce(timeout=max(10, deadline - time.time()))
        if prev is not None and s["shmem:real_used_size"] == prev["shmem:real_used_size"]:
            return s
        if time.time() > deadline:
            return s
        prev = s
        time.sleep(2)


def soak(args, env):
    """N calls through one server, four call flows at once; memory before and
    after, error lines, liveness."""
    label = "C module" if args.c_module else "sst-rs"
    so = env["c_so"] if args.c_module else env["ours_so"]
    work = os.path.join(env["work"], "soak")
    N, rate = args.soak, args.soak_rate
    per_flow = N // len(SOAK_FLOWS)
    N = per_flow * len(SOAK_FLOWS)
    server = BenchServer(work, env["server"], env["mpath"], so, set_flag=True,
                         workers=args.soak_workers, min_se=90, shm_mb=args.soak_shm_mb, log_level=2,
                         allocator=args.allocator)
    t_start = time.time()
    results, problems = {}, []

    def run_flows(tag, calls, flow_rate, strict):
        loads = []
        for name, uac, uas, keys, se in SOAK_FLOWS:
            ld = Load(work, "%s-%s" % (tag, name), server, calls, flow_rate, 200, 0, se,
                      uac=uac, uas=uas, keys=keys, timeout=int(calls / flow_rate + 300))
            ld.start()
            loads.append((name, ld))
        out = {}
        try:
            for name, ld in loads:
                out[name] = ld.wait(calls / flow_rate + 600, strict=strict)
        finally:
            for _, ld in loads:
                ld.kill()
        return out

    try:
        server.start()
        # warm-up: every flow, so lazily sized buffers and pools exist before the baseline
        run_flows("warmup", args.soak_warmup, max(10, rate // len(SOAK_FLOWS) // 4), True)
        base = settle(server)
        base_pkg, names = pkg_stats(server)
        log("%s soak: baseline shm real_used_size %d, pkg %s"
            % (label, base["shmem:real_used_size"],
               " ".join("%d:%d" % kv for kv in sorted(base_pkg.items()))))
        t0 = time.time()
        results = run_flows("soak", per_flow, rate / len(SOAK_FLOWS), False)
        elapsed = time.time() - t0
        peak = server.stats()
        after = settle(server)
        after_pkg, _ = pkg_stats(server)
        alive = server.alive()
        errors = server.error_lines()
    finally:
        server.stop(timeout=60)
    ok = sum(r["ok"] for r in results.values())
    failed = sum(r["failed"] for r in results.values())
    retrans = sum(r["retrans"] for r in results.values())
    d_shm = after["shmem:real_used_size"] - base["shmem:real_used_size"]
    d_pkg = {p: after_pkg.get(p, 0) - base_pkg[p] for p in base_pkg}
    warn = [ln for ln in server.log_text().splitlines() if re.search(r"WARNING:sst:", ln)]

    print()
    print("## %s soak run" % label)
    print("date:      %s" % datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    print("command:   %s" % env["command"])
    print("server:    %s (%s), module %s (repo %s)" % (env["version"], env["server"], so, repo_state()))
    print("machine:   %d CPUs, %s; %d UDP workers, -m %d" % (os.cpu_count(), os.uname().release,
                                                             args.soak_workers, args.soak_shm_mb))
    print("calls:     %d (%d per flow, %s), after %d warm-up calls per flow; offered %g calls/s"
          % (N, per_flow, ", ".join(f[0] for f in SOAK_FLOWS), args.soak_warmup, rate))
    print()
    print("| flow | successful | failed | retransmissions | UAC exit |")
    print("|---|---:|---:|---:|---:|")
    for name, *_ in SOAK_FLOWS:
        r = results.get(name, {})
        print("| %s | %s | %s | %s | %s |" % (name, r.get("ok"), r.get("failed"), r.get("retrans"),
                                            r.get("rc", {}).get("uac")))
    print()
    print("rate:      %d successful calls in %.0f s = %.0f calls/s" % (ok, elapsed, ok / elapsed))
    print("dialogs:   processed %s, expired %s, failed %s; expired_sst %s"
          % (peak.get("dialog:processed_dialogs"), peak.get("dialog:expired_dialogs"),
             peak.get("dialog:failed_dialogs"), peak.get("sst:expired_sst", peak.get("expired_sst"))))
    print("shm:       real_used_size baseline %d, after %d: %+d B (tolerance ±%d B; one leaked "
          "allocation per call would be >= %+d B)" % (base["shmem:real_used_size"],
                                                     after["shmem:real_used_size"], d_shm,
                                                     SOAK_SHM_TOLERANCE, LEAK_UNIT * N))
    print("pkg:       real_used_size per process, baseline -> after (delta), tolerance ±%d B each:"
          % SOAK_PKG_TOLERANCE)
    for p in sorted(base_pkg):
        print("  %2d %-28s %8d -> %8d (%+d)" % (p, names.get(p, "?")[:28], base_pkg[p],
                                              after_pkg.get(p, 0), d_pkg[p]))
    print("log:       %d error line(s)%s; %d sst warning(s)%s"
          % (len(errors), (", first: " + errors[0][:200]) if errors else "",
             len(warn), (", first: " + warn[0][:200]) if warn else ""))
    print("server:    %s after the run" % ("alive" if alive else "DEAD (exit %s)" % server.proc.returncode))
    print("total %.0f s" % (time.time() - t_start))
    if N * LEAK_UNIT <= SOAK_SHM_TOLERANCE:
        problems.append("too few calls (%d) for the tolerances to see a per-call leak" % N)
    if ok != N or failed:
        problems.append("%d/%d calls successful, %d failed" % (ok, N, failed))
    if abs(d_shm) > SOAK_SHM_TOLERANCE:
        problems.append("shm %+d B over baseline" % d_shm)
    for p, d in d_pkg.items():
        if abs(d) > SOAK_PKG_TOLERANCE:
            problems.append("pkg of process %d (%s) %+d B over baseline" % (p, names.get(p, "?"), d))
    if errors:
        problems.append("%d error line(s) in the log" % len(errors))
    if not alive:
        problems.append("server died")
    exp = peak.get("sst:expired_sst", peak.get("expired_sst"))
    if exp:
        problems.append("expired_sst %s: dialogs ended by their timer, not by BYE" % exp)
    print("soak: %s%s" % ("PASS" if not problems else "FAIL", "" if not problems else " - " + "; ".join(problems)))
    return 0 if not problems else 1


def main():
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
    args = ap.parse_args()

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
    env = {"server": server, "mpath": mpath,
           "c_so": os.path.abspath(os.environ.get("C_SST_SO") or os.path.join(mpath, "sst.so")),
           "ours_so": os.path.abspath(os.environ.get("SST_SO") or os.path.join(REPO, "sst.so")),
           "version": server_version(server),
           "command": " ".join(["OPENSIPS=" + server] +
                               (["SST_SO=" + os.environ["SST_SO"]] if "SST_SO" in os.environ else []) +
                               ["python3", os.path.relpath(__file__, REPO)] + sys.argv[1:])}
    for k in ("c_so", "ours_so"):
        if not os.path.exists(env[k]):
            raise Fail("no module at %s" % env[k])
    env["work"] = tempfile.mkdtemp(prefix="sst-bench-")
    log("work folder %s" % env["work"])
    try:
        if args.soak:
            rc = soak(args, env)
        elif args.scale or args.scale_c:
            rc = scale(args, env)
        else:
            rc = bench(args, env)
    finally:
        if not args.keep:
            shutil.rmtree(env["work"], ignore_errors=True)
    return rc


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fail as e:
        print("FAIL - %s" % e)
        sys.exit(1)
