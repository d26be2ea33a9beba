"""Instructions spent in the module: a server under valgrind --tool=callgrind,
its profile dumps parsed, and the cost of every call into the module's object
added up (with callgrind_annotate as a cross-check)."""
import os
import re
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from realserver.infra import Fail

from bench.report import log
from bench.server import BenchServer, CallCounts, run_calls


class Symbol(NamedTuple):
    """A function of an object file, as a callgrind profile names them."""
    ob: str
    fn: str


class CallEdge(NamedTuple):
    """Calls from one function to another."""
    caller_ob: str
    caller_fn: str
    callee_ob: str
    callee_fn: str


@dataclass
class CallCost:
    """How often something was called, and its inclusive cost (Ir)."""
    calls: int = 0
    ir: int = 0

    def add(self, calls, ir):
        self.calls += calls
        self.ir += ir


class Profile(NamedTuple):
    """One callgrind dump: self cost per function, every call edge with its
    inclusive cost, and the total self cost of the process."""
    self_cost: dict   # Symbol -> Ir
    edges: dict       # CallEdge -> CallCost
    total: int


class ProcessCost(NamedTuple):
    total: int        # every instruction of the process
    module: int       # inclusive cost of its calls into the module


@dataclass
class ModuleCost:
    """The module's share of the profiles of every process of one server."""
    total: int                    # inclusive Ir of every call into the module
    per_call: float               # total / SIP calls made
    entry: dict                   # module fn called from another object -> CallCost
    callers: dict                 # module fn -> sorted names of the functions calling it
    outward: dict                 # fn outside called by module code -> CallCost
    internal: dict                # module fn called by module code -> CallCost
    self_ir: int                  # Ir of the module's own instructions
    alloc_ir: int                 # of `total`, Ir inside the server's allocator (see allocator_share)
    worker: int                   # pid of the process with the most module cost (the SIP worker)
    worker_total: int             # every instruction of that process
    all_processes: int            # every instruction of every process
    per_pid: dict                 # pid -> ProcessCost
    annotate: dict = field(default_factory=dict)  # module fn -> callgrind_annotate's inclusive Ir


class CallgrindRun(NamedTuple):
    """One server's measured calls under callgrind."""
    cost: ModuleCost
    errors: list                  # error lines of the server's log
    dumps: list                   # (pid, dump file) of every process
    sipp: CallCounts              # the measured calls, as SIPp counted them


def _function_name(val):
    # callgrind appends 'N to a function name for its N-th recursion level
    return re.sub(r"'\d+$", "", val)


def parse_callgrind(path):
    """Self costs per function and call edges with their inclusive cost.

    Format: valgrind's "Callgrind Format Specification" (cl-format). Only the
    first event (Ir) is read; positions are skipped."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    kind_of = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
               "cfl": "fl", "fn": "fn", "cfn": "fn"}
    npos = 1
    cur_ob = cur_fn = None
    cob = cfn = None
    self_cost = defaultdict(int)
    edges = defaultdict(CallCost)
    total = 0
    pending = None  # the count of a calls= line, whose cost is on the next line
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
                    edges[CallEdge(cur_ob, cur_fn, cob if cob is not None else cur_ob, cfn)].add(pending, ir)
                    pending = None
                    cob = None
                else:
                    self_cost[Symbol(cur_ob, cur_fn)] += ir
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
                    cur_fn = _function_name(val)
                    cob = None
                elif key == "cob":
                    cob = val
                elif key == "cfn":
                    cfn = _function_name(val)
            elif line.startswith("positions:"):
                npos = len(line.split(":", 1)[1].split())
            elif line.startswith("jump=") or line.startswith("jcnd="):
                pending = None
    return Profile(self_cost, edges, total)


def _callgrind_control(option, pids):
    for p in pids:
        subprocess.run(["callgrind_control"] + option + [str(p)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)


def dump_complete(path):
    """A callgrind dump ends with its totals: line."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 200))
            return b"\ntotals:" in f.read()
    except OSError:
        return False


def callgrind_run(env, label, sst_so, work, calls, warmup, rate, allocator):
    """One server under callgrind: warm-up, zero, `calls` calls, dump. Returns
    the dumps of every process of the server, the SIPp counts of the measured
    calls and the error lines of the log."""
    vg = ["valgrind", "--tool=callgrind", "--trace-children=yes",
          "--callgrind-out-file=%s/callgrind.out.%%p" % work, "--vgdb=yes"]
    server = BenchServer(work, env.server, env.mpath, sst_so, set_flag=True,
                         workers=1, min_se=90, prefix=vg, allocator=allocator)
    try:
        server.start(timeout=240)
        log("%s: server up under callgrind (pids %s)" % (label, " ".join(map(str, server.pids()))))
        run_calls(work, "warmup", server, warmup, rate=rate, limit=5)
        server.quiesce(timeout=120, mi_timeout=30)
        pids = server.pids()
        _callgrind_control(["-z"], pids)
        t0 = time.time()
        sp = run_calls(work, "measured", server, calls, rate=rate, limit=5)
        server.quiesce(timeout=120, mi_timeout=30)
        log("%s: %d calls in %.0f s under callgrind (%d retransmissions seen by sipp)"
            % (label, calls, time.time() - t0, sp.retrans))
        _callgrind_control(["-d", "measured"], pids)
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


# The server's memory allocators (f_malloc, q_malloc, hp_malloc, and their
# debug and shm variants): how long one call takes there depends on the
# state of the free lists in that run, not on the caller.
ALLOCATOR = re.compile(r"^(fm|qm|hp|hp_shm|hp_pkg)_\w*(malloc|free|realloc)\w*$")


def allocator_share(profile):
    """For each function, the fraction of its inclusive cost spent inside the
    allocator, from the call edges: an edge into the allocator counts whole,
    any other edge by its callee's own fraction (a callee called from several
    places is taken to spend alike for each; a recursive edge adds nothing)."""
    out_edges = defaultdict(list)
    self_of = {(sym.ob, sym.fn): ir for sym, ir in profile.self_cost.items()}
    for e, cost in profile.edges.items():
        out_edges[(e.caller_ob, e.caller_fn)].append(((e.callee_ob, e.callee_fn), cost.ir))
    share, busy = {}, set()

    def of(fn):
        if fn in share:
            return share[fn]
        if fn in busy:
            return 0.0
        busy.add(fn)
        if ALLOCATOR.match(fn[1] or ""):
            share[fn] = 1.0
        else:
            incl = self_of.get(fn, 0) + sum(ir for _, ir in out_edges[fn])
            inside = sum(ir * of(callee) for callee, ir in out_edges[fn])
            share[fn] = inside / incl if incl else 0.0
        busy.discard(fn)
        return share[fn]
    return of


def attribute(dumps, module_path, calls):
    """Inclusive cost of every call from outside the module's object into it.

    A call counts when its caller is in another object (the core, dialog.so,
    tm.so) and its callee in the module's file, so nested calls inside the
    module are not counted twice and nothing the server calls is missed
    (dialog callbacks, sstCheckMin, a free function of a callback parameter)."""
    module_path = os.path.realpath(module_path)
    is_mod = lambda ob: ob is not None and os.path.realpath(ob) == module_path
    entry = defaultdict(CallCost)
    outward = defaultdict(CallCost)
    internal = defaultdict(CallCost)
    callers = defaultdict(set)
    mod_self = alloc = 0
    per_pid = {}
    for pid, path in dumps:
        profile = parse_callgrind(path)
        # PLT stubs ("0x..." in "???"): name the function they jump to
        stub = {}
        for e, cost in profile.edges.items():
            if e.caller_fn and e.caller_fn.startswith("0x") and \
                    (e.caller_fn not in stub or cost.ir > stub[e.caller_fn][1]):
                stub[e.caller_fn] = (e.callee_fn, cost.ir)
        pid_entry = 0
        for sym, ir in profile.self_cost.items():
            if is_mod(sym.ob):
                mod_self += ir
        in_allocator = allocator_share(profile)
        for e, cost in profile.edges.items():
            if is_mod(e.caller_ob) and not is_mod(e.callee_ob):
                alloc += cost.ir * in_allocator((e.callee_ob, e.callee_fn))
            if is_mod(e.callee_ob) and not is_mod(e.caller_ob):
                entry[e.callee_fn].add(cost.calls, cost.ir)
                callers[e.callee_fn].add(e.caller_fn)
                pid_entry += cost.ir
            elif is_mod(e.caller_ob) and is_mod(e.callee_ob):
                internal[e.callee_fn].add(cost.calls, cost.ir)
            elif is_mod(e.caller_ob):
                name = stub[e.callee_fn][0] if e.callee_fn in stub else e.callee_fn
                outward[name].add(cost.calls, cost.ir)
        per_pid[pid] = ProcessCost(profile.total, pid_entry)
    total = sum(c.ir for c in entry.values())
    worker = max(per_pid, key=lambda p: per_pid[p].module)
    return ModuleCost(total=total, per_call=total / calls, entry=dict(entry),
                      callers={k: sorted(v) for k, v in callers.items()}, outward=dict(outward),
                      internal=dict(internal), self_ir=mod_self, alloc_ir=round(alloc), worker=worker,
                      worker_total=per_pid[worker].total,
                      all_processes=sum(p.total for p in per_pid.values()), per_pid=per_pid)


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


def measure_module_cost(env, label, sst_so, work, calls, warmup, rate, allocator):
    """The whole callgrind measure of one module: run, attribute, cross-check."""
    dumps, sp, errors = callgrind_run(env, label, sst_so, work, calls, warmup, rate, allocator)
    cost = attribute(dumps, sst_so, calls)
    cost.annotate = annotate_inclusive(dumps, sst_so)
    return CallgrindRun(cost, errors, dumps, sp)
