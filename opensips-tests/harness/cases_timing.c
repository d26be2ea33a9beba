/*
 * The session in force and the dialog timer: refused refreshes, forked
 * 2xx, early requests, huge or zero Session-Expires, max_se.
 */
#include "harness.h"

/* A refresh proposing less than is left, then refused: the lifetime armed at
 * the request keeps what is left of the session in force (RFC 4028 §10). */
CASE(timing_refused_refresh_keeps_what_is_left)
{
	static const int codes[] = { 488, 491, 500, 408, 487 };
	BOOT(FLAG, I("min_se", 90));
	for (int k = 0; k < 5; k++) {
		struct dlg_cell *d = established(1800);
		d->tl.timeout = g_ticks + 1790;             /* 10 s into the 1800 s session */
		dlg_req(d, req(k % 2 ? "UPDATE" : "INVITE", 2, "Session-Expires: 90\n"));
		CHECK(timer(d) >= 1790, "%d: armed %u at the refresh, want >= 1790 left", codes[k], timer(d));
		dlg_reply_within(d, rpl(codes[k], 2, k % 2 ? "UPDATE" : "INVITE", ""));
		dlg_req(d, req("OPTIONS", 3, ""));
		CHECK(timer(d) >= 1790, "%d: armed %u after the refusal, want >= 1790", codes[k], timer(d));
	}
}

CASE(timing_second_branch_2xx_settles_nothing)
{
	struct info i;
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	dlg_reply_on_leg(d, rpl(200, 1, "INVITE", "Session-Expires: 1800;refresher=uac\n"), 1);
	dlg_req(d, req("ACK", 1, ""));
	struct sip_msg *other = rpl(200, 1, "INVITE", "Session-Expires: 90;refresher=uas\n");
	dlg_reply_on_leg(d, other, 2);
	dlg_req(d, req("INFO", 2, ""));
	CHECK(info_of(d, &i) == 1 && i.iv == 1800, "sst_info " INFO_FMT ", want interval 1800", INFO_ARGS(i));
	CHECK(!strcmp(mi_refresher(d), "uac"), "refresher %s, want uac", mi_refresher(d));
	CHECK(d->lifetime == 1800 && timer(d) == 1800, "lifetime %u timer %u, want 1800", d->lifetime, timer(d));
	CHECK(out_count(other, "Session-Expires", "x") == 1, "the other branch's 2xx was edited");
}

/* PRACK and an early UPDATE do not decide the lifetime: with no session
 * timer in the end the dialog keeps its own timeout. */
CASE(timing_early_requests_leave_the_dialog_timeout)
{
	g_default_timeout = 7200;
	BOOT(FLAG);                                     /* min_se 1800: the proxy inserts one */
	struct dlg_cell *d = call("", 0, NULL);
	dlg_reply(d, rpl(183, 1, "INVITE", "Require: 100rel\nRSeq: 1\n"));
	dlg_req(d, req("PRACK", 2, "RAck: 1 1 INVITE\n"));
	dlg_reply_within(d, rpl(200, 2, "PRACK", ""));
	dlg_req(d, req("UPDATE", 3, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 3, "UPDATE", "Session-Expires: 1800;refresher=uas\n"));
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	dlg_req(d, req("ACK", 1, ""));
	CHECK(timer(d) == 7200 && d->lifetime == 7200, "timer %u lifetime %u, want the dialog's 7200",
		timer(d), d->lifetime);
}

CASE(timing_huge_session_expires_is_clamped_with_a_notice)
{
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 4294967295\n", 1, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", "Session-Expires: 4294967295;refresher=uac\n"));
	unsigned long room = 2147483647UL - (unsigned long)time(NULL);
	CHECK(d->lifetime > 0 && d->lifetime <= room && g_ticks + (unsigned long)d->lifetime <= 2147483647UL,
		"lifetime %u: the dialog timer would wrap", d->lifetime);
	CHECK(log_has(L_NOTICE, 0, "clamped to") && log_has(L_NOTICE, 0, "call-1@harness"),
		"no NOTICE naming the call");
}

CASE(timing_2xx_with_session_expires_0_gets_no_second_one)
{
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "Session-Expires: 0\n");
	dlg_reply(d, ok);
	CHECK(out_count(ok, "Session-Expires", "x") == 1, "%d Session-Expires reach the UAC",
		out_count(ok, "Session-Expires", "x"));
	CHECK(timer(d) == 43200, "timer %u, want the dialog's own 43200 (no session timer)", timer(d));
}

CASE(timing_max_se_lowers_the_request)
{
	struct sip_msg *inv;
	BOOT(FLAG, I("min_se", 90), I("max_se", 3600));
	call("Supported: timer\nSession-Expires: 7200;refresher=uac\n", 1, &inv);
	CHECK(!strcmp(out_body(inv, "Session-Expires", "x", 0), "3600;refresher=uac"),
		"Session-Expires out \"%s\", want 3600;refresher=uac", out_body(inv, "Session-Expires", "x", 0));
}
