/*
 * What the script and MI see: the dialog's MI context (flow 15) and the
 * $sst(name) pseudo-variable, read and written as the core drives it.
 */
#include "harness.h"

CASE(flow15_mi_context_three_numbers)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = established(1800);
	struct cJSON *o = mi_child(dlg_mi(d), "sst"), *r = mi_child(o, "requester_flags"),
		*s = mi_child(o, "supported_flags"), *n = mi_child(o, "interval");
	CHECK(o && o->is_obj && r && s && n, "dialog context: sst object %p with requester_flags %p, "
		"supported_flags %p, interval %p", (void *)o, (void *)r, (void *)s, (void *)n);
	if (r && s && n && info_of(d, &i) == 1)
		CHECK(r->num == i.req && s->num == i.sup && n->num == 1800, "MI %g/%g/%g vs " INFO_FMT,
			r->num, s->num, n->num, INFO_ARGS(i));
}

/* the last accepted refresh, per node: absent before one, Unix time after */
CASE(mi_context_last_refresh)
{
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = established(1800);
	CHECK(!mi_child(mi_child(dlg_mi(d), "sst"), "last_refresh"), "last_refresh shown before any refresh");
	d->start_ts = (unsigned int)time(NULL) - 900;   /* answered 900 s ago */
	dlg_req(d, req("UPDATE", 2, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(488, 2, "UPDATE", ""));
	CHECK(!mi_child(mi_child(dlg_mi(d), "sst"), "last_refresh"), "a refused refresh shown as last_refresh");
	dlg_req(d, req("UPDATE", 3, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 3, "UPDATE", "Session-Expires: 1800;refresher=uac\n"));
	struct cJSON *t = mi_child(mi_child(dlg_mi(d), "sst"), "last_refresh");
	long now = (long)time(NULL);
	CHECK(t && labs((long)t->num - now) <= 1, "last_refresh %g after a refresh accepted now (%ld)", t ? t->num : -1.0, now);
}

/* ---- $sst(name), as the core drives a module pseudo-variable ---- */
static const pv_export_t *sst_item(void)
{
	for (const pv_export_t *it = M.exp->items; it && it->name.s; it++)
		if (it->name.len == 3 && !memcmp(it->name.s, "sst", 3))
			return it;
	return NULL;
}

/* the config parser: a pv_spec_t as large as the largest version's (112 B) */
static pv_spec_t *pv_parse(const char *name, int *rc)
{
	static union { pv_spec_t s; char b[128]; } specs[16];
	static int k;
	const pv_export_t *it = sst_item();
	pv_spec_t *sp = &specs[k++ & 15].s;
	memset(sp, 0, 128);
	str in = { (char *)name, (int)strlen(name) };
	*rc = it && it->parse_name ? it->parse_name(sp, &in) : -99;
	return sp;
}

static pv_value_t pv_read(const char *name)
{
	int rc;
	pv_value_t v = { { NULL, 0 }, 0, 0 };
	pv_spec_t *sp = pv_parse(name, &rc);
	CHECK(rc == 0, "parse_name(%s) = %d", name, rc);
	if (rc == 0 && sst_item()->getf(req("OPTIONS", 9, ""), &sp->pvp, &v) != 0)
		failf("getf($sst(%s)) failed", name);
	return v;
}

static int pv_is_null(pv_value_t v) { return v.flags == PV_VAL_NULL; }
static int pv_is_uint(pv_value_t v, unsigned int n)
{
	return (v.flags & PV_TYPE_INT) && (unsigned int)v.ri == n && v.rs.s && atoi(v.rs.s) == (int)n;
}
static int pv_is_word(pv_value_t v, const char *w)
{
	return v.flags == PV_VAL_STR && v.rs.len == (int)strlen(w) && !memcmp(v.rs.s, w, v.rs.len);
}

/* `$sst(name) = value;`: an int, a string, or NULL for $null */
static int pv_write(const char *name, const char *sval, int ival)
{
	int rc;
	pv_spec_t *sp = pv_parse(name, &rc);
	pv_value_t v = { { (char *)sval, sval ? (int)strlen(sval) : 0 }, ival,
		sval ? PV_VAL_STR : PV_VAL_INT | PV_TYPE_INT };
	if (rc)
		return rc;
	return sst_item()->setf(req("OPTIONS", 9, ""), &sp->pvp, 18 /* EQ_T */, sval == NULL && ival < -1000 ? NULL : &v);
}
#define PV_NULL NULL, -1001

CASE(pv_item_exported_as_the_dialog_module_does)
{
	BOOT(FLAG);
	const pv_export_t *it = sst_item();
	CHECK(it && it->type == PV_MODULE_TYPE && it->getf && it->setf && it->parse_name && !it->parse_index,
		"$sst item missing or not {type 1000, getf, setf, parse_name}");
	CHECK(M.exp->items[1].name.s == NULL, "the items table is not terminated after $sst");
}

CASE(pv_unknown_name_fails_the_config)
{
	int rc;
	BOOT(FLAG);
	pv_parse("intervall", &rc);
	CHECK(rc < 0, "parse_name(intervall) = %d, want an error", rc);
	CHECK(log_has(L_ERR, 0, "unknown name in $sst(intervall)"), "no error line names the bad $sst name");
	static const char *ok[] = { "interval", "refresher", "requester", "requester_flags", "supported",
		"supported_flags", "expires", "insert", "max_duration" };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		pv_parse(ok[i], &rc);
		CHECK(rc == 0, "parse_name(%s) = %d", ok[i], rc);
	}
}

CASE(pv_reads_null_before_the_dialog)
{
	BOOT(FLAG);
	new_context();
	static const char *n[] = { "interval", "refresher", "requester", "requester_flags", "supported",
		"supported_flags", "expires", "insert", "max_duration" };
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		CHECK(pv_is_null(pv_read(n[i])), "$sst(%s) before any dialog: flags %d, want $null", n[i],
			pv_read(n[i]).flags);
	g_current_dlg = call("Supported: timer\n", 0, NULL);   /* a dialog, but not ours: untracked */
	g_current_dlg->mod_flags = 0;
	CHECK(pv_is_null(pv_read("interval")), "$sst(interval) of an untracked dialog is not $null");
}

CASE(pv_reads_a_tracked_call)
{
	BOOT(FLAG);
	new_context();
	struct dlg_cell *d = established(1800);      /* UAC asked 1800, 2xx refresher=uac */
	g_current_dlg = d;
	d->tl.timeout = g_ticks + 1700;             /* armed 100 s ago */
	long now = (long)time(NULL);
	pv_value_t e = pv_read("expires");
	CHECK(pv_is_uint(pv_read("interval"), 1800), "$sst(interval) is not 1800");
	CHECK(pv_is_word(pv_read("refresher"), "uac"), "$sst(refresher) is not uac");
	CHECK(pv_is_word(pv_read("requester"), "uac"), "$sst(requester) is not uac");
	CHECK(pv_is_uint(pv_read("requester_flags"), 1), "$sst(requester_flags) is not 1");
	CHECK(pv_is_word(pv_read("supported"), "uac"), "$sst(supported) is not uac");
	CHECK(pv_is_uint(pv_read("supported_flags"), 1), "$sst(supported_flags) is not 1");
	CHECK((e.flags & PV_TYPE_INT) && labs((long)(unsigned int)e.ri - (now + 1700)) <= 1,
		"$sst(expires) = %u, want now + 1700 = %ld", (unsigned int)e.ri, now + 1700);
	CHECK(pv_is_null(pv_read("insert")), "$sst(insert) after tracking is not $null");
	d->tl.timeout = 0;                          /* not on the timer list */
	CHECK(pv_is_null(pv_read("expires")), "$sst(expires) of an unarmed dialog is not $null");
}

CASE(pv_write_before_the_dialog_steers_the_call)
{
	struct info i = { 0, 0, 0, 0 };
	struct sip_msg *inv;
	BOOT(FLAG, I("min_se", 90));
	new_context();
	CHECK(pv_write("interval", NULL, 2400) == 0, "$sst(interval) = 2400 refused");
	CHECK(pv_is_uint(pv_read("interval"), 2400), "$sst(interval) does not read back 2400");
	struct dlg_cell *d = call("Supported: timer\n", 0, &inv);
	CHECK(!strcmp(OUT_SE(inv), "2400") && info_of(d, &i) == 1 && i.req == SST_PXY && i.iv == 2400,
		"per-call interval: SE out \"%s\", " INFO_FMT, OUT_SE(inv), INFO_ARGS(i));
	new_context();                               /* the next message: back to defaults */
	CHECK(pv_write("insert", "no", 0) == 0, "$sst(insert) = \"no\" refused");
	d = call("Supported: timer\n", 0, &inv);
	CHECK(unchanged(inv) && info_of(d, &i) == 1 && i.req == 0 && i.iv == 0,
		"opted out: INVITE changed %d, " INFO_FMT, !unchanged(inv), INFO_ARGS(i));
	new_context();
	d = call("Supported: timer\n", 0, &inv);
	CHECK(!strcmp(OUT_SE(inv), "90"), "a new message still sees the last call's options: SE \"%s\"",
		OUT_SE(inv));
}

CASE(pv_opt_out_adds_nothing_to_the_2xx_issue_991)
{
	struct sip_msg *inv;
	BOOT(FLAG, I("min_se", 90));
	new_context();
	pv_write("insert", NULL, 0);
	struct dlg_cell *d = call("Supported: timer\n", 0, &inv);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "");
	dlg_reply(d, ok);
	CHECK(unchanged(ok) && timer(d) == 43200, "opted out: 2xx changed %d, timer %u (want the dialog's 43200)",
		!unchanged(ok), timer(d));
}

CASE(pv_write_after_tracking_is_refused)
{
	BOOT(FLAG);
	new_context();
	struct dlg_cell *d = established(1800);
	g_current_dlg = d;
	CHECK(pv_write("interval", NULL, 600) < 0, "a late $sst(interval) write was accepted");
	CHECK(log_has(L_ERR, 0, "can only be set before"), "no error line for the late write");
	CHECK(d->lifetime == 1800, "a refused write changed the lifetime to %u", d->lifetime);
}

CASE(pv_write_bad_values_are_refused)
{
	BOOT(FLAG);
	new_context();
	CHECK(pv_write("interval", "soon", 0) < 0, "$sst(interval) = \"soon\" accepted");
	CHECK(pv_write("interval", NULL, 0) < 0, "$sst(interval) = 0 accepted");
	CHECK(pv_write("interval", NULL, -5) < 0, "$sst(interval) = -5 accepted");
	CHECK(pv_write("insert", "maybe", 0) < 0, "$sst(insert) = \"maybe\" accepted");
	CHECK(pv_write("requester", NULL, 1) < 0, "$sst(requester) written");
	CHECK(log_has(L_ERR, 0, "read-only"), "no error line for a read-only item");
	CHECK(pv_write("interval", "900", 0) == 0 && pv_write("interval", PV_NULL) == 0 &&
		pv_is_null(pv_read("interval")), "$sst(interval) = $null does not reset it");
	current_processing_ctx = NULL;                /* no message being processed */
	CHECK(pv_write("interval", NULL, 900) < 0, "a write without a processing context was accepted");
}
