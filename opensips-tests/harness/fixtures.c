/*
 * What most cases start from: the module loaded and initialised, sstCheckMin
 * called as the core calls it, a flagged initial INVITE through
 * create_dialog(), an established call; and the dialog state to check.
 */
#include "harness.h"

int g_sst_bit = -1, g_booted;
long g_pkg_mark;

struct sip_msg *flagged(struct sip_msg *m)
{
	m->flags |= 1u << g_sst_bit;
	return m;
}

/* the dialog value "sst_info": 1 there (16 bytes, decoded little-endian), 0 absent */
int info_of(struct dlg_cell *d, struct info *i)
{
	struct dval *v = dval_find(dext_of(d), "sst_info", 8);
	uint32_t w[4] = { 0 };
	if (v && (v->type != DLG_VAL_TYPE_STR || v->len != 16))
		failf("sst_info stored with type %d and %d bytes (want STR, 16)", v->type, v->len);
	for (int k = 0; v && v->len == 16 && k < 16; k++)
		w[k / 4] |= (uint32_t)(unsigned char)v->buf[k] << (8 * (k % 4));
	i->req = w[0]; i->sup = w[1]; i->iv = w[2]; i->w4 = w[3];
	return v ? (v->len == 16 ? 1 : -1) : 0;
}

/* a value as the C module writes it (its 4th word is a refcount, often non-zero) */
void seed_info(struct dlg_cell *d, uint32_t req, uint32_t sup, uint32_t iv, uint32_t w4)
{
	unsigned char b[16];
	uint32_t w[4] = { req, sup, iv, w4 };
	for (int k = 0; k < 16; k++)
		b[k] = (unsigned char)(w[k / 4] >> (8 * (k % 4)));
	str name = { "sst_info", 8 };
	int_str v = { .s = { (char *)b, 16 } };
	fake_store_dlg_value(d, &name, &v, DLG_VAL_TYPE_STR);
}

int marked(struct dlg_cell *d) { return (d->mod_flags & SST_DIALOG_FLAG) != 0; }
unsigned int timer(struct dlg_cell *d) { return dext_of(d)->timer; }

int boot_with(const struct mp *mps, int n)
{
	char err[512] = "";
	if (load_module(g_path, mps, n, err, sizeof err) || (!M.cmd && snprintf(err, sizeof err,
			"no sstCheckMin in exports.cmds"))) {
		failf("start-up failed: %s", err);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(mps[i].name, "sst_flag") && mps[i].is_str)
			g_sst_bit = flag_bit(mps[i].s);
	g_pkg_mark = pkg_live;                   /* what mod_init keeps is not a leak */
	return g_booted = 1;
}
/* sstCheckMin as the core calls it: p1 NULL when omitted, else an int*; p2..p8 garbage */
int check_min(struct sip_msg *m, const int *p1)
{
	int v = p1 ? *p1 : 0;
	void *arg = p1 ? &v : NULL;
	if (arg && M.cmd->params[0].fixup)
		M.cmd->params[0].fixup(&arg);
	int rc = M.cmd->function(m, arg, (void *)0x2222, (void *)0x3333, (void *)0x4444,
		(void *)0x5555, (void *)0x6666, (void *)0x7777, (void *)0x8888);
	CHECK(rc != 0, "sstCheckMin returned 0, which silently stops the script");
	return rc;
}

/* a flagged initial INVITE through create_dialog() */
struct dlg_cell *call(const char *hdrs, int overwrite, struct sip_msg **inv)
{
	struct dlg_cell *d = dlg_new();
	struct sip_msg *m = flagged(req("INVITE", 1, hdrs));
	dlg_create(d, m, overwrite);
	if (inv)
		*inv = m;
	return d;
}

/* flow 1, a 2xx with the same SE, the ACK: a confirmed, tracked call */
struct dlg_cell *established(int se)
{
	char h[160];
	snprintf(h, sizeof h, "Supported: timer\nSession-Expires: %d\n", se);
	struct dlg_cell *d = call(h, 1, NULL);
	snprintf(h, sizeof h, "Require: timer\nSupported: timer\nSession-Expires: %d;refresher=uac\n", se);
	dlg_reply(d, rpl(200, 1, "INVITE", h));
	dlg_req(d, req("ACK", 1, ""));
	return d;
}

/* the refresher the dialog's MI context shows */
const char *mi_refresher(struct dlg_cell *d)
{
	struct cJSON *r = mi_child(mi_child(dlg_mi(d), "sst"), "refresher");
	return r && r->is_str ? r->str : "(no refresher item)";
}
