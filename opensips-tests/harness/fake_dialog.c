/*
 * The dialog module (its API: callbacks, dialog values, mod flags, get_dlg;
 * and its side of a call: creation, replies, sequential requests, MI, the
 * end of a dialog) and the signaling module (reply).
 */
#include "harness.h"

/* ---- the dialog module's API, as load_dlg() hands it over ---- */
struct dext g_dlgs[MAX_DLGS];
struct dcb *g_created, *g_loaded;
static struct dlg_cb_params g_params = { NULL, DIR_NONE, -1, 1, NULL, NULL };
static int g_in_created;
static int g_in_mi;      /* inside DLGCB_MI_CONTEXT: 3.4 holds the bucket lock there */

struct dext *dext_of(const struct dlg_cell *d)
{
	for (int i = 0; i < MAX_DLGS; i++)
		if (d && g_dlgs[i].dlg == d)
			return &g_dlgs[i];
	return NULL;
}

void run_load_cb(struct dcb *cb, struct dlg_cell *d)
{
	g_params.msg = NULL; g_params.direction = DIR_NONE; g_params.dlg_data = NULL;
	g_params.param = &cb->param;
	cb->f(d, DLGCB_LOADED, &g_params);
}

static int fake_register_dlgcb(struct dlg_cell *dlg, int types, dialog_cb f, void *param,
		param_free_cb ff)
{
	struct dext *x = dext_of(dlg);
	int global = types & (DLGCB_LOADED | DLGCB_CREATED);
	if (!f || (global && (types != DLGCB_LOADED && types != DLGCB_CREATED)) || (!global && !x)) {
		MISUSE("register_dlgcb(%p, %#x, %p): LOADED/CREATED alone, others on a known dialog",
			(void *)dlg, types, (void *)f);
		return -1;
	}
	if (dlg && dlg->state == ST_DELETED)
		return -1;
	struct dcb *cb = calloc(1, sizeof *cb);
	cb->types = types; cb->f = f; cb->param = param; cb->ff = ff;
	if (types == DLGCB_CREATED) {
		cb->next = g_created; g_created = cb;
	} else if (types == DLGCB_LOADED) {
		for (int i = 0; i < MAX_DLGS; i++)   /* runs at once for dialogs in memory */
			if (g_dlgs[i].dlg)
				run_load_cb(cb, g_dlgs[i].dlg);
		cb->next = g_loaded; g_loaded = cb;
	} else {
		cb->next = x->cbs; x->cbs = cb; x->types |= types;
	}
	return 0;
}

struct dval *dval_find(struct dext *x, const char *name, int nlen)
{
	for (struct dval *v = x ? x->vals : NULL; v; v = v->next)
		if (v->nlen == nlen && !memcmp(v->name, name, nlen))
			return v;
	return NULL;
}

/* Rebuild dlg->vals as a real struct dlg_val list (the dialog module's own
 * list, which the MI printer walks under its lock). */
static void dval_mirror(struct dext *x)
{
	struct dlg_val **tail = &x->dlg->vals;
	for (struct dval *v = x->vals; v; v = v->next) {
		memset(&v->mirror, 0, sizeof v->mirror);
		v->mirror.name.s = v->name; v->mirror.name.len = v->nlen;
		v->mirror.type = v->type;
		if (v->type == DLG_VAL_TYPE_INT)
			v->mirror.val.n = v->n;
		else {
			v->mirror.val.s.s = v->buf; v->mirror.val.s.len = v->len;
		}
		*tail = &v->mirror;
		tail = &v->mirror.next;
	}
	*tail = NULL;
}

static void dval_drop(struct dext *x, struct dval *v)
{
	struct dval **pp = &x->vals;
	while (*pp != v)
		pp = &(*pp)->next;
	*pp = v->next;
	free(v->name); free(v->buf); free(v);
	dval_mirror(x);
}

int fake_store_dlg_value(struct dlg_cell *dlg, str *name, int_str *val, int type)
{
	struct dext *x = dext_of(dlg);
	if (!x || !name || !name->s || name->len <= 0 || (val && type != DLG_VAL_TYPE_INT &&
			(type != DLG_VAL_TYPE_STR || val->s.len < 0 || (val->s.len && !val->s.s)))) {
		MISUSE("store_dlg_value on an unknown dialog, or with a bad name/value/type %d", type);
		return -1;
	}
	struct dval *v = dval_find(x, name->s, name->len);
	if (v)                                   /* replaced (or deleted when val is NULL) */
		dval_drop(x, v);
	if (!val)
		return 0;
	v = calloc(1, sizeof *v);
	v->name = malloc(name->len); memcpy(v->name, name->s, name->len);
	v->nlen = name->len; v->type = type;
	if (type == DLG_VAL_TYPE_INT)
		v->n = val->n;
	else {
		v->len = val->s.len;
		v->buf = malloc(v->len + 1);
		memcpy(v->buf, val->s.s, v->len);
	}
	v->next = x->vals; x->vals = v;
	dval_mirror(x);
	return 0;
}

static int fake_fetch_dlg_value(struct dlg_cell *dlg, const str *name, int *type, int_str *val,
		int val_has_buf)
{
	static char shared[65536];               /* per process, overwritten by every fetch */
	struct dext *x = dext_of(dlg);
	if (!x || !name || !name->s || !val || !type) {
		MISUSE("fetch_dlg_value with an unknown dialog or a NULL argument");
		return -1;
	}
#if OSIPS_VER == 304
	if (g_in_mi) {   /* the real 3.4 locks the held bucket lock again: the MI process hangs */
		MISUSE("fetch_dlg_value from DLGCB_MI_CONTEXT deadlocks OpenSIPS 3.4");
		return -1;
	}
#endif
	struct dval *v = dval_find(x, name->s, name->len);
	if (!v)
		return -2;
	if ((*type = v->type) == DLG_VAL_TYPE_INT) {
		val->n = v->n;
		return 0;
	}
	if (val_has_buf && val->s.len < v->len) {   /* the dialog module pkg_realloc()s it */
		struct pkg_blk *b = pkg_find(val->s.s);
		char *n = b ? host_pkg_malloc(mem_block, v->len, "dialog", "fetch_dlg_value", 0) : NULL;
		if (!b)
			MISUSE("fetch_dlg_value(val_has_buf=1) must grow a buffer that is not pkg memory");
		if (!n)
			return -1;
		host_pkg_free(mem_block, val->s.s, "dialog", "fetch_dlg_value", 0);
		val->s.s = n;
	} else if (!val_has_buf) {
		memset(shared, 0xA5, sizeof shared);
		val->s.s = shared;
	}
	memcpy(val->s.s, v->buf, v->len);
	val->s.len = v->len;
	return 0;
}

static void fake_set_mod_flag(struct dlg_cell *dlg, unsigned int flags)
{
	if (dext_of(dlg))
		dlg->mod_flags |= flags;
	else
		MISUSE("set_mod_flag on an unknown dialog");
}

static int fake_is_mod_flag_set(struct dlg_cell *dlg, unsigned int flags)
{
	if (dext_of(dlg))
		return (dlg->mod_flags & flags) > 0;
	MISUSE("is_mod_flag_set on an unknown dialog");
	return 0;
}

static long api_trap(void)
{
	MISUSE("the module called a dialog/signaling function the harness does not provide");
	return -1;
}

struct dlg_cell *g_current_dlg;
static struct dlg_cell *fake_get_dlg(void) { return g_current_dlg; }

int fake_load_dlg(struct dlg_binds *b)
{
	void **slot = (void **)b;
	for (size_t i = 0; i < sizeof *b / sizeof(void *); i++)
		slot[i] = (void *)api_trap;
	b->register_dlgcb = fake_register_dlgcb;
	b->store_dlg_value = fake_store_dlg_value;
	b->fetch_dlg_value = fake_fetch_dlg_value;
	b->set_mod_flag = fake_set_mod_flag;
	b->is_mod_flag_set = fake_is_mod_flag_set;
	b->get_dlg = fake_get_dlg;
	return 1;
}

/* ---- driving the dialog module's side of a call ---- */
struct dlg_cell *dlg_new(void)
{
	static unsigned int next_id = 100;
	for (int i = 0; i < MAX_DLGS; i++)
		if (!g_dlgs[i].dlg) {
			struct dlg_cell *d = calloc(1, sizeof(struct dlg_cell));
			d->ref = 1; d->h_id = next_id++; d->h_entry = 7; d->state = ST_UNCONFIRMED;
			d->callid.s = strdup("call-1@harness"); d->callid.len = 14;
			memset(&g_dlgs[i], 0, sizeof g_dlgs[i]);
			g_dlgs[i].dlg = d;
			return d;
		}
	abort();
}

void run_cbs(int type, struct dlg_cell *d, struct sip_msg *msg, int dir, int leg, void *data)
{
	struct dext *x = dext_of(d);
	g_params.msg = msg; g_params.direction = dir; g_params.dst_leg = leg;
	g_params.is_active = 1; g_params.dlg_data = data;
	for (struct dcb *cb = x->types & type ? x->cbs : NULL; cb; cb = cb->next)
		if (cb->types & type) {
			g_params.param = &cb->param;
			cb->f(d, type, &g_params);
		}
}

/* create_dialog(): the dialog module sets dlg->lifetime to $DLG_timeout (if
 * the script set it) or default_timeout. With the usual create_dialog();
 * t_relay() that happens before the CREATED callbacks, which run later inside
 * tm; `overwrite` is the other path (transaction already there): callbacks
 * first, lifetime set right after them. */
void dlg_create(struct dlg_cell *d, struct sip_msg *invite, int overwrite)
{
	unsigned int initial = g_script_timeout ? g_script_timeout : (unsigned int)g_default_timeout;
	if (!overwrite)
		d->lifetime = initial;
	g_params.msg = invite; g_params.direction = DIR_DOWN; g_params.dlg_data = NULL;
	g_in_created++;
	for (struct dcb *cb = g_created; cb; cb = cb->next) {
		g_params.param = &cb->param;
		cb->f(d, DLGCB_CREATED, &g_params);
	}
	g_in_created--;
	if (overwrite)
		d->lifetime = initial;
}

/* a reply to the initial INVITE: RESPONSE_FWDED, then the state change; the
 * timer is armed with dlg->lifetime as it is at the 2xx */
void dlg_reply(struct dlg_cell *d, struct sip_msg *rpl)
{
	dlg_reply_on_leg(d, rpl, 1);
}

/* the same from callee leg `leg` (a forked call): the first 2xx names the
 * leg the dialog keeps (legs_no[DLG_LEG_200OK]) before the callbacks run */
void dlg_reply_on_leg(struct dlg_cell *d, struct sip_msg *rpl, long leg)
{
	unsigned int code = rpl->first_line.u.reply.statuscode;
	if (code >= 200 && code < 300 && !d->legs_no[DLG_LEG_200OK])
		d->legs_no[DLG_LEG_200OK] = (unsigned char)leg;
	run_cbs(DLGCB_RESPONSE_FWDED, d, rpl, DIR_UP, 0, (void *)leg);
	if (code < 200 && d->state == ST_UNCONFIRMED) {
		d->state = ST_EARLY;
		run_cbs(DLGCB_EARLY, d, rpl, DIR_UP, 0, NULL);
	} else if (code >= 200 && code < 300 && d->state < ST_CONFIRMED_NA) {
		d->state = ST_CONFIRMED_NA;
		dext_of(d)->timer = d->lifetime;
		d->start_ts = (unsigned int)time(NULL);
		run_cbs(DLGCB_CONFIRMED, d, rpl, DIR_UP, 0, NULL);
	} else if (code >= 300 && d->state < ST_CONFIRMED_NA) {
		d->state = ST_DELETED;
		run_cbs(DLGCB_FAILED, d, rpl, DIR_UP, 0, NULL);
	}
}

/* a sequential request: REQ_WITHIN, then the timer is re-armed if lifetime_dirty */
void dlg_req(struct dlg_cell *d, struct sip_msg *req)
{
	if (req->first_line.u.request.method_value == METHOD_ACK && d->state == ST_CONFIRMED_NA)
		d->state = ST_CONFIRMED;
	run_cbs(DLGCB_REQ_WITHIN, d, req, DIR_DOWN, 1, NULL);
	if (d->lifetime_dirty)
		dext_of(d)->timer = d->lifetime;
}

void dlg_reply_within(struct dlg_cell *d, struct sip_msg *rpl)
{
	run_cbs(DLGCB_RESPONSE_WITHIN, d, rpl, DIR_UP, 0, NULL);
}

struct cJSON *dlg_mi(struct dlg_cell *d)
{
	static struct cJSON root;
	struct cJSON *ctx = mi_new(&root, "context", 7, 1);
	g_in_mi = 1;
	run_cbs(DLGCB_MI_CONTEXT, d, NULL, DIR_NONE, -1, ctx);
	g_in_mi = 0;
	return ctx;
}

void dlg_destroy(struct dlg_cell *d)
{
	struct dext *x = dext_of(d);
	d->state = ST_DELETED;
	run_cbs(DLGCB_DESTROY, d, NULL, DIR_NONE, -1, NULL);
	for (struct dcb *cb; (cb = x->cbs); free(cb)) {
		x->cbs = cb->next;
		if (cb->ff && cb->param)
			cb->ff(cb->param);
	}
	while (x->vals)
		dval_drop(x, x->vals);
	free(d->callid.s);
	free(d);
	x->dlg = NULL;
}

/* ---- the signaling module: reply() records what would be sent ---- */
struct sig_reply g_reply;
int g_reply_ret = 1;

static int fake_sig_reply(struct sip_msg *msg, int code, const str *reason, str *to_tag)
{
	struct mext *x = mext_of(msg);
	if (!x || !reason || !reason->s) {
		MISUSE("signaling reply with an unknown message or a NULL reason");
		return -1;
	}
	g_reply.calls++;
	g_reply.code = code;
	g_reply.in_created += g_in_created > 0;
	snprintf(g_reply.reason, sizeof g_reply.reason, "%.*s", reason->len, reason->s);
	g_reply.hdrs[0] = 0;
	for (struct lump_rpl *r = msg->reply_lump; r; r = r->next)   /* the reply carries the lumps */
		snprintf(g_reply.hdrs + strlen(g_reply.hdrs), sizeof g_reply.hdrs - strlen(g_reply.hdrs),
			"%.*s", r->text.len, r->text.s);
	if (to_tag)
		to_tag->s = "harness-totag", to_tag->len = 13;
	return g_reply_ret;
}

int fake_load_sig(struct sig_binds *b)
{
	b->reply = fake_sig_reply;
	b->gen_totag = (void *)api_trap;
	return 1;
}
