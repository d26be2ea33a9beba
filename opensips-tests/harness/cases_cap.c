/*
 * max_duration and $sst(max_duration): the longest a call may last from its
 * answer, whatever the refreshes; what is left of it bounds every lifetime
 * the module arms, and a call ended there is counted in capped_sst, not as a
 * session-timer expiry.
 */
#include "harness.h"

static int pv_set_max(int secs)
{
	static union { pv_spec_t s; char b[128]; } spec;
	const pv_export_t *e = NULL;
	for (const pv_export_t *p = M.exp->items; p && p->name.s; p++)
		if (!strcmp(p->name.s, "sst"))
			e = p;
	str name = { "max_duration", 12 };
	if (!e || e->parse_name(&spec.s, &name) < 0)
		return -1;
	pv_value_t v = { .flags = PV_VAL_INT | PV_TYPE_INT, .ri = secs };
	return e->setf(NULL, &spec.s.pvp, 0, &v);
}

CASE(cap_bounds_the_answer_and_every_refresh)
{
	BOOT(FLAG, I("min_se", 90), I("max_duration", 600));
	struct dlg_cell *d = established(1800);
	CHECK(d->lifetime == 600 && timer(d) == 600, "answered SE 1800 with max_duration 600: lifetime %u timer %u",
		d->lifetime, timer(d));
	d->start_ts = (unsigned int)time(NULL) - 590;  /* answered 590 s ago */
	dlg_req(d, req("UPDATE", 2, "Session-Expires: 1800\n"));
	CHECK(timer(d) >= 9 && timer(d) <= 10, "a refresh 590 s after the answer armed %u s, want what is left (10)",
		timer(d));
	dlg_reply_within(d, rpl(200, 2, "UPDATE", "Session-Expires: 1800;refresher=uac\n"));
	dlg_req(d, req("INFO", 3, ""));
	CHECK(timer(d) >= 9 && timer(d) <= 10, "an INFO after the refresh's 200 armed %u s, want 10", timer(d));
}

CASE(cap_per_call_from_the_script_wins_and_is_kept)
{
	BOOT(FLAG, I("min_se", 90), I("max_duration", 600));
	new_context();
	CHECK(pv_set_max(300) == 0, "$sst(max_duration) = 300 refused");
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	struct dval *v = dval_find(dext_of(d), "sst_max_duration", 16);
	CHECK(v && v->len == 3 && !memcmp(v->buf, "300", 3), "dialog value sst_max_duration: %.*s, want 300",
		v ? v->len : 6, v ? v->buf : "(none)");
	dlg_reply(d, rpl(200, 1, "INVITE", "Require: timer\nSession-Expires: 1800;refresher=uac\n"));
	CHECK(d->lifetime == 300, "per-call 300 over the setting's 600: lifetime %u", d->lifetime);
	new_context();                                /* the next call: the setting again */
	struct dlg_cell *e = established(1800);
	CHECK(e->lifetime == 600 && !dval_find(dext_of(e), "sst_max_duration", 16),
		"the next call: lifetime %u (want 600), value stored %d", e->lifetime,
		dval_find(dext_of(e), "sst_max_duration", 16) != NULL);
	new_context();
	CHECK(pv_set_max(0) == 0, "$sst(max_duration) = 0 refused");
	struct dlg_cell *f = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	dlg_reply(f, rpl(200, 1, "INVITE", "Require: timer\nSession-Expires: 1800;refresher=uac\n"));
	CHECK(f->lifetime == 1800, "$sst(max_duration) = 0 (no limit for this call): lifetime %u", f->lifetime);
	CHECK(pv_set_max(-1) < 0, "$sst(max_duration) = -1 accepted");
}

CASE(cap_reached_is_counted_as_capped_not_expired)
{
	BOOT(FLAG, I("min_se", 90), I("max_duration", 600));
	struct dlg_cell *d = established(1800);
	d->start_ts = (unsigned int)time(NULL) - 600;
	run_cbs(DLGCB_EXPIRED, d, NULL, DIR_NONE, -1, NULL);
	CHECK(stat_value("capped_sst") == 1 && stat_value("expired_sst") == 0 && g_event.raised == 0,
		"ended at max_duration: capped_sst %lu, expired_sst %lu, events %d; want 1, 0, 0",
		stat_value("capped_sst"), stat_value("expired_sst"), g_event.raised);
	struct dlg_cell *e = established(90);          /* its session runs out first */
	e->start_ts = (unsigned int)time(NULL) - 90;
	run_cbs(DLGCB_EXPIRED, e, NULL, DIR_NONE, -1, NULL);
	CHECK(stat_value("capped_sst") == 1 && stat_value("expired_sst") == 1, "session expiry before the maximum: "
		"capped_sst %lu, expired_sst %lu; want 1, 1", stat_value("capped_sst"), stat_value("expired_sst"));
}

/* restart or replication: the call's own maximum comes back from its dialog value */
CASE(cap_per_call_survives_a_load)
{
	struct dlg_cell *d = dlg_new();
	d->state = ST_CONFIRMED;
	d->mod_flags = SST_DIALOG_FLAG;
	d->start_ts = (unsigned int)time(NULL) - 100;
	seed_info(d, SST_UAC, SST_UAC, 1800, 0);
	str n = { "sst_max_duration", 16 };
	int_str v = { .s = { "400", 3 } };
	fake_store_dlg_value(d, &n, &v, DLG_VAL_TYPE_STR);
	BOOT(FLAG, I("min_se", 90));
	dlg_req(d, req("INVITE", 5, "Supported: timer\nSession-Expires: 1800\n"));
	CHECK(timer(d) >= 299 && timer(d) <= 300, "a refresh 100 s after the answer of a loaded call with its own "
		"max_duration 400 armed %u s, want 300", timer(d));
}
