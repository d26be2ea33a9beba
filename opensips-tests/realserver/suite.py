"""Every real-server scenario, in run order: the files in the order listed here, each
file's scenarios in the order they are written (registry.py)."""
from . import (cap, checkmin, dialog_flows, events, faults, lost, readme_cfg, refresh, replication,
               script_pv, stats, timing_expiry, timing_pkg, timing_refresh, timing_values)
from .registry import in_order

SCENARIOS = in_order([
    checkmin,        # sstCheckMin() in the script
    dialog_flows,    # the dialog path, per RFC 4028 flow
    refresh,         # 422 and PRACK in the dialog
    replication,     # two nodes, dialog replication
    script_pv,       # $sst(...) and $DLG_timeout in the script
    events,          # E_SST_EXPIRED
    stats,           # the sst statistics, over MI and prometheus
    cap,             # max_duration: a call cut at the operator's maximum
    lost,            # dead_call_grace: a refresh answered 481
    faults,          # spoiled state, failed replies, pkg memory used up
    timing_refresh,  # refused refreshes, fork, early dialog
    timing_values,   # huge values, max_se, SE 0 / unreadable
    timing_expiry,   # expiry counted exactly
    timing_pkg,      # pkg memory used up mid-edit
    readme_cfg,      # the README's configs
])
