/*
 * Refreshes (flows 11 and 12): re-INVITE and UPDATE set the lifetime,
 * ACK and PRACK re-apply it; who refreshes, as recorded and shown.
 */
#include "harness.h"

CASE(flow11_reinvite_refresh_sets_lifetime)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	dlg_req(d, req("INVITE", 2, "Supported: timer\nSession-Expires: 1200\n"));
	dlg_reply_within(d, rpl(200, 2, "INVITE", "Require: timer\nSession-Expires: 1200;refresher=uac\n"));
	CHECK(d->lifetime == 1200 && d->lifetime_dirty, "lifetime %u dirty %u after the refresh 2xx",
		d->lifetime, d->lifetime_dirty);
	CHECK(info_of(d, &i) == 1 && i.iv == 1200, "sst_info " INFO_FMT, INFO_ARGS(i));
	dlg_req(d, req("ACK", 2, ""));
	CHECK(timer(d) == 1200, "timer %u after the ACK, want 1200", timer(d));
}

CASE(flow11_update_refresh_sets_lifetime)
{
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	dlg_req(d, req("UPDATE", 3, "Supported: timer\nSession-Expires: 1500\n"));
	dlg_reply_within(d, rpl(200, 3, "UPDATE", "Require: timer\nSession-Expires: 1500;refresher=uas\n"));
	CHECK(d->lifetime == 1500 && d->lifetime_dirty, "lifetime %u dirty %u after 200 UPDATE",
		d->lifetime, d->lifetime_dirty);
}

CASE(flow11_refresh_2xx_drops_se_default_timeout)
{
	g_default_timeout = 7200;
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	dlg_req(d, req("INVITE", 2, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 2, "INVITE", ""));
	dlg_req(d, req("ACK", 2, ""));
	CHECK(timer(d) == 7200 && d->lifetime == 7200, "timer %u lifetime %u, want default_timeout 7200 "
		"(the C module: 0)", timer(d), d->lifetime);
}

CASE(flow12_ack_and_prack_reapply_lifetime)
{
	static const char *m[] = { "ACK", "PRACK" };
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	for (int k = 0; k < 2; k++) {
		d->lifetime = 43200;                 /* what the dialog module put there */
		d->lifetime_dirty = 0;
		dlg_req(d, req(m[k], 1 + k, k ? "RAck: 1 1 INVITE\n" : ""));
		CHECK(d->lifetime == 1800 && timer(d) == 1800, "%s: lifetime %u timer %u, want 1800", m[k],
			d->lifetime, timer(d));
	}
}

CASE(refresher_recorded_from_2xx_and_shown_in_mi)
{
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);     /* 2xx: refresher=uac */
	CHECK(!strcmp(mi_refresher(d), "uac"), "refresher %s, want uac", mi_refresher(d));
	/* a refresh whose 2xx hands the refresh to the UAS (erratum 8926) */
	dlg_req(d, req("UPDATE", 5, "Supported: timer\nSession-Expires: 1800;refresher=uac\n"));
	dlg_reply_within(d, rpl(200, 5, "UPDATE", "Require: timer\nSession-Expires: 1800;refresher=uas\n"));
	CHECK(!strcmp(mi_refresher(d), "uas"), "after refresh: refresher %s, want uas", mi_refresher(d));
	/* a refresh answered without Session-Expires ends timing: no refresher */
	dlg_req(d, req("UPDATE", 6, "Supported: timer\nSession-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 6, "UPDATE", ""));
	CHECK(!strcmp(mi_refresher(d), ""), "timing ended: refresher '%s', want ''", mi_refresher(d));
}

CASE(refresher_of_flow9_is_uac)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	CHECK(!strcmp(mi_refresher(d), "uac"), "refresher %s, want uac", mi_refresher(d));
}

CASE(refresher_keeps_the_c_record_16_bytes)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	struct dval *v = dval_find(dext_of(d), "sst_info", 8);
	CHECK(v && v->len == 16 && info_of(d, &i) == 1 && !memcmp(v->buf + 12, "\0\0\0\0", 4),
		"sst_info is not the C record with word 4 zero");
	struct dval *r = dval_find(dext_of(d), "sst_refresher", 13);
	CHECK(r && r->type == DLG_VAL_TYPE_STR && r->len == 3 && !memcmp(r->buf, "uac", 3),
		"sst_refresher value missing or not 'uac'");
}
