"""Session timing with extreme values: Session-Expires beyond what the dialog
module's timer can hold, max_se, and a 2xx whose Session-Expires is 0 or unreadable.

Each scenario runs real call flows through the suite's proxy config (record_route(),
setflag, create_dialog(), t_relay()) and reads the dialog over MI ("lifetime" and
"the session in force" as common.py says). What each scenario asserts, and why:

timing-huge-se-answer / timing-huge-se-refresh[-bye] / timing-huge-script-interval
    Session-Expires is delta-seconds (RFC 4028 section 4, any number of digits)
    but the dialog module adds the lifetime to its tick counter as a signed int:
    values from about 2^31 on must be clamped, never wrap. A 2xx with SE 4294967295 or
    2147483648: MI timeout after timestart and after now, a NOTICE naming the call
    and saying "clamped to", the call completes. The same value in the 2xx to a
    mid-call re-INVITE: no BYE to either leg, the dialog stays (also with the
    dialog module's bye-on-timeout flag, where a wrapped timer BYEs both legs).
    $sst(interval) written as "4294967295" in the script (a string: an integer
    literal that large does not survive the config parser) -> same checks.

timing-max-se-lowers / timing-max-se-min-se-wins
    max_se 3600 (a proxy may lower Session-Expires, never below Min-SE: RFC 4028
    section 8.1). SE 7200;refresher=uac reaches the UAS as 3600;refresher=uac and
    the lifetime is at most 3600, also when a (non-compliant) UAS answers 7200.
    Min-SE 5000 with SE 7200 reaches the UAS as 5000 and the lifetime follows the
    2xx (5000), not max_se: the session in force wins over the cap.

timing-answer-se-zero / timing-answer-se-unreadable
    A 2xx with Session-Expires 0 or "abc" to a UAC that supports timers: the UAC
    receives exactly one Session-Expires, the one the UAS sent (the header is
    single-valued: RFC 4028 section 4 grammar, RFC 3261 section 7.3.1; the module
    leaves such a 2xx untouched and the call untimed) and the dialog keeps its
    default_timeout.
"""
import time

from .common import SE_1800, check_one_se, checking, clock_state, completed, \
    snap_answer_and_refresh, snap_answered
from .infra import expect
from .registry import scenario
from .routes import DIALOG_ROUTE, expiry_route


# ---------------------------------------------------------------- 1. huge values

def call_id(c):
    """The Call-ID of the call's first INVITE, as the UAC sent it."""
    sent = [m for m in c.uac.messages() if m.direction == "sent"]
    return (sent[0].get("call-id") if sent else None) or "?"


def clamp_notice(t, callid):
    """The NOTICE lines that name the call and say 'clamped to'."""
    return [ln for ln in t.server.log_text().splitlines()
            if "NOTICE" in ln and callid in ln and "clamped to" in ln]


def check_representable(d, p, what):
    """The dialog's timer is after its start and after now (no wrap)."""
    if not d:
        p.append("no live dialog %s" % what)
        return
    p.want(d.get("timeout", 0) > d.get("timestart", 0) and d.get("timeout", 0) > time.time(),
           "%s: the dialog's timer wrapped (%s)", what, clock_state(d))


@scenario("timing-huge-se-answer", route=DIALOG_ROUTE, sst={"min_se": 90})
def s_huge_se_answer(t):
    # a 2xx with SE 2^32-1, then one with 2^31: each call completes, its timer
    # is representable and a NOTICE names the call
    notes = []
    with checking() as p:
        for value in (4294967295, 2147483648):
            seen = {}
            c = t.call("uac_call.xml", SE_1800, answer_hdr="Session-Expires: %d;refresher=uac" % value,
                       hold_ms=2500, during=snap_answered(seen, "d"))
            completed(t, c, p, "SE %d" % value)
            d = seen.get("d")
            check_representable(d, p, "after a 2xx with SE %d" % value)
            callid = call_id(c)
            p.want(clamp_notice(t, callid), "no NOTICE with Call-ID %s and 'clamped to' "
                   "for SE %d", callid, value)
            notes.append("%d: lifetime %s s" % (value, d and d["_life"]))
        t.note = "; ".join(notes)


@scenario("timing-huge-se-refresh", route=DIALOG_ROUTE, sst={"min_se": 90})
# bye-on-timeout: a wrapped timer there means BYEs to both legs at once
@scenario("timing-huge-se-refresh-bye", route=expiry_route(True), sst={"min_se": 90})
def s_huge_se_refresh(t):
    # the same value in the 2xx to a mid-call re-INVITE: nobody gets a BYE
    # from the proxy while the call is held 3 s after it, the dialog stays
    hold, seen = 3000, {}
    during = snap_answer_and_refresh(seen, 2, hold)
    c = t.call("uac_refresh_hold.xml", SE_1800, uas_xml="uas_refresh.xml",
               answer_hdr="Session-Expires: 1800;refresher=uac",
               refresh_answer_hdr="Session-Expires: 4294967295;refresher=uac",
               hold_ms=hold, during=during, timeout=15)
    with checking() as p:
        uac_byes = [m for m in c.uac.received() if m.method == "BYE"]
        p.want(not uac_byes, "the proxy sent the UAC %d BYE(s)", len(uac_byes))
        # the proxy's own BYE has one Via; the UAC's, relayed, two
        uas_byes = [len(m.all("via")) for m in c.uas.received() if m.method == "BYE"]
        p.want(uas_byes == [2], "the UAS got %d BYE(s), %d from the proxy, want only the UAC's",
               len(uas_byes), uas_byes.count(1))
        completed(t, c, p)
        check_representable(seen.get("refreshed"), p, "after the refresh")
        d = seen.get("refreshed")
        callid = call_id(c)
        p.want(clamp_notice(t, callid), "no NOTICE with Call-ID %s and 'clamped to'", callid)
        t.note = "lifetime %s s after the refresh" % (d and d["_life"])


# an integer literal this large does not survive the config parser: a string
HUGE_INTERVAL_ROUTE = DIALOG_ROUTE.replace(
    '\t\tsetflag("SST_FLAG");\n', '\t\t$sst(interval) = "4294967295";\n\t\tsetflag("SST_FLAG");\n')


@scenario("timing-huge-script-interval", route=HUGE_INTERVAL_ROUTE, sst={"min_se": 90})
def s_huge_script_interval(t):
    # the UAC supports timers but asks for none: the proxy requests the script's
    # interval, the UAS's 2xx has none, the proxy adds it (refresher uac)
    seen = {}
    c = t.call("uac_call.xml", ["Supported: timer"], hold_ms=2500, during=snap_answered(seen, "d"))
    with checking() as p:
        completed(t, c, p)
        d = seen.get("d")
        check_representable(d, p, "with $sst(interval) 4294967295")
        callid = call_id(c)
        p.want(clamp_notice(t, callid), "no NOTICE with Call-ID %s and 'clamped to'", callid)
        inv = c.uas_invite()
        t.note = "UAS got SE %s, lifetime %s s" % (inv and inv.all("session-expires"), d and d["_life"])


# ---------------------------------------------------------------- 2. max_se

def held(t, invite_hdrs, answer_hdr):
    """A call held 2.5 s; returns (call, the live dialog after the ACK's handling)."""
    seen = {}
    c = t.call("uac_call.xml", invite_hdrs, answer_hdr=answer_hdr, hold_ms=2500,
               during=snap_answered(seen, "d"))
    return c, seen.get("d")


@scenario("timing-max-se-lowers", route=DIALOG_ROUTE, sst={"min_se": 90, "max_se": 3600})
def s_max_se_lowers(t):
    with checking() as p:
        c, d = held(t, ["Session-Expires: 7200;refresher=uac", "Supported: timer"],
                    "Session-Expires: 3600;refresher=uac")
        completed(t, c, p)
        check_one_se(c.uas_invite(), "UAS", p, 3600, "refresher=uac")
        expect(d, "no live dialog")
        p.want(3590 <= d["_life"] <= 3600, "lifetime %d s, want ~3600", d["_life"])
        # a UAS that answers above the cap anyway: still at most max_se
        c2, d2 = held(t, ["Session-Expires: 7200;refresher=uac", "Supported: timer"],
                      "Session-Expires: 7200;refresher=uac")
        completed(t, c2, p, "second call")
        expect(d2, "no live dialog in the second call")
        p.want(0 < d2["_life"] <= 3600, "a 2xx with 7200 over max_se 3600: lifetime %d s, "
               "want at most 3600", d2["_life"])
        t.note = "UAS got %s; lifetime %d s, %d s when the 2xx says 7200" % (
            c.uas_invite().all("session-expires"), d["_life"], d2["_life"])


@scenario("timing-max-se-min-se-wins", route=DIALOG_ROUTE, sst={"min_se": 90, "max_se": 3600})
def s_max_se_min_se_wins(t):
    with checking() as p:
        c, d = held(t, ["Session-Expires: 7200", "Min-SE: 5000"],
                    "Session-Expires: 5000;refresher=uas")
        completed(t, c, p)
        inv = c.uas_invite()
        check_one_se(inv, "UAS", p, 5000)
        p.want(inv is not None and inv.all("min-se") == ["5000"], "UAS got Min-SE %s, want ['5000']",
               inv and inv.all("min-se"))
        expect(d, "no live dialog")
        p.want(4990 <= d["_life"] <= 5000, "lifetime %d s, want ~5000 (the 2xx's, over max_se)",
               d["_life"])
        t.note = "UAS got %s; lifetime %d s" % (inv.all("session-expires"), d["_life"])


# ---------------------------------------------------------------- 3. SE 0 / unreadable in a 2xx

@scenario("timing-answer-se-zero", route=DIALOG_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600}, args=("0",))
@scenario("timing-answer-se-unreadable", route=DIALOG_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600}, args=("abc",))
def s_answer_se_untouched(t, value):
    with checking() as p:
        c, d = held(t, ["Session-Expires: 1800", "Supported: timer"], "Session-Expires: %s" % value)
        completed(t, c, p)
        ok = c.final()
        got = ok.all("session-expires") if ok else None
        p.want(got == [value], "the UAC's 200 has Session-Expires %s, want exactly ['%s'] "
               "(the UAS's, untouched)", got, value)
        expect(d, "no live dialog")
        p.want(590 <= d["_life"] <= 600, "lifetime %d s, want the dialog's default_timeout 600 "
               "(untimed)", d["_life"])
        t.note = "UAC got Session-Expires %s; lifetime %d s" % (got, d["_life"])
