"""max_duration and $sst(max_duration): the one case where the module cuts a live
call, on the operator's explicit word.

cap-setting[-bye] / cap-per-call[-bye]
    A call answered with Session-Expires 1800 and refreshed (a re-INVITE 4 s
    after the answer, answered 200 with 1800) lasts no longer than its maximum
    duration from the answer: the setting `max_duration` 6, or
    `$sst(max_duration) = 5` set by the script before create_dialog() with the
    setting 0. The refresh does not push the end out. With plain create_dialog()
    the dialog is gone then; with the dialog module's bye-on-timeout flag both
    legs get a BYE from the proxy. capped_sst 1, expired_sst 0 and no
    E_SST_EXPIRED: the session did not run out. The script reads
    `$sst(max_duration)` back in the ACK's route (5 per call, 6 from the setting).
"""
import time

from .common import Problems, checking, events_file, live_dialogs, sst_stats, wait_live
from .infra import Script
from .registry import scenario
from .routes import create_dialog, expiry_globals

HOLD_S = 12


def cap_route(bye, per_call):
    """The documented dialog route, `$sst(max_duration) = 5` first when
    `per_call`; the ACK's route logs `$sst(max_duration)`."""
    first = '$sst(max_duration) = 5;\n\t\t' if per_call else ""
    return Script('\tif (is_method("INVITE")) {\n\t\t%ssetflag("SST_FLAG");\n\t\t%s\n\t}'
                  % (first, create_dialog(bye)),
                  within='\t\tif (is_method("ACK") && loose_route()) {\n\t\t\txlog("L_NOTICE", '
                         '"sst-test: max_duration=$sst(max_duration)\\n");\n\t\t\tt_relay();\n'
                         '\t\t\texit;\n\t\t}\n',
                  globals=expiry_globals)


def s_cap(t, bye, per_call):
    early = Problems()
    events = events_file(t, early)
    cap = 5 if per_call else 6
    seen = {}

    def during(t):
        wait_live(t.server)
        start = time.time()  # ~ the 200/ACK
        while time.time() - start < cap + 5:
            if not live_dialogs(t.server):
                seen["gone"] = time.time() - start
                break
            time.sleep(0.2)
        time.sleep(0.7)  # the end's callbacks
        seen["stats"], seen["events"] = sst_stats(t.server), events()

    hdrs = ["Session-Expires: 1800", "Supported: timer"]
    answer = "Session-Expires: 1800;refresher=uac"
    if bye:
        c = t.call("uac_wait_bye.xml", hdrs, answer_hdr=answer, during=during, timeout=cap + 12)
    else:
        # a refresh 4 s after the answer (before the maximum), the BYE 4 s
        # later (after it: the dialog is gone by then)
        c = t.call("uac_refresh_hold.xml", hdrs, uas_xml="uas_refresh.xml", answer_hdr=answer,
                   refresh_answer_hdr=answer, hold_ms=4000, during=during, timeout=HOLD_S + 8)
    with checking(early) as p:
        if bye:
            p.want(c.uac_rc == 0, "UAC sipp exit %s (it waits for the proxy's BYE)", c.uac_rc)
            uac_byes = [m for m in c.uac.received() if m.method == "BYE"]
            uas_byes = [m for m in c.uas.received() if m.method == "BYE" and len(m.all("via")) == 1]
            p.want(len(uac_byes) == 1 and len(uas_byes) == 1, "BYEs from the proxy to UAC/UAS %d/%d, "
                   "want 1/1", len(uac_byes), len(uas_byes))
        gone = seen.get("gone")
        if p.want(gone is not None, "dialog still there %d s after the answer (max_duration %d)",
                  cap + 5, cap):
            p.want(cap - 1.5 <= gone <= cap + 2, "dialog gone after %.1f s, want ~%d", gone, cap)
        st = seen.get("stats", {})
        p.want(st.get("capped_sst") == 1 and st.get("expired_sst") == 0 and st.get("active_sst") == 0,
               "capped_sst %s, expired_sst %s, active_sst %s; want 1, 0, 0", st.get("capped_sst"),
               st.get("expired_sst"), st.get("active_sst"))
        p.want(not seen.get("events"), "E_SST_EXPIRED raised %r at the maximum duration", seen.get("events"))
        logged = t.server.tagged("sst-test")
        p.want(logged[:1] == ["max_duration=%d" % cap], "$sst(max_duration) in the ACK's route: %r, "
               "want %d", logged, cap)
    t.note = "gone after %s s (max_duration %d); capped_sst %s" % (
        "%.1f" % seen["gone"] if "gone" in seen else "-", cap, seen.get("stats", {}).get("capped_sst"))


for per_call in (False, True):
    for bye in (False, True):
        scenario("cap-%s%s" % ("per-call" if per_call else "setting", "-bye" if bye else ""),
                 route=cap_route(bye, per_call),
                 sst={"min_se": 90, "max_duration": 0 if per_call else 6},
                 args=(bye, per_call))(s_cap)
