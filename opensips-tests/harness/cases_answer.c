/*
 * The answer to the initial INVITE (flows 7 to 10 of README.md's flow table):
 * a 422, a 2xx with or without Session-Expires, and the lifetime the dialog
 * timer is armed with at the 2xx.
 */
#include "harness.h"

CASE(flow7_422_min_se_remembered)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\n", 0, NULL);
	dlg_reply(d, rpl(422, 1, "INVITE", "Min-SE: 2400\n"));
	/* the proxy asked for 1800 (min_se); the far end's floor of 2400 is
	 * never offered less from now on */
	CHECK(info_of(d, &i) == 1 && i.iv == 2400 && i.req == SST_PXY, "after 422 Min-SE 2400: sst_info " INFO_FMT, INFO_ARGS(i));
}

CASE(flow8_2xx_se_sets_lifetime)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 3600\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "Require: timer\nSupported: timer\n"
		"Session-Expires: 1900;refresher=uas\n");
	dlg_reply(d, ok);
	CHECK(timer(d) == 1900, "timer armed with %u at the 2xx, want its SE 1900", timer(d));
	CHECK(info_of(d, &i) == 1 && i.iv == 1900 && (i.sup & SST_UAC), "sst_info " INFO_FMT
		", want interval 1900, UAC in supported", INFO_ARGS(i));
	CHECK(out_count(ok, "Session-Expires", "x") == 1, "the 2xx now has %d Session-Expires",
		out_count(ok, "Session-Expires", "x"));
}

/* `supported` is one value in the C record (UAC, else UAS, else NSUP; the C
 * module compares it with ==), so UAS support shows when the UAC lacks timer */
CASE(flow8_uas_support_recorded_when_uac_lacks_timer)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = call("Session-Expires: 3600\n", 1, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", "Require: timer\nSession-Expires: 3600;refresher=uas\n"));
	CHECK(info_of(d, &i) == 1 && i.sup == SST_UAS && i.iv == 3600 && timer(d) == 3600,
		"sst_info " INFO_FMT ", timer %u; want supported UAS (2), 3600", INFO_ARGS(i), timer(d));
}

CASE(flow8_negotiated_se_not_min_se_c_defect)
{
	BOOT(FLAG, I("min_se", 90));                /* the C binary's effective default */
	struct dlg_cell *d = established(1800);
	CHECK(timer(d) == 1800, "dialog timer %u, want the negotiated 1800 (the C module: 90)", timer(d));
}

CASE(flow9_2xx_without_se_gets_se_and_require)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "");
	dlg_reply(d, ok);
	CHECK(out_count(ok, "Session-Expires", "x") == 1 && !strcmp(OUT_SE(ok), "1800;refresher=uac"),
		"2xx Session-Expires \"%s\", want \"1800;refresher=uac\"", OUT_SE(ok));
	CHECK(out_count(ok, "Require", NULL) == 1 && has_token(out_body(ok, "Require", NULL, 0), "timer"),
		"2xx Require \"%s\" (x%d)", out_body(ok, "Require", NULL, 0), out_count(ok, "Require", NULL));
	CHECK(timer(d) == 1800, "timer %u, want 1800", timer(d));
}

CASE(flow9_existing_require_gets_timer_appended)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer, 100rel\nSession-Expires: 1800\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "Require: 100rel\n");
	dlg_reply(d, ok);
	const char *r = out_body(ok, "Require", NULL, 0);
	CHECK(out_count(ok, "Require", NULL) == 1 && has_token(r, "100rel") && has_token(r, "timer"),
		"Require out \"%s\" (x%d), want one with 100rel and timer", r, out_count(ok, "Require", NULL));
	CHECK(num(OUT_SE(ok)) == 1800, "2xx Session-Expires \"%s\"", OUT_SE(ok));
}

CASE(flow10_nobody_supports_default_timeout)
{
	g_default_timeout = 7200;                   /* dialog modparams precede every mod_init */
	BOOT(FLAG);
	struct dlg_cell *d = call("", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "");
	dlg_reply(d, ok);
	CHECK(timer(d) == 7200, "timer %u, want the dialog default_timeout 7200", timer(d));
	CHECK(out_count(ok, "Session-Expires", "x") == 0, "Session-Expires added for a UAC without timer");
}

/* a $DLG_timeout set by the script survives a call without timers (the C
 * module overwrote it: OpenSIPS #2829) and loses against a negotiated timer */
CASE(script_dlg_timeout_kept_without_session_timer)
{
	g_script_timeout = 600;
	BOOT(FLAG);
	struct dlg_cell *d = call("", 0, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	CHECK(timer(d) == 600, "timer %u, want the script's $DLG_timeout 600", timer(d));
	dlg_req(d, req("ACK", 1, ""));
	CHECK(d->lifetime == 600, "lifetime %u after the ACK, want 600 kept", d->lifetime);
}

CASE(script_dlg_timeout_loses_to_negotiated_timer)
{
	g_script_timeout = 600;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 0, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", "Session-Expires: 1800;refresher=uac\n"));
	CHECK(timer(d) == 1800, "timer %u, want the negotiated 1800", timer(d));
}
