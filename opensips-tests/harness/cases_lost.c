/*
 * dead_call_grace: a refresh answered 408 or 481 means the far end lost the
 * dialog; the call is given the grace at once (as $DLG_timeout does, so the
 * timer moves without waiting for a request), requests after it do not give
 * the session back, a refresh answered again revives it, and its end is no
 * session-timer expiry.
 */
#include "harness.h"

/* an established call with SE 1800, the current dialog of what follows */
static struct dlg_cell *call_in_progress(void)
{
	struct dlg_cell *d = established(1800);
	g_current_dlg = d;                          /* the reply's dialog, as the dialog module finds it */
	return d;
}

/* an UPDATE refresh (SE 1800) answered `code`, with `hdrs` in the answer */
static void update_answered(struct dlg_cell *d, int cseq, int code, const char *hdrs)
{
	dlg_req(d, req("UPDATE", cseq, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(code, cseq, "UPDATE", hdrs));
}

CASE(lost_481_to_a_refresh_leaves_the_grace_now)
{
	BOOT(FLAG, I("min_se", 90), I("dead_call_grace", 32));
	struct dlg_cell *d = call_in_progress();
	dlg_req(d, req("INVITE", 2, "Supported: timer\nSession-Expires: 1800\n"));
	dlg_reply_within(d, rpl(481, 2, "INVITE", ""));
	CHECK(g_dlg_timeout_sets == 1 && timer(d) == 32, "481 to a refresh: %d $DLG_timeout set(s), timer %u; want 1 and 32",
		g_dlg_timeout_sets, timer(d));
	CHECK(stat_value("lost_sst") == 1 && stat_value("refresh_refused_sst") == 1, "lost_sst %lu, refresh_refused_sst %lu",
		stat_value("lost_sst"), stat_value("refresh_refused_sst"));
	CHECK(log_has(L_NOTICE, 0, "the far end lost the dialog"), "no NOTICE says the far end lost the dialog");
	d->tl.timeout = g_ticks + 20;               /* 12 s later */
	dext_of(d)->timer = 20;
	dlg_req(d, req("ACK", 2, ""));              /* the ACK of the 481: no session back */
	CHECK(timer(d) == 20, "the ACK of the 481 re-armed %u s, want what was left (20)", timer(d));
	run_cbs(DLGCB_EXPIRED, d, NULL, DIR_NONE, -1, NULL);
	CHECK(stat_value("expired_sst") == 0 && g_event.raised == 0, "the grace's end counted as a session expiry: "
		"expired_sst %lu, events %d", stat_value("expired_sst"), g_event.raised);
}

CASE(lost_then_answered_again_is_revived_at_once)
{
	BOOT(FLAG, I("min_se", 90), I("dead_call_grace", 32));
	struct dlg_cell *d = call_in_progress();
	update_answered(d, 2, 408, "");
	CHECK(timer(d) == 32, "408 to a refresh: timer %u, want 32", timer(d));
	update_answered(d, 3, 200, "Session-Expires: 1800;refresher=uac\n");
	CHECK(timer(d) == 1800 && g_dlg_timeout_sets == 2, "answered again: timer %u (want 1800), %d sets (want 2)",
		timer(d), g_dlg_timeout_sets);
}

CASE(lost_other_refusals_and_grace_0_keep_the_session)
{
	BOOT(FLAG, I("min_se", 90), I("dead_call_grace", 0));
	struct dlg_cell *d = call_in_progress();
	update_answered(d, 2, 481, "");
	CHECK(g_dlg_timeout_sets == 0 && timer(d) == 1800 && stat_value("lost_sst") == 0,
		"dead_call_grace 0: %d sets, timer %u, lost_sst %lu", g_dlg_timeout_sets, timer(d), stat_value("lost_sst"));
}

CASE(lost_grace_default_is_32_and_488_is_no_loss)
{
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call_in_progress();
	update_answered(d, 2, 488, "");
	CHECK(g_dlg_timeout_sets == 0 && timer(d) == 1800, "488: %d sets, timer %u", g_dlg_timeout_sets, timer(d));
	update_answered(d, 3, 481, "");
	CHECK(timer(d) == 32, "481 with the default grace: timer %u, want 32", timer(d));
}

/* A refresh the far end never answers: tm answers it with its own 408,
 * which reaches no dialog callback, only the tm callback the module put on
 * the refresh's transaction. */
CASE(lost_own_408_to_a_refresh_leaves_the_grace_now)
{
	BOOT(FLAG, I("min_se", 90), I("dead_call_grace", 32));
	struct dlg_cell *d = call_in_progress();
	struct sip_msg *refresh = req("INVITE", 2, "Supported: timer\nSession-Expires: 1800\n");
	dlg_req(d, refresh);
	CHECK(tmcbs_on(refresh) == 1, "%d tm callbacks on the refresh's transaction, want 1", tmcbs_on(refresh));
	tm_reply_out(refresh, FAKED_REPLY_MSG, 408);
	CHECK(g_dlg_timeout_sets == 1 && timer(d) == 32, "tm's own 408: %d $DLG_timeout set(s), timer %u; want 1 and 32",
		g_dlg_timeout_sets, timer(d));
	CHECK(stat_value("lost_sst") == 1 && stat_value("refresh_refused_sst") == 1, "lost_sst %lu, refresh_refused_sst %lu",
		stat_value("lost_sst"), stat_value("refresh_refused_sst"));
	dlg_req(d, req("ACK", 2, ""));              /* the ACK of the 408: no session back */
	CHECK(timer(d) <= 32, "the ACK of tm's 408 re-armed %u s, want at most the grace", timer(d));
}

/* A reply from the far end goes out through the same transaction: the
 * dialog's own callback decided it; the tm callback must not count it again. */
CASE(lost_forwarded_replies_are_decided_once)
{
	BOOT(FLAG, I("min_se", 90), I("dead_call_grace", 32));
	struct dlg_cell *d = call_in_progress();
	struct sip_msg *refresh = req("UPDATE", 2, "Session-Expires: 1800\n"), *answer = rpl(481, 2, "UPDATE", "");
	dlg_req(d, refresh);
	dlg_reply_within(d, answer);
	tm_reply_out(refresh, answer, 481);
	CHECK(stat_value("lost_sst") == 1 && stat_value("refresh_refused_sst") == 1 && g_dlg_timeout_sets == 1,
		"a forwarded 481 seen twice: lost_sst %lu, refresh_refused_sst %lu, %d sets",
		stat_value("lost_sst"), stat_value("refresh_refused_sst"), g_dlg_timeout_sets);
}

/* tm's own 500 (a script's t_reply) is a refusal that keeps the session; its
 * own 2xx settles nothing; one whose dialog is gone touches nothing; and a
 * request that refreshes nothing puts no callback on its transaction. */
CASE(lost_own_other_replies_keep_the_session)
{
	BOOT(FLAG, I("min_se", 90), I("dead_call_grace", 32));
	struct dlg_cell *d = call_in_progress();
	struct sip_msg *r2 = req("UPDATE", 2, "Session-Expires: 1800\n"), *r3 = req("UPDATE", 3, "Session-Expires: 1800\n");
	dlg_req(d, r2);
	tm_reply_out(r2, FAKED_REPLY_MSG, 500);
	CHECK(g_dlg_timeout_sets == 0 && timer(d) == 1800 && stat_value("refresh_refused_sst") == 1 && stat_value("lost_sst") == 0,
		"tm's own 500: %d sets, timer %u, refresh_refused_sst %lu, lost_sst %lu", g_dlg_timeout_sets, timer(d),
		stat_value("refresh_refused_sst"), stat_value("lost_sst"));
	dlg_req(d, r3);
	tm_reply_out(r3, FAKED_REPLY_MSG, 200);
	g_current_dlg = NULL;                       /* the transaction lost its dialog */
	tm_reply_out(r3, FAKED_REPLY_MSG, 408);
	CHECK(g_dlg_timeout_sets == 0 && timer(d) == 1800 && stat_value("refresh_refused_sst") == 1 && stat_value("refreshed_sst") == 0,
		"own 200 / 408 without a dialog: %d sets, timer %u, refused %lu, refreshed %lu", g_dlg_timeout_sets, timer(d),
		stat_value("refresh_refused_sst"), stat_value("refreshed_sst"));
	struct sip_msg *info = req("INFO", 4, "");
	dlg_req(d, info);
	CHECK(tmcbs_on(info) == 0, "INFO: %d tm callbacks, want none", tmcbs_on(info));
}
