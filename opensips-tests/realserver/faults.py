"""Faults on a real server: the dialog's sst_info spoiled by the script, the 422
that cannot be sent, pkg memory used up under sstCheckMin and under the dialog
callback. Each expects a log line naming the problem, no crash, and a server that
goes on serving.

fault-422-reply-fails
    sstCheckMin(1) returns -3 when the interval is too small and the 422 (RFC
    4028 section 6) could not be sent: the request still needs a final response
    (RFC 3261 section 8.2), and -3 is false in the script, so the documented
    `if (sstCheckMin(1)) exit;` goes on and the script answers the caller itself."""
import json
import time

from .common import checking, completed, good_call_afterwards, live_dialogs, \
    snap_answer_and_refresh, sst_of, wait_live
from .infra import Script, describe, expect
from .registry import scenario
from .routes import DIALOG_ROUTE, PKG_LOG, cfgutils_globals


def fault_value_route(value):
    return Script(DIALOG_ROUTE + '\n\t\tt_on_reply("sst_fault");', routes="""
onreply_route[sst_fault] {
	if ($rs == 200) {
		$dlg_val(sst_info) = %s;
		xlog("L_NOTICE", "sst-test: sst_info %s in the reply route\\n");
	}
}
""" % (value, "corrupt" if value != "NULL" else "deleted"))


@scenario("fault-sst-info-corrupt", route=fault_value_route('"short"'), sst={"min_se": 90},
          dialog={"default_timeout": 600}, args=("corrupt",))
@scenario("fault-sst-info-deleted", route=fault_value_route("NULL"), sst={"min_se": 90},
          dialog={"default_timeout": 600}, args=("deleted",))
def s_fault_state_value(t, kind):
    """The script spoils the dialog's sst_info in the reply route of the 200
    (before the dialog module's RESPONSE_FWDED callbacks, where sst reads it):
    `kind` "corrupt" overwrites it with 5 bytes, "deleted" removes it. Expected:
    a WARN naming the problem, no crash, the call (refresh re-INVITE, BYE)
    completes, and the dialog keeps the dialog module's own lifetime
    (default_timeout 600 here, never the negotiated 1800) with no sst context."""
    hold, seen = 2000, {}

    during = snap_answer_and_refresh(seen, 2, hold)
    c = t.call("uac_refresh.xml", ["Session-Expires: 1800", "Supported: timer"],
               uas_xml="uas_refresh.xml", answer_hdr="Session-Expires: 1800;refresher=uac",
               hold_ms=hold, during=during, timeout=12)
    with checking() as p:
        completed(t, c, p, None)
        log = t.server.log_text()
        if "sst-test: sst_info %s" % kind not in log:
            p.append("the script did not spoil sst_info (no sst-test line)")
        want = ("sst_info is corrupt (5 bytes, expected 16); session timing off for this call"
                if kind == "corrupt" else "sst_info is missing; session timing off for this call")
        n = log.count(want)
        # the 200, the ACK, the re-INVITE, its 200 and ACK: each reads the record
        if n < 3:
            p.append("%d log line(s) %r, want one per message read (>= 3)" % (n, want))
        for key in ("answered", "refreshed"):
            d = seen.get(key)
            if not d:
                p.append("no dialog when %s" % key)
                continue
            if not 590 <= d["_life"] <= 600:
                p.append("lifetime %d s when %s, want the dialog's own 600 "
                         "(session timing off)" % (d["_life"], key))
            if sst_of(d) is not None:
                p.append("sst context %s when %s, want none" % (json.dumps(sst_of(d)), key))
        deadline = time.time() + 3
        while live_dialogs(t.server) and time.time() < deadline:
            time.sleep(0.1)
        if live_dialogs(t.server):
            p.append("the dialog outlived the BYE")
        expect(t.server.alive(), "server died")
    t.note = "%d x %r; lifetime %d s, no sst context; call completed" % (
        n, want.split(";")[0], seen["answered"]["_life"])


REPLY_FAILS_ROUTE = """\
	if (is_method("INVITE")) {
		if (is_present_hf("X-Pre-Reply")) {
			t_newtran();
			t_reply(499, "Answered First");
		}
		sstCheckMin(1);
		$var(rc) = $rc;
		xlog("L_NOTICE", "sst-test: rc=$var(rc)\\n");
		# -3: too small and the 422 could not be sent; the script answers the
		# caller itself (here it already did, with the 499)
		if ($var(rc) == 1 || $var(rc) == -3)
			exit;
	}"""


@scenario("fault-422-reply-fails", route=REPLY_FAILS_ROUTE, sst={"min_se": 1800})
def s_fault_reply_fails(t):
    """sstCheckMin(1) when the 422 cannot be sent: the script already answered
    the INVITE statefully (t_newtran + t_reply 499), so the signaling module's
    reply (tm's t_reply) refuses a second final reply. Expected: sstCheckMin
    returns -3 (too small, and the 422 could not be sent: the script must
    answer the caller itself, which this one already did), our ERR line, tm's
    own ERR, the UAC sees only the 499, nothing is relayed, and the server
    goes on serving: the next INVITE gets its 422 with Min-SE, and a good call
    completes."""
    with checking() as p:
        c = t.call("uac_rejected.xml", ["Session-Expires: 100", "X-Pre-Reply: 1"], uas_xml=None)
        fin = c.final()
        if not fin or fin.code != 499:
            p.append("UAC got %s, want the script's 499" % describe(fin))
        if [m for m in c.uac.received() if m.code == 422]:
            p.append("a 422 reached the UAC after the final 499")
        log = t.server.log_text()
        for line in ("cannot send the 422 reply",
                     "failed to generate 422 reply when a final 499 was sent out"):
            if line not in log:
                p.append("no log line %r" % line)
        rcs = t.server.script_rc()
        if rcs[:1] != ["-3"]:
            p.append("sstCheckMin rc %s, want -3 (the 422 could not be sent)" % rcs)
        if c.sink_got:
            p.append("the INVITE was relayed after the script's 499")
        expect(t.server.alive(), "server died after the failed reply")
        c2 = t.call("uac_rejected.xml", ["Session-Expires: 100"], uas_xml=None)
        fin2 = c2.final()
        if not fin2 or fin2.code != 422 or (fin2.get("min-se") or "").strip() != "1800":
            p.append("next INVITE got %s (Min-SE %r), want 422 with Min-SE 1800"
                     % (describe(fin2), fin2 and fin2.get("min-se")))
        good_call_afterwards(t, p)
    t.note = "rc -3, logged, 499 only; next INVITE 422, next call completed"


def pkg_eater(top=8192, tail=64):
    """Script text that uses up this process's pkg memory, and the text that
    gives back the part that outlives the message.

    The bulk: append_hf() copies its text into pkg and hangs it on the request
    as a lump (sipmsgops.c add_hf_helper), so `while (append_hf(...))` takes
    pieces of one size until one fails, for sizes from `top` bytes down to 1;
    lumps go with the message, whatever happens to it. The tail: `tail` script
    variables of 1 byte (set_var_value copies into pkg) for the small fragments
    a lump no longer fits in; those are per process and are set back to 0 by
    the second text (a failed assignment leaves its variable NULL, so nothing
    leaks). Each size ends at its first failure: the core logs it."""
    # literal text: evaluating a variable or a transformation would itself
    # need pkg memory at the very moment there is none
    eat, size = [], top
    while size >= 1:
        eat.append('while (append_hf("%s")) { $var(n) = $var(n) + 1; }' % ("x" * size))
        size //= 4
    eat.append("$var(lvl) = 0;")
    names = ["t%d" % j for j in range(tail)]
    for v in names:
        eat.append('if ($var(lvl) == 0) { $var(%s) = "x"; if ($var(%s) == NULL) $var(lvl) = 1; }'
                   % (v, v))
    release = ["$var(%s) = 0;" % v for v in names]
    indent = lambda lines: "\n".join("\t\t\t" + ln for ln in lines)
    return indent(eat), indent(release)


EAT, RELEASE = pkg_eater()


# sstCheckMin(1) with pkg memory exhausted right before it (headers parsed
# first: is_present_hf of an absent header parses them all)
PKG_CHECKMIN_ROUTE = Script("""\
	if (is_method("INVITE")) {
		# integers only from here to the release: reading $rc into a
		# variable would itself need pkg memory
		$var(eaten) = 0;
		$var(rc) = -1;
		if (is_present_hf("X-Eat-Pkg") && !is_present_hf("X-Not-There") && $shv(eaten) == 0) {
			$shv(eaten) = 1;
			$var(n) = 0;
%s
			$var(eaten) = 1;
		}
		if (sstCheckMin(1))
			$var(rc) = 1;
		else if ($rc == -3)
			$var(rc) = 3;
		if ($var(eaten) == 1) {
%s
		}
		xlog("L_NOTICE", "sst-test: rc=$var(rc) eaten=$var(eaten)\\n");
		if ($var(rc) == 1)
			exit;
	}""" % (EAT, RELEASE), globals=cfgutils_globals, server_args=("-M", "4"), expected_log=PKG_LOG)

# the dialog path with pkg memory exhausted after create_dialog(): t_newtran()
# runs the dialog module's REQUEST_IN callback, which runs sst's created
# callback (dlg_handlers.c dlg_onreq)
PKG_DIALOG_ROUTE = Script("""\
	if (is_method("INVITE")) {
		setflag("SST_FLAG");
		create_dialog();
		if (is_present_hf("X-Eat-Pkg") && !is_present_hf("X-Not-There") && $shv(eaten) == 0) {
			$shv(eaten) = 1;
			record_route();
			$var(n) = 0;
%s
			$var(ok) = t_newtran();
%s
			xlog("L_NOTICE", "sst-test: t_newtran with pkg exhausted: $var(ok)\\n");
			if (!t_relay())
				t_reply(500, "No Memory");
			exit;
		}
	}""" % (EAT, RELEASE), globals=cfgutils_globals, server_args=("-M", "4"), expected_log=PKG_LOG)


def pkg_checks(t, problems):
    log = t.server.log_text()
    # sipmsgops or the core's lump code says so, depending on which
    # allocation of the eater fails first
    if "no pkg memory left" not in log and "anchor_lump: out of pkg memory" not in log:
        problems.append("the eater never ran out of pkg memory")
    return log


@scenario("fault-pkg-exhausted-checkmin", route=PKG_CHECKMIN_ROUTE, sst={"min_se": 1800})
def s_fault_pkg_checkmin(t):
    """sstCheckMin(1), interval too small, pkg memory used up just before it:
    the Min-SE line of the 422 cannot be allocated. Expected: our ERR line, no
    422 without Min-SE (RFC 4028 6 requires it), -3 ("no 422 was sent") so
    the script goes on, no crash; the memory comes back with the end of the
    message and the INVITE's retransmission gets its 422 with Min-SE 1800; a
    good call completes afterwards."""
    with checking() as p:
        c = t.call("uac_rejected.xml", ["Session-Expires: 100", "X-Eat-Pkg: 1"], uas_xml=None)
        fin = c.final()
        if not fin or fin.code != 422 or (fin.get("min-se") or "").strip() != "1800":
            p.append("UAC got %s (Min-SE %r), want 422 with Min-SE 1800 on its retransmission"
                     % (describe(fin), fin and fin.get("min-se")))
        finals = [m for m in c.uac.received() if m.code and m.code >= 200]
        if any(not m.all("min-se") for m in finals):
            p.append("a final reply without Min-SE reached the UAC")
        log = pkg_checks(t, p)
        if "cannot add Min-SE to the 422 reply (NoMemory)" not in log:
            p.append("no log line from sst about the Min-SE it could not allocate")
        if "sst-test: rc=3 eaten=1" not in log:
            p.append("sstCheckMin with pkg used up did not return -3 (script saw %s)"
                     % [ln.split("sst-test: ")[-1] for ln in log.splitlines() if "sst-test: rc=" in ln])
        expect(t.server.alive(), "server died with pkg memory used up")
        good_call_afterwards(t, p)
    t.note = "Min-SE lump failed and logged, -3, no reply; retransmission got 422 Min-SE 1800"


@scenario("fault-pkg-exhausted-dialog", route=PKG_DIALOG_ROUTE, sst={"min_se": 1800})
def s_fault_pkg_dialog(t):
    """The dialog path (flow 5: no Session-Expires, Min-SE 90 -> sst replaces
    Min-SE and inserts Session-Expires) with pkg memory used up when the
    dialog module runs sst's created callback. Expected: sst's ERR lines for
    the edits it could not make, no crash, no half-edited INVITE reaching the
    UAS; tm cannot forward without memory either, so the UAC gets tm's
    answer; the next call is tracked normally."""
    with checking() as p:
        c = t.call("uac_any.xml", ["Min-SE: 90", "X-Eat-Pkg: 1"], timeout=10)
        fin = c.final()
        log = pkg_checks(t, p)
        ours = [ln for ln in log.splitlines() if "could not apply" in ln and "NoMemory" in ln]
        if not ours:
            p.append("no sst log line about an edit that could not be applied")
        if fin is None:
            p.append("the UAC got no final answer at all")
        inv = c.uas_invite()
        if inv:
            ses, mses = inv.all("session-expires"), inv.all("min-se")
            if (ses, mses) not in ((["1800"], ["1800"]), ([], ["90"])):
                p.append("UAS got a half-edited INVITE: Session-Expires %s, Min-SE %s" % (ses, mses))
        expect(t.server.alive(), "server died with pkg memory used up")
        c2 = t.call("uac_call.xml", ["Min-SE: 90"], answer_hdr="Session-Expires: 1800;refresher=uas",
                    hold_ms=1500, during=lambda t: wait_live(t.server))
        completed(t, c2, p, "the next call")
        inv2 = c2.uas_invite()
        if not inv2 or inv2.all("session-expires") != ["1800"] or inv2.all("min-se") != ["1800"]:
            p.append("next call's INVITE has Session-Expires %s, Min-SE %s, want 1800 and 1800"
                     % (inv2 and inv2.all("session-expires"), inv2 and inv2.all("min-se")))
    t.note = "%d sst line(s), first %r; the UAC got %s; next call tracked" % (
        len(ours), ours[0].split("sst:")[-1].strip()[:100] if ours else "", describe(fin))
