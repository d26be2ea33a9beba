/*
 * The end of a call: expiry (flows 13 and 14), the expired_sst statistic,
 * bye-on-timeout, the E_SST_EXPIRED event, and nothing left allocated.
 */
#include "harness.h"

CASE(flow13_expired_counts_expired_sst)
{
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	struct host_stat *s = stat_find("expired_sst");
	run_cbs(DLGCB_EXPIRED, d, req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(s && s->counter == 1, "expired_sst = %lu, want 1", s ? s->counter : 0);
}

CASE(flow13_expired_with_stats_disabled)
{
	BOOT(FLAG, I("enable_stats", 0));
	run_cbs(DLGCB_EXPIRED, established(1800), req("BYE", 9, ""), DIR_NONE, -1, NULL);
}

CASE(flow14_failed_call_no_leak)   /* leaks: checked after every case */
{
	BOOT(FLAG);
	struct dlg_cell *d = call("", 0, NULL);
	dlg_reply(d, rpl(183, 1, "INVITE", ""));
	dlg_reply(d, rpl(486, 1, "INVITE", ""));
	dlg_destroy(d);
}

CASE(flow14_terminated_call_no_leak)
{
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	run_cbs(DLGCB_TERMINATED, d, req("BYE", 2, ""), DIR_DOWN, 1, NULL);
	dlg_destroy(d);
}

CASE(event_expired_carries_call_interval_and_refresher)
{
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	run_cbs(DLGCB_EXPIRED, d, req("BYE", 9, ""), DIR_NONE, -1, NULL);
	int c = event_param("callid"), iv = event_param("interval"), r = event_param("refresher"),
		q = event_param("requester"), he = event_param("hash_entry"), hi = event_param("hash_id");
	CHECK(g_event.raised == 1 && !strcmp(g_evi[g_event.id].name, "E_SST_EXPIRED"),
		"raised %d event(s), want one E_SST_EXPIRED", g_event.raised);
	CHECK(c >= 0 && !strcmp(g_event.sval[c], "call-1@harness"), "callid parameter missing or wrong");
	CHECK(iv >= 0 && g_event.is_int[iv] && g_event.ival[iv] == 1800, "interval parameter not 1800");
	CHECK(r >= 0 && !strcmp(g_event.sval[r], "uac"), "refresher parameter not uac");
	CHECK(q >= 0 && !strcmp(g_event.sval[q], "uac"), "requester parameter not uac");
	CHECK(he >= 0 && hi >= 0 && g_event.ival[he] == (int)d->h_entry && g_event.ival[hi] == (int)d->h_id,
		"hash_entry/hash_id parameters missing or wrong");
}

CASE(event_already_published_by_an_event_route_is_reused)
{
	script_event_route("E_SST_EXPIRED");
	BOOT(FLAG);
	CHECK(g_nevi == 1, "%d events published, want the script's one reused", g_nevi);
	run_cbs(DLGCB_EXPIRED, established(1800), req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(g_event.raised == 1 && g_event.id == 0, "not raised on the script's event id");
}

CASE(event_only_for_session_timers_with_subscribers)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("", 0, NULL);     /* flow 10: nobody supports timers */
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	run_cbs(DLGCB_EXPIRED, d, req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(g_event.raised == 0, "raised for a dialog that had no session timer");
	g_evi_subscribers = 0;
	run_cbs(DLGCB_EXPIRED, established(1800), req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(g_event.raised == 0, "parameters built and raised with nobody subscribed");
}

CASE(event_failures_are_logged_not_fatal)
{
	g_evi_publish_fail = 1;
	BOOT(FLAG);
	CHECK(log_has(L_ERR, 0, "cannot publish the E_SST_EXPIRED event"), "no error line for a failed publish");
	run_cbs(DLGCB_EXPIRED, established(1800), req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(g_event.raised == 0, "raised an event that was never published");
}

CASE(event_param_failure_frees_the_list)   /* leaks: checked after every case */
{
	BOOT(FLAG);
	g_evi_add_fail = 1;
	run_cbs(DLGCB_EXPIRED, established(1800), req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(g_event.raised == 0 && log_has(L_ERR, 0, "cannot raise E_SST_EXPIRED"),
		"a failed parameter: raised %d, error line %d", g_event.raised, log_has(L_ERR, 0, "cannot raise"));
}

/* bye-on-timeout: the dialog module sends BYEs and runs TERMINATED, not
 * EXPIRED; only the node in charge (is_active) counts, and only a dialog
 * whose session timer ran out. */
CASE(expiry_bye_on_timeout_counted_once)
{
	BOOT(FLAG, I("min_se", 90));
	struct host_stat *s = stat_find("expired_sst");
	static char timeout[] = "Lifetime Timeout", bye[] = "Upstream BYE";
	struct dlg_cell *d = established(1800);
	d->flags |= DLG_FLAG_BYEONTIMEOUT;
	d->terminate_reason.s = timeout; d->terminate_reason.len = 16;
	run_cbs(DLGCB_TERMINATED, d, req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(s && s->counter == 1 && g_event.raised == 1, "expired_sst %lu, events %d: want 1 and 1",
		s ? s->counter : 0, g_event.raised);
	struct dlg_cell *e = established(1800);         /* hung up by the caller */
	e->flags |= DLG_FLAG_BYEONTIMEOUT;
	e->terminate_reason.s = bye; e->terminate_reason.len = 12;
	run_cbs(DLGCB_TERMINATED, e, req("BYE", 2, ""), DIR_DOWN, 1, NULL);
	CHECK(s && s->counter == 1, "a caller's BYE counted as an expiry");
}

CASE(expiry_without_a_session_timer_not_counted)
{
	BOOT(FLAG);
	struct host_stat *s = stat_find("expired_sst");
	struct dlg_cell *d = call("", 0, NULL);         /* flow 10: nobody supports timers */
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	run_cbs(DLGCB_EXPIRED, d, req("BYE", 9, ""), DIR_NONE, -1, NULL);
	CHECK(s && s->counter == 0, "expired_sst %lu for a dialog with no session timer", s ? s->counter : 0);
}
