"""dead_call_grace: a refresh answered 481 (the far end lost the dialog, RFC 3261
section 12.2.1.2) ends the call soon after, not at the old expiry.

lost-481[-bye]
    A call answered with Session-Expires 1800; 1 s later the UAC's UPDATE refresh
    is answered 481 by the UAS, and the UAC never sends its BYE. With
    dead_call_grace 3 the dialog is gone ~3 s after the 481 (the module re-arms
    the dialog timer from the reply, as `$DLG_timeout` would, since the dialog
    module re-arms only after requests), not after 1800 s; with bye-on-timeout
    both legs get the proxy's BYE then. lost_sst 1, refresh_refused_sst 1,
    expired_sst 0 and no E_SST_EXPIRED: no session ran out.

lost-off
    The same flow with dead_call_grace 0: the call keeps its session (lifetime
    still ~1800 s 4 s after the 481), lost_sst 0.

lost-unanswered[-bye]
    The same flow, but the UAS never answers the UPDATE: the proxy's own tm
    answers the UAC 408 after fr_timeout (no dialog callback runs for a reply
    tm makes itself; the module's tm callback on the refresh's transaction
    sees it). The dialog is gone ~3 s after that 408, the same statistics.
"""
import re
import time

from .common import Problems, checking, events_file, lifetime, live_dialogs, sst_stats, wait_live
from .infra import CFG_TEMPLATE, Script
from .registry import scenario
from .routes import create_dialog, expiry_globals

GRACE = 3
# When tm gives up on a request nobody answers: the test server's own setting.
FR_TIMEOUT = int(re.search(r'modparam\("tm", "fr_timeout", (\d+)\)', open(CFG_TEMPLATE).read()).group(1))


def lost_route(bye):
    return Script('\tif (is_method("INVITE")) {\n\t\tsetflag("SST_FLAG");\n\t\t%s\n\t}'
                  % create_dialog(bye), globals=expiry_globals)


def s_lost(t, bye, grace, unanswered=False):
    early = Problems()
    events = events_file(t, early)
    seen = {}

    def during(t):
        wait_live(t.server)
        # the UPDATE goes 1 s after the ACK (-d 1000), its 481 at once, tm's
        # own 408 fr_timeout later
        start = time.time() + 1.0 + (FR_TIMEOUT if unanswered else 0)
        while time.time() - start < GRACE + 5:
            ds = live_dialogs(t.server)
            if not ds:
                seen["gone"] = time.time() - start
                break
            if time.time() - start > GRACE + 1:
                seen.setdefault("later", lifetime(ds[0]))
            time.sleep(0.2)
        time.sleep(0.7)  # the end's callbacks
        seen["stats"], seen["events"] = sst_stats(t.server), events()

    hdrs = ["Session-Expires: 1800", "Supported: timer"]
    answer = "Session-Expires: 1800;refresher=uac"
    uac = "uac_refresh_lost%s.xml" % ("_bye" if bye else "")
    uas = "uas_refresh_%s%s.xml" % ("unanswered" if unanswered else "lost", "_bye" if bye else "")
    c = t.call(uac, hdrs, uas_xml=uas, answer_hdr=answer, hold_ms=1000, during=during,
               timeout=GRACE + 12 + (FR_TIMEOUT if unanswered else 0))
    refusal = "tm's 408" if unanswered else "481"
    st = seen.get("stats", {})
    with checking(early) as p:
        p.want(c.uac_rc == 0, "UAC sipp exit %s", c.uac_rc)
        if grace:
            gone = seen.get("gone")
            if p.want(gone is not None, "dialog still there %d s after the %s (lifetime then %s s)",
                      GRACE + 5, refusal, seen.get("later")):
                p.want(GRACE - 1.5 <= gone <= GRACE + 2, "dialog gone %.1f s after the %s, want ~%d",
                       gone, refusal, GRACE)
            if bye:
                uac_byes = [m for m in c.uac.received() if m.method == "BYE"]
                uas_byes = [m for m in c.uas.received() if m.method == "BYE"]
                p.want(len(uac_byes) == 1 and len(uas_byes) == 1, "BYEs from the proxy to UAC/UAS "
                       "%d/%d, want 1/1", len(uac_byes), len(uas_byes))
            want = {"lost_sst": 1, "refresh_refused_sst": 1, "expired_sst": 0, "active_sst": 0}
        else:
            later = seen.get("later")
            p.want(later is not None and later > 1700, "dead_call_grace 0: lifetime %s s after "
                   "the 481, want the session's ~1800", later)
            want = {"lost_sst": 0, "refresh_refused_sst": 1, "expired_sst": 0}
        bad = "; ".join("%s = %s, want %s" % (k, st.get(k), v) for k, v in sorted(want.items())
                        if st.get(k) != v)
        p.want(not bad, "statistics: %s", bad)
        p.want(not seen.get("events"), "E_SST_EXPIRED raised %r for a lost call", seen.get("events"))
    t.note = "gone %s s after the %s; lost_sst %s" % (
        "%.1f" % seen["gone"] if "gone" in seen else "-", refusal, st.get("lost_sst"))


for bye in (False, True):
    scenario("lost-481%s" % ("-bye" if bye else ""), route=lost_route(bye),
             sst={"min_se": 90, "dead_call_grace": GRACE}, args=(bye, True))(s_lost)
for bye in (False, True):
    scenario("lost-unanswered%s" % ("-bye" if bye else ""), route=lost_route(bye),
             sst={"min_se": 90, "dead_call_grace": GRACE}, args=(bye, True, True))(s_lost)
scenario("lost-off", route=lost_route(False), sst={"min_se": 90, "dead_call_grace": 0},
         args=(False, False))(s_lost)
