"""The default mode: the C sst.so and sst-rs through the same server, compared
by (a) instructions per call inside the module (callgrind) and (b) shared
memory per tracked dialog."""
import os
from dataclasses import dataclass
from typing import Optional

from bench.callgrind import CallgrindRun, measure_module_cost
from bench.memory import ShmPerDialog, measure_shm_per_dialog
from bench.report import log, print_compare


@dataclass
class ModuleResults:
    """Everything measured of one module."""
    label: str                                    # "C" or "sst-rs"
    so: str                                       # its file
    callgrind: Optional[CallgrindRun] = None
    shm_tracked: Optional[ShmPerDialog] = None    # sst flag set on the INVITE
    shm_dialog_only: Optional[ShmPerDialog] = None  # sst flag not set

    def shm(self, sst_flag):
        return self.shm_tracked if sst_flag else self.shm_dialog_only

    def sst_bytes_per_dialog(self):
        """What tracking a dialog costs the module: flag set minus not set."""
        return self.shm_tracked.per_dialog - self.shm_dialog_only.per_dialog


def run(args, env):
    """Both modules under callgrind, then each with and without the sst flag
    for shm; the report compares them."""
    modules = [ModuleResults("C", env.c_so), ModuleResults("sst-rs", env.ours_so)]

    if not args.skip_callgrind:
        for m in modules:
            work = os.path.join(env.work, "cg-" + m.label)
            m.callgrind = measure_module_cost(env, m.label, m.so, work, args.calls, args.warmup,
                                              args.cg_rate, args.allocator)

    if not args.skip_shm:
        for m in modules:
            for flag in (True, False):
                work = os.path.join(env.work, "shm-%s-%s" % (m.label, "flag" if flag else "noflag"))
                r = measure_shm_per_dialog(env, m.so, flag, work, args.held, args.held_rate,
                                           args.workers, args.shm_mb, args.allocator)
                log("%s %s: idle %d, %d held %d, after %d -> %.1f B/dialog"
                    % (m.label, "flag" if flag else "no flag", r.idle, args.held, r.held, r.after,
                       r.per_dialog))
                if flag:
                    m.shm_tracked = r
                else:
                    m.shm_dialog_only = r

    print_compare(args, env, *modules)
    return 0
