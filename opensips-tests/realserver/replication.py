"""Two nodes replicating the dialog over clusterer (dialog_replication_cluster):
the sst context and the expiry travel with it, through a refresh too."""
import json
import time

from .cluster import cluster_globals, wait_cluster_up
from .common import check_sst, checking, completed, lifetime, live_dialogs, snap, sst_of, \
    sst_stats, stats_differ, wait_cseq, wait_live, wait_stats
from .infra import Script
from .registry import scenario
from .routes import DIALOG_ROUTE

# The nodes listen on different ports of one address, so each dialog's socket is
# replicated by its tag (get_socket_internal_name): without one, B refuses the dialog
# ("Replicated dialog doesn't match caller's listening socket").
CLUSTER_ROUTE = Script(DIALOG_ROUTE, globals=cluster_globals, socket_params="tag sip")


@scenario("dialog-replication-cluster", route=CLUSTER_ROUTE, sst={"min_se": 90},
          dialog={"dialog_replication_cluster": 1})
def s_dialog_replication(t):
    # State in the replicated dialog value: node A (the runner's server) and node B,
    # dialog_replication_cluster 1. A call through A, SE 1800 answered 1800;refresher=uac:
    # B must show the dialog with the same sst context (interval 1800) and expiry.
    # A refresh through A answered with SE 900: B's sst interval must follow (900), and
    # so must B's dialog expiry (a failover to B must neither kill a live call early
    # nor keep a dead one for the old interval).
    a = t.server
    b = a.peer("nodeB")
    seen = {}
    with checking() as p:
        try:
            b.start()
            wait_cluster_up([a, b])

            def during(t):
                wait_live(a)
                wait_live(b, secs=3)
                time.sleep(0.5)  # the ACK's replicated update
                seen["a1"], seen["b1"] = snap(a), snap(b)
                seen["gauges"] = (sst_stats(a).get("active_sst"), sst_stats(b).get("active_sst"))
                wait_cseq(a, 2, 3000 / 1000 + 3)  # the refresh re-INVITE on A
                deadline = time.time() + 2
                while time.time() < deadline:  # its 200 (value) and ACK (timer) on A
                    ds = live_dialogs(a)
                    if ds and abs(lifetime(ds[0]) - 900) <= 5:
                        break
                    time.sleep(0.1)
                time.sleep(0.7)  # whatever A replicates for it
                seen["a2"], seen["b2"] = snap(a), snap(b)

            c = t.call("uac_refresh_hold.xml", ["Session-Expires: 1800", "Supported: timer"],
                       uas_xml="uas_refresh.xml", answer_hdr="Session-Expires: 1800;refresher=uac",
                       refresh_answer_hdr="Session-Expires: 900;refresher=uac",
                       hold_ms=3000, during=during, timeout=14)
            completed(t, c, p, None)
            a1, b1, a2, b2 = (seen.get(k) for k in ("a1", "b1", "a2", "b2"))
            if not (a1 and b1):
                p.append("no dialog on %s after the answer" % ("B" if a1 else "A"))
            else:
                if sst_of(b1) != sst_of(a1):
                    p.append("after the answer B's sst %s, A's %s"
                             % (json.dumps(sst_of(b1)), json.dumps(sst_of(a1))))
                check_sst(sst_of(b1), p, requester_flags=1, supported_flags=1, interval=1800)
                if abs(b1.get("timeout", 0) - a1.get("timeout", 0)) > 2 or \
                        not 1790 <= b1["_life"] <= 1800:
                    p.append("after the answer B's lifetime %d s, A's %d s, want ~1800"
                             % (b1["_life"], a1["_life"]))
            if a1 and b1:
                if not (a2 and b2):
                    p.append("no dialog on %s after the refresh" % ("B" if a2 else "A"))
                else:
                    if not 890 <= a2["_life"] <= 900:
                        p.append("after the refresh A's lifetime %d s, want ~900" % a2["_life"])
                    # OpenSIPS 3.4 replicates dialog values only with in-dialog
                    # requests, not when they change (3.6+ does): B shows the 2xx's
                    # interval only after the next request; its expiry below is
                    # still checked the same way.
                    stale_ok = a.release() < (3, 6)
                    check_sst(sst_of(b2), p, requester_flags=1,
                              interval=(lambda v: v in (900, 1800)) if stale_ok else 900)
                    # The dialog module replicates the expiry with requests, not with
                    # the ACK that arms the 2xx's value on A: B holds the expiry armed
                    # at the refresh request (its proposed SE, 1800). A failover must
                    # never end the call earlier than A would; at most 1800 from the
                    # refresh.
                    if b2.get("timeout", 0) < a2.get("timeout", 0) - 2:
                        p.append("after the refresh B expires earlier than A (%d s vs %d s)"
                                 % (b2["_life"], a2["_life"]))
                    if not b2["_life"] <= 1800:
                        p.append("after the refresh B's lifetime %d s, want at most the "
                                 "proposed 1800" % b2["_life"])
            # the BYE through A ends the dialog on B as well
            deadline = time.time() + 3
            while live_dialogs(b) and time.time() < deadline:
                time.sleep(0.1)
            if live_dialogs(b):
                p.append("B still lists the dialog after the BYE")
            # the gauge, like the dialog module's active_dialogs, counts the
            # dialogs each node holds; the counters only where messages pass
            p.want(seen.get("gauges") == (1, 1), "active_sst on A and B during the call %s, "
                   "want 1 on each (each holds the dialog)", seen.get("gauges"))
            for node, want in ((a, {"active_sst": 0, "refreshed_sst": 1}),
                               (b, {"active_sst": 0, "refreshed_sst": 0})):
                bad = stats_differ(wait_stats(node, want), want)
                p.want(not bad, "node %s after the call: %s", "A" if node is a else "B", bad)
        finally:
            b_alive = b.alive()
            b.stop()
        if b.proc and not b_alive:
            p.append("node B died (exit %s)" % b.proc.returncode)
        bad = b.bad_log_lines()
        if bad:
            p.append("node B log: " + bad[0].strip()[:200])
        if p and seen.get("b2"):
            p.append("(B after the refresh: sst %s, lifetime %d s)"
                     % (json.dumps(sst_of(seen["b2"])), seen["b2"]["_life"]))
    t.note = "B: sst %s lifetime %d s after the answer, sst %s lifetime %d s after the refresh" % (
        json.dumps(sst_of(seen["b1"])), seen["b1"]["_life"],
        json.dumps(sst_of(seen["b2"])), seen["b2"]["_life"])
