/*
 * Start-up and the loader: the exports, the APIs bound, the parameters and
 * their defaults, what refuses to load.
 */
#include "harness.h"

CASE(startup_exports_shape)
{
	static const struct { const char *n; modparam_t t; } want[] = { {"sst_flag", STR_PARAM},
		{"min_se", INT_PARAM}, {"sst_interval", INT_PARAM}, {"reject_to_small", INT_PARAM},
		{"enable_stats", INT_PARAM} };
	BOOT(FLAG);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const param_export_t *p = M.exp->params;
		while (p && p->name && strcmp(p->name, want[i].n))
			p++;
		CHECK(p && p->name && p->type == want[i].t, "parameter %s missing or not of type %u",
			want[i].n, want[i].t);
	}
	CHECK(M.cmd->params[0].flags == (CMD_PARAM_INT | CMD_PARAM_OPT) && M.cmd->params[1].flags == 0,
		"sstCheckMin parameters %#x, %#x", M.cmd->params[0].flags, M.cmd->params[1].flags);
	CHECK(M.cmd->flags == (REQUEST_ROUTE | ONREPLY_ROUTE), "sstCheckMin routes %#x", M.cmd->flags);
	CHECK(stat_find("expired_sst") && stat_find("expired_sst")->var.u.val,
		"statistic expired_sst not registered (enable_stats defaults to 1)");
}

CASE(startup_binds_apis_and_registers_callbacks)
{
	BOOT(FLAG);
	CHECK(g_find_dlg && g_find_sig && g_find_tm, "find_export(load_dlg) %d, (load_sig) %d, (load_tm) %d",
		g_find_dlg, g_find_sig, g_find_tm);
	CHECK(g_created && g_loaded, "DLGCB_CREATED %p / DLGCB_LOADED %p not registered",
		(void *)g_created, (void *)g_loaded);
}

static void startup_refused(const struct mp *mps, int n, const char *what)
{
	char err[512] = "";
	int rc = load_module(g_path, mps, n, err, sizeof err);
	CHECK(rc == -2, "%s: rc %d (%s), want mod_init < 0", what, rc, err);
	CHECK(log_has(L_ERR, 1, "sst_flag"), "%s: no error line mentions sst_flag", what);
}

CASE(startup_no_sst_flag_refuses)
{
	startup_refused(NULL, 0, "without sst_flag");
}

CASE(startup_empty_sst_flag_refuses)
{
	struct mp m[] = { S("sst_flag", "") };
	startup_refused(m, 1, "empty sst_flag");
}

CASE(startup_flag_table_full_refuses)
{
	char name[16];
	struct mp m[] = { FLAG };
	for (int i = g_nflags; i < 32; i++)
		snprintf(name, sizeof name, "X%d", i), get_flag_id_by_name(0, name, 0);
	startup_refused(m, 1, "no free message flag");
}

CASE(startup_sst_flag_bit_resolved)
{
	BOOT(S("sst_flag", "F1"));                  /* F0..F2 exist: F1 is bit 1 */
	struct dlg_cell *d = dlg_new();
	struct sip_msg *m = req("INVITE", 1, "Supported: timer\nSession-Expires: 1800\n");
	m->flags = 1u << 3;
	dlg_create(d, m, 0);
	CHECK(g_sst_bit == 1 && !marked(d), "tracked with only flag bit 3 set (sst bit %d)", g_sst_bit);
	CHECK(marked(call("Supported: timer\nSession-Expires: 1800\n", 0, NULL)), "not tracked with bit 1");
}

CASE(startup_enable_stats_0_no_statistic)
{
	BOOT(FLAG, I("enable_stats", 0));
	CHECK(M.exp->stats == NULL && g_nstats == 0, "enable_stats=0: exports.stats %p, %d registered",
		(const void *)M.exp->stats, g_nstats);
}

CASE(startup_default_min_se_1800)
{
	int one = 1, rc;
	BOOT(FLAG);
	rc = check_min(req("INVITE", 1, "Session-Expires: 1000\nMin-SE: 1000\n"), &one);
	CHECK(rc == 1 && !strcmp(g_reply.hdrs, "Min-SE: 1800\r\n"), "SE 1000: %d, 422 with \"%s\"", rc, g_reply.hdrs);
	rc = check_min(req("INVITE", 1, "Session-Expires: 1800\nMin-SE: 1800\n"), &one);
	CHECK(rc == -1, "SE 1800 / Min-SE 1800 with the default min_se: %d, want -1", rc);
}

CASE(startup_default_sst_interval_0_uses_min_se)
{
	struct sip_msg *m;
	BOOT(FLAG);
	call("", 0, &m);
	CHECK(out_count(m, "Session-Expires", "x") == 1 && num(OUT_SE(m)) == 1800,
		"inserted Session-Expires \"%s\", want 1800", OUT_SE(m));
}

CASE(startup_min_se_below_90_warns_but_loads)
{
	BOOT(FLAG, I("min_se", 60));
	CHECK(log_has(L_WARN, 0, "90") || log_has(L_WARN, 0, "min_se"), "no WARNING about min_se < 90");
}

CASE(startup_log_level_honoured)
{
	int one = 1;
	log_level_val = L_ERR;
	BOOT(FLAG);
	check_min(req("INVITE", 1, "Session-Expires: abc\n"), &one);
	call("Session-Expires: abc\n", 0, NULL);
	CHECK(g_log_above == 0, "%d dprint calls above log_level L_ERR", g_log_above);
}

CASE(loader_refuses_version_mismatch)
{
	char err[256] = "";
	struct module_exports e = { .ver_info = { SST_HOST_VERSION, SST_HOST_FLAGS, { SST_HOST_SCM, "" } } };
#define REFUSED(v, f, t, r) (loader_check_version(&e, v, f, t, r, err, sizeof err) < 0)
	CHECK(!REFUSED(SST_HOST_VERSION, SST_HOST_FLAGS, SST_HOST_SCM, "unknown"), "match refused: %s", err);
	CHECK(REFUSED("opensips 3.6.9 (x86_64/linux)", SST_HOST_FLAGS, SST_HOST_SCM, ""), "version");
	CHECK(REFUSED(SST_HOST_VERSION, "STATS: Off", SST_HOST_SCM, ""), "other flags accepted");
	CHECK(REFUSED(SST_HOST_VERSION, SST_HOST_FLAGS, "git", ""), "other scm type accepted");
	e.ver_info.scm.rev = "unk";
	CHECK(!REFUSED(SST_HOST_VERSION, SST_HOST_FLAGS, SST_HOST_SCM, "unknown"), "rev prefix refused");
	e.ver_info.scm.rev = "abc";
	CHECK(REFUSED(SST_HOST_VERSION, SST_HOST_FLAGS, SST_HOST_SCM, "unknown"), "other rev accepted");
	e.ver_info.scm.rev = NULL;
	CHECK(REFUSED(SST_HOST_VERSION, SST_HOST_FLAGS, SST_HOST_SCM, "unknown"), "NULL rev accepted");
	BOOT(FLAG);                                 /* the real module against another core */
	e = *M.exp;
	CHECK(REFUSED("opensips 9.9.9 (x86_64/linux)", SST_HOST_FLAGS, SST_HOST_SCM, "unknown"),
		"sst.so accepted by another core version");
#undef REFUSED
}

CASE(loader_refuses_param_type_mismatch)
{
	char err[256] = "";
	struct mp m[] = { FLAG, S("min_se", "1800") };
	CHECK(load_module(g_path, m, 2, err, sizeof err) == -1 && strstr(err, "type mismatch"),
		"min_se given as a string: \"%s\"", err);
}

CASE(startup_max_se_below_min_se_refuses)
{
	struct mp mps[] = { FLAG, I("min_se", 1800), I("max_se", 600) };
	char err[512] = "";
	int rc = load_module(g_path, mps, 3, err, sizeof err);
	CHECK(rc == -2, "rc %d (%s), want mod_init < 0", rc, err);
	CHECK(log_has(L_ERR, 0, "max_se = 600 is below min_se = 1800"), "no error line naming both");
}
