"""Session timing in whole call flows: refreshes that fail, a fork answered twice,
early-dialog requests. A live call is never cut, a dead one never kept.

Each scenario runs real call flows through the suite's proxy config (record_route(),
setflag, create_dialog(), t_relay()) and reads the dialog over MI ("lifetime" and
"the session in force" as common.py says). What each scenario asserts, and why:

timing-refused-refresh-caller / timing-refused-refresh-callee
    A refresh that fails is no refresh (RFC 4028 section 10: the session interval
    changes only with a 2xx to the refresh; sections 7.4 and 9 for who refreshes).
    Call set up with Session-Expires 1800;refresher=uac (min_se 90, dead_call_grace
    0: the 408 below would otherwise be a lost call, flow 11a), then, from the
    caller and from the callee side: re-INVITE SE 90 answered 488, UPDATE SE 100
    answered 500, re-INVITE answered 491, re-INVITE never answered (the proxy's
    transaction answers 408), re-INVITE CANCELled after its 180 (487), then a
    plain in-dialog request (OPTIONS / INFO). The dialog's expiry never moves
    before the 1800 s one at any sample taken while this happens (the dialog
    module re-arms its timer after every request callback, so the module must arm
    at least what is left of the session in force). A good refresh still works:
    re-INVITE SE 600 answered 200 with 600 -> lifetime ~600 after its ACK. After
    the call: refresh_refused_sst 5 (the 408 is the proxy's own reply, seen through
    the module's tm callback on the refresh's transaction), refreshed_sst 1,
    active_sst back to 0.

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
"""
import json
import time

from .common import SE_1800, check_one_se, check_sst, checking, completed, dialog_json, \
    leg_cseq, snap, snap_answered, sst_of, stats_differ, wait_live, wait_stats, watch
from .infra import Script, Sipp, expect, _stop
from .registry import scenario
from .routes import DIALOG_ROUTE, release_routes


# ---------------------------------------------------------------- 1. refused refreshes

ANSWER_1800 = "Session-Expires: 1800;refresher=uac"

# the steps of uac_refused_refreshes.xml / uas_callee_refreshes.xml, by the
# sender's CSeq offset from its first in-dialog request
REFUSED_STEPS = ["re-INVITE SE 90 answered 488", "UPDATE SE 100 answered 500",
                 "re-INVITE SE 90 answered 491", "re-INVITE SE 90 unanswered (408)",
                 "re-INVITE SE 90 CANCELled (487)", "%s after them", "re-INVITE SE 600 answered 200"]
STEP_LABELS = ["488", "500", "491", "408", "487"]


@scenario("timing-refused-refresh-caller", route=DIALOG_ROUTE,
          sst={"min_se": 90, "dead_call_grace": 0}, args=("caller",))
@scenario("timing-refused-refresh-callee", route=DIALOG_ROUTE,
          sst={"min_se": 90, "dead_call_grace": 0}, args=("callee",))
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
        # the statistics: 488, 500, 491 and 487 were answered by the far end,
        # the 408 by the proxy's tm (no dialog callback sees it; the module's
        # tm callback does); the SE 600 one accepted
        want = {"refresh_refused_sst": 5, "refreshed_sst": 1, "lost_sst": 0, "active_sst": 0}
        bad = stats_differ(wait_stats(t.server, want), want)
        p.want(not bad, "statistics after the call: %s", bad)
        t.note = "expiry shift per step (s): %s; %s s after the good refresh" % (
            " ".join("%s:%+d" % (STEP_LABELS[n] if n < 5 else plain, v)
                     for n, v in sorted(shift.items())),
            last["_life"] if last else "-")


# ---------------------------------------------------------------- 2. parallel fork

# the INVITE names the second branch in X-Fork (its port is known only at run time)
FORK_ROUTE = Script(DIALOG_ROUTE.replace("\t\tcreate_dialog();\n",
                                         "\t\tcreate_dialog();\n\t\troute(sst_test_fork);\n"),
                    globals=release_routes)


@scenario("timing-fork-second-2xx", route=FORK_ROUTE, sst={"min_se": 90})
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

@scenario("timing-early-prack-no-timer", route=DIALOG_ROUTE, sst={"min_se": 1800},
          dialog={"default_timeout": 7200}, args=("uac_prack.xml", "uas_prack.xml"))
@scenario("timing-early-update-no-timer", route=DIALOG_ROUTE, sst={"min_se": 1800},
          dialog={"default_timeout": 7200},
          args=("uac_early_update.xml", "uas_early_update.xml", {"hdr3": "Session-Expires: 1800"}))
def early_no_timer(t, uac_xml, uas_xml, uac_keys=None):
    """A UAC without timer support (100rel only), no SE: the proxy inserts 1800;
    the final 200 has no SE -> no session timer, the dialog's default_timeout."""
    seen, hold = {}, 2500
    c = t.call(uac_xml, ["Supported: 100rel"], uas_xml=uas_xml, hold_ms=hold,
               during=snap_answered(seen), timeout=12, uac_keys=uac_keys)
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
