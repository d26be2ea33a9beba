"""The dialog path (setflag + create_dialog()): what the module does to the INVITE
and its 2xx, the lifetime it gives the dialog (MI dlg_list_ctx `timeout`) and the
sst context it keeps, per RFC 4028 flow; the restart with dialogs in db_text."""
import json
import time

from .checkmin import malformed_barrage
from .common import check_min_se, check_one_se, check_sst, checking, held_call, lifetime, \
    sst_stats, wait_dialog, wait_stats
from .infra import describe, expect, expect_rejected
from .registry import scenario
from .routes import DIALOG_ROUTE

# The module documentation's own example: reject in the script, then track.
CHECKED_DIALOG_ROUTE = """\
	if (is_method("INVITE")) {
		if (sstCheckMin(1)) {
			exit;
		}
		setflag("SST_FLAG");
		create_dialog();
	}"""


# default sst parameters (min_se 90): the C module gives the dialog min_se as its
# lifetime, whatever was negotiated
@scenario("dialog-held-timeout-and-context", route=DIALOG_ROUTE)
def s_dialog_held(t):
    # flow 1 + 8: SE 1800 requested and answered -> lifetime = 1800 (the C module: 90)
    c, life, sst = held_call(t, ["Session-Expires: 1800", "Supported: timer"],
                             "Session-Expires: 1800;refresher=uac")
    with checking() as p:
        p.want(1790 <= life <= 1800, "dialog lifetime %d s, want ~1800", life)
        check_sst(sst, p, requester_flags=1, supported_flags=lambda v: v & 1, interval=1800)
    t.note = "lifetime %d s, sst %s" % (life, json.dumps(sst))


@scenario("dialog-expiry", route=DIALOG_ROUTE, sst={"min_se": 5})
def s_dialog_expiry(t):
    # flow 13: min_se 5, SE 10, nobody refreshes -> the dialog dies ~10 s after the answer
    se, seen = 10, {}

    def during(t):
        wait_dialog(t)
        start = time.time()  # ~ the 200/ACK: when the negotiated interval starts
        while time.time() - start < se + 4:
            if not t.server.dialogs():
                seen["gone"] = time.time() - start
                break
            time.sleep(0.25)
        seen["stat"] = t.server.stat("expired_sst")

    c = t.call("uac_call.xml", ["Session-Expires: %d" % se, "Supported: timer"],
               answer_hdr="Session-Expires: %d;refresher=uac" % se,
               hold_ms=(se + 5) * 1000, during=during)
    # the UAC's late BYE only tidies up the UAS; the dialog is already gone by then
    with checking() as p:
        p.want(c.uac_rc == 0, "UAC sipp exit %s", c.uac_rc)
        gone = seen.get("gone")
        if gone is None:
            p.append("dialog still there %d s after the answer" % (se + 4))
        elif not se - 1.5 <= gone <= se + 2.5:
            p.append("dialog gone after %.1f s, want ~%d" % (gone, se))
        if seen.get("stat") != 1:
            p.append("expired_sst = %s, want 1" % seen.get("stat"))
    t.note = "gone after %.1f s" % gone


@scenario("dialog-too-small-raised", route=DIALOG_ROUTE, sst={"min_se": 1800})
def s_dialog_reject(t):
    # flow 2 on the dialog path alone: SE < min_se, UAC supports timers,
    # reject_to_small=1. No 422 can be sent safely from the dialog callback
    # (the C module's 422 from there segfaults the server), so ours raises
    # Min-SE and SE to min_se like flow 4 (RFC 4028 8.1 allows either) and
    # tracks the call: the server must survive and the policy must hold.
    c, life, sst = held_call(t, ["Session-Expires: 100;refresher=uac", "Supported: timer"],
                             "Session-Expires: 1800;refresher=uac")
    inv = c.uas_invite()
    with checking() as p:
        check_min_se(inv, p)
        check_one_se(inv, "UAS", p, 1800, "refresher=uac")
        if not 1790 <= life <= 1800:
            p.append("dialog lifetime %d s, want ~1800" % life)
        check_sst(sst, p, requester_flags=1, supported_flags=1, interval=1800)
    t.note = "raised to 1800, lifetime %d s" % life


@scenario("dialog-too-small-rejected-in-script", route=CHECKED_DIALOG_ROUTE,
          sst={"min_se": 1800})
def s_dialog_reject_in_script(t):
    # flow 2 as the module documentation writes it: sstCheckMin(1) before
    # create_dialog() answers 422 with Min-SE and nothing is forwarded.
    c = t.call("uac_rejected.xml", ["Session-Expires: 100", "Supported: timer"], uas_xml=None)
    fin = expect_rejected(t, c, 422)
    mse = fin.get("min-se")
    expect(mse is not None and mse.strip() == "1800", "422 carries Min-SE %r, want 1800" % mse)
    time.sleep(0.5)
    expect(not t.server.dialogs(), "a dialog is still listed after the 422")


@scenario("dialog-too-small-not-rejected", route=DIALOG_ROUTE,
          sst={"min_se": 1800, "reject_to_small": 0})
def s_dialog_no_reject(t):
    # flow 3: same request with reject_to_small=0 -> forwarded unchanged, tracked with SE
    c, life, sst = held_call(t, ["Session-Expires: 100", "Supported: timer"],
                             "Session-Expires: 100;refresher=uac")
    se = c.uas_invite().all("session-expires")
    with checking() as p:
        p.want(se == ["100"], "UAS got Session-Expires %s, want ['100']", se)
        if not 95 <= life <= 100:
            p.append("dialog lifetime %d s, want ~100" % life)
        check_sst(sst, p, requester_flags=1, interval=100)
    t.note = "lifetime %d s" % life


@scenario("dialog-raise-se-no-support", route=DIALOG_ROUTE, sst={"min_se": 1800})
def s_dialog_raise_se(t):
    # flow 4: SE < min_se and no timer support -> Min-SE and SE raised to min_se,
    # SE keeps its parameters (RFC 4028 8.1)
    c, life, sst = held_call(t, ["Session-Expires: 100;x-keep=1", "Min-SE: 90"],
                             "Session-Expires: 1800;refresher=uas")
    inv = c.uas_invite()
    with checking() as p:
        check_min_se(inv, p)
        check_one_se(inv, "UAS", p, 1800, "x-keep=1")


@scenario("dialog-proxy-inserts-se", route=DIALOG_ROUTE, sst={"min_se": 1800})
def s_dialog_proxy_inserts(t):
    # flow 5: no SE -> the proxy inserts SE = max(Min-SE, min_se, sst_interval) without
    # a refresher, raises a lower Min-SE, and is the requester (flag 4)
    c, life, sst = held_call(t, ["Min-SE: 90"], "Session-Expires: 1800;refresher=uas")
    inv = c.uas_invite()
    with checking() as p:
        check_min_se(inv, p)
        check_one_se(inv, "UAS", p, 1800)
        check_sst(sst, p, requester_flags=4, interval=1800)
    t.note = "lifetime %d s" % life


@scenario("dialog-answer-without-se", route=DIALOG_ROUTE, sst={"min_se": 1800})
def s_dialog_answer_adds_se(t):
    # flow 9: 2xx without SE, UAC supports -> proxy adds SE;refresher=uac and Require: timer
    c, life, sst = held_call(t, ["Session-Expires: 1800", "Supported: timer"])
    ok = [m for m in c.uac.received() if m.code == 200 and "INVITE" in (m.get("cseq") or "")]
    with checking() as p:
        check_one_se(ok[0] if ok else None, "UAC's 200", p, 1800, "refresher=uac")
        req = ",".join(ok[0].all("require")).replace(" ", "").lower().split(",") if ok else []
        if "timer" not in req:
            p.append("UAC's 200 has no Require: timer")
        if not 1790 <= life <= 1800:
            p.append("dialog lifetime %d s, want ~1800" % life)
    t.note = "lifetime %d s" % life


@scenario("dialog-no-timer-support", route=DIALOG_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600})
def s_dialog_no_timer(t):
    # flow 10: neither side supports timers and the 2xx has no SE -> no session timer:
    # the lifetime falls back to the dialog module's default_timeout (600 here)
    c, life, sst = held_call(t, [])
    expect(590 <= life <= 600, "dialog lifetime %d s, want default_timeout 600" % life)
    t.note = "lifetime %d s" % life


@scenario("dialog-refresh-drops-se", route=DIALOG_ROUTE, sst={"min_se": 20},
          dialog={"default_timeout": 600})
def s_dialog_refresh_drops_se(t):
    # flow 11: a refresh whose 2xx carries no Session-Expires ends session timing: the
    # dialog falls back to default_timeout (600 here) instead of dying (the C module: 0)
    se, seen = 20, {}

    def during(t):
        first = wait_dialog(t)
        deadline = time.time() + 8  # the UAC re-INVITEs ~3 s after its ACK
        while time.time() < deadline:
            ds = t.server.dialogs()
            if not ds:
                seen["gone"] = True
                break
            if abs(ds[0].get("timeout", 0) - first.get("timeout", 0)) > 5:
                seen["lifetime"] = lifetime(ds[0])
                break
            time.sleep(0.2)

    c = t.call("uac_refresh.xml", ["Session-Expires: %d" % se, "Supported: timer"],
               uas_xml="uas_refresh.xml", answer_hdr="Session-Expires: %d;refresher=uac" % se,
               refresh_answer_hdr="X-No-Session-Expires: 1", hold_ms=3000, during=during)
    with checking() as p:
        p.want(c.uac_rc == 0, "UAC sipp exit %s", c.uac_rc)
        life = seen.get("lifetime")
        if seen.get("gone"):
            p.append("dialog ended by the refresh without Session-Expires")
        elif life is None:
            p.append("dialog lifetime unchanged after the refresh")
        elif not 590 <= life <= 600:
            p.append("lifetime %d s after the refresh%s, want default_timeout 600"
                     % (life, " (no timer)" if life == 0 else ""))
    t.note = "lifetime %s s after the refresh" % life


# min_se = SE so the C module (lifetime = min_se) is compared on the restart alone
@scenario("dialog-restart-db-text", route=DIALOG_ROUTE, sst={"min_se": 20},
          dialog={"db_mode": 1, "db_url": "text://@DB@"})
def s_dialog_restart(t):
    # state survives a restart (dialog db_mode 1 with db_text, DLGCB_LOADED): the reloaded
    # dialog keeps its expiry and sst context, and a refresh after the restart extends it
    se, seen = 20, {}

    def during(t):
        seen["before"] = wait_dialog(t)
        t.server.restart()
        ds = t.server.dialogs()
        seen["after"] = ds[0] if ds else None
        # restored from the database inside sst's mod_init, before the
        # statistics exist: the gauge must still count it
        seen["active"] = sst_stats(t.server).get("active_sst")
        deadline = time.time() + 8  # the UAC re-INVITEs ~5 s after its ACK
        while time.time() < deadline and seen["after"]:
            ds = t.server.dialogs()
            if ds and ds[0].get("timeout", 0) > seen["after"].get("timeout", 0) + 2:
                seen["refreshed"] = ds[0]
                break
            time.sleep(0.2)

    c = t.call("uac_refresh.xml", ["Session-Expires: %d" % se, "Supported: timer"],
               uas_xml="uas_refresh.xml", answer_hdr="Session-Expires: %d;refresher=uac" % se,
               hold_ms=5000, during=during)
    before, after = seen.get("before"), seen.get("after")
    with checking() as p:
        p.want(c.uac_rc == 0, "UAC sipp exit %s (%s)", c.uac_rc, describe(c.final()))
        if not after:
            p.append("no dialog after the restart")
        else:
            if abs(after.get("timeout", 0) - before.get("timeout", 0)) > 2:
                p.append("expiry moved from %s to %s over the restart"
                         % (before.get("timeout"), after.get("timeout")))
            check_sst((after.get("context") or {}).get("sst"), p,
                      requester_flags=1, interval=se)
            if "refreshed" not in seen:
                p.append("the re-INVITE after the restart did not extend the dialog")
            p.want(seen.get("active") == 1, "active_sst = %s after the restart, want 1 (the "
                   "restored dialog)", seen.get("active"))
        ended = wait_stats(t.server, {"active_sst": 0}).get("active_sst")
        p.want(ended == 0, "active_sst = %s once the restored call ended, want 0", ended)
    t.note = "reloaded with sst %s" % json.dumps((after.get("context") or {}).get("sst"))


# MALFORMED on the dialog path alone: every request answered, the server survives
scenario("dialog-malformed-barrage", route=DIALOG_ROUTE, sst={"min_se": 90},
         args=(False,))(malformed_barrage)
