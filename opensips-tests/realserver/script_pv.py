"""The script sees and steers session timers: $sst(...) read everywhere a script
can, written before the dialog exists (and refused after), the opt-out of
$sst(insert), and $DLG_timeout kept without a session timer."""
import json
import re

from .common import check_one_se, check_sst, checking, held_call
from .infra import Script, expect_rejected
from .registry import scenario


PV_ITEMS = ("interval", "refresher", "requester", "requester_flags", "supported",
            "supported_flags", "expires")


def pv_xlog(where, items=PV_ITEMS):
    """An xlog line `sst-pv: <where> name=[$sst(name)] ... now=[$Ts]` for pv_lines()."""
    fields = " ".join("%s=[$sst(%s)]" % (n, n) for n in items)
    return 'xlog("L_NOTICE", "sst-pv: %s %s now=[$Ts]\\n");' % (where, fields)


def pv_lines(server):
    """{where: {name: value}} from the sst-pv lines, the last line per place."""
    out = {}
    for line in server.tagged("sst-pv"):
        where, _, rest = line.partition(" ")
        out[where] = dict(re.findall(r"(\w+)=\[([^\]]*)\]", rest))
    return out


def check_pv(seen, where, problems, **want):
    got = seen.get(where)
    if got is None:
        problems.append("no sst-pv line at %s" % where)
        return
    for k, w in want.items():
        v = got.get(k)
        if not (w(v) if callable(w) else v == w):
            problems.append("%s: $sst(%s) = %s" % (where, k, v))


NULL = "<null>"


def near(target, slack=2):
    return lambda v: v is not None and v.isdigit() and abs(int(v) - target) <= slack


# Reads $sst() everywhere a script can: before the dialog, after create_dialog() and
# after the relay, in the reply and failure routes, and on the ACK.
PV_READ_ROUTE = Script("""\
	if (is_method("INVITE")) {
		%s
		setflag("SST_FLAG");
		create_dialog();
		%s
		t_on_reply("sst_pv_reply");
		t_on_failure("sst_pv_failure");
		record_route();
		t_relay();
		%s
		exit;
	}""" % (pv_xlog("before-dialog"), pv_xlog("after-create"), pv_xlog("after-relay")),
    within='\t\tif (is_method("ACK") && loose_route()) {\n\t\t\t%s\n\t\t\tt_relay();\n'
           '\t\t\texit;\n\t\t}' % pv_xlog("ack"),
    routes='onreply_route[sst_pv_reply] {\n\t%s\n}\n\nfailure_route[sst_pv_failure] {\n\t%s\n'
           '\tt_reply(499, "Failure Route Seen");\n}\n'
           % (pv_xlog("reply-$rs"), pv_xlog("failure")))


@scenario("script-pv-read", route=PV_READ_ROUTE, sst={"min_se": 90, "sst_interval": 1200})
def s_script_pv_read(t):
    # min_se 90, sst_interval 1200; the UAC supports timers but asks for none, so the
    # proxy requests 1200 (requester proxy) and the UAS keeps the refresh (uas).
    # The UAS answers 1 s late: "after-relay" is logged after t_relay() returns, and a
    # 2xx answered at once can be handled by another worker before that line runs.
    c, life, sst = held_call(t, ["Supported: timer"], "Session-Expires: 1200;refresher=uas",
                             uas_xml="uas_late_answer.xml")
    seen = pv_lines(t.server)
    with checking() as p:
        check_pv(seen, "before-dialog", p, **{n: NULL for n in PV_ITEMS})
        check_pv(seen, "after-relay", p, interval="1200", requester="proxy",
                 requester_flags="4", supported="uac", supported_flags="1", refresher=NULL,
                 expires=NULL)
        # the script's reply route runs before the module sees the reply: still the offer
        check_pv(seen, "reply-200", p, interval="1200", refresher=NULL)
        ack = seen.get("ack", {})
        now = int(ack["now"]) if ack.get("now", "").isdigit() else 0
        check_pv(seen, "ack", p, interval="1200", refresher="uas", requester="proxy",
                 requester_flags="4", supported="uac", supported_flags="1",
                 expires=near(now + 1200))
        check_sst(sst, p, refresher="uas", interval=1200)
        # failure route: the dialog exists (tracked, the proxy's offer) until it fails
        c2 = t.call("uac_rejected.xml", ["Supported: timer"], uas_xml="uas_busy.xml")
        expect_rejected(t, c2, 499)
        check_pv(pv_lines(t.server), "failure", p, interval="1200", requester="proxy",
                 refresher=NULL, expires=NULL)
    t.note = "after create_dialog() (before the relay): %s" % json.dumps(seen.get("after-create"))


LATE_WRITE = ('\t\tif (is_method("ACK") && loose_route()) {\n'
              '\t\t\t$sst(interval) = 100;\n'
              '\t\t\txlog("L_NOTICE", "sst-pv: late-write rc=[$rc]\\n");\n'
              '\t\t\tt_relay();\n\t\t\texit;\n\t\t}')

PER_CALL_INTERVAL_ROUTE = Script("""\
	if (is_method("INVITE")) {
		$sst(interval) = 2400;
		%s
		setflag("SST_FLAG");
		create_dialog();
	}""" % pv_xlog("written", ("interval", "insert")), within=LATE_WRITE)


@scenario("script-per-call-interval", route=PER_CALL_INTERVAL_ROUTE,
          sst={"min_se": 90, "sst_interval": 1200})
def s_script_per_call_interval(t):
    # sst_interval 1200, but this call asks for 2400; a write after the dialog is
    # tracked is refused with an error and changes nothing
    c, life, sst = held_call(t, ["Supported: timer"], "Session-Expires: 2400;refresher=uac")
    inv = c.uas_invite()
    with checking() as p:
        check_one_se(inv, "UAS", p, 2400)
        check_pv(pv_lines(t.server), "written", p, interval="2400", insert="1")
        if not 2390 <= life <= 2400:
            p.append("dialog lifetime %d s, want ~2400" % life)
        check_sst(sst, p, interval=2400, requester_flags=4)
        if not any("can only be set before" in ln for ln in t.server.log_text().splitlines()):
            p.append("no error line for $sst(interval) written on the ACK")
    t.note = "lifetime %d s" % life


OPT_OUT_ROUTE = """\
	if (is_method("INVITE")) {
		$sst(insert) = "no";
		setflag("SST_FLAG");
		create_dialog();
	}"""


@scenario("script-opt-out-991", route=OPT_OUT_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600})
def s_script_opt_out(t):
    # OpenSIPS #991: the UAC supports timers but did not ask, the UAS cannot take
    # refreshes. Opted out, the proxy inserts nothing, in the INVITE or in the 2xx,
    # and the dialog keeps its own timeout (default_timeout 600)
    c, life, sst = held_call(t, ["Supported: timer"])
    with checking() as p:
        if c.uas_invite().all("session-expires"):
            p.append("UAS got Session-Expires %s" % c.uas_invite().all("session-expires"))
        ok = [m for m in c.uac.received() if m.code == 200 and "INVITE" in (m.get("cseq") or "")]
        if ok and ok[0].all("session-expires"):
            p.append("UAC's 200 got Session-Expires %s" % ok[0].all("session-expires"))
        if not 590 <= life <= 600:
            p.append("dialog lifetime %d s, want default_timeout 600" % life)
        check_sst(sst, p, requester_flags=0, refresher="")
        # a UAS that starts session timers itself is still followed
        c, life2, sst = held_call(t, ["Supported: timer"], "Session-Expires: 900;refresher=uac")
        if not 890 <= life2 <= 900:
            p.append("UAS-started timer: lifetime %d s, want ~900" % life2)
        check_sst(sst, p, interval=900, refresher="uac")
    t.note = "lifetime %d s opted out, %d s when the UAS asks" % (life, life2)


DLG_TIMEOUT_ROUTE = """\
	if (is_method("INVITE")) {
		$DLG_timeout = 777;
		setflag("SST_FLAG");
		create_dialog();
	}"""


@scenario("script-dlg-timeout-kept-2829", route=DLG_TIMEOUT_ROUTE, sst={"min_se": 90},
          dialog={"default_timeout": 600})
def s_script_dlg_timeout_kept(t):
    # OpenSIPS #2829: without a session timer the script's $DLG_timeout (777) stays;
    # with one negotiated, the session expiry wins
    c, life, sst = held_call(t, [])
    with checking() as p:
        p.want(767 <= life <= 777, "no timer: lifetime %d s, want $DLG_timeout 777", life)
        c, life2, sst = held_call(t, ["Session-Expires: 1800", "Supported: timer"],
                                  "Session-Expires: 1800;refresher=uac")
        if not 1790 <= life2 <= 1800:
            p.append("negotiated: lifetime %d s, want 1800" % life2)
    t.note = "lifetime %d s without a timer, %d s with one" % (life, life2)
