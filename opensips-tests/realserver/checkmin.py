"""sstCheckMin() in the initial-INVITE script: the 422 with Min-SE, the script's own
reply, the -2 for a malformed header, and a barrage of header abuse.

Expectations are sst-rs's; with --c-module the same checks show where the C module
differs."""
from .common import checking, sst_stats
from .infra import Fail, describe, expect, expect_completed, expect_rejected
from .registry import scenario


def checkmin_route(call, on_true):
    """Initial-INVITE script: call sstCheckMin, log $rc, branch on it.

    -2 is our module's 'malformed header' code; 1 = too small; -1 = fine -> relay."""
    return """\
	if (is_method("INVITE")) {
		%s;
		$var(rc) = $rc;
		xlog("L_NOTICE", "sst-test: rc=$var(rc)\\n");
		if ($var(rc) == -2) {
			sl_send_reply(400, "Bad Session-Expires");
			exit;
		}
		if ($var(rc) == 1) {
			%s
		}
	}""" % (call, on_true)


# sstCheckMin(1): the module answers a too small interval with its 422
CHECKMIN_REPLY = checkmin_route("sstCheckMin(1)", "exit;")
# the script answers a too small interval itself
SCRIPT_REPLIES = 'sl_send_reply(499, "Too Small Seen");\n\t\t\texit;'


@scenario("checkmin-too-small-reply", route=CHECKMIN_REPLY, sst={"min_se": 1800})
def s_too_small_reply(t):
    c = t.call("uac_rejected.xml", ["Session-Expires: 100"], uas_xml=None)
    fin = expect_rejected(t, c, 422)
    mse = fin.get("min-se")
    expect(mse is not None and mse.strip() == "1800",
           "422 carries Min-SE %r, want 1800" % mse)
    n = sst_stats(t.server).get("rejected_sst")
    expect(n == 1, "rejected_sst = %s after one 422, want 1" % n)


@scenario("checkmin-too-small-no-reply", route=checkmin_route("sstCheckMin()", SCRIPT_REPLIES),
          sst={"min_se": 1800})
# send_reply 0 means "no reply" (the C module tested the pointer and replied anyway)
@scenario("checkmin-too-small-reply-flag-0",
          route=checkmin_route("sstCheckMin(0)", SCRIPT_REPLIES), sst={"min_se": 1800})
def s_too_small_no_reply(t):
    c = t.call("uac_rejected.xml", ["Session-Expires: 100"], uas_xml=None)
    expect_rejected(t, c, 499)  # the script's own reply
    expect(not [m for m in c.uac.received() if m.code == 422], "the module sent a 422 too")
    n = sst_stats(t.server).get("rejected_sst")
    expect(n == 0, "rejected_sst = %s, want 0: the script answered, not the module" % n)


@scenario("checkmin-large-enough", route=CHECKMIN_REPLY, sst={"min_se": 1800})
def s_large_enough(t):
    # both values must reach min_se: an absent Min-SE counts as 90 (see the next scenario)
    c = t.call("uac_call.xml", ["Session-Expires: 3600", "Min-SE: 1800"])
    expect_completed(t, c)
    inv = c.uas_invite()
    expect(inv and inv.get("session-expires") == "3600",
           "UAS got Session-Expires %r, want 3600 unchanged" % (inv and inv.get("session-expires")))
    expect(t.server.script_rc() == ["-1"], "sstCheckMin rc %s, want -1" % t.server.script_rc())


@scenario("checkmin-absent-min-se-is-90", route=CHECKMIN_REPLY, sst={"min_se": 1800})
def s_min_se_defaults_90(t):
    # SE 3600 alone is still "too small": the smaller of SE and Min-SE is compared and
    # an absent Min-SE means 90 (RFC 4028 section 5)
    c = t.call("uac_rejected.xml", ["Session-Expires: 3600"], uas_xml=None)
    expect_rejected(t, c, 422)


@scenario("checkmin-no-session-expires", route=CHECKMIN_REPLY, sst={"min_se": 1800})
def s_no_session_expires(t):
    c = t.call("uac_call.xml")
    expect_completed(t, c)
    inv = c.uas_invite()
    expect(inv and not inv.all("session-expires"), "UAS got a Session-Expires header")
    expect(t.server.script_rc() == ["-1"], "sstCheckMin rc %s, want -1" % t.server.script_rc())


@scenario("checkmin-malformed", route=CHECKMIN_REPLY, sst={"min_se": 1800})
def s_malformed(t):
    c = t.call("uac_rejected.xml", ["Session-Expires: abc"], uas_xml=None, timeout=6)
    problem = None
    try:
        expect_rejected(t, c, 400)
    except Fail as e:
        problem = str(e)  # still check that the server survives and answers
    expect(t.server.alive(), "server died after the malformed INVITE")
    c2 = t.call("uac_call.xml", ["Session-Expires: 3600", "Min-SE: 1800"])
    try:
        expect_completed(t, c2)
    except Fail as e:
        raise Fail("good call after the malformed one: %s" % e)
    if problem:
        raise Fail(problem)


# RFC 4028 header abuse; `want` is the sstCheckMin script's reply where the spec fixes it
# (400 = the module returned -2 for a malformed header), None = any answer, just survive
MALFORMED = [
    (["Session-Expires: abc"], 400),
    (["Session-Expires: "], 400),
    (["Session-Expires: -5"], 400),
    (["Session-Expires: 4294967296"], 400),
    (["Session-Expires: " + "9" * 300], 400),
    (["Session-Expires: 3600", "Min-SE: abc"], 400),
    (["Session-Expires: 3600", "Min-SE: 99999999999"], 400),
    (["x: 100"], 422),  # the compact form is valid: 100 is just too small
    (["Session-Expires: 3600", "Session-Expires: 100"], None),
    (["Session-Expires: 1800;refresher=bogus", "Min-SE: 1800"], None),
    (["Session-Expires: 1800;;=;refresher", "Min-SE: 1800"], None),
    (["Session-Expires: 1800;x=" + "y" * 1500, "Min-SE: 1800"], None),
    (["Session-Expires: 1800 junk", "Min-SE: 1800"], None),
]


# the same barrage on the dialog path alone (no reply codes fixed there) is
# dialog-malformed-barrage, in dialog_flows.py
@scenario("checkmin-malformed-barrage", route=CHECKMIN_REPLY, sst={"min_se": 1800},
          args=(True,))
def malformed_barrage(t, spec_codes):
    """Send every MALFORMED request; the server must answer each and then a good call.
    `spec_codes`: each answer must also be the one MALFORMED names."""
    outcomes = []
    with checking() as p:
        for hdrs, want in MALFORMED:
            c = t.call("uac_any.xml", hdrs, timeout=4)
            fin = c.final()
            got = fin.code if fin else None
            outcomes.append(str(got))
            label = " + ".join(h[:40] for h in hdrs)
            if c.uac_rc != 0:
                p.append("[%s]: sipp exit %s, final %s" % (label, c.uac_rc, got))
            elif spec_codes and want and got != want:
                p.append("[%s]: got %s, want %s" % (label, got, want))
            if not t.server.alive():
                p.append("server died after [%s]" % label)
                break
        if t.server.alive():
            c = t.call("uac_call.xml", ["Session-Expires: 3600", "Min-SE: 1800"])
            if c.uac_rc != 0:
                p.append("good call afterwards failed: %s" % describe(c.final()))
        t.note = "answers " + " ".join(outcomes)
