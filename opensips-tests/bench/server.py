"""The benchmark's server and its load: an OpenSIPS rendered from bench.cfg.in
(optionally under valgrind), its statistics over MI, and SIPp UAC/UAS pairs
making calls through it."""
import csv
import os
import re
import signal
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from realserver.infra import Fail, Server, free_udp_port, render_cfg

BENCH = os.path.dirname(os.path.abspath(__file__))
CFG_TEMPLATE = os.path.join(BENCH, "bench.cfg.in")
SCEN = os.path.join(BENCH, "scenarios")
ERR_LOG = re.compile(r"\bERROR\b|CRITICAL|segfault|Segmentation|signal 11|signal 6|core dump", re.I)


@dataclass
class BenchEnv:
    """What every mode starts its servers from, found once by run.py."""
    server: str     # the opensips binary
    mpath: str      # its modules folder
    c_so: str       # the C module compared against
    ours_so: str    # sst-rs
    version: str    # `opensips -V`'s version line
    command: str    # the command line, as the reports print it
    work: str = ""  # the temporary work folder of this run


def server_version(binary):
    out = subprocess.run([binary, "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True).stdout
    m = re.search(r"^version: (.*)$", out, re.M)
    return m.group(1) if m else "unknown"


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

class CallCounts(NamedTuple):
    """What one UAC/UAS pair reports at its end: successful calls (UAC), failed
    calls and retransmissions (both sides), and how each sipp ended (its exit
    code, or "stopped" when it had to be terminated)."""
    ok: int
    failed: int
    retrans: int
    uac_exit: object
    uas_exit: object


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


def _counter(stats, name):
    return int(stats.get(name, 0) or 0)


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
        counts = CallCounts(
            ok=_counter(uac, "SuccessfulCall(C)"),
            failed=_counter(uac, "FailedCall(C)") + _counter(uas, "FailedCall(C)"),
            retrans=_counter(uac, "Retransmissions(C)") + _counter(uas, "Retransmissions(C)"),
            uac_exit=rc.get("uac"), uas_exit=rc.get("uas"))
        if strict and (counts.uac_exit != 0 or counts.ok != self.calls or counts.failed):
            raise Fail("%s: sipp UAC exit %s, %d/%d calls successful, %d failed (see %s)"
                       % (self.tag, counts.uac_exit, counts.ok, self.calls, counts.failed,
                          self._p("uac.err")))
        return counts

    def kill(self):
        for p in (self.uac, self.uas):
            if p and p.poll() is None:
                p.kill()
                p.wait()


def run_load(load, timeout, strict=True):
    """Start `load`, wait for its end (see Load.wait), kill what is left."""
    load.start()
    try:
        return load.wait(timeout, strict=strict)
    finally:
        load.kill()


def run_calls(work, tag, server, calls, rate, limit=10, hold_ms=0, se=1800, timeout=None):
    load = Load(work, tag, server, calls, rate, limit, hold_ms, se)
    return run_load(load, timeout or (calls / rate + hold_ms / 1000.0 + 120))
