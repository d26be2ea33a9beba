"""Session timing at the end: expired_sst and E_SST_EXPIRED count exactly the
dialogs whose session timer ran out, with and without bye-on-timeout, an
on-timeout route, and a replicated dialog.

Each scenario runs real call flows through the suite's proxy config (record_route(),
setflag, create_dialog(), t_relay()) and reads the dialog over MI ("lifetime" and
"the session in force" as common.py says). What each scenario asserts, and why:

timing-expiry-sst[-bye] / timing-expiry-no-timer[-bye] / timing-expiry-on-timeout-route[-bye]
timing-expiry-replicated[-bye]
    expired_sst and E_SST_EXPIRED count exactly the dialogs that ended because
    their session timer ran out (RFC 4028 sections 10 and 8.3: without a refresh
    the session ends at its expiry), in the plain create_dialog() configuration and
    with the dialog module's bye-on-timeout flag ("B" on 3.x, "bye-on-timeout" on
    4.0), where the dialog module ends the call with BYEs to both legs and runs
    no expired callback. A session timer running out: both legs get a BYE (the
    -bye variants), expired_sst 1, one event. A tracked dialog with no session
    timer that reaches its default_timeout (4 s): expired_sst 0 and no event. A
    dialog whose on-timeout route (dlg_on_timeout) extends it once ($DLG_timeout
    in that route: the dialog module then keeps the dialog) is counted once, when
    it really ends, not when the route ran. Two nodes replicating the dialog
    (dialog_replication_cluster) with a sharing tag active on the first, backup
    on the second: both see it expire, only the active one counts and raises
    (the dialog module runs expiry actions only where the tag is not backup).
"""
import time

from .cluster import cluster_globals, wait_cluster_up
from .common import Problems, checking, events_file, live_dialogs, wait_live
from .infra import Script
from .registry import scenario
from .routes import EXTEND_BY, create_dialog, expiry_globals, expiry_route


# ---------------------------------------------------------------- 1. expiry, counted exactly

def s_expiry(t, kind, bye):
    """`kind` "sst": SE 6 negotiated, nobody refreshes; "no-timer": no session
    timer, the dialog's default_timeout (4 s) ends it; "route": SE 6 and an
    on-timeout route that extends the dialog once by EXTEND_BY s."""
    early = Problems()
    events = events_file(t, early)
    se = 6
    if kind == "no-timer":
        invite, answer, ends, counted = [], None, 4, False
    else:
        invite = ["Session-Expires: %d" % se, "Supported: timer"]
        answer = "Session-Expires: %d;refresher=uac" % se
        ends, counted = (se + EXTEND_BY if kind == "route" else se), True
    seen = {}

    def during(t):
        d = wait_live(t.server)
        seen["callid"] = d.get("callid")
        start = time.time()  # ~ the 200/ACK
        while time.time() - start < ends + 4:
            if kind == "route" and "route_ran" not in seen and t.server.tagged("sst-test"):
                seen["route_ran"] = time.time() - start
                time.sleep(0.7)  # anything counted for the route's run is counted by now
                seen["stat_at_route"], seen["events_at_route"] = t.server.stat("expired_sst"), events()
            if not live_dialogs(t.server):
                seen["gone"] = time.time() - start
                break
            time.sleep(0.2)
        time.sleep(0.7)  # the expiry's callbacks and event
        seen["stat"], seen["events"] = t.server.stat("expired_sst"), events()

    if bye:
        c = t.call("uac_wait_bye.xml", invite, answer_hdr=answer, during=during, timeout=ends + 12)
    else:
        c = t.call("uac_call.xml", invite, answer_hdr=answer, hold_ms=(ends + 5) * 1000,
                   during=during)
    with checking(early) as p:
        p.want(c.uac_rc == 0, "UAC sipp exit %s", c.uac_rc)
        gone = seen.get("gone")
        if gone is None:
            p.append("dialog still there %d s after the answer" % (ends + 4))
        else:
            p.want(ends - 1.5 <= gone <= ends + 2.5, "dialog gone after %.1f s, want ~%d", gone, ends)
        uac_byes = [m for m in c.uac.received() if m.method == "BYE"]
        uas_byes = [m for m in c.uas.received() if m.method == "BYE"] if c.uas else []
        # the proxy's own BYE has one Via; the UAC's, relayed, two
        proxy_byes = [m for m in uas_byes if len(m.all("via")) == 1]
        if bye:
            p.want(len(uac_byes) == 1, "the UAC got %d BYE(s) from the proxy, want 1", len(uac_byes))
            p.want(len(proxy_byes) == 1 and len(uas_byes) == 1,
                   "the UAS got %d BYE(s), %d from the proxy, want one from the proxy",
                   len(uas_byes), len(proxy_byes))
        else:
            p.want(not uac_byes and not proxy_byes, "the proxy sent %d BYE(s) to the UAC, %d to the "
                   "UAS (plain create_dialog())", len(uac_byes), len(proxy_byes))
        want = 1 if counted else 0
        p.want(seen.get("stat") == want, "expired_sst = %s, want %d", seen.get("stat"), want)
        lines = seen.get("events") or []
        if counted:
            p.want(len(lines) == 1 and seen.get("callid", "?") in lines[0],
                   "E_SST_EXPIRED lines %r, want one for Call-ID %s", lines, seen.get("callid"))
        else:
            p.want(not lines, "E_SST_EXPIRED raised %r for a dialog with no session timer", lines)
        if kind == "route":
            ran = seen.get("route_ran")
            if p.want(ran is not None, "the on-timeout route never ran"):
                p.want(se - 1.5 <= ran <= se + 2.5, "the on-timeout route ran after %.1f s, want ~%d",
                       ran, se)
                p.want(seen.get("stat_at_route") == 0 and not seen.get("events_at_route"),
                       "counted when the on-timeout route ran (extended, not ended): expired_sst "
                       "%s, events %r", seen.get("stat_at_route"), seen.get("events_at_route"))
        t.note = "gone after %s s; expired_sst %s; %d event(s); BYEs to UAC/UAS %d/%d" % (
            "%.1f" % gone if gone is not None else "-", seen.get("stat"), len(lines),
            len(uac_byes), len(uas_byes))


# each expiry case in the plain and the bye-on-timeout configuration
for kind, dlg, on_timeout in (("sst", {}, False), ("no-timer", {"default_timeout": 4}, False),
                              ("on-timeout-route", {}, True)):
    for bye in (False, True):
        scenario("timing-expiry-%s%s" % (kind, "-bye" if bye else ""),
                 route=expiry_route(bye, on_timeout), sst={"min_se": 5}, dialog=dlg,
                 args=("route" if on_timeout else kind, bye))(s_expiry)


# ---------------------------------------------------------------- 2. expiry on a replicated dialog

def repl_globals(server):
    """Two clustered nodes (cluster_globals) sharing the tag "vip": the runner's
    server (node 1) active, its peer backup. The dialog module runs expiry
    actions only where the dialog's sharing tag is not backup."""
    state = "active" if server.peer_of is None else "backup"
    return "\n".join([cluster_globals(server), expiry_globals(server),
                      'modparam("clusterer", "sharing_tag", "vip/1=%s")' % state])


def repl_route(bye):
    return Script('\tif (is_method("INVITE")) {\n\t\tsetflag("SST_FLAG");\n\t\t%s\n'
                  '\t\tset_dlg_sharing_tag("vip");\n\t}' % create_dialog(bye),
                  globals=repl_globals, socket_params="tag sip")


@scenario("timing-expiry-replicated", route=repl_route(False), sst={"min_se": 5},
          dialog={"dialog_replication_cluster": 1}, args=(False,))
@scenario("timing-expiry-replicated-bye", route=repl_route(True), sst={"min_se": 5},
          dialog={"dialog_replication_cluster": 1}, args=(True,))
def s_replication_expiry(t, bye):
    # SE 6, nobody refreshes: both nodes hold the dialog and see it expire;
    # only the active node counts it and raises the event (and sends the BYEs)
    a = t.server
    b = a.peer("nodeB")
    se, seen = 6, {}
    with checking() as p:
        try:
            b.start()
            wait_cluster_up([a, b])
            ev_a, ev_b = events_file(t, p), events_file(t, p, b)

            def during(t):
                wait_live(a)
                seen["on_b"] = bool(wait_live(b, secs=3))
                start = time.time()
                while time.time() - start < se + 4 and (live_dialogs(a) or live_dialogs(b)):
                    time.sleep(0.25)
                time.sleep(0.7)  # the expiry's callbacks and event
                seen["a"], seen["b"] = (a.stat("expired_sst"), ev_a()), (b.stat("expired_sst"), ev_b())

            invite = ["Session-Expires: %d" % se, "Supported: timer"]
            answer = "Session-Expires: %d;refresher=uac" % se
            if bye:
                c = t.call("uac_wait_bye.xml", invite, answer_hdr=answer, during=during, timeout=se + 12)
            else:
                c = t.call("uac_call.xml", invite, answer_hdr=answer, hold_ms=(se + 5) * 1000,
                           during=during)
            p.want(c.uac_rc == 0, "UAC sipp exit %s", c.uac_rc)
            for node, (stat, lines), want in (("A (active)", seen.get("a", (None, [])), 1),
                                              ("B (backup)", seen.get("b", (None, [])), 0)):
                p.want(stat == want, "node %s: expired_sst = %s, want %d", node, stat, want)
                p.want(len(lines) == want, "node %s: %d E_SST_EXPIRED line(s), want %d",
                       node, len(lines), want)
            if bye:
                n = len([m for m in c.uac.received() if m.method == "BYE"])
                p.want(n == 1, "the UAC got %d BYE(s), want 1 (from the active node only)", n)
        finally:
            b_alive = b.alive()
            b.stop()
        p.want(not b.proc or b_alive, "node B died (exit %s)", b.proc and b.proc.returncode)
        bad = b.bad_log_lines()
        p.want(not bad, "node B log: %s", bad[0].strip()[:200] if bad else "")
        t.note = "expired_sst/events A %s/%d, B %s/%d" % (
            seen.get("a", (None,))[0], len(seen.get("a", (0, []))[1]),
            seen.get("b", (None,))[0], len(seen.get("b", (0, []))[1]))
