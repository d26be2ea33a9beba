/*
 * The core's side the module imports, apart from messages (fake_msg.c), MI and
 * events (fake_mi_evi.c): pkg memory, logging, message flags, the exports
 * lookup, statistics, pseudo-variable helpers, the processing context, ticks.
 */
#include <unistd.h>
#include "harness.h"

/* ---- pkg memory: malloc-backed, every live block on a list (leaks, ownership) ---- */
struct pkg_blk pkg_list = { &pkg_list, &pkg_list, 0, 0, 0, 0, 0 };
long pkg_live;
int pkg_fail;
int pkg_budget = -1;

/* whether the next pkg allocation (buffer or lump) fails */
int oom(void)
{
	if (pkg_fail || pkg_budget == 0)
		return 1;
	if (pkg_budget > 0)
		pkg_budget--;
	return 0;
}
static int mem_block_anchor;
void *mem_block = &mem_block_anchor;

struct pkg_blk *pkg_find(const void *p)
{
	for (struct pkg_blk *b = pkg_list.next; b != &pkg_list; b = b->next)
		if ((const void *)(b + 1) == p)
			return b;
	return NULL;
}

void *host_pkg_malloc(void *blk, unsigned long size, const char *file,
		const char *func, unsigned int line)
{
	if (blk != mem_block)
		MISUSE("pkg_malloc called with a block that is not mem_block");
	struct pkg_blk *b = oom() ? NULL : malloc(sizeof *b + (size ? size : 1));
	if (!b)
		return NULL;
	b->size = size; b->file = file; b->func = func; b->line = line;
	b->next = pkg_list.next; b->prev = &pkg_list;
	pkg_list.next->prev = b; pkg_list.next = b;
	pkg_live++;
	return b + 1;
}

void host_pkg_free(void *blk, void *p, const char *file, const char *func,
		unsigned int line)
{
	struct pkg_blk *b = p ? pkg_find(p) : NULL;
	if (blk != mem_block)
		MISUSE("pkg_free called with a block that is not mem_block");
	if (p && !b)
		MISUSE("pkg_free(%p) of memory that is not live pkg memory (%s)", p, func ? func : "?");
	if (!b)
		return;
	b->prev->next = b->next; b->next->prev = b->prev;
	pkg_live--;
	free(b);
}

void *(*gen_pkg_malloc)(void *, unsigned long, const char *, const char *,
		unsigned int) = host_pkg_malloc;
void (*gen_pkg_free)(void *, void *, const char *, const char *, unsigned int) = host_pkg_free;

/* ---- logging, pid, message flags ---- */
int log_level_val = L_DBG;
int *log_level = &log_level_val;
int log_facility = 8;
char *log_prefix = "";

#define MAX_LOG 512
static struct { int level; char text[1024]; } g_log[MAX_LOG];
static int g_nlog;
int g_log_above;

static const char *lvl_name(int l)
{
	static const char *n[] = { "ALERT", "CRITICAL", "ERROR", "?", "WARNING", "NOTICE", "INFO", "DBG" };
	return l >= -3 && l <= 4 ? n[l + 3] : "?";
}

void dprint(int lvl, int facility, const char *module, const char *func,
		char *stderr_fmt, char *syslog_fmt, char *format, ...)
{
	char plain[1024], text[1024], want[64];
	va_list ap, ap2;
	if (!stderr_fmt || !syslog_fmt || !format) {
		MISUSE("dprint with a NULL format");
		return;
	}
	g_log_above += lvl > *log_level;
	va_start(ap, format);
	va_copy(ap2, ap);
	vsnprintf(plain, sizeof plain, stderr_fmt, ap);   /* the plain stderr consumer */
	(void)va_arg(ap2, char *);                        /* JSON/event consumers skip */
	(void)va_arg(ap2, int);                           /* time, pid, prefix, function */
	(void)va_arg(ap2, char *);
	if (module && func)
		(void)va_arg(ap2, char *);
	vsnprintf(text, sizeof text, format, ap2);
	va_end(ap2);
	va_end(ap);
	snprintf(want, sizeof want, "%s:sst:", lvl_name(lvl));
	if (!strstr(plain, want))
		MISUSE("log line without the \"%s\" prefix: %.120s", want, plain);
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = 0;
	if (g_nlog < MAX_LOG) {
		g_log[g_nlog].level = lvl;
		memcpy(g_log[g_nlog++].text, text, n + 1);
	}
	if (lvl <= *log_level)
		fprintf(stderr, "%s: %s %s: %s\n", lvl_name(lvl), module ? module : "?", func ? func : "?", text);
}

int dp_my_pid(void) { return (int)getpid(); }

int log_has(int level, int or_worse, const char *needle)
{
	for (int i = 0; i < g_nlog; i++)
		if ((g_log[i].level == level || (or_worse && g_log[i].level < level))
				&& strstr(g_log[i].text, needle))
			return 1;
	return 0;
}

static char g_flag_names[32][40];
int g_nflags;

int get_flag_id_by_name(int flag_type, char *flag_name, int flag_name_len)
{
	if (!flag_name)
		return -1;
	int len = flag_name_len <= 0 ? (int)strlen(flag_name) : flag_name_len;
	if (len == 0)
		return -1;
	if (flag_type < 0 || flag_type > 2)
		return -2;
	if (g_nflags == 32)
		return -6;                       /* E_CFG once bit 31 was handed out */
	for (int i = 0; i < g_nflags; i++)
		if ((int)strlen(g_flag_names[i]) == len && !memcmp(g_flag_names[i], flag_name, len))
			return i;
	snprintf(g_flag_names[g_nflags], sizeof g_flag_names[0], "%.*s", len < 39 ? len : 39, flag_name);
	return g_nflags++;
}

int flag_bit(const char *name)
{
	for (int i = 0; i < g_nflags; i++)
		if (!strcmp(g_flag_names[i], name))
			return i;
	return -1;
}

/* ---- find_export (the dialog, signaling and tm APIs), find_param_export, statistics ---- */
int g_find_dlg, g_find_sig, g_default_timeout = 43200;
unsigned int g_script_timeout;

cmd_function find_export(const char *name, int flags)
{
	(void)flags;
	if (name && !strcmp(name, "load_dlg") && ++g_find_dlg)
		return (cmd_function)(void (*)(void))fake_load_dlg;
	if (name && !strcmp(name, "load_sig") && ++g_find_sig)
		return (cmd_function)(void (*)(void))fake_load_sig;
	if (name && !strcmp(name, "load_tm") && ++g_find_tm)
		return (cmd_function)(void (*)(void))fake_load_tm;
	return NULL;
}

void *find_param_export(const char *mod, const char *name, modparam_t type)
{
	if (mod && name && !strcmp(mod, "dialog") && !strcmp(name, "default_timeout") && type == INT_PARAM)
		return &g_default_timeout;
	return NULL;
}

struct host_stat g_stats[MAX_STATS];
int g_nstats;

struct host_stat *stat_find(const char *name)
{
	for (int i = 0; i < g_nstats; i++)
		if (!strcmp(g_stats[i].name, name))
			return &g_stats[i];
	return NULL;
}

unsigned long stat_value(const char *name)
{
	struct host_stat *s = stat_find(name);
	return s ? s->counter : STAT_MISSING;
}

/* ---- pvar.c: the value helpers a getter ends with ---- */
int pv_get_null(struct sip_msg *msg, pv_param_t *param, pv_value_t *res)
{
	(void)msg; (void)param;
	if (!res) {
		MISUSE("pv_get_null with a NULL result");
		return -1;
	}
	res->rs.s = ""; res->rs.len = 0; res->ri = 0; res->flags = PV_VAL_NULL;
	return 0;
}

int pv_get_uintval(struct sip_msg *msg, pv_param_t *param, pv_value_t *res, unsigned int v)
{
	static char ring[4][16];                 /* int2str's rotating buffers */
	static int k;
	(void)msg; (void)param;
	if (!res) {
		MISUSE("pv_get_uintval with a NULL result");
		return -1;
	}
	char *b = ring[k++ & 3];
	res->rs.len = snprintf(b, 16, "%u", v); res->rs.s = b;
	res->ri = (int)v; res->flags = PV_VAL_STR | PV_VAL_INT | PV_TYPE_INT;
	return 0;
}

int pv_get_strval(struct sip_msg *msg, pv_param_t *param, pv_value_t *res, str *sval)
{
	(void)msg; (void)param;
	if (!res || !sval || sval->len < 0 || (sval->len && !sval->s)) {
		MISUSE("pv_get_strval with a NULL result or a bad str");
		return -1;
	}
	res->rs = *sval; res->ri = 0; res->flags = PV_VAL_STR;
	return 0;
}

/* ---- pvar.c: parsing one spec and setting it; the dialog module's
 * $DLG_timeout setter as pv_set_dlg_timeout does it: the message's dialog
 * gets the lifetime and its timer is re-armed at once */
int g_dlg_timeout_sets;

static int fake_set_dlg_timeout(struct sip_msg *msg, pv_param_t *param, int op, pv_value_t *val)
{
	(void)param; (void)op;
	if (!msg || !val || !(val->flags & PV_VAL_INT) || val->ri < 0 || !g_current_dlg)
		return -1;
	g_current_dlg->lifetime = (unsigned int)val->ri;
	dext_of(g_current_dlg)->timer = (unsigned int)val->ri;
	g_current_dlg->tl.timeout = g_ticks + (unsigned int)val->ri;
	g_dlg_timeout_sets++;
	return 0;
}

char *pv_parse_spec(const str *in, pv_spec_t *sp)
{
	if (!in || !sp || in->len != 12 || memcmp(in->s, "$DLG_timeout", 12))
		return NULL;
	memset(sp, 0, sizeof *sp);
	sp->type = 1;
	sp->setf = (void *)fake_set_dlg_timeout;
	return in->s + in->len;
}

int pv_set_value(struct sip_msg *msg, pv_spec_t *sp, int op, pv_value_t *value)
{
	if (!msg || !sp || !sp->setf) {
		MISUSE("pv_set_value with a NULL message or spec");
		return -1;
	}
	return ((pv_setf_t)sp->setf)(msg, &sp->pvp, op, value);
}

int g_in_init;

/* ---- context.c: int slots registered in mod_init, a zeroed block per message ---- */
void *current_processing_ctx;
static int g_ctx_ints;

int context_register_int(enum osips_context type, context_destroy_f f)
{
	(void)f;
	if (!g_in_init || type != CONTEXT_GLOBAL)
		MISUSE("context_register_int(%d) outside mod_init or not CONTEXT_GLOBAL", type);
	return g_ctx_ints++;
}

/* a new message: its own zeroed context, exactly as large as registered */
void new_context(void)
{
	free(current_processing_ctx);
	current_processing_ctx = calloc(g_ctx_ints ? g_ctx_ints : 1, sizeof(int));
}

/* ---- timer.c: one tick per second ---- */
unsigned int g_ticks = 5000;
unsigned int get_ticks(void) { return g_ticks; }
