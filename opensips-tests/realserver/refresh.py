"""In-dialog requests on the dialog path: a 422 to the initial INVITE and to a
refresh (RFC 4028 sections 7.4 and 10: a refused refresh is no refresh), and a
reliable provisional with its PRACK (RFC 3262) before the answer."""
import json
import time

from .common import check_sst, checking, completed, lifetime, live_dialogs, snap, \
    snap_answer_and_refresh, sst_of, wait_cseq, wait_live
from .infra import Script, describe, expect
from .registry import scenario
from .routes import DIALOG_ROUTE


# flow 7: the initial INVITE (the dialog dies with the 422) and an in-dialog refresh
@scenario("dialog-422-initial", route=DIALOG_ROUTE, sst={"min_se": 90})
def s_dialog_422_initial(t):
    # Flow 7 on the initial INVITE: tracked with SE 100 (min_se 90), the UAS answers
    # 422 with Min-SE: 300. The dialog module (3.6 dlg_handlers.c, dlg_onreply) runs
    # DLGCB_RESPONSE_FWDED for the relayed 422 -- where sst raises its interval to the
    # Min-SE -- and right after, in the same process and before the reply is even sent
    # (TMCB_RESPONSE_PRE_OUT, DLG_EVENT_RPL3xx), moves the dialog to DELETED and drops
    # it. No MI reader can ever see that dialog's raised interval, so the observable
    # outcome is: the 422 reaches the UAC untouched (its Min-SE is for the UAC to act
    # on, RFC 4028 7.4), the dialog is gone and counted as failed, the server is fine,
    # and the next call -- a new INVITE with the same small SE -- is tracked on its own
    # terms (interval and lifetime 100), nothing of the failed call's 300 leaking in.
    # The in-dialog 422, where the raised interval can be seen, is dialog-422-refresh.
    failed_before = t.server.stat("failed_dialogs") or 0
    c = t.call("uac_rejected.xml", ["Session-Expires: 100", "Supported: timer"],
               uas_xml="uas_too_small.xml", answer_hdr="Min-SE: 300")
    fin = c.final()
    expect(fin is not None and fin.code == 422, "UAC wanted the UAS's 422, got %s" % describe(fin))
    with checking() as p:
        if c.uac_rc != 0:
            p.append("UAC sipp exit %s" % c.uac_rc)
        if fin.all("min-se") != ["300"]:
            p.append("the 422 reached the UAC with Min-SE %s, want ['300']" % fin.all("min-se"))
        for h in ("session-expires", "require"):
            if fin.all(h):
                p.append("the 422 gained %s %s" % (h, fin.all(h)))
        inv = c.uas_invite()
        if not inv or inv.all("session-expires") != ["100"]:
            p.append("UAS got Session-Expires %s, want ['100'] (flow 1: unchanged)"
                     % (inv and inv.all("session-expires")))
        deadline = time.time() + 3
        while live_dialogs(t.server) and time.time() < deadline:
            time.sleep(0.1)
        left = live_dialogs(t.server)
        if left:
            p.append("a live dialog is still listed after the 422: %s"
                     % json.dumps(left[0])[:300])
        failed = (t.server.stat("failed_dialogs") or 0) - failed_before
        if failed != 1:
            p.append("dialog failed_dialogs grew by %s, want 1" % failed)
        expect(t.server.alive(), "server died after the 422")
        # the next call: same request, answered 200 with SE 100
        seen = {}

        def during(t):
            wait_live(t.server)
            time.sleep(0.5)  # the ACK's handling
            d = live_dialogs(t.server)[0]
            seen["life"], seen["sst"] = lifetime(d), sst_of(d)

        c2 = t.call("uac_call.xml", ["Session-Expires: 100", "Supported: timer"],
                    answer_hdr="Session-Expires: 100;refresher=uac", hold_ms=2500, during=during)
        completed(t, c2, p, "the next call")
        life = seen.get("life")
        if life is None or not 95 <= life <= 100:
            p.append("next call's dialog lifetime %s s, want ~100" % life)
        check_sst(seen.get("sst"), p, requester_flags=1, interval=100)
    t.note = "422 relayed with Min-SE 300, dialog dropped; next call lifetime %s s, sst %s" % (
        life, json.dumps(seen.get("sst")))


@scenario("dialog-422-refresh", route=DIALOG_ROUTE, sst={"min_se": 90})
def s_dialog_422_refresh(t):
    # A 422 to an in-dialog refresh (the dialog survives it: DLGCB_RESPONSE_WITHIN).
    # Call SE 100 (min_se 90) answered with 100; the refresh re-INVITE (SE 100) gets
    # 422 Min-SE: 300. A refused refresh is no refresh (RFC 4028 10), so the record
    # keeps interval 100 and its ACK must not push the expiry out by another
    # interval (the C module moves it by +212 s). The refresh *request* itself arms
    # its proposed SE (the dialog module re-arms only after request callbacks; the
    # 2xx would settle it), so the expiry may move to at most request time + 100,
    # never earlier than the session's. The UAC then retries with SE 300 (RFC 4028
    # 7.4), answered with 300 -> interval and lifetime 300.
    hold, seen = 3000, {}

    def during(t):
        wait_live(t.server)
        time.sleep(0.3)  # the ACK's handling
        seen["first"] = snap(t.server)
        wait_cseq(t.server, 2, hold / 1000 + 3)  # the refused re-INVITE
        time.sleep(0.7)  # its 422 and the ACK for it
        seen["after_422"] = snap(t.server)
        wait_cseq(t.server, 3, hold / 1000 + 3)  # the retry
        time.sleep(0.7)  # its 200 and ACK
        seen["after_retry"] = snap(t.server)

    c = t.call("uac_refresh_422.xml", ["Session-Expires: 100", "Supported: timer"],
               uas_xml="uas_refresh_422.xml", answer_hdr="Session-Expires: 100;refresher=uac",
               refresh_answer_hdr="Min-SE: 300",
               uac_keys={"hdr3": "Session-Expires: 300", "hdr4": "Min-SE: 300"},
               uas_keys={"hdr3": "Session-Expires: 300;refresher=uac"},
               hold_ms=hold, during=during, timeout=15)
    with checking() as p:
        completed(t, c, p, None)
        first, mid, last = seen.get("first"), seen.get("after_422"), seen.get("after_retry")
        if first:
            check_sst(sst_of(first), p, interval=100)
        if mid:
            sst = sst_of(mid)
            check_sst(sst, p, interval=100)
            # at most the refresh request's SE (100) from now, never the 422's 300
            if not mid["_life"] <= 100:
                p.append("the refused refresh moved the dialog's expiry to %d s from now "
                         "(want at most the proposed 100)" % mid["_life"])
            if first and mid.get("timeout", 0) < first.get("timeout", 0) - 2:
                p.append("the refused refresh made the dialog expire earlier")
        else:
            p.append("no dialog after the 422")
        if last:
            life = last["_life"]
            if not 295 <= life <= 300:
                p.append("lifetime %d s after the retried refresh, want ~300" % life)
            check_sst(sst_of(last), p, interval=300)
        elif mid:
            p.append("no dialog after the retried refresh")
    t.note = "sst after the 422 %s, lifetime %d s after the retry" % (
        json.dumps(sst_of(mid)), last["_life"])


# what "the dialog module resets the timeout on ACK/PRACK" means on 3.x: a script that
# sets $DLG_timeout on a sequential request (before loose_route() matches the dialog)
# makes the dialog module take that as the new lifetime of a confirmed dialog on
# ACK/PRACK/re-INVITE, just before DLGCB_REQ_WITHIN (dlg_onroute); 700 is neither
# default_timeout (600) nor any session interval, so a leak of it shows
PRACK_RESET_ROUTE = Script(DIALOG_ROUTE,
                           within='\t\tif (is_method("ACK|PRACK"))\n\t\t\t$DLG_timeout = 700;')


# flow 12: 100rel/PRACK, plain config, then a script that resets $DLG_timeout
@scenario("dialog-prack-lifetime", route=DIALOG_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600})
@scenario("dialog-prack-script-timeout-reset", route=PRACK_RESET_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600})
def s_dialog_prack(t):
    # Flow 12: a call with a reliable 183 (100rel) and its PRACK in the early dialog,
    # then 200/ACK: the lifetime is the SE of the 200 (120, not the INVITE's 150 that
    # the PRACK saw, not default_timeout 600); after a refresh answered with SE 100
    # and its ACK, 100.
    hold, seen = 3000, {}

    during = snap_answer_and_refresh(seen, 3, hold)
    c = t.call("uac_prack.xml", ["Session-Expires: 150", "Supported: 100rel, timer"],
               uas_xml="uas_prack.xml", answer_hdr="Session-Expires: 120;refresher=uac",
               refresh_answer_hdr="Session-Expires: 100;refresher=uac",
               hold_ms=hold, during=during, timeout=12)
    with checking() as p:
        completed(t, c, p, None)
        rel = [m for m in c.uac.received() if m.code == 183]
        if not rel or "100rel" not in (rel[0].get("require") or ""):
            p.append("the UAC got no reliable 183")
        pracked = [m for m in c.uas.received() if m.method == "PRACK"] if c.uas else []
        if not pracked:
            p.append("no PRACK reached the UAS")
        for key, want in (("answered", 120), ("refreshed", 100)):
            d = seen.get(key)
            if not d:
                p.append("no dialog when %s" % key)
                continue
            life = d["_life"]
            if not want - 5 <= life <= want:
                p.append("lifetime %d s when %s, want ~%d" % (life, key, want))
            check_sst(sst_of(d), p, requester_flags=1, interval=want)
    t.note = "lifetime %d s after 200/ACK, %d s after the refresh" % (
        seen["answered"]["_life"], seen["refreshed"]["_life"])
