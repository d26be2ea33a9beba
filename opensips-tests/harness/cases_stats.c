/*
 * The sst statistics group: which statistics the core registers and how,
 * and how each moves through whole calls (the gauge back to 0 however a
 * call ends, each counter by exactly what happened).
 */
#include "harness.h"

/* every counter of the group, and the gauge, in one line for the failure message */
static const char *all(void)
{
	static char b[256];
	snprintf(b, sizeof b, "active %lu expired %lu refreshed %lu refused %lu rejected %lu raised %lu lowered %lu",
		stat_value("active_sst"), stat_value("expired_sst"), stat_value("refreshed_sst"), stat_value("refresh_refused_sst"),
		stat_value("rejected_sst"), stat_value("raised_sst"), stat_value("lowered_sst"));
	return b;
}

CASE(stats_registered_as_one_gauge_and_counters)
{
	BOOT(FLAG);
	static const char *counters[] = {"expired_sst", "refreshed_sst", "refresh_refused_sst", "rejected_sst",
		"raised_sst", "lowered_sst", "capped_sst", "lost_sst"};
	struct host_stat *g = stat_find("active_sst");
	CHECK(g && g->var.flags == STAT_NO_RESET, "active_sst: %s, flags %d; want a gauge (STAT_NO_RESET)",
		g ? "registered" : "missing", g ? g->var.flags : -1);
	for (size_t i = 0; i < sizeof counters / sizeof *counters; i++) {
		struct host_stat *s = stat_find(counters[i]);
		CHECK(s && s->var.flags == 0 && s->counter == 0, "%s: %s, flags %d; want a counter at 0",
			counters[i], s ? "registered" : "missing", s ? s->var.flags : -1);
	}
	CHECK(g_nstats == 9, "%d statistics registered, want 9", g_nstats);
}

CASE(stats_none_without_enable_stats)
{
	BOOT(FLAG, I("enable_stats", 0));
	struct dlg_cell *d = established(1800);
	dlg_req(d, req("UPDATE", 2, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 2, "UPDATE", "Session-Expires: 1800;refresher=uac\n"));
	dlg_destroy(d);
	CHECK(g_nstats == 0, "%d statistics registered with enable_stats 0", g_nstats);
}

/* one call: answered, refreshed twice (once refused), ended by BYE */
CASE(stats_follow_a_call_from_answer_to_bye)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	CHECK(stat_value("active_sst") == 0, "counted before the 2xx: %s", all());
	dlg_reply(d, rpl(200, 1, "INVITE", "Require: timer\nSession-Expires: 1800;refresher=uac\n"));
	dlg_req(d, req("ACK", 1, ""));
	CHECK(stat_value("active_sst") == 1, "after the 2xx: %s", all());
	/* the 2xx again from another branch: no second count */
	dlg_reply_on_leg(d, rpl(200, 1, "INVITE", "Require: timer\nSession-Expires: 1800;refresher=uac\n"), 2);
	dlg_req(d, req("UPDATE", 2, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 2, "UPDATE", "Session-Expires: 1800;refresher=uac\n"));
	dlg_req(d, req("INVITE", 3, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(491, 3, "INVITE", ""));
	/* a reply to something that is no refresh */
	dlg_req(d, req("INFO", 4, ""));
	dlg_reply_within(d, rpl(200, 4, "INFO", ""));
	CHECK(stat_value("refreshed_sst") == 1 && stat_value("refresh_refused_sst") == 1 && stat_value("active_sst") == 1,
		"after a 200 and a 491 to refreshes and a 200 to INFO: %s", all());
	run_cbs(DLGCB_TERMINATED, d, req("BYE", 5, ""), DIR_DOWN, 1, NULL);
	CHECK(stat_value("active_sst") == 0 && stat_value("expired_sst") == 0, "after the BYE: %s", all());
	dlg_destroy(d);
	CHECK(stat_value("active_sst") == 0, "the gauge moved again at destroy: %s", all());
}

/* every way a call ends brings the gauge back, once */
CASE(stats_gauge_back_to_zero_however_a_call_ends)
{
	BOOT(FLAG);
	struct dlg_cell *expired = established(1800), *byed = established(1800), *freed = established(1800);
	struct dlg_cell *failed = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	dlg_reply(failed, rpl(486, 1, "INVITE", ""));
	CHECK(stat_value("active_sst") == 3, "three answered calls, one failed: %s", all());
	run_cbs(DLGCB_EXPIRED, expired, NULL, DIR_NONE, -1, NULL);
	run_cbs(DLGCB_TERMINATED, byed, req("BYE", 2, ""), DIR_DOWN, 1, NULL);
	CHECK(stat_value("active_sst") == 1 && stat_value("expired_sst") == 1, "after an expiry and a BYE: %s", all());
	dlg_destroy(expired);
	dlg_destroy(byed);
	dlg_destroy(freed);     /* freed with no end event at all (e.g. shutdown) */
	dlg_destroy(failed);
	CHECK(stat_value("active_sst") == 0, "all freed: %s", all());
}

/* a refresh whose 2xx drops Session-Expires ends session timing; a later one starts it again */
CASE(stats_gauge_follows_timing_turned_off_and_on)
{
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	dlg_req(d, req("UPDATE", 2, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 2, "UPDATE", ""));
	CHECK(stat_value("active_sst") == 0, "timing turned off: %s", all());
	dlg_req(d, req("UPDATE", 3, "Supported: timer\nSession-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 3, "UPDATE", "Session-Expires: 1800;refresher=uas\n"));
	CHECK(stat_value("active_sst") == 1, "timing on again: %s", all());
	dlg_destroy(d);
	CHECK(stat_value("active_sst") == 0, "freed: %s", all());
}

/* restart or replication: a loaded dialog with a running timer is counted once, until freed */
CASE(stats_loaded_dialog_counted_until_freed)
{
	struct dlg_cell *timed = dlg_new(), *untimed = dlg_new();
	timed->state = untimed->state = ST_CONFIRMED;
	timed->mod_flags = untimed->mod_flags = SST_DIALOG_FLAG;
	seed_info(timed, SST_UAC, SST_UAC, 1800, 0);
	seed_info(untimed, SST_PXY, SST_NSUP, 43200, 0);
	BOOT(FLAG);
	CHECK(stat_value("active_sst") == 1, "two loaded, one with a running timer: %s", all());
	dlg_destroy(untimed);
	CHECK(stat_value("active_sst") == 1, "the untimed one freed: %s", all());
	dlg_destroy(timed);
	CHECK(stat_value("active_sst") == 0, "both freed: %s", all());
}

CASE(stats_count_requests_raised_lowered_and_422s)
{
	int one = 1;
	BOOT(FLAG, I("max_se", 3600));
	/* below min_se, the UAC does not support timers: raised (flow 4) */
	dlg_destroy(call("Session-Expires: 100\nMin-SE: 90\n", 1, NULL));
	/* above max_se: lowered */
	dlg_destroy(call("Supported: timer\nSession-Expires: 7200\n", 1, NULL));
	/* none at all: inserted, neither */
	dlg_destroy(call("", 1, NULL));
	CHECK(stat_value("raised_sst") == 1 && stat_value("lowered_sst") == 1, "after a raise, a lowering and an insert: %s", all());
	check_min(req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n"), &one);
	check_min(req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n"), NULL);   /* no reply asked */
	CHECK(stat_value("rejected_sst") == 1, "one 422 sent: %s", all());
	g_reply_ret = -1;
	check_min(req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n"), &one);
	CHECK(stat_value("rejected_sst") == 1, "a 422 that could not be sent was counted: %s", all());
}
