"""Session timing in whole call flows: a live call is never cut, a dead one never kept.

Each scenario runs real call flows through the suite's proxy config (record_route(),
setflag, create_dialog(), t_relay()) and reads the dialog over MI. "Lifetime" is the
dialog's MI `timeout` minus now; "the session in force" is the interval the last
*successful* refresh (or the answer) settled, counted from that moment.

What each scenario asserts, and why:

timing-refused-refresh-caller / timing-refused-refresh-callee
    A refresh that fails is no refresh (RFC 4028 section 10: the session interval
    changes only with a 2xx to the refresh; sections 7.4 and 9 for who refreshes).
    Call set up with Session-Expires 1800;refresher=uac (min_se 90), then, from the
    caller and from the callee side: re-INVITE SE 90 answered 488, UPDATE SE 100
    answered 500, re-INVITE answered 491, re-INVITE never answered (the proxy's
    transaction answers 408), re-INVITE CANCELled after its 180 (487), then a
    plain in-dialog request (OPTIONS / INFO). The dialog's expiry never moves
    before the 1800 s one at any sample taken while this happens (the dialog
    module re-arms its timer after every request callback, so the module must arm
    at least what is left of the session in force). A good refresh still works:
    re-INVITE SE 600 answered 200 with 600 -> lifetime ~600 after its ACK.

timing-fork-second-2xx
    Parallel fork, two branches answering 200 (RFC 3261 section 13.2.2.4: the UAC
    may get several 2xx and keeps one dialog; RFC 4028 section 8.2: the proxy reads
    the 2xx of the session it keeps). Leg 1 answers SE 1800;refresher=uac, leg 2 a
    second later SE 90;refresher=uas (the UAC ACKs and BYEs leg 2). The dialog's sst
    context stays interval 1800 / refresher uac, the lifetime ~1800, also after the
    next in-dialog request on leg 1.

timing-early-prack-no-timer / timing-early-update-no-timer
    The session timer starts with the 2xx to the INVITE (RFC 4028 sections 8.2,
    7.2): a call whose final 2xx has no Session-Expires and whose UAC does not
    support timers has no session timer, whatever an early-dialog request (PRACK
    after a reliable 183, RFC 3262; an early UPDATE carrying SE, RFC 3311) said.
    min_se 1800, the proxy inserts SE 1800, dialog default_timeout 7200 -> the
    lifetime is the dialog's own 7200, never 1800.

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

fault-422-reply-fails (in scenarios.py, its expectation changed)
    sstCheckMin(1) returns -3 when the interval is too small and the 422 (RFC
    4028 section 6) could not be sent: the request still needs a final response
    (RFC 3261 section 8.2), and -3 is false in the script, so the documented
    `if (sstCheckMin(1)) exit;` goes on and the script answers the caller itself.

timing-pkg-raise-se
    With pkg memory used up while the proxy raises a Session-Expires below min_se
    (RFC 4028 section 8.1), the UAS never gets an SE without a number: each edit
    of a header happens whole or not at all.
"""
import contextlib
import json
import os
import time

from .infra import Fail, Script, Sipp, expect, expect_completed, _stop
from .scenarios import (DIALOG_ROUTE, check_one_se, check_sst, cluster_globals, live_dialogs,
                        lifetime, se_value, snap, snap_answer_and_refresh, sst_of,
                        wait_cluster_up, wait_live)


# ---------------------------------------------------------------- helpers

class Problems(list):
    """What a scenario found wrong, one reason per entry (the scenarios.py checks
    append to a list, so this is one)."""

    def want(self, cond, reason, *args):
        if not cond:
            self.append(reason % args if args else reason)
        return cond


@contextlib.contextmanager
def checking(p=None):
    """`with checking() as p:` collect problems in p; at the end one Fail with all
    of them (a Fail raised inside is kept as the last one). `p`: problems found
    before the block, kept first."""
    p = Problems() if p is None else p
    try:
        yield p
    except Fail as e:
        p.append(str(e))
    expect(not p, "; ".join(p))


def completed(t, c, p, what="call"):
    try:
        expect_completed(t, c)
    except Fail as e:
        p.append("%s: %s" % (what, e))


def dialog_json(d):
    """The fields of a dialog worth printing when a check fails."""
    keys = ("state", "timestart", "timeout")
    out = {k: d.get(k) for k in keys}
    out["sst"] = sst_of(d)
    return json.dumps(out)


def leg_cseq(d, side):
    """The CSeq of the last in-dialog request from the "caller" or the "callee" as
    dlg_list shows it (the callee's at the top level, the caller's per callee leg)."""
    where = d if side == "callee" else (d.get("CALLEES") or [{}])[0]
    try:
        return int(where.get(side + "_cseq") or 0)
    except ValueError:
        return 0


def watch(server, secs, stop=None, period=0.15):
    """Sample the first live dialog every `period` s for at most `secs` s (or until
    stop(sample) is true, or no live dialog is left once one was seen). Each
    sample: the dialog with "_at" (wall clock) and "_life" (lifetime then)."""
    samples, seen = [], False
    deadline = time.time() + secs
    while time.time() < deadline:
        ds = live_dialogs(server)
        now = time.time()
        if ds:
            seen = True
            d = ds[0]
            d["_at"], d["_life"] = now, lifetime(d)
            samples.append(d)
            if stop and stop(d):
                break
        elif seen:
            break
        time.sleep(period)
    return samples


def clock_state(d):
    """'timeout T, timestart S, now N' for a failure line."""
    return "timeout %s, timestart %s, now %d" % (d.get("timeout"), d.get("timestart"), time.time())


def events_file(t, problems, server=None):
    """Subscribe a flatstore file to E_SST_EXPIRED on `server` (the scenario's by
    default); returns a reader of its lines. A server that has no such event
    (the C module) is one problem, and the scenario goes on without events."""
    server = server or t.server
    path = os.path.join(server.work, "events.log")
    try:
        server.mi("event_subscribe", {"event": "E_SST_EXPIRED", "socket": "flatstore:" + path})
    except Fail as e:
        problems.append("cannot subscribe to E_SST_EXPIRED: %s" % e)

    def lines():
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [ln for ln in f.read().splitlines() if ln.strip()]
    return lines


# ---------------------------------------------------------------- 1. refused refreshes

SE_1800 = ["Session-Expires: 1800;refresher=uac", "Supported: timer"]
ANSWER_1800 = "Session-Expires: 1800;refresher=uac"

# the steps of uac_refused_refreshes.xml / uas_callee_refreshes.xml, by the
# sender's CSeq offset from its first in-dialog request
REFUSED_STEPS = ["re-INVITE SE 90 answered 488", "UPDATE SE 100 answered 500",
                 "re-INVITE SE 90 answered 491", "re-INVITE SE 90 unanswered (408)",
                 "re-INVITE SE 90 CANCELled (487)", "%s after them", "re-INVITE SE 600 answered 200"]
STEP_LABELS = ["488", "500", "491", "408", "487"]


def refused_refreshes(t, side):
    """Item 1 from the caller (`side` "caller") or the callee ("callee")."""
    if side == "caller":
        uac_xml, uas_xml, first, plain = ("uac_refused_refreshes.xml",
                                           "uas_refused_refreshes.xml", 2, "OPTIONS")
    else:
        uac_xml, uas_xml, first, plain = ("uac_callee_refreshes.xml",
                                           "uas_callee_refreshes.xml", 101, "INFO")
    steps = [s % plain if "%s" in s else s for s in REFUSED_STEPS]
    good = first + len(steps) - 1  # the CSeq of the good refresh
    seen = {}

    def during(t):
        wait_live(t.server)
        time.sleep(0.5)  # the ACK's handling
        seen["samples"] = watch(t.server, 25, stop=lambda d: leg_cseq(d, side) > good)

    c = t.call(uac_xml, SE_1800, uas_xml=uas_xml, answer_hdr=ANSWER_1800, during=during,
               timeout=30)
    with checking() as p:
        completed(t, c, p)
        samples = seen.get("samples") or []
        expect(samples, "no live dialog sampled during the call")
        base = samples[0]
        p.want(1790 <= base["_life"] <= 1800, "lifetime %d s once answered, want ~1800 (%s)",
               base["_life"], dialog_json(base))
        expiry = base["timeout"]  # the 1800 s session's end
        shift, low = {}, {}  # per step: the earliest expiry seen, relative to the session's
        for d in samples:
            n = leg_cseq(d, side) - first
            if 0 <= n < len(steps) - 1:
                shift[n] = min(shift.get(n, 0), d["timeout"] - expiry)
                if d["timeout"] < expiry - 2 and shift[n] == d["timeout"] - expiry:
                    low[n] = d
        for n, d in sorted(low.items()):
            p.append("at the %s's %s: lifetime %d s, the session had %d s left"
                     % (side, steps[n], d["_life"], expiry - d["_at"]))
        phases = {leg_cseq(d, side) - first for d in samples}
        p.want(set(range(len(steps))) <= phases, "the dialog saw %s CSeqs %s only, want %d steps",
               side, sorted(x + first for x in phases), len(steps))
        # the good refresh: ~600 once its ACK went through (the last samples)
        after = [d for d in samples if leg_cseq(d, side) - first == len(steps) - 1]
        last = after[-1] if after else None
        if last is not None:
            p.want(590 <= last["_life"] <= 600, "after the good refresh (SE 600): lifetime %d s, "
                   "want ~600 (%s)", last["_life"], dialog_json(last))
            check_sst(sst_of(last), p, interval=600)
        t.note = "expiry shift per step (s): %s; %s s after the good refresh" % (
            " ".join("%s:%+d" % (STEP_LABELS[n] if n < 5 else plain, v)
                     for n, v in sorted(shift.items())),
            last["_life"] if last else "-")


# ---------------------------------------------------------------- 2. parallel fork

def release_routes(server):
    """Script routes whose text depends on the server release, for the global
    section (core functions only: the dialog module is not loaded there yet):
    route(sst_test_fork) adds the branch named in X-Fork (append_branch() until
    3.4, append_msg_branch() from 3.6 on); route(sst_test_bye) sets
    $var(bye_flag) to the dialog module's bye-on-timeout flag ("B" on 3.x,
    "bye-on-timeout" on 4.0) for create_dialog("$var(bye_flag)")."""
    rel = server.release()
    return ("route[sst_test_fork] {\n\tif (is_present_hf(\"X-Fork\"))\n\t\t%s(\"$hdr(X-Fork)\");\n}\n"
            "route[sst_test_bye] {\n\t$var(bye_flag) = \"%s\";\n}\n"
            % ("append_branch" if rel < (3, 6) else "append_msg_branch",
               "B" if rel < (4, 0) else "bye-on-timeout"))


# the INVITE names the second branch in X-Fork (its port is known only at run time)
FORK_ROUTE = Script(DIALOG_ROUTE.replace("\t\tcreate_dialog();\n",
                                         "\t\tcreate_dialog();\n\t\troute(sst_test_fork);\n"),
                    globals=release_routes)


def s_fork_second_2xx(t):
    # leg 1 answers at once (and is ACKed), leg 2 a second later; the UAC ACKs and
    # BYEs leg 2 and keeps leg 1 (an OPTIONS on it after the hold)
    leg1 = Sipp(t.work, "uas-leg1", "uas_call_options.xml",
                {"hdr1": "Session-Expires: 1800;refresher=uac"}, timeout=20)
    leg2 = Sipp(t.work, "uas-leg2", "uas_late_answer.xml",
                {"hdr1": "Session-Expires: 90;refresher=uas"}, timeout=20)
    leg1.start()
    leg2.start()
    time.sleep(0.3)
    uac = Sipp(t.work, "uac-fork", "uac_fork.xml",
               {"uas_port": str(leg1.port), "hdr1": SE_1800[0], "hdr2": SE_1800[1],
                "hdr3": "X-Fork: sip:uas2@127.0.0.1:%d" % leg2.port},
               remote="127.0.0.1:%d" % t.server.port, hold_ms=3000, timeout=20)
    uac.start()
    seen = {}
    try:
        wait_live(t.server)
        # leg 2's 200 comes 1 s after leg 1's, its ACK and BYE right after
        time.sleep(2.0)
        seen["after_leg2"] = snap(t.server)
        deadline = time.time() + 5
        while time.time() < deadline:  # the OPTIONS on leg 1 (CSeq 3)
            d = snap(t.server)
            if d and leg_cseq(d, "caller") >= 3:
                time.sleep(0.3)
                seen["after_options"] = snap(t.server)
                break
            time.sleep(0.1)
    finally:
        uac_rc = uac.wait()
        rcs = [_stop(leg, 2) for leg in (leg1, leg2)]
    with checking() as p:
        p.want(uac_rc == 0, "UAC sipp exit %s", uac_rc)
        p.want(rcs == [0, 0], "UAS sipp exits (leg 1, leg 2) %s", rcs)
        oks = [m for m in uac.received() if m.code == 200 and "INVITE" in (m.get("cseq") or "")]
        p.want(len({m.get("to") for m in oks}) == 2, "the UAC got 2xx from %d leg(s), want 2",
               len({m.get("to") for m in oks}))
        for key in ("after_leg2", "after_options"):
            d = seen.get(key)
            if not d:
                p.append("no live dialog %s" % key.replace("_", " "))
                continue
            p.want(1790 - 5 <= d["_life"] <= 1800, "%s: lifetime %d s, want ~1800 (%s)",
                   key.replace("_", " "), d["_life"], dialog_json(d))
            check_sst(sst_of(d), p, interval=1800, refresher="uac")
        t.note = "after leg 2's 200: sst %s, lifetime %s s; after the OPTIONS on leg 1: %s s" % (
            json.dumps(sst_of(seen.get("after_leg2"))),
            (seen.get("after_leg2") or {}).get("_life"), (seen.get("after_options") or {}).get("_life"))


# ---------------------------------------------------------------- 3. early dialog

def early_no_timer(t, uac_xml, uas_xml, uac_keys=None):
    """A UAC without timer support (100rel only), no SE: the proxy inserts 1800;
    the final 200 has no SE -> no session timer, the dialog's default_timeout."""
    seen, hold = {}, 2500

    def during(t):
        wait_live(t.server)
        time.sleep(0.5)  # the ACK's handling
        seen["answered"] = snap(t.server)

    c = t.call(uac_xml, ["Supported: 100rel"], uas_xml=uas_xml, hold_ms=hold, during=during,
               timeout=12, uac_keys=uac_keys)
    with checking() as p:
        completed(t, c, p)
        inv = c.uas_invite()
        check_one_se(inv, "UAS", p, 1800)
        p.want(any(m.method == "PRACK" for m in c.uas.received()), "no PRACK reached the UAS")
        d = seen.get("answered")
        expect(d, "no live dialog once answered")
        p.want(7190 <= d["_life"] <= 7200, "lifetime %d s once answered, want the dialog's "
               "default_timeout 7200 (no session timer)", d["_life"])
        t.note = "lifetime %d s, sst %s" % (d["_life"], json.dumps(sst_of(d)))


# ---------------------------------------------------------------- 4. huge values

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


def s_huge_se_answer(t):
    # a 2xx with SE 2^32-1, then one with 2^31: each call completes, its timer
    # is representable and a NOTICE names the call
    notes = []
    with checking() as p:
        for value in (4294967295, 2147483648):
            seen = {}

            def during(t):
                wait_live(t.server)
                time.sleep(0.5)  # the ACK's handling
                seen["d"] = snap(t.server)

            c = t.call("uac_call.xml", SE_1800, answer_hdr="Session-Expires: %d;refresher=uac" % value,
                       hold_ms=2500, during=during)
            completed(t, c, p, "SE %d" % value)
            d = seen.get("d")
            check_representable(d, p, "after a 2xx with SE %d" % value)
            callid = call_id(c)
            p.want(clamp_notice(t, callid), "no NOTICE with Call-ID %s and 'clamped to' "
                   "for SE %d", callid, value)
            notes.append("%d: lifetime %s s" % (value, d and d["_life"]))
        t.note = "; ".join(notes)


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


def s_huge_script_interval(t):
    # the UAC supports timers but asks for none: the proxy requests the script's
    # interval, the UAS's 2xx has none, the proxy adds it (refresher uac)
    seen = {}

    def during(t):
        wait_live(t.server)
        time.sleep(0.5)
        seen["d"] = snap(t.server)

    c = t.call("uac_call.xml", ["Supported: timer"], hold_ms=2500, during=during)
    with checking() as p:
        completed(t, c, p)
        d = seen.get("d")
        check_representable(d, p, "with $sst(interval) 4294967295")
        callid = call_id(c)
        p.want(clamp_notice(t, callid), "no NOTICE with Call-ID %s and 'clamped to'", callid)
        inv = c.uas_invite()
        t.note = "UAS got SE %s, lifetime %s s" % (inv and inv.all("session-expires"), d and d["_life"])


# ---------------------------------------------------------------- 4. max_se

def held(t, invite_hdrs, answer_hdr):
    """A call held 2.5 s; returns (call, the live dialog after the ACK's handling)."""
    seen = {}

    def during(t):
        wait_live(t.server)
        time.sleep(0.5)
        seen["d"] = snap(t.server)

    c = t.call("uac_call.xml", invite_hdrs, answer_hdr=answer_hdr, hold_ms=2500, during=during)
    return c, seen.get("d")


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


# ---------------------------------------------------------------- 5. SE 0 / unreadable in a 2xx

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


# ---------------------------------------------------------------- 6. expiry, counted exactly

EXTEND_BY = 5  # what the on-timeout route adds, once

TIMEOUT_ROUTE = """
route[sst_test_timeout] {
	if ($dlg_val(sst_test_extended) != "1") {
		$dlg_val(sst_test_extended) = "1";
		$DLG_timeout = %d;
		xlog("L_NOTICE", "sst-test: on-timeout route extended the dialog\\n");
	} else {
		xlog("L_NOTICE", "sst-test: on-timeout route let the dialog end\\n");
	}
}
""" % EXTEND_BY


def expiry_globals(server):
    return release_routes(server) + 'loadmodule "event_flatstore.so"\n'


def create_dialog(bye):
    """create_dialog(), or with the release's bye-on-timeout flag (release_routes)."""
    return 'route(sst_test_bye);\n\t\tcreate_dialog("$var(bye_flag)");' if bye else "create_dialog();"


def expiry_route(bye, on_timeout=False):
    """create_dialog() or create_dialog(<bye-on-timeout>), optionally with an
    on-timeout route (dlg_on_timeout) that extends the dialog once."""
    arm = '\n\t\tdlg_on_timeout("sst_test_timeout");' if on_timeout else ""
    return Script('\tif (is_method("INVITE")) {\n\t\tsetflag("SST_FLAG");\n\t\t%s%s\n\t}'
                  % (create_dialog(bye), arm),
                  globals=expiry_globals, routes=TIMEOUT_ROUTE if on_timeout else "")


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


def expiry_scenarios():
    """Each expiry case in the plain and the bye-on-timeout configuration."""
    out = []
    for kind, dlg, on_timeout in (("sst", {}, False), ("no-timer", {"default_timeout": 4}, False),
                                  ("on-timeout-route", {}, True)):
        for bye in (False, True):
            name = "timing-expiry-%s%s" % (kind, "-bye" if bye else "")
            test = (lambda k, b: lambda t: s_expiry(t, k, b))("route" if on_timeout else kind, bye)
            out.append((name, {"min_se": 5}, dlg, expiry_route(bye, on_timeout), test))
    return out


# ---------------------------------------------------------------- 6. expiry on a replicated dialog

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


# ---------------------------------------------------------------- 7. pkg memory out mid-edit

def var_eater(levels=(65536, 16384, 4096, 1024, 256, 64, 16, 4, 1),
              per_level=(72,) + (32,) * 7 + (96,)):
    """Script text that uses up this process's pkg memory in script variables,
    so that it can be given back *before* the relay (pkg_eater() in scenarios.py
    eats with header lumps, which go out with the message). Returns (build,
    eat, free_some, release): `build` makes one chunk per size (before eating);
    `eat` copies chunks into variables, per size until one copy fails (a failed
    assignment leaves its variable NULL), largest first; `free_some` gives back
    the first $var(free) 64-byte variables (a little memory: the sweep over it
    finds the point where one edit fits and the next does not); `release`
    gives back everything."""
    build = ['$var(c1) = "x";']
    for size in (4, 16, 64, 256, 1024):
        build.append('$var(c%d) = "%s";' % (size, "x" * size))
    for size in (4096, 16384, 65536):
        q = "$var(c%d)" % (size // 4)
        build.append("$var(c%d) = %s;" % (size, " + ".join([q] * 4)))
    eat, names = [], []
    for size, n in zip(levels, per_level):
        eat.append("$var(stop) = 0;")
        for i in range(n):
            v = "e%d_%d" % (size, i)
            names.append(v)
            eat.append('if ($var(stop) == 0) { $var(%s) = $var(c%d); '
                       'if ($var(%s) == NULL) $var(stop) = 1; }' % (v, size, v))
    # the 64-byte pieces (72 with the allocator's header): the edits' lumps are
    # about that size, so the sweep steps through "none fits" to "all fit"
    some = [v for v in names if v.startswith("e64_")]
    free_some = ["if ($var(free) > %d) $var(%s) = 0;" % (i, v) for i, v in enumerate(some)]
    release = ["$var(%s) = 0;" % v for v in names] + \
        ["$var(c%d) = 0;" % size for size in (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536)]
    indent = lambda lines: "\n".join("\t\t\t" + ln for ln in lines)
    return indent(build), indent(eat), indent(free_some), indent(release)


def pkg_raise_route():
    build, eat, free_some, release = var_eater()
    return Script("""\
	if (is_method("INVITE")) {
		setflag("SST_FLAG");
		create_dialog();
		if (is_present_hf("X-Free") && $shv(eaten) != $ci) {
			$shv(eaten) = $ci;
			record_route();
			$var(free) = $(hdr(X-Free){s.int});
%s
%s
%s
			$var(ok) = t_newtran();
%s
			xlog("L_NOTICE", "sst-test: t_newtran with $var(free) 64-byte pieces free: $var(ok)\\n");
			if (!t_relay())
				t_reply(500, "No Memory");
			exit;
		}
	}""" % (build, eat, free_some, release), globals=lambda server: 'loadmodule "cfgutils.so"',
                  server_args=("-M", "4"),
                  expected_log=r"CRITICAL:core:mk_proxy: pkg memory allocation failure")


PKG_SWEEP = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12)


def s_pkg_raise_se(t):
    # flow 4 (SE 100 < min_se 1800, no Min-SE, no timer support: SE raised to
    # 1800 keeping its parameters, Min-SE 1800 added) with pkg memory used up
    # when the module edits the INVITE, a little more free in each call of the sweep
    got = []
    with checking() as p:
        for n in PKG_SWEEP:
            c = t.call("uac_any.xml", ["Session-Expires: 100;refresher=uac", "X-Free: %d" % n],
                       timeout=8)
            inv = c.uas_invite()
            if inv is None:
                got.append("%d:-" % n)
                continue
            ses, mses = inv.all("session-expires"), inv.all("min-se")
            got.append("%d:%s/%s" % (n, ",".join(se_num(x) for x in ses), ",".join(mses)))
            ok = ((100, "refresher=uac"), (1800, "refresher=uac"))
            p.want(len(ses) == 1 and se_value(ses[0]) in ok, "with %d 64-byte pieces free the "
                   "UAS got Session-Expires %s, want one, 100 or 1800 with ;refresher=uac", n, ses)
            p.want(mses in ([], ["1800"]), "with %d 64-byte pieces free the UAS got Min-SE %s, want "
                   "none (as sent) or ['1800']", n, mses)
            # edits stop at the first that fails: never a Min-SE above the
            # Session-Expires it goes with (RFC 4028 section 5)
            p.want(not (mses == ["1800"] and ses and se_num(ses[0]) == "100"),
                   "with %d 64-byte pieces free the UAS got Min-SE 1800 with Session-Expires %s", n, ses)
            p.want(t.server.alive(), "server died with pkg memory used up")
        log = t.server.log_text()
        # the module's own lines about an allocation it could not make
        failed = len([ln for ln in log.splitlines() if ":sst:" in ln and "memory" in ln.lower()])
        p.want(failed, "no sst edit ever ran out of memory: the sweep tested nothing")
        p.want(any(not g.endswith(":-") for g in got), "no INVITE reached the UAS")
        t.note = "free pieces:SE/Min-SE at the UAS %s; %d sst out-of-memory line(s)" % (
            " ".join(got), failed)


def se_num(hdr):
    """The number of a Session-Expires value as text ('' when there is none)."""
    return hdr.split(";", 1)[0].strip()


# ---------------------------------------------------------------- the list

TIMING_SCENARIOS = [
    # name, sst modparams, dialog modparams, initial-INVITE script, test
    ("timing-refused-refresh-caller", {"min_se": 90}, {}, DIALOG_ROUTE,
     lambda t: refused_refreshes(t, "caller")),
    ("timing-refused-refresh-callee", {"min_se": 90}, {}, DIALOG_ROUTE,
     lambda t: refused_refreshes(t, "callee")),
    ("timing-fork-second-2xx", {"min_se": 90}, {}, FORK_ROUTE, s_fork_second_2xx),
    ("timing-early-prack-no-timer", {"min_se": 1800}, {"default_timeout": 7200}, DIALOG_ROUTE,
     lambda t: early_no_timer(t, "uac_prack.xml", "uas_prack.xml")),
    ("timing-early-update-no-timer", {"min_se": 1800}, {"default_timeout": 7200}, DIALOG_ROUTE,
     lambda t: early_no_timer(t, "uac_early_update.xml", "uas_early_update.xml",
                              {"hdr3": "Session-Expires: 1800"})),
    ("timing-huge-se-answer", {"min_se": 90}, {}, DIALOG_ROUTE, s_huge_se_answer),
    ("timing-huge-se-refresh", {"min_se": 90}, {}, DIALOG_ROUTE, s_huge_se_refresh),
    # bye-on-timeout: a wrapped timer there means BYEs to both legs at once
    ("timing-huge-se-refresh-bye", {"min_se": 90}, {}, expiry_route(True), s_huge_se_refresh),
    ("timing-huge-script-interval", {"min_se": 90}, {}, HUGE_INTERVAL_ROUTE,
     s_huge_script_interval),
    ("timing-max-se-lowers", {"min_se": 90, "max_se": 3600}, {}, DIALOG_ROUTE, s_max_se_lowers),
    ("timing-max-se-min-se-wins", {"min_se": 90, "max_se": 3600}, {}, DIALOG_ROUTE,
     s_max_se_min_se_wins),
    ("timing-answer-se-zero", {"min_se": 90}, {"default_timeout": 600}, DIALOG_ROUTE,
     lambda t: s_answer_se_untouched(t, "0")),
    ("timing-answer-se-unreadable", {"min_se": 90}, {"default_timeout": 600}, DIALOG_ROUTE,
     lambda t: s_answer_se_untouched(t, "abc")),
] + expiry_scenarios() + [
    ("timing-expiry-replicated", {"min_se": 5}, {"dialog_replication_cluster": 1},
     repl_route(False), lambda t: s_replication_expiry(t, False)),
    ("timing-expiry-replicated-bye", {"min_se": 5}, {"dialog_replication_cluster": 1},
     repl_route(True), lambda t: s_replication_expiry(t, True)),
    ("timing-pkg-raise-se", {"min_se": 1800}, {}, pkg_raise_route(), s_pkg_raise_se),
]
