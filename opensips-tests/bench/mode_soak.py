"""--soak [N]: N calls through one server in four call flows at once, after a
warm-up; shm and per-process pkg before and after, failed calls, error
lines, and the server alive at the end."""
import os
import re
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from bench.memory import (LEAK_UNIT, SOAK_PKG_TOLERANCE, SOAK_SHM_TOLERANCE, PkgUsage,
                          pkg_stats, settle)
from bench.report import log, print_soak
from bench.server import BenchServer, Load

SST_WARNING = re.compile(r"WARNING:sst:")


class SoakFlow(NamedTuple):
    name: str
    uac: str          # UAC scenario
    uas: str          # UAS scenario
    keys: dict        # sipp -key values of the scenarios
    se: int           # the Session-Expires key


SOAK_FLOWS = [
    # flows 1 + 8: the UAC asks for 1800 with timer support, the UAS answers 1800
    SoakFlow("se-1800", "uac.xml", "uas.xml", {}, 1800),
    # flow 5: no Session-Expires, Min-SE 90: the proxy inserts one (min_se 90)
    SoakFlow("proxy-inserts-se", "uac_hdrs.xml", "uas.xml",
             {"hdr1": "Min-SE: 90", "hdr2": "X-Flow: proxy-inserts-se"}, 90),
    # flow 5 then 10: the proxy inserts SE, the UAS answers without: no timer
    SoakFlow("no-timer", "uac_hdrs.xml", "uas_nose.xml",
             {"hdr1": "X-Flow: no-timer", "hdr2": "X-Unused: 1"}, 1800),
    # flows 1, 8, 11, 12: a refresh re-INVITE (200 with SE) and its ACK, then BYE
    SoakFlow("refresh", "uac_refresh.xml", "uas_refresh.xml", {}, 1800),
]


@dataclass
class SoakRun:
    module: str                 # "C module" or "sst-rs"
    so: str
    calls: int                  # over all flows
    per_flow: int
    started: float              # time.time() at the start
    flows: dict = field(default_factory=dict)     # flow name -> CallCounts
    elapsed: float = 0.0        # seconds of the measured calls
    peak: dict = field(default_factory=dict)      # statistics right after the calls
    base_shm: dict = field(default_factory=dict)  # statistics settled after the warm-up
    after_shm: dict = field(default_factory=dict)  # and after the calls
    base_pkg: PkgUsage = None
    after_pkg: PkgUsage = None
    alive: bool = False
    exit_code: object = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # sst's WARNING lines

    @property
    def ok(self):
        return sum(r.ok for r in self.flows.values())

    @property
    def failed(self):
        return sum(r.failed for r in self.flows.values())

    @property
    def shm_delta(self):
        return self.after_shm["shmem:real_used_size"] - self.base_shm["shmem:real_used_size"]

    @property
    def pkg_delta(self):
        return {p: self.after_pkg.used.get(p, 0) - v for p, v in self.base_pkg.used.items()}

    @property
    def expired_sst(self):
        return self.peak.get("sst:expired_sst", self.peak.get("expired_sst"))


def run_flows(work, server, tag, calls, flow_rate, strict):
    """Every flow at once, `calls` calls each; flow name -> CallCounts."""
    loads = []
    for f in SOAK_FLOWS:
        ld = Load(work, "%s-%s" % (tag, f.name), server, calls, flow_rate, 200, 0, f.se,
                  uac=f.uac, uas=f.uas, keys=f.keys, timeout=int(calls / flow_rate + 300))
        ld.start()
        loads.append((f.name, ld))
    out = {}
    try:
        for name, ld in loads:
            out[name] = ld.wait(calls / flow_rate + 600, strict=strict)
    finally:
        for _, ld in loads:
            ld.kill()
    return out


def soak_calls(args, env):
    """Warm-up, baseline, the calls of every flow at once, memory after them."""
    label = "C module" if args.c_module else "sst-rs"
    per_flow = args.soak // len(SOAK_FLOWS)
    result = SoakRun(label, env.c_so if args.c_module else env.ours_so,
                     per_flow * len(SOAK_FLOWS), per_flow, time.time())
    rate = args.soak_rate
    work = os.path.join(env.work, "soak")
    server = BenchServer(work, env.server, env.mpath, result.so, set_flag=True,
                         workers=args.soak_workers, min_se=90, shm_mb=args.soak_shm_mb, log_level=2,
                         allocator=args.allocator)
    try:
        server.start()
        # warm-up: every flow, so lazily sized buffers and pools exist before the baseline
        run_flows(work, server, "warmup", args.soak_warmup, max(10, rate // len(SOAK_FLOWS) // 4), True)
        result.base_shm = settle(server)
        result.base_pkg = pkg_stats(server)
        log("%s soak: baseline shm real_used_size %d, pkg %s"
            % (label, result.base_shm["shmem:real_used_size"],
               " ".join("%d:%d" % kv for kv in sorted(result.base_pkg.used.items()))))
        t0 = time.time()
        result.flows = run_flows(work, server, "soak", per_flow, rate / len(SOAK_FLOWS), False)
        result.elapsed = time.time() - t0
        result.peak = server.stats()
        result.after_shm = settle(server)
        result.after_pkg = pkg_stats(server)
        result.alive = server.alive()
        result.errors = server.error_lines()
    finally:
        server.stop(timeout=60)
    result.exit_code = server.proc.returncode
    result.warnings = [ln for ln in server.log_text().splitlines() if SST_WARNING.search(ln)]
    return result


def problems_of(soak):
    """Why the soak run fails; none: it passes."""
    problems = []
    names = soak.base_pkg.names
    if soak.calls * LEAK_UNIT <= SOAK_SHM_TOLERANCE:
        problems.append("too few calls (%d) for the tolerances to see a per-call leak" % soak.calls)
    if soak.ok != soak.calls or soak.failed:
        problems.append("%d/%d calls successful, %d failed" % (soak.ok, soak.calls, soak.failed))
    if abs(soak.shm_delta) > SOAK_SHM_TOLERANCE:
        problems.append("shm %+d B over baseline" % soak.shm_delta)
    for p, d in soak.pkg_delta.items():
        if abs(d) > SOAK_PKG_TOLERANCE:
            problems.append("pkg of process %d (%s) %+d B over baseline" % (p, names.get(p, "?"), d))
    if soak.errors:
        problems.append("%d error line(s) in the log" % len(soak.errors))
    if not soak.alive:
        problems.append("server died")
    if soak.expired_sst:
        problems.append("expired_sst %s: dialogs ended by their timer, not by BYE" % soak.expired_sst)
    return problems


def run(args, env):
    """N calls through one server, four call flows at once; memory before and
    after, error lines, liveness."""
    soak = soak_calls(args, env)
    problems = problems_of(soak)
    print_soak(args, env, soak, problems)
    return 0 if not problems else 1
