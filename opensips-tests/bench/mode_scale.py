"""--scale: many concurrent tracked dialogs with short session timers and no
BYE; memory per dialog at each step, and every dialog's expiry against its
negotiated interval."""
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from bench.report import log, print_scale
from bench.server import BenchServer, Load, run_load

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
STAMP_ROUTES = """
event_route[E_DLG_STATE_CHANGED] {
	xlog("L_NOTICE", "DLGEV $Ts $Tsm $param(callid) $param(old_state)->$param(new_state)\\n");
}
route[sst_scale_timeout] {
	xlog("L_NOTICE", "DLGTO $Ts $Tsm $DLG_did\\n");
}
"""
STAMP_ACK = """\
		if (is_method("ACK") && loose_route()) {
			xlog("L_NOTICE", "DLGACK $Ts $Tsm $DLG_did\\n");
			t_relay();
			exit;
		}"""
STAMP_TIMEOUT = '\t\tdlg_on_timeout("sst_scale_timeout");'
STAMP_LINE = re.compile(r"DLG(EV|ACK|TO) (\d+) (\d+) (\S+)(?: (\d+)->(\d+))?")
DLG_CONFIRMED, DLG_DELETED = 4, 5  # dialog states (dlg_hash.h DLG_STATE_*)


class ScaleSample(NamedTuple):
    dialogs: int      # dialogs held
    shm_used: int     # shmem:real_used_size with them
    elapsed: float    # seconds since the start


@dataclass
class ScaleRun:
    module: str       # "C module" or "sst-rs"
    so: str
    dialogs: int
    step: int
    rate: int
    se: int           # Session-Expires of every call
    min_se: int
    started: float    # time.time() at the start
    idle: int = 0     # shmem:real_used_size before the first call
    samples: list = field(default_factory=list)  # ScaleSample after each step
    final: dict = field(default_factory=dict)    # statistics after every dialog expired
    errors: list = field(default_factory=list)
    expired: object = None                       # sst's expired_sst
    log_text: str = ""


@dataclass
class DialogStamps:
    """Seconds since the epoch per dialog: from the event_route (by Call-ID)
    when it was confirmed and deleted, and (by dialog id) when its ACK went
    through and when its on-timeout route ran."""
    confirmed: dict = field(default_factory=dict)
    deleted: dict = field(default_factory=dict)
    acked: dict = field(default_factory=dict)
    timed_out: dict = field(default_factory=dict)


@dataclass
class TimerRun:
    """Consecutive deletions of one dialog timer tick."""
    start: float
    end: float
    dialogs: int


@dataclass
class DialogExpiry:
    """Expiry against the negotiated interval, in sorted seconds."""
    stamps: DialogStamps
    sync: list        # on-timeout route − ACK − SE
    late: list        # those outside the tolerance
    via_event: list   # deleted − confirmed − SE, from the event_route
    ipc_lag: list     # deletion event − on-timeout route
    runs: list        # TimerRun, in time order
    run_of: dict      # dialog id -> its TimerRun
    run_start: list = field(default_factory=list)      # its run's start − ACK − SE
    in_run: list = field(default_factory=list)         # deletion − its run's start
    by_ack_group: dict = field(default_factory=dict)   # ACK time group -> [on-timeout − ACK − SE]
    latest: list = field(default_factory=list)         # (lateness, dialog id), the 5 latest


def make_dialogs(args, env):
    """Create the dialogs step by step, then wait for all of them to expire."""
    D, step, rate, se = args.scale_dialogs, args.scale_step, args.scale_rate, args.scale_se
    if se is None:
        # every dialog must still be up when the last one is created
        se = int(D / rate + (D // step) * 8 + 30)
    result = ScaleRun("C module" if args.scale_c else "sst-rs",
                      env.c_so if args.scale_c else env.ours_so,
                      D, step, rate, se, args.scale_min_se, time.time())
    work = os.path.join(env.work, "scale")
    server = BenchServer(work, env.server, env.mpath, result.so, set_flag=True, workers=args.workers,
                         min_se=args.scale_min_se, shm_mb=args.scale_shm_mb, log_level=3,
                         extra_routes=STAMP_ROUTES, within=STAMP_ACK, after_dialog=STAMP_TIMEOUT)
    try:
        server.start()
        result.idle = server.quiesce()["shmem:real_used_size"]
        result.samples.append(ScaleSample(0, result.idle, 0))
        made = 0
        while made < D:
            n = min(step, D - made)
            run_load(Load(work, "step%d" % made, server, n, rate, n, 0, se,
                          uac="uac_nobye.xml", uas="uas_nobye.xml"), n / rate + 120)
            made += n
            s = server.quiesce(want_dialogs=made, timeout=60)
            result.samples.append(ScaleSample(made, s["shmem:real_used_size"], time.time() - result.started))
            log("scale: %d dialogs, shm %d, %.0f B/dialog, t=%.0f s"
                % (made, s["shmem:real_used_size"], (s["shmem:real_used_size"] - result.idle) / made,
                   time.time() - result.started))
        # wait for every dialog to expire
        deadline = time.time() + se + 60
        while time.time() < deadline:
            if server.stats().get("dialog:active_dialogs", 0) == 0:
                break
            time.sleep(2)
        result.final = server.quiesce(timeout=60)
        result.errors = server.error_lines()
        result.expired = result.final.get("sst:expired_sst", result.final.get("expired_sst"))
    finally:
        server.stop(timeout=60)
    result.log_text = server.log_text()
    return result


def _stamp(sec, usec):
    us = int(usec)
    return us / 1e6 if us > 10 ** 12 else int(sec) + us / 1e6  # $Tsm: µs of the second


def read_stamps(log_text):
    """Confirmed (old 3/2 -> 4) and deleted (-> 5) event times, via IPC; and
    the synchronous ACK (arming) and on-timeout (deletion) times."""
    st = DialogStamps()
    for ln in log_text.splitlines():
        m = STAMP_LINE.search(ln)
        if not m:
            continue
        t, cid = _stamp(m.group(2), m.group(3)), m.group(4)
        if m.group(1) == "ACK":
            st.acked[cid] = t
        elif m.group(1) == "TO":
            st.timed_out[cid] = t
        elif int(m.group(6)) == DLG_CONFIRMED:
            st.confirmed[cid] = t
        elif int(m.group(6)) == DLG_DELETED:
            st.deleted[cid] = t
    return st


def timer_runs(timed_out):
    """The timer handler deletes the dialogs due at one tick one after the
    other: on-timeout times grouped into timer runs (gaps < 0.3 s), to tell
    the tick rounding (ACK time within its second: up to 1 s early) from the
    time the run started late and the time spent inside the run."""
    runs, prev, run_of = [], None, {}
    for cid, t in sorted(timed_out.items(), key=lambda kv: kv[1]):
        if prev is None or t - prev > 0.3:
            runs.append(TimerRun(t, t, 0))
        runs[-1].end, prev = t, t
        runs[-1].dialogs += 1
        run_of[cid] = runs[-1]
    return runs, run_of


def analyse_expiry(st, se, tolerance, group_seconds):
    acked, timed_out = st.acked, st.timed_out
    sync = sorted(timed_out[c] - acked[c] - se for c in acked if c in timed_out)
    runs, run_of = timer_runs(timed_out)
    ex = DialogExpiry(
        stamps=st, sync=sync, late=[d for d in sync if abs(d) > tolerance],
        via_event=sorted(st.deleted[c] - st.confirmed[c] - se for c in st.confirmed if c in st.deleted),
        # event_route − on-timeout route, matched by order: both are written in
        # deletion order (the timer handler raises each event right after the
        # route, and a single worker runs the dispatched routes in turn)
        ipc_lag=sorted(e - t for e, t in zip(sorted(st.deleted.values()), sorted(timed_out.values()))),
        runs=runs, run_of=run_of)
    if runs:
        # per dialog: lateness = (run start − ACK − se) + (its place in the run)
        ex.run_start = sorted(run_of[c].start - acked[c] - se for c in acked if c in run_of)
        ex.in_run = sorted(timed_out[c] - run_of[c].start for c in acked if c in run_of)
        # by ACK time: each group spans the 1 s tick; where the window sits
        # moves with the offset between the core's tick counter and the wall
        # clock, which changes between arming and expiry
        t0 = min(acked.values())
        groups = defaultdict(list)
        for c in acked:
            if c in timed_out:
                groups[int((acked[c] - t0) // group_seconds)].append(timed_out[c] - acked[c] - se)
        ex.by_ack_group = dict(groups)
        ex.latest = sorted(((timed_out[c] - acked[c] - se, c) for c in acked if c in timed_out),
                           reverse=True)[:5]
    return ex


def run(args, env):
    """D concurrent tracked dialogs, no BYE, short session timers."""
    sr = make_dialogs(args, env)
    ex = analyse_expiry(read_stamps(sr.log_text), sr.se, args.scale_tolerance, args.scale_group)
    passed = len(ex.sync) == sr.dialogs and not ex.late and not sr.errors
    print_scale(args, env, sr, ex, passed)
    return 0 if passed else 1
