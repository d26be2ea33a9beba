/*
 * sst-rs host harness: a small stand-in for the OpenSIPS core, the dialog
 * module and the signaling module, enough to load sst.so the way the OpenSIPS
 * loader does and drive it (parameters, mod_init, sstCheckMin(), every dialog
 * callback) with crafted SIP messages.
 *
 * Build (from the repository root):
 *   cc -O1 -g -Wall -rdynamic -DOSIPS_VER=306 -Iinclude \
 *      opensips-tests/harness/host.c -ldl -o build/sst-host
 *   optional: -DSST_HOST_VERSION='"..."' -DSST_HOST_FLAGS='"..."' -DSST_HOST_SCM='"..."'
 *   (the default strings are those of the OSIPS_VER server with default flags)
 * Run:
 *   build/sst-host ./sst.so [-v] [name-substring ...]
 *   -v shows every case's log; otherwise only a failing case's log is shown.
 *
 * Each case runs in a fork()ed child that dlopen()s the module afresh: module
 * globals start clean, and a crash or abort() fails that case only. Output is
 * "ok - name" or "FAIL - name: why" per case, then "harness: N passed, M failed";
 * the exit status is 0 only when M == 0.
 *
 * Every symbol the module imports is defined here with the prototypes of
 * include/sst_abi.h; -rdynamic exports them so that RTLD_NOW resolves them.
 * Behaviour of the core/dialog/signaling is emulated from shared/abi (notes).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#define SST_HOST_OWN_LUMP                        /* ours below: same op offset, more bookkeeping */
#include "sst_abi.h"

#if OSIPS_VER == 304
#  define DEF_VERSION "opensips 3.4.18 (x86_64/linux)"
#  define DEF_FLAGS "STATS: On, DISABLE_NAGLE, USE_MCAST, SHM_MMAP, PKG_MALLOC, Q_MALLOC, F_MALLOC, HP_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT"
#  define OFF_CSEQ 144                     /* sip_msg header shortcuts (shared/abi) */
#  define OFF_SUPPORTED 240
#  define OFF_SE 368
#  define OFF_MIN_SE 376
#else
#  if OSIPS_VER == 400
#    define DEF_VERSION "opensips 4.0.1 (x86_64/linux)"
#  else
#    define DEF_VERSION "opensips 3.6.8 (x86_64/linux)"
#  endif
#  define DEF_FLAGS "STATS: On, DISABLE_NAGLE, USE_MCAST, SHM_MMAP, PKG_MALLOC, Q_MALLOC, F_MALLOC, HP_MALLOC, F_PARALLEL_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT"
#  define OFF_CSEQ 136
#  define OFF_SUPPORTED 232
#  define OFF_SE 360
#  define OFF_MIN_SE 368
#endif
#ifndef SST_HOST_VERSION
#  define SST_HOST_VERSION DEF_VERSION
#endif
#ifndef SST_HOST_FLAGS
#  define SST_HOST_FLAGS DEF_FLAGS
#endif
#ifndef SST_HOST_SCM
#  define SST_HOST_SCM "unknown"
#endif
#ifndef SST_HOST_SCM_REV
#  define SST_HOST_SCM_REV "unknown"
#endif

#define DLGCB_DESTROY (1 << 11)
#define DLG_VAL_TYPE_INT 2
enum { ST_UNCONFIRMED = 1, ST_EARLY, ST_CONFIRMED_NA, ST_CONFIRMED, ST_DELETED };
enum { DIR_NONE = 0, DIR_DOWN = 1, DIR_UP = 2 };
enum { SST_UAC = 1, SST_UAS = 2, SST_PXY = 4, SST_NSUP = 8 };

/* ======================================================================= */
/* Case results: a MAP_SHARED page the parent reads after the child ended  */
/* ======================================================================= */
struct result { int nfail; char why[4096]; char notes[1024]; };
static struct result *R;
static int g_verbose;

static void vappend(char *dst, size_t cap, const char *fmt, va_list ap)
{
	size_t n = strlen(dst);
	if (n + 8 >= cap)
		return;
	if (n)
		n += snprintf(dst + n, cap - n, "; ");
	vsnprintf(dst + n, cap - n, fmt, ap);
	for (char *p = dst; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	R->nfail++;
	vappend(R->why, sizeof R->why, fmt, ap);
	va_end(ap);
}

static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(R->notes, sizeof R->notes, fmt, ap);
	va_end(ap);
}

static void check_failed(int line, const char *fmt, ...)
{
	char buf[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	failf("line %d: %s", line, buf);
}
#define CHECK(c, ...) do { if (!(c)) check_failed(__LINE__, __VA_ARGS__); } while (0)
#define MISUSE(...) failf("API misuse: " __VA_ARGS__)

/* Register a case (from a constructor, before main). Cases run ordered by
 * file name, then by where they are written, then by table row. */
static void case_register(const char *prefix, const char *name, void (*fn)(const void *),
		const void *arg, const char *file, int line, int row);

/* CASE(name) { body }: a case named `name`, registered where it is written. */
#define CASE(name) \
	static void name(const void *arg); \
	__attribute__((constructor)) static void name##_register(void) \
	{ case_register("", #name, name, NULL, __FILE__, __LINE__, 0); } \
	static void name(const void *arg)

/* CASE_ROWS(prefix, rows, fn) { body }: one case per row of the array `rows`,
 * named prefix + rows[k].name; the body gets &rows[k] as `arg`. */
#define CASE_ROWS(prefix, rows, fn) \
	static void fn(const void *arg); \
	__attribute__((constructor)) static void fn##_register(void) \
	{ for (size_t k_ = 0; k_ < sizeof rows / sizeof rows[0]; k_++) \
		case_register(prefix, rows[k_].name, fn, &rows[k_], __FILE__, __LINE__, (int)k_); } \
	static void fn(const void *arg)

/* ======================================================================= */
/* pkg memory: malloc-backed, every live block on a list (leaks, ownership) */
/* ======================================================================= */
struct pkg_blk {
	struct pkg_blk *prev, *next;
	unsigned long size;
	const char *file, *func;
	unsigned int line;
	long pad;                                /* keeps user data 16-aligned */
};
static struct pkg_blk pkg_list = { &pkg_list, &pkg_list, 0, 0, 0, 0, 0 };
static long pkg_live;
static int pkg_fail;                         /* 1: every allocation fails */
static int pkg_budget = -1;                  /* >= 0: allocations left before they fail */

/* whether the next pkg allocation (buffer or lump) fails */
static int oom(void)
{
	if (pkg_fail || pkg_budget == 0)
		return 1;
	if (pkg_budget > 0)
		pkg_budget--;
	return 0;
}
static int mem_block_anchor;
void *mem_block = &mem_block_anchor;

static struct pkg_blk *pkg_find(const void *p)
{
	for (struct pkg_blk *b = pkg_list.next; b != &pkg_list; b = b->next)
		if ((const void *)(b + 1) == p)
			return b;
	return NULL;
}

static void *host_pkg_malloc(void *blk, unsigned long size, const char *file,
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

static void host_pkg_free(void *blk, void *p, const char *file, const char *func,
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

/* ======================================================================= */
/* Logging, pid, flags                                                     */
/* ======================================================================= */
static int log_level_val = L_DBG;
int *log_level = &log_level_val;
int log_facility = 8;
char *log_prefix = "";

#define MAX_LOG 512
static struct { int level; char text[1024]; } g_log[MAX_LOG];
static int g_nlog, g_log_above;

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

/* a line at exactly `level` (or, with `or_worse`, any more severe one) containing needle */
static int log_has(int level, int or_worse, const char *needle)
{
	for (int i = 0; i < g_nlog; i++)
		if ((g_log[i].level == level || (or_worse && g_log[i].level < level))
				&& strstr(g_log[i].text, needle))
			return 1;
	return 0;
}

static char g_flag_names[32][40];
static int g_nflags;

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

static int flag_bit(const char *name)
{
	for (int i = 0; i < g_nflags; i++)
		if (!strcmp(g_flag_names[i], name))
			return i;
	return -1;
}

/* ======================================================================= */
/* SIP messages: first line, header parsing, lumps, reply lumps            */
/* ======================================================================= */
enum { L_NOP, L_DEL, L_ADD };              /* the core's LUMP_NOP, LUMP_DEL, LUMP_ADD */
struct lump {
	int type;
	int op;                                  /* at 4, as the core's: the module writes it */
	unsigned int off, len;
	char *text;                              /* L_ADD: the pkg buffer we took over */
	struct lump *before, *after, *next;      /* next: the offset-sorted main list */
	struct lump *all;                        /* every lump of the message */
};
_Static_assert(offsetof(struct lump, op) == 4, "the module writes lump.op at offset 4, as in the core");
struct mext {                                /* what the core keeps beside a sip_msg */
	struct sip_msg *msg;
	struct lump *main, *all;
	struct hdr_field *hdrs;
	int parsed;                              /* 0 not yet, 1 ok, -1 error */
	char *out;
};
#define MAX_MSGS 64
static struct mext g_msgs[MAX_MSGS];
struct cseq_view { int error; str number; str method; unsigned int method_id; };

static struct mext *mext_of(const struct sip_msg *m)
{
	for (int i = 0; i < MAX_MSGS; i++)
		if (m && g_msgs[i].msg == m)
			return &g_msgs[i];
	return NULL;
}

static unsigned int method_id(const char *s, int len)
{
	static const char *t[] = { "INVITE", "CANCEL", "ACK", "BYE", "INFO", "OPTIONS", "UPDATE",
		"REGISTER", "MESSAGE", "SUBSCRIBE", "NOTIFY", "PRACK", "REFER", "PUBLISH" };
	for (int i = 0; i < 14; i++)
		if ((int)strlen(t[i]) == len && !memcmp(t[i], s, len))
			return 1u << i;
	return 16384;                            /* METHOD_OTHER */
}

static int name_is(const str *n, const char *full, const char *compact)
{
	if (n->len == (int)strlen(full) && !strncasecmp(n->s, full, n->len))
		return 1;
	return compact && n->len == 1 && tolower((unsigned char)n->s[0]) == compact[0];
}

static void set_shortcut(struct sip_msg *m, int off, struct hdr_field *h)
{
	struct hdr_field *cur;
	memcpy(&cur, (char *)m + off, sizeof cur);
	if (!cur)
		memcpy((char *)m + off, &h, sizeof h);
	else if (off == OFF_SUPPORTED) {         /* repeatable header: sibling chain */
		while (cur->sibling)
			cur = cur->sibling;
		cur->sibling = h;
	}
}

static int parse_cseq(struct hdr_field *h)  /* the core parses CSeq on the spot */
{
	struct cseq_view *c = calloc(1, sizeof *c);
	char *q = h->body.s, *qe = q + h->body.len;
	c->number.s = q;
	while (q < qe && isdigit((unsigned char)*q))
		q++;
	c->number.len = (int)(q - c->number.s);
	while (q < qe && (*q == ' ' || *q == '\t'))
		q++;
	c->method.s = q; c->method.len = (int)(qe - q);
	if (!c->number.len || !c->method.len || q == c->number.s + c->number.len) {
		free(c);
		return -1;
	}
	c->method_id = method_id(c->method.s, c->method.len);
	h->parsed = c;
	return 0;
}

/* The core's parse_headers(msg, HDR_EOH_F, 0): split every header line, once. */
static int host_parse_headers(struct sip_msg *m)
{
	struct mext *x = mext_of(m);
	if (!x) {
		MISUSE("parse_headers on a message the host does not know");
		return -1;
	}
	if (x->parsed)
		return x->parsed > 0 ? 0 : -1;
	char *p = m->buf + m->first_line.len, *end = m->buf + m->len;
	struct hdr_field **tail = &x->hdrs;
	x->parsed = -1;                          /* until the end of headers is reached */
	for (; p < end; ) {
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			break;
		char *colon = memchr(p, ':', end - p), *nl = memchr(p, '\n', end - p);
		if (!colon || !nl || nl < colon)
			return -1;                   /* no colon, or no line end: bad header */
		while (nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t'))   /* folded lines */
			if (!(nl = memchr(nl + 1, '\n', end - nl - 1)))
				return -1;
		struct hdr_field *h = calloc(1, sizeof *h);
		char *ne = colon, *bs = colon + 1, *be = nl;
		while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		while (bs < be && (*bs == ' ' || *bs == '\t'))
			bs++;
		while (be > bs && strchr("\r\n \t", be[-1]))
			be--;
		h->name.s = p; h->name.len = (int)(ne - p);
		h->body.s = bs; h->body.len = (int)(be - bs);
		h->len = (int)(nl + 1 - p);
		h->type = name_is(&h->name, "Session-Expires", "x") ? 33 : name_is(&h->name, "Min-SE", NULL)
			? 34 : name_is(&h->name, "Supported", "k") ? 17 : name_is(&h->name, "CSeq", NULL) ? 5 : 0;
		*tail = h; tail = &h->next;
		m->last_header = h;
		m->headers = x->hdrs;
		if (h->type == 5) {
			struct hdr_field *first;
			memcpy(&first, (char *)m + OFF_CSEQ, sizeof first);
			if (!first && parse_cseq(h) < 0)
				return -1;
		}
		if (h->type)
			set_shortcut(m, h->type == 5 ? OFF_CSEQ : h->type == 33 ? OFF_SE
				: h->type == 34 ? OFF_MIN_SE : OFF_SUPPORTED, h);
		p = nl + 1;
	}
	m->eoh = m->unparsed = p;                /* the empty line (or the buffer's end) */
	m->parsed_flag = HDR_EOH_F;
	x->parsed = 1;
	return 0;
}

#if OSIPS_VER == 304
int parse_headers(struct sip_msg *msg, hdr_flags_t flags, int next)
{ (void)flags; (void)next; return host_parse_headers(msg); }
#else
int parse_headers_aux(struct sip_msg *msg, hdr_flags_t flags, int next, int wk)
{ (void)flags; (void)next; (void)wk; return host_parse_headers(msg); }
#endif

static struct lump *lump_new(struct mext *x, int op, unsigned int off, unsigned int len)
{
	struct lump *l = calloc(1, sizeof *l), **pp = &x->main;
	l->op = op; l->off = off; l->len = len;
	l->all = x->all; x->all = l;
	if (op == L_ADD)
		return l;
	while (*pp && (*pp)->off <= off)         /* sorted by offset, stable */
		pp = &(*pp)->next;
	l->next = *pp; *pp = l;
	return l;
}

struct lump *anchor_lump(struct sip_msg *msg, unsigned int offset, int type)
{
	struct mext *x = mext_of(msg);
	(void)type;
	if (!x) {
		MISUSE("anchor_lump on an unknown message");
		return NULL;
	}
	if (offset > msg->len) {
		failf("anchor_lump offset %u > msg->len %u: the real core abort()s", offset, msg->len);
		abort();
	}
	return oom() ? NULL : lump_new(x, L_NOP, offset, 0);
}

struct lump *del_lump(struct sip_msg *msg, unsigned int offset, unsigned int len, int type)
{
	struct mext *x = mext_of(msg);
	(void)type;
	if (!x) {
		MISUSE("del_lump on an unknown message");
		return NULL;
	}
	if (offset > msg->len || offset + len > msg->len) {
		failf("del_lump %u+%u past msg->len %u: the real core abort()s", offset, len, msg->len);
		abort();
	}
	return oom() ? NULL : lump_new(x, L_DEL, offset, len);
}

/* insert_new_lump_before/after: takes over a pkg buffer, freed with the message */
static struct lump *insert_lump(struct lump *at, char *s, unsigned int len, int before)
{
	struct mext *x = NULL;
	for (int i = 0; i < MAX_MSGS && !x; i++)
		for (struct lump *t = g_msgs[i].msg ? g_msgs[i].all : NULL; t && !x; t = t->all)
			x = t == at ? &g_msgs[i] : NULL;
	struct pkg_blk *b = pkg_find(s);
	if (!x || !b) {
		MISUSE("insert_new_lump_%s on %s", before ? "before" : "after",
			!x ? "a lump the host never made" : "a buffer that is not from pkg_malloc");
		return NULL;
	}
	for (struct lump *t = x->all; t; t = t->all)
		if (t->text == s)
			MISUSE("the same pkg buffer was given to two insert lumps");
	if (len > b->size)
		MISUSE("insert of %u bytes from a %lu-byte buffer", len, b->size);
	if (oom())
		return NULL;
	struct lump *l = lump_new(x, L_ADD, at->off, len);
	l->text = s;
	if (before)
		l->before = at->before, at->before = l;
	else
		l->after = at->after, at->after = l;
	return l;
}

struct lump *insert_new_lump_before(struct lump *before, char *new_hdr, unsigned int len, int type)
{ (void)type; return insert_lump(before, new_hdr, len, 1); }
struct lump *insert_new_lump_after(struct lump *after, char *new_hdr, unsigned int len, int type)
{ (void)type; return insert_lump(after, new_hdr, len, 0); }

struct lump_rpl *add_lump_rpl(struct sip_msg *msg, char *s, int len, int flags)
{
	struct mext *x = mext_of(msg);
	if (!x || !s || len <= 0 || flags != LUMP_RPL_HDR) {
		MISUSE("add_lump_rpl(%p, %p, %d, %#x): want a known message, text, LUMP_RPL_HDR",
			(void *)msg, (void *)s, len, flags);
		return NULL;
	}
	/* as the core: one pkg block, the text copied right after the struct */
	struct lump_rpl *r = host_pkg_malloc(mem_block, sizeof *r + len, "core", "add_lump_rpl", 0), **pp;
	if (!r)
		return NULL;
	r->text.s = (char *)(r + 1);
	memcpy(r->text.s, s, len);
	r->text.len = len; r->flags = flags; r->next = NULL;
	for (pp = &msg->reply_lump; *pp; pp = &(*pp)->next)
		;
	*pp = r;
	return r;
}

void unlink_lump_rpl(struct sip_msg *msg, struct lump_rpl *lump)
{
	struct lump_rpl **pp = msg ? &msg->reply_lump : NULL;
	if (!msg || !mext_of(msg) || !lump) {
		MISUSE("unlink_lump_rpl(%p, %p)", (void *)msg, (void *)lump);
		return;
	}
	while (*pp && *pp != lump)
		pp = &(*pp)->next;
	if (*pp)
		*pp = lump->next;
}

void free_lump_rpl(struct lump_rpl *lump)
{
	for (int i = 0; i < MAX_MSGS; i++)
		for (struct lump_rpl *r = g_msgs[i].msg ? g_msgs[i].msg->reply_lump : NULL; r; r = r->next)
			if (r == lump)
				MISUSE("free_lump_rpl of a reply lump still on its message's list");
	host_pkg_free(mem_block, lump, "core", "free_lump_rpl", 0);
}

/* The message as it would be sent out (msg_translator's process_lumps()). */
static const char *msg_out(struct sip_msg *m, size_t *olen)
{
	struct mext *x = mext_of(m);
	size_t cap = m->len + 1, n = 0;
	unsigned int s = 0, last_del = 0;
	for (struct lump *t = x->all; t; t = t->all)
		cap += t->op == L_ADD ? t->len : 0;
	char *o = malloc(cap);
	for (struct lump *t = x->main; t; t = t->next) {
		if (t->off < s && t->off != last_del)
			continue;                    /* inside a deleted area: skipped */
		if (s < t->off) {
			memcpy(o + n, m->buf + s, t->off - s);
			n += t->off - s;
			s = t->off;
		}
		if (t->op == L_DEL)
			last_del = t->off;
		for (struct lump *r = t->before; r; r = r->before)
			memcpy(o + n, r->text, r->len), n += r->len;
		if (t->op == L_DEL && t->off + t->len > s)
			s += t->len - (s - t->off);
		for (struct lump *r = t->after; r; r = r->after)
			memcpy(o + n, r->text, r->len), n += r->len;
	}
	memcpy(o + n, m->buf + s, m->len - s);
	n += m->len - s;
	o[n] = 0;
	free(x->out);
	x->out = o;
	if (olen)
		*olen = n;
	return o;
}

/* ======================================================================= */
/* find_export, find_param_export, statistics, MI                          */
/* ======================================================================= */
static int fake_load_dlg(struct dlg_binds *b);
static int fake_load_sig(struct sig_binds *b);
static int g_find_dlg, g_find_sig, g_default_timeout = 43200;
static unsigned int g_script_timeout;   /* $DLG_timeout set by the script (0: unset) */

cmd_function find_export(const char *name, int flags)
{
	(void)flags;
	if (name && !strcmp(name, "load_dlg") && ++g_find_dlg)
		return (cmd_function)(void (*)(void))fake_load_dlg;
	if (name && !strcmp(name, "load_sig") && ++g_find_sig)
		return (cmd_function)(void (*)(void))fake_load_sig;
	return NULL;
}

void *find_param_export(const char *mod, const char *name, modparam_t type)
{
	if (mod && name && !strcmp(mod, "dialog") && !strcmp(name, "default_timeout") && type == INT_PARAM)
		return &g_default_timeout;
	return NULL;
}

struct host_stat { stat_var var; unsigned long counter; char name[40]; };
static struct host_stat g_stats[8];
static int g_nstats;

static struct host_stat *stat_find(const char *name)
{
	for (int i = 0; i < g_nstats; i++)
		if (!strcmp(g_stats[i].name, name))
			return &g_stats[i];
	return NULL;
}

struct cJSON { char name[48]; int is_obj; double num; char str[64]; int is_str;
	struct cJSON *child, *next; };

static struct cJSON *mi_new(struct cJSON *to, const char *name, int len, int obj)
{
	struct cJSON *n = calloc(1, sizeof *n), **pp = &to->child;
	snprintf(n->name, sizeof n->name, "%.*s", len, name);
	n->is_obj = obj;
	while (*pp)
		pp = &(*pp)->next;
	return *pp = n;
}

mi_item_t *add_mi_object(mi_item_t *to, char *name, int name_len)
{
	if (to && name && name_len > 0)
		return mi_new(to, name, name_len, 1);
	MISUSE("add_mi_object(%p, %p, %d)", (void *)to, (void *)name, name_len);
	return NULL;
}

int add_mi_number(mi_item_t *to, char *name, int name_len, double value)
{
	if (!to || !name || name_len <= 0) {
		MISUSE("add_mi_number(%p, %p, %d)", (void *)to, (void *)name, name_len);
		return -1;
	}
	mi_new(to, name, name_len, 0)->num = value;
	return 0;
}

int add_mi_string(mi_item_t *to, char *name, int name_len, const char *value, int value_len)
{
	if (!to || !name || name_len <= 0 || value_len < 0 || (value_len && !value)) {
		MISUSE("add_mi_string(%p, %p, %d, %p, %d)", (void *)to, (void *)name, name_len,
			(const void *)value, value_len);
		return -1;
	}
	struct cJSON *n = mi_new(to, name, name_len, 0);
	snprintf(n->str, sizeof n->str, "%.*s", value_len, value ? value : "");
	n->is_str = 1;
	return 0;
}

static struct cJSON *mi_child(struct cJSON *o, const char *name)
{
	for (struct cJSON *c = o ? o->child : NULL; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* ======================================================================= */
/* Core: pseudo-variable helpers, event interface, context, ticks          */
/* ======================================================================= */
static int g_in_init;                      /* inside mod_init (what must happen before fork) */

/* pvar.c: the value helpers a getter ends with */
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

/* evi: publish in mod_init, params list in pkg freed by the raise */
#define EVI_FREE_LIST (1u << 31)
struct evi_params { unsigned int flags; int n; struct { const str *name; const void *val; int flags; } p[16]; };
static struct { const char *name_ptr; char name[64]; } g_evi[4];
static int g_nevi, g_evi_subscribers = 1, g_evi_publish_fail, g_evi_add_fail;
static struct { int raised; event_id_t id; int n; char name[16][32]; int is_int[16]; int ival[16];
	char sval[16][128]; } g_event;

event_id_t evi_publish_event(str name)
{
	if (!g_in_init)
		MISUSE("evi_publish_event outside mod_init (the event table is per process after fork)");
	if (!name.s || name.len <= 0 || name.len >= 64 || g_nevi == 4) {
		MISUSE("evi_publish_event with a bad name");
		return EVI_ERROR;
	}
	event_id_t old = evi_get_id(&name);
	if (old != EVI_ERROR) {
		failf("%.*s published again: the core logs a warning for it", name.len, name.s);
		return old;
	}
	if (g_evi_publish_fail)
		return EVI_ERROR;
	g_evi[g_nevi].name_ptr = name.s;         /* the core keeps the pointer: must be static */
	snprintf(g_evi[g_nevi].name, 64, "%.*s", name.len, name.s);
	return g_nevi++;
}

event_id_t evi_get_id(str *name)
{
	if (!name || !name->s || name->len <= 0) {
		MISUSE("evi_get_id with a bad name");
		return EVI_ERROR;
	}
	for (int i = 0; i < g_nevi; i++)
		if ((int)strlen(g_evi[i].name) == name->len && !memcmp(g_evi[i].name, name->s, name->len))
			return i;
	return EVI_ERROR;
}

/* what the core does for an event_route[name] in the script, before mod_init */
static void script_event_route(const char *name)
{
	g_evi[g_nevi].name_ptr = name;
	snprintf(g_evi[g_nevi++].name, 64, "%s", name);
}

static int evi_id_ok(event_id_t id)
{
	if (id < 0 || id >= g_nevi) {
		MISUSE("event id %d was never published", id);
		return 0;
	}
	if (strncmp(g_evi[id].name_ptr, g_evi[id].name, strlen(g_evi[id].name)))
		MISUSE("the published event name %s was not kept alive", g_evi[id].name);
	return 1;
}

int evi_probe_event(event_id_t id)
{
	return evi_id_ok(id) ? g_evi_subscribers : -1;
}

evi_params_t *evi_get_params(void)
{
	evi_params_t *l = host_pkg_malloc(mem_block, sizeof *l, "core", "evi_get_params", 0);
	if (l) {
		memset(l, 0, sizeof *l);
		l->flags = EVI_FREE_LIST;
	}
	return l;
}

int evi_param_add(evi_params_t *list, const str *name, const void *param, int flags)
{
	if (!list || !pkg_find(list) || !name || !name->s || name->len <= 0 || !param
			|| (flags != EVI_INT_VAL && flags != EVI_STR_VAL) || list->n == 16) {
		MISUSE("evi_param_add(%p, %p, %p, %d)", (void *)list, (const void *)name, param, flags);
		return -1;
	}
	if (g_evi_add_fail)
		return -1;
	list->p[list->n].name = name;            /* kept by pointer, read at the raise */
	list->p[list->n].val = param;
	list->p[list->n++].flags = flags;
	return 0;
}

void evi_free_params(evi_params_t *list)
{
	if (list && !pkg_find(list))
		MISUSE("evi_free_params of a list that is not live (freed twice?)");
	host_pkg_free(mem_block, list, "core", "evi_free_params", 0);
}

int evi_raise_event(event_id_t id, evi_params_t *list)
{
	if (!evi_id_ok(id) || !list || !pkg_find(list)) {
		MISUSE("evi_raise_event with a bad id or list");
		return -1;
	}
	g_event.raised++; g_event.id = id; g_event.n = list->n;
	for (int i = 0; i < list->n; i++) {
		const str *n = list->p[i].name;
		snprintf(g_event.name[i], 32, "%.*s", n->len, n->s);
		g_event.is_int[i] = list->p[i].flags == EVI_INT_VAL;
		if (g_event.is_int[i])
			g_event.ival[i] = *(const int *)list->p[i].val;
		else {
			const str *v = list->p[i].val;
			if (v->len < 0 || (v->len && !v->s))
				MISUSE("event parameter %s with a bad str", g_event.name[i]);
			else
				snprintf(g_event.sval[i], 128, "%.*s", v->len, v->s ? v->s : "");
		}
	}
	if (list->flags & EVI_FREE_LIST)
		evi_free_params(list);
	return 0;
}

static int event_param(const char *name)
{
	for (int i = 0; i < g_event.n; i++)
		if (!strcmp(g_event.name[i], name))
			return i;
	return -1;
}

/* context.c: int slots registered in mod_init, a zeroed block per message */
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
static void new_context(void)
{
	free(current_processing_ctx);
	current_processing_ctx = calloc(g_ctx_ints ? g_ctx_ints : 1, sizeof(int));
}

/* timer.c: one tick per second */
static unsigned int g_ticks = 5000;
unsigned int get_ticks(void) { return g_ticks; }

/* ======================================================================= */
/* Fake dialog module                                                      */
/* ======================================================================= */
struct dcb { int types; dialog_cb *f; void *param; param_free_cb *ff; struct dcb *next; };
struct dval { char *name; int nlen, type, n, len; char *buf; struct dval *next;
	struct dlg_val mirror; };                /* what dlg->vals shows, as the real module keeps it */
struct dext {
	struct dlg_cell *dlg;
	struct dcb *cbs;
	int types;
	struct dval *vals;
	unsigned int timer;                      /* what the dialog timer was armed with */
};
#define MAX_DLGS 16
static struct dext g_dlgs[MAX_DLGS];
static struct dcb *g_created, *g_loaded;
static struct dlg_cb_params g_params = { NULL, DIR_NONE, -1, 1, NULL, NULL };
static int g_in_created;
static int g_in_mi;      /* inside DLGCB_MI_CONTEXT: 3.4 holds the bucket lock there */

static struct dext *dext_of(const struct dlg_cell *d)
{
	for (int i = 0; i < MAX_DLGS; i++)
		if (d && g_dlgs[i].dlg == d)
			return &g_dlgs[i];
	return NULL;
}

static void run_load_cb(struct dcb *cb, struct dlg_cell *d)
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

static struct dval *dval_find(struct dext *x, const char *name, int nlen)
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

static int fake_store_dlg_value(struct dlg_cell *dlg, str *name, int_str *val, int type)
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

static struct dlg_cell *g_current_dlg;     /* the dialog of the message being routed */
static struct dlg_cell *fake_get_dlg(void) { return g_current_dlg; }

static int fake_load_dlg(struct dlg_binds *b)
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
static struct dlg_cell *dlg_new(void)
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

static void run_cbs(int type, struct dlg_cell *d, struct sip_msg *msg, int dir, int leg, void *data)
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
static void dlg_create(struct dlg_cell *d, struct sip_msg *invite, int overwrite)
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

static void dlg_reply_on_leg(struct dlg_cell *d, struct sip_msg *rpl, long leg);

/* a reply to the initial INVITE: RESPONSE_FWDED, then the state change; the
 * timer is armed with dlg->lifetime as it is at the 2xx */
static void dlg_reply(struct dlg_cell *d, struct sip_msg *rpl)
{
	dlg_reply_on_leg(d, rpl, 1);
}

/* the same from callee leg `leg` (a forked call): the first 2xx names the
 * leg the dialog keeps (legs_no[DLG_LEG_200OK]) before the callbacks run */
static void dlg_reply_on_leg(struct dlg_cell *d, struct sip_msg *rpl, long leg)
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
		d->start_ts = 1700000000;
		run_cbs(DLGCB_CONFIRMED, d, rpl, DIR_UP, 0, NULL);
	} else if (code >= 300 && d->state < ST_CONFIRMED_NA) {
		d->state = ST_DELETED;
		run_cbs(DLGCB_FAILED, d, rpl, DIR_UP, 0, NULL);
	}
}

/* a sequential request: REQ_WITHIN, then the timer is re-armed if lifetime_dirty */
static void dlg_req(struct dlg_cell *d, struct sip_msg *req)
{
	if (req->first_line.u.request.method_value == METHOD_ACK && d->state == ST_CONFIRMED_NA)
		d->state = ST_CONFIRMED;
	run_cbs(DLGCB_REQ_WITHIN, d, req, DIR_DOWN, 1, NULL);
	if (d->lifetime_dirty)
		dext_of(d)->timer = d->lifetime;
}

static void dlg_reply_within(struct dlg_cell *d, struct sip_msg *rpl)
{
	run_cbs(DLGCB_RESPONSE_WITHIN, d, rpl, DIR_UP, 0, NULL);
}

static struct cJSON *dlg_mi(struct dlg_cell *d)   /* dlg_list_ctx */
{
	static struct cJSON root;
	struct cJSON *ctx = mi_new(&root, "context", 7, 1);
	g_in_mi = 1;
	run_cbs(DLGCB_MI_CONTEXT, d, NULL, DIR_NONE, -1, ctx);
	g_in_mi = 0;
	return ctx;
}

static void dlg_destroy(struct dlg_cell *d)
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

/* ======================================================================= */
/* Fake signaling module                                                   */
/* ======================================================================= */
static struct { int calls, code, in_created; char reason[128], hdrs[1024]; } g_reply;
static int g_reply_ret = 1;

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

static int fake_load_sig(struct sig_binds *b)
{
	b->reply = fake_sig_reply;
	b->gen_totag = (void *)api_trap;
	return 1;
}

/* ======================================================================= */
/* The loader (the rules of sr_module.c)                                   */
/* ======================================================================= */
struct mp { const char *name; const char *s; int i; int is_str; };   /* one modparam */
static struct {
	void *h;
	struct module_exports *exp;
	const cmd_export_t *cmd;                 /* sstCheckMin */
	int init_rc;
} M;
static const char *g_path;

/* version control: four non-NULL strings, three equal, the revision by prefix */
static int loader_check_version(const struct module_exports *e, const char *ver, const char *flags,
		const char *scm_type, const char *scm_rev, char *err, size_t n)
{
	const char *rev = e->ver_info.scm.rev;
	if (!e->ver_info.version || !e->ver_info.compile_flags || !e->ver_info.scm.type || !rev)
		return snprintf(err, n, "a version string of the module is NULL"), -1;
	if (strcmp(ver, e->ver_info.version))
		return snprintf(err, n, "version mismatch: core \"%s\", module \"%s\"", ver, e->ver_info.version), -1;
	if (strcmp(flags, e->ver_info.compile_flags))
		return snprintf(err, n, "compile flags mismatch: core \"%s\", module \"%s\"", flags,
			e->ver_info.compile_flags), -1;
	if (strcmp(scm_type, e->ver_info.scm.type))
		return snprintf(err, n, "scm type mismatch: core \"%s\", module \"%s\"", scm_type,
			e->ver_info.scm.type), -1;
	size_t a = strlen(scm_rev), b = strlen(rev);
	if (strncmp(scm_rev, rev, a < b ? a : b))
		return snprintf(err, n, "scm revision mismatch: core \"%s\", module \"%s\"", scm_rev, rev), -1;
	return 0;
}

static int loader_check_shape(const struct module_exports *e, char *err, size_t n)
{
	static const struct { const char *name; unsigned int type; } want[] = {
		{"signaling", DEP_ABORT}, {"dialog", DEP_ABORT}, {"pua_dialoginfo", DEP_SILENT} };
	if (!e->name || strcmp(e->name, "sst") || e->type != MOD_TYPE_DEFAULT || e->dlflags || !e->init_f)
		return snprintf(err, n, "exports: name \"%s\", type %d, dlflags %u, init_f %p (want sst, "
			"DEFAULT, 0, set)", e->name ? e->name : "", e->type, e->dlflags, (void *)e->init_f), -1;
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		int found = 0;
		for (int i = 0; e->deps && i < MAX_MOD_DEPS && e->deps->md[i].mod_type != MOD_TYPE_NULL; i++) {
			const module_dependency_t *d = &e->deps->md[i];
			found |= d->mod_type == MOD_TYPE_DEFAULT && d->mod_name && d->type == want[w].type
				&& !strcmp(d->mod_name, want[w].name);
		}
		if (!found)
			return snprintf(err, n, "dependency {DEFAULT, \"%s\", %u} missing", want[w].name,
				want[w].type), -1;
	}
	return 0;
}

static int apply_modparam(const struct module_exports *e, const struct mp *m, char *err, size_t n)
{
	for (const param_export_t *p = e->params; p && p->name; p++) {
		if (strcmp(p->name, m->name))
			continue;
		if (!(p->type & (m->is_str ? STR_PARAM : INT_PARAM)))
			return snprintf(err, n, "modparam %s: type mismatch (declared %#x)", m->name, p->type), -1;
		if (m->is_str)
			*(char **)p->param_pointer = strdup(m->s);
		else
			*(int *)p->param_pointer = m->i;
		return 0;
	}
	return snprintf(err, n, "modparam: no parameter \"%s\" in module sst", m->name), -1;
}

/* 0: loaded and initialised; -1: refused before mod_init; -2: mod_init < 0 */
static int load_module(const char *path, const struct mp *mps, int nmp, char *err, size_t n)
{
	memset(&M, 0, sizeof M);
	if (!(M.h = dlopen(path, RTLD_NOW)))
		return snprintf(err, n, "dlopen: %s", dlerror()), -1;
	if (!(M.exp = dlsym(M.h, "exports")))
		return snprintf(err, n, "no symbol \"exports\""), -1;
	if (loader_check_version(M.exp, SST_HOST_VERSION, SST_HOST_FLAGS, SST_HOST_SCM, SST_HOST_SCM_REV,
			err, n) || loader_check_shape(M.exp, err, n))
		return -1;
	for (const cmd_export_t *c = M.exp->cmds; c && c->name; c++)
		if (!strcmp(c->name, "sstCheckMin"))
			M.cmd = c;
	for (int i = 0; i < nmp; i++)
		if (apply_modparam(M.exp, &mps[i], err, n))
			return -1;
	if ((M.exp->load_f && ((int (*)(void))M.exp->load_f)() < 0) ||
			(M.exp->preinit_f && ((int (*)(void))M.exp->preinit_f)() < 0))
		return snprintf(err, n, "load_f/preinit_f failed"), -1;
	for (const pv_export_t *it = M.exp->items; it && it->name.s; it++)   /* register_pvars_mod */
		if (it->type == 0 || !it->getf || it->name.len <= 0)
			return snprintf(err, n, "pv %.*s: type 0 or no getf (pv_add_extra refuses it)",
				it->name.len > 0 ? it->name.len : 0, it->name.s), -1;
	g_in_init = 1;
	M.init_rc = M.exp->init_f();
	g_in_init = 0;
	if (M.init_rc < 0)
		return snprintf(err, n, "mod_init returned %d", M.init_rc), -2;
	/* statistics are registered only now: mod_init may have cleared exports.stats */
	for (const stat_export_t *s = M.exp->stats; s && s->name; s++) {
		if (g_nstats == 8 || !s->stat_pointer)
			return snprintf(err, n, "bad statistics table"), -1;
		struct host_stat *hs = &g_stats[g_nstats++];
		snprintf(hs->name, sizeof hs->name, "%s", s->name);
		hs->var.name.s = hs->name; hs->var.name.len = (int)strlen(hs->name);
		hs->var.flags = s->flags;
		if (!(s->flags & STAT_IS_FUNC)) {
			hs->var.u.val = &hs->counter;
			*s->stat_pointer = &hs->var;
		}
	}
	if (M.exp->init_child_f && M.exp->init_child_f(1) < 0)
		return snprintf(err, n, "child_init(1) failed"), -1;
	return 0;
}

/* ======================================================================= */
/* Test helpers: messages, what goes out, dialog state, start-up           */
/* ======================================================================= */
static int g_sst_bit = -1, g_booted;
static long g_pkg_mark;

static struct sip_msg *msg_raw(const char *buf, size_t len)
{
	static unsigned int id;
	struct mext *x = NULL;
	for (int i = 0; i < MAX_MSGS && !x; i++)
		x = g_msgs[i].msg ? NULL : &g_msgs[i];
	if (!x)
		abort();
	struct sip_msg *m = calloc(1, sizeof(struct sip_msg));
	struct msg_start *fl = &m->first_line;
	memset(x, 0, sizeof *x);
	x->msg = m;
	m->id = ++id;
	m->buf = malloc(len + 1);
	memcpy(m->buf, buf, len);
	m->buf[len] = 0;
	m->len = (unsigned int)len;
	char *nl = memchr(m->buf, '\n', len), *e;
	fl->len = nl ? (int)(nl - m->buf + 1) : (int)len;
	for (e = m->buf + fl->len; e > m->buf && (e[-1] == '\n' || e[-1] == '\r'); e--)
		;
	if (len > 12 && !memcmp(m->buf, "SIP/2.0 ", 8)) {
		fl->type = SIP_REPLY;
		fl->u.reply.version = (str){ m->buf, 7 };
		fl->u.reply.status = (str){ m->buf + 8, 3 };
		fl->u.reply.statuscode = (unsigned int)strtoul(m->buf + 8, NULL, 10);
		fl->u.reply.reason = (str){ m->buf + 12, e > m->buf + 12 ? (int)(e - m->buf - 12) : 0 };
	} else {
		char *sp1 = memchr(m->buf, ' ', e - m->buf), *sp2;
		fl->type = SIP_REQUEST;
		fl->u.request.method = (str){ m->buf, sp1 ? (int)(sp1 - m->buf) : (int)(e - m->buf) };
		fl->u.request.method_value = method_id(m->buf, fl->u.request.method.len);
		if (sp1 && (sp2 = memchr(sp1 + 1, ' ', e - sp1 - 1))) {
			fl->u.request.uri = (str){ sp1 + 1, (int)(sp2 - sp1 - 1) };
			fl->u.request.version = (str){ sp2 + 1, (int)(e - sp2 - 1) };
		}
	}
	return m;
}

/* a request (code 0) or a reply; "\n" in `extra` becomes CRLF; malloc'd */
static char *sip_text(int code, const char *method, int cseq, const char *extra, size_t *len)
{
	size_t cap = 2 * strlen(extra) + 1024, n = 0;
	char *t = malloc(cap), *o = malloc(cap);
	if (code)
		snprintf(t, cap, "SIP/2.0 %d %s\n", code, code == 200 ? "OK" : code == 422 ?
			"Session Interval Too Small" : code < 200 ? "Session Progress" : "Busy Here");
	else
		snprintf(t, cap, "%s sip:bob@example.com SIP/2.0\n", method);
	snprintf(t + strlen(t), cap - strlen(t), "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%d\n"
		"From: <sip:alice@example.com>;tag=a1\nTo: <sip:bob@example.com>%s\n"
		"Call-ID: call-1@harness\nCSeq: %d %s\n%sContent-Length: 0\n\n", cseq,
		(code || cseq > 1 || strcmp(method, "INVITE")) ? ";tag=b1" : "", cseq, method, extra);
	for (const char *p = t; *p; o[n++] = *p++)
		if (*p == '\n' && (p == t || p[-1] != '\r'))
			o[n++] = '\r';
	o[n] = 0;
	free(t);
	*len = n;
	return o;
}

static struct sip_msg *sipmsg(int code, const char *method, int cseq, const char *extra)
{
	size_t n;
	char *t = sip_text(code, method, cseq, extra, &n);
	struct sip_msg *m = msg_raw(t, n);
	free(t);
	return m;
}
#define req(method, cseq, extra) sipmsg(0, method, cseq, extra)
#define rpl(code, cseq, method, extra) sipmsg(code, method, cseq, extra)

static struct sip_msg *flagged(struct sip_msg *m)
{
	m->flags |= 1u << g_sst_bit;
	return m;
}

static void msg_free(struct sip_msg *m)     /* what the core frees with a message */
{
	struct mext *x = mext_of(m);
	for (struct hdr_field *h; (h = x->hdrs); free(h))
		x->hdrs = h->next, free(h->parsed);
	for (struct lump *l; (l = x->all); free(l))
		x->all = l->all, host_pkg_free(mem_block, l->text, "core", "free_lump", 0);
	for (struct lump_rpl *r; (r = m->reply_lump); host_pkg_free(mem_block, r, "core", "free_lump_rpl", 0))
		m->reply_lump = r->next;
	free(x->out);
	free(m->buf);
	free(m);
	memset(x, 0, sizeof *x);
}

/* count the headers named name/compact in a message text, copy the idx-th body */
static int hdr_in(const char *t, size_t len, const char *name, const char *compact, int idx,
		char *body, size_t cap)
{
	const char *end = t + len, *p = memchr(t, '\n', len);
	int count = 0;
	if (body)
		body[0] = 0;
	for (p = p ? p + 1 : end; p < end && *p != '\r' && *p != '\n'; ) {
		const char *nl = p, *colon;
		while ((nl = memchr(nl, '\n', end - nl)) && nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t'))
			nl++;
		nl = nl ? nl : end;
		if ((colon = memchr(p, ':', nl - p))) {
			str nm = { (char *)p, (int)(colon - p) };
			while (nm.len && (nm.s[nm.len - 1] == ' ' || nm.s[nm.len - 1] == '\t'))
				nm.len--;
			if (name_is(&nm, name, compact) && count++ == idx && body) {
				size_t n = 0;            /* unfolded, trimmed */
				for (const char *q = colon + 1; q < nl && n + 1 < cap; q++)
					if (*q != '\r' && *q != '\n' && (n || (*q != ' ' && *q != '\t')))
						body[n++] = *q;
				while (n && (body[n - 1] == ' ' || body[n - 1] == '\t'))
					n--;
				body[n] = 0;
			}
		}
		p = nl < end ? nl + 1 : end;
	}
	return count;
}

static int out_count(struct sip_msg *m, const char *name, const char *compact)
{
	size_t n;
	const char *o = msg_out(m, &n);
	return hdr_in(o, n, name, compact, 0, NULL, 0);
}

static const char *out_body(struct sip_msg *m, const char *name, const char *compact, int idx)
{
	static char b[4][16384];
	static int k;
	size_t n;
	const char *o = msg_out(m, &n);
	k = (k + 1) % 4;
	hdr_in(o, n, name, compact, idx, b[k], sizeof b[k]);
	return b[k];                             /* "" when absent */
}
#define OUT_SE(m) out_body(m, "Session-Expires", "x", 0)
#define OUT_MSE(m) out_body(m, "Min-SE", NULL, 0)

static int unchanged(struct sip_msg *m)
{
	size_t n;
	const char *o = msg_out(m, &n);
	return n == m->len && !memcmp(o, m->buf, n);
}

static int same_hdrs(struct sip_msg *m, const char *name, const char *compact)
{
	static char a[8192], b[8192];
	size_t n;
	const char *o = msg_out(m, &n);
	int c = hdr_in(m->buf, m->len, name, compact, 0, NULL, 0);
	if (c != hdr_in(o, n, name, compact, 0, NULL, 0))
		return 0;
	for (int i = 0; i < c; i++) {
		hdr_in(m->buf, m->len, name, compact, i, a, sizeof a);
		hdr_in(o, n, name, compact, i, b, sizeof b);
		if (strcmp(a, b))
			return 0;
	}
	return 1;
}

static long num(const char *body)            /* the leading delta-seconds, or -1 */
{
	char *e;
	if (!body || !isdigit((unsigned char)*body))
		return -1;
	long v = strtol(body, &e, 10);
	return (*e == 0 || *e == ';' || *e == ' ' || *e == '\t') ? v : -1;
}

static int has_token(const char *body, const char *tok)
{
	size_t tl = strlen(tok);
	for (const char *p = body, *e, *f; *p; p = e) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		for (e = p; *e && *e != ','; e++)
			;
		for (f = e; f > p && (f[-1] == ' ' || f[-1] == '\t'); f--)
			;
		if ((size_t)(f - p) == tl && !strncasecmp(p, tok, tl))
			return 1;
	}
	return 0;
}

struct info { uint32_t req, sup, iv, w4; };
#define INFO_FMT "{requester %u, supported %u, interval %u, word4 %u}"
#define INFO_ARGS(i) (i).req, (i).sup, (i).iv, (i).w4

/* the dialog value "sst_info": 1 there (16 bytes, decoded little-endian), 0 absent */
static int info_of(struct dlg_cell *d, struct info *i)
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
static void seed_info(struct dlg_cell *d, uint32_t req, uint32_t sup, uint32_t iv, uint32_t w4)
{
	unsigned char b[16];
	uint32_t w[4] = { req, sup, iv, w4 };
	for (int k = 0; k < 16; k++)
		b[k] = (unsigned char)(w[k / 4] >> (8 * (k % 4)));
	str name = { "sst_info", 8 };
	int_str v = { .s = { (char *)b, 16 } };
	fake_store_dlg_value(d, &name, &v, DLG_VAL_TYPE_STR);
}

static int marked(struct dlg_cell *d) { return (d->mod_flags & SST_DIALOG_FLAG) != 0; }
static unsigned int timer(struct dlg_cell *d) { return dext_of(d)->timer; }

static int boot_with(const struct mp *mps, int n)
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
#define BOOT(...) do { const struct mp mps_[] = { __VA_ARGS__ }; \
	if (!boot_with(mps_, (int)(sizeof mps_ / sizeof mps_[0]))) return; } while (0)
#define S(n, v) { n, v, 0, 1 }
#define I(n, v) { n, NULL, v, 0 }
#define FLAG S("sst_flag", "SST_FLAG")

/* sstCheckMin as the core calls it: p1 NULL when omitted, else an int*; p2..p8 garbage */
static int check_min(struct sip_msg *m, const int *p1)
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
static struct dlg_cell *call(const char *hdrs, int overwrite, struct sip_msg **inv)
{
	struct dlg_cell *d = dlg_new();
	struct sip_msg *m = flagged(req("INVITE", 1, hdrs));
	dlg_create(d, m, overwrite);
	if (inv)
		*inv = m;
	return d;
}

/* flow 1, a 2xx with the same SE, the ACK: a confirmed, tracked call */
static struct dlg_cell *established(int se)
{
	char h[160];
	snprintf(h, sizeof h, "Supported: timer\nSession-Expires: %d\n", se);
	struct dlg_cell *d = call(h, 1, NULL);
	snprintf(h, sizeof h, "Require: timer\nSupported: timer\nSession-Expires: %d;refresher=uac\n", se);
	dlg_reply(d, rpl(200, 1, "INVITE", h));
	dlg_req(d, req("ACK", 1, ""));
	return d;
}

/* ======================================================================= */
/* Cases: start-up and the loader                                          */
/* ======================================================================= */
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
	CHECK(g_find_dlg && g_find_sig, "find_export(load_dlg) %d, (load_sig) %d", g_find_dlg, g_find_sig);
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

/* ======================================================================= */
/* Cases: sstCheckMin (one table row per case)                             */
/* ======================================================================= */
struct cm {
	const char *name, *method;
	int code;                                /* != 0: a reply to `method` */
	const char *hdrs;
	int p1;                                  /* -1: the argument is omitted (NULL) */
	int min_se, want, reply;
	const char *warn;                        /* a WARNING line must name this header */
};

static const struct cm CM[] = {
	{"too_small_replies_422_with_min_se", "INVITE", 0, "Session-Expires: 100\nMin-SE: 100\n", 1, 1800, 1, 1, 0},
	{"large_enough_false", "INVITE", 0, "Session-Expires: 3600\nMin-SE: 2000\n", 1, 1800, -1, 0, 0},
	{"equal_is_not_too_small", "INVITE", 0, "Session-Expires: 1800\nMin-SE: 1800\n", 1, 1800, -1, 0, 0},
	{"min_se_header_below_se_counts", "INVITE", 0, "Session-Expires: 3600\nMin-SE: 100\n", 1, 1800, 1, 1, 0},
	{"absent_min_se_counts_as_90", "INVITE", 0, "Session-Expires: 3600\n", -1, 1800, 1, 0, 0},
	{"absent_min_se_90_vs_min_se_60", "INVITE", 0, "Session-Expires: 3600\n", 1, 60, -1, 0, 0},
	{"update_request_checked", "UPDATE", 0, "Session-Expires: 100\nMin-SE: 100\n", 1, 2400, 1, 1, 0},
	{"bye_false", "BYE", 0, "Session-Expires: 100\nMin-SE: 100\n", 1, 1800, -1, 0, 0},
	{"ack_false", "ACK", 0, "Session-Expires: 100\nMin-SE: 100\n", 1, 1800, -1, 0, 0},
	{"reply_false", "INVITE", 200, "Session-Expires: 100\nMin-SE: 100\n", 1, 1800, -1, 0, 0},
	{"no_session_expires_false", "INVITE", 0, "Min-SE: 100\n", 1, 1800, -1, 0, 0},
	{"param_omitted_no_reply", "INVITE", 0, "Session-Expires: 100\nMin-SE: 100\n", -1, 1800, 1, 0, 0},
	{"param_zero_no_reply", "INVITE", 0, "Session-Expires: 100\nMin-SE: 100\n", 0, 1800, 1, 0, 0},
	{"compact_form_x", "INVITE", 0, "x: 100\nMin-SE: 100\n", 1, 1800, 1, 1, 0},
	{"lowercase_names_and_lws", "INVITE", 0, "session-expires : 100 ; refresher=uac\nmin-se: 100\n", 1, 1800, 1, 1, 0},
	{"malformed_se_non_digits", "INVITE", 0, "Session-Expires: abc\n", 1, 1800, -2, 0, "Session-Expires"},
	{"malformed_se_empty", "INVITE", 0, "Session-Expires:\n", 1, 1800, -2, 0, "Session-Expires"},
	{"malformed_se_over_32_bits", "INVITE", 0, "Session-Expires: 4294967296\n", 1, 1800, -2, 0, "Session-Expires"},
	{"malformed_se_negative", "INVITE", 0, "Session-Expires: -100\n", 1, 1800, -2, 0, "Session-Expires"},
	{"malformed_se_bogus_refresher", "INVITE", 0, "Session-Expires: 100;refresher=abc\n", 1, 1800, -2, 0, "Session-Expires"},
	{"malformed_compact_se", "INVITE", 0, "x: 1e3\n", 1, 1800, -2, 0, "Session-Expires"},
	{"malformed_min_se_non_digits", "INVITE", 0, "Session-Expires: 100\nMin-SE: abc\n", 1, 1800, -2, 0, "Min-SE"},
	{"malformed_min_se_empty", "INVITE", 0, "Session-Expires: 100\nMin-SE:\n", 1, 1800, -2, 0, "Min-SE"},
	{"malformed_min_se_overflow", "INVITE", 0, "Session-Expires: 100\nMin-SE: 99999999999\n", 1, 1800, -2, 0, "Min-SE"},
	{"malformed_min_se_negative", "INVITE", 0, "Session-Expires: 100\nMin-SE: -1\n", 1, 1800, -2, 0, "Min-SE"},
};

CASE_ROWS("checkmin_", CM, checkmin_row)
{
	const struct cm *c = arg;
	char want[64];
	BOOT(FLAG, I("min_se", c->min_se));
	struct sip_msg *m = sipmsg(c->code, c->method, 1, c->hdrs);
	int rc = check_min(m, c->p1 < 0 ? NULL : &c->p1);
	CHECK(rc == c->want, "returned %d, want %d", rc, c->want);
	snprintf(want, sizeof want, "Min-SE: %d\r\n", c->min_se);
	if (c->reply)
		CHECK(g_reply.calls == 1 && g_reply.code == 422 && !strcmp(g_reply.reason, "Session Timer Too Small")
			&& !strcmp(g_reply.hdrs, want), "reply: %d sent, last \"%d %s\" with \"%s\"; want one "
			"422 Session Timer Too Small with \"%s\"", g_reply.calls, g_reply.code, g_reply.reason,
			g_reply.hdrs, want);
	else
		CHECK(g_reply.calls == 0, "a %d reply was sent", g_reply.code);
	CHECK(!c->warn || log_has(L_WARN, 0, c->warn), "no WARNING line names %s", c->warn);
	CHECK(unchanged(m), "sstCheckMin edited the message");
}

CASE(checkmin_reply_failure_is_defined)
{
	int one = 1;
	BOOT(FLAG);
	g_reply_ret = -1;
	int rc = check_min(req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n"), &one);
	CHECK(g_reply.calls == 1 && rc == -3, "%d replies tried, returned %d, want -3 (the 422 was not sent)",
		g_reply.calls, rc);
}

/* the 422 could not be sent: the script's own reply must not carry its Min-SE */
CASE(checkmin_failed_422_takes_its_min_se_back)
{
	int one = 1;
	BOOT(FLAG);
	g_reply_ret = -1;
	struct sip_msg *m = req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n");
	check_min(m, &one);
	CHECK(strstr(g_reply.hdrs, "Min-SE: 1800"), "the 422 tried did not carry Min-SE: 1800");
	CHECK(m->reply_lump == NULL, "Min-SE still queued for the next reply: %.*s",
		m->reply_lump ? m->reply_lump->text.len : 0, m->reply_lump ? m->reply_lump->text.s : "");
	CHECK(log_has(L_ERR, 0, "cannot send the 422 reply"), "no error line for the failed 422");
	g_reply_ret = 1;                             /* a 422 that is sent keeps its header */
	m = req("INVITE", 2, "Session-Expires: 100\nMin-SE: 100\n");
	check_min(m, &one);
	CHECK(m->reply_lump != NULL, "the Min-SE of a sent 422 was taken back");
}

/* ======================================================================= */
/* Cases: the call flows of issue 3                                        */
/* ======================================================================= */
CASE(flow1_se_above_min_forwarded_unchanged)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 0, &inv);
	CHECK(unchanged(inv), "INVITE edited: %s", msg_out(inv, NULL));
	CHECK(marked(d), "dialog not marked with SST_DIALOG_FLAG");
	CHECK(info_of(d, &i) == 1 && i.req == SST_UAC && i.iv == 1800 && i.w4 == 0 && (i.sup & SST_UAC),
		"sst_info " INFO_FMT ", want requester 1, UAC in supported, 1800, 0", INFO_ARGS(i));
	CHECK(d->lifetime == 43200, "lifetime %u after CREATED: the dialog's own timeout is kept "
		"until the 2xx arms the timer", d->lifetime);
}

/* Flow 2 from the dialog callback: no reply there (it runs inside tm while
 * the transaction is built; the C module's reply there crashes 3.6.8), so the
 * module raises Min-SE and Session-Expires to min_se like flow 4 (RFC 4028
 * 8.1 allows either) and tracks the call; the 422 belongs to sstCheckMin(1). */
CASE(flow2_no_reply_from_created_raises_and_tracks)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 100;refresher=uac\nMin-SE: 100\n", 0, &inv);
	CHECK(g_reply.calls == 0, "module replied %d \"%s\"%s", g_reply.code, g_reply.reason,
		g_reply.in_created ? " from inside DLGCB_CREATED (what crashes a real 3.6.8)" : "");
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && num(OUT_SE(inv)) == 1800
		&& strstr(OUT_SE(inv), ";refresher=uac"), "Session-Expires out \"%s\", want 1800;refresher=uac", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800, "Min-SE out \"%s\"", OUT_MSE(inv));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.iv == 1800 && i.req == SST_UAC && i.sup == SST_UAC,
		"tracked %d, sst_info " INFO_FMT ", want UAC/UAC/1800", marked(d), INFO_ARGS(i));
}

CASE(flow3_reject_to_small_0_tracks_small_se)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG, I("reject_to_small", 0));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 100\n", 0, &inv);
	CHECK(unchanged(inv) && g_reply.calls == 0, "INVITE edited or replied to: %s", msg_out(inv, NULL));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.iv == 100 && i.req == SST_UAC,
		"tracked %d, sst_info " INFO_FMT ", want interval 100 from the UAC", marked(d), INFO_ARGS(i));
}

CASE(flow4_uac_without_timer_raises_min_se_and_se)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Session-Expires: 100;refresher=uac\nMin-SE: 90\n", 0, &inv);
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && num(OUT_SE(inv)) == 1800
		&& strstr(OUT_SE(inv), ";refresher=uac"), "Session-Expires out \"%s\", want 1800;refresher=uac", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800, "Min-SE out \"%s\"", OUT_MSE(inv));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.iv == 1800, "sst_info " INFO_FMT, INFO_ARGS(i));
}

CASE(flow4_without_min_se_header_raises_se)
{
	struct sip_msg *inv;
	BOOT(FLAG);
	call("Session-Expires: 100;refresher=uas\n", 0, &inv);
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && num(OUT_SE(inv)) == 1800
		&& strstr(OUT_SE(inv), ";refresher=uas"), "Session-Expires out \"%s\", want 1800;refresher=uas", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 0 || num(OUT_MSE(inv)) == 1800, "Min-SE out \"%s\"", OUT_MSE(inv));
}

/* Min-SE is a single-instance header: either every copy is raised along with
 * SE, or the request is left alone, untracked, with a WARNING naming Min-SE;
 * never a raised SE beside a stale Min-SE (the C module's loop removes one). */
CASE(flow4_duplicate_min_se_no_stale_value)
{
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Min-SE: 90\nSession-Expires: 100\nMin-SE: 120\n", 0, &inv);
	if (unchanged(inv)) {
		CHECK(!marked(d) && log_has(L_WARN, 0, "Min-SE"), "untouched but tracked, or no WARNING");
		note("duplicate Min-SE: left alone, not tracked");
		return;
	}
	for (int k = 0, n = out_count(inv, "Min-SE", NULL); k < n; k++)
		CHECK(num(out_body(inv, "Min-SE", NULL, k)) == 1800, "Min-SE \"%s\" survived (%d in all)",
			out_body(inv, "Min-SE", NULL, k), n);
	CHECK(num(OUT_SE(inv)) == 1800, "out: %s", msg_out(inv, NULL));
}

CASE(flow5_no_se_inserts_interval_without_refresher)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\n", 0, &inv);
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && !strcmp(OUT_SE(inv), "1800"),
		"Session-Expires out \"%s\", want exactly \"1800\"", OUT_SE(inv));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.req == SST_PXY && i.iv == 1800,
		"sst_info " INFO_FMT ", want requester proxy (4), 1800", INFO_ARGS(i));
	CHECK(d->lifetime == 43200, "lifetime %u after CREATED, want the dialog's own", d->lifetime);
}

CASE(flow5_sst_interval_and_low_min_se)
{
	struct sip_msg *inv;
	BOOT(FLAG, I("sst_interval", 2400));
	call("Min-SE: 600\n", 0, &inv);
	CHECK(num(OUT_SE(inv)) == 2400, "Session-Expires \"%s\", want 2400", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800,
		"Min-SE out \"%s\" (x%d), want one 1800", OUT_MSE(inv), out_count(inv, "Min-SE", NULL));
}

CASE(flow5_request_min_se_above_min_se_kept)
{
	struct sip_msg *inv;
	BOOT(FLAG);
	call("Min-SE: 3600\n", 0, &inv);
	CHECK(num(OUT_SE(inv)) == 3600, "Session-Expires \"%s\", want 3600", OUT_SE(inv));
	CHECK(same_hdrs(inv, "Min-SE", NULL), "Min-SE 3600 edited: %s", msg_out(inv, NULL));
}

CASE(flow7_422_min_se_remembered)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\n", 0, NULL);
	dlg_reply(d, rpl(422, 1, "INVITE", "Min-SE: 2400\n"));
	CHECK(info_of(d, &i) == 1 && i.iv >= 2400, "after 422 Min-SE 2400: sst_info " INFO_FMT, INFO_ARGS(i));
}

CASE(flow8_2xx_se_sets_lifetime)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 3600\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "Require: timer\nSupported: timer\n"
		"Session-Expires: 1900;refresher=uas\n");
	dlg_reply(d, ok);
	CHECK(timer(d) == 1900, "timer armed with %u at the 2xx, want its SE 1900", timer(d));
	CHECK(info_of(d, &i) == 1 && i.iv == 1900 && (i.sup & SST_UAC), "sst_info " INFO_FMT
		", want interval 1900, UAC in supported", INFO_ARGS(i));
	CHECK(out_count(ok, "Session-Expires", "x") == 1, "the 2xx now has %d Session-Expires",
		out_count(ok, "Session-Expires", "x"));
}

/* `supported` is one value in the C record (UAC, else UAS, else NSUP; the C
 * module compares it with ==), so UAS support shows when the UAC lacks timer */
CASE(flow8_uas_support_recorded_when_uac_lacks_timer)
{
	struct info i;
	BOOT(FLAG);
	struct dlg_cell *d = call("Session-Expires: 3600\n", 1, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", "Require: timer\nSession-Expires: 3600;refresher=uas\n"));
	CHECK(info_of(d, &i) == 1 && i.sup == SST_UAS && i.iv == 3600 && timer(d) == 3600,
		"sst_info " INFO_FMT ", timer %u; want supported UAS (2), 3600", INFO_ARGS(i), timer(d));
}

CASE(flow8_negotiated_se_not_min_se_c_defect)
{
	BOOT(FLAG, I("min_se", 90));                /* the C binary's effective default */
	struct dlg_cell *d = established(1800);
	CHECK(timer(d) == 1800, "dialog timer %u, want the negotiated 1800 (the C module: 90)", timer(d));
}

CASE(flow9_2xx_without_se_gets_se_and_require)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "");
	dlg_reply(d, ok);
	CHECK(out_count(ok, "Session-Expires", "x") == 1 && !strcmp(OUT_SE(ok), "1800;refresher=uac"),
		"2xx Session-Expires \"%s\", want \"1800;refresher=uac\"", OUT_SE(ok));
	CHECK(out_count(ok, "Require", NULL) == 1 && has_token(out_body(ok, "Require", NULL, 0), "timer"),
		"2xx Require \"%s\" (x%d)", out_body(ok, "Require", NULL, 0), out_count(ok, "Require", NULL));
	CHECK(timer(d) == 1800, "timer %u, want 1800", timer(d));
}

CASE(flow9_existing_require_gets_timer_appended)
{
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer, 100rel\nSession-Expires: 1800\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "Require: 100rel\n");
	dlg_reply(d, ok);
	const char *r = out_body(ok, "Require", NULL, 0);
	CHECK(out_count(ok, "Require", NULL) == 1 && has_token(r, "100rel") && has_token(r, "timer"),
		"Require out \"%s\" (x%d), want one with 100rel and timer", r, out_count(ok, "Require", NULL));
	CHECK(num(OUT_SE(ok)) == 1800, "2xx Session-Expires \"%s\"", OUT_SE(ok));
}

CASE(flow10_nobody_supports_default_timeout)
{
	g_default_timeout = 7200;                   /* dialog modparams precede every mod_init */
	BOOT(FLAG);
	struct dlg_cell *d = call("", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "");
	dlg_reply(d, ok);
	CHECK(timer(d) == 7200, "timer %u, want the dialog default_timeout 7200", timer(d));
	CHECK(out_count(ok, "Session-Expires", "x") == 0, "Session-Expires added for a UAC without timer");
}

/* #2829: a $DLG_timeout set by the script survives a call without timers
 * (the C module overwrote it) and loses against a negotiated session timer */
CASE(script_dlg_timeout_kept_without_session_timer)
{
	g_script_timeout = 600;
	BOOT(FLAG);
	struct dlg_cell *d = call("", 0, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	CHECK(timer(d) == 600, "timer %u, want the script's $DLG_timeout 600", timer(d));
	dlg_req(d, req("ACK", 1, ""));
	CHECK(d->lifetime == 600, "lifetime %u after the ACK, want 600 kept", d->lifetime);
}

CASE(script_dlg_timeout_loses_to_negotiated_timer)
{
	g_script_timeout = 600;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 0, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", "Session-Expires: 1800;refresher=uac\n"));
	CHECK(timer(d) == 1800, "timer %u, want the negotiated 1800", timer(d));
}

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

static const char *mi_refresher(struct dlg_cell *d)
{
	struct cJSON *r = mi_child(mi_child(dlg_mi(d), "sst"), "refresher");
	return r && r->is_str ? r->str : "(no refresher item)";
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
		"supported_flags", "expires", "insert" };
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
		"supported_flags", "expires", "insert" };
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

CASE(loaded_c_written_dialog_reattached)
{
	struct dlg_cell *d = dlg_new();             /* restored from the database before start-up */
	d->state = ST_CONFIRMED;
	d->mod_flags = SST_DIALOG_FLAG;
	seed_info(d, SST_UAC, SST_UAC | SST_UAS, 1800, 1);
	BOOT(FLAG);
	struct cJSON *n = mi_child(mi_child(dlg_mi(d), "sst"), "interval");
	CHECK(n && n->num == 1800, "MI of a C-written dialog lacks interval 1800");
	dlg_req(d, req("INVITE", 5, "Supported: timer\nSession-Expires: 1200\n"));
	dlg_reply_within(d, rpl(200, 5, "INVITE", "Require: timer\nSession-Expires: 1200;refresher=uac\n"));
	dlg_req(d, req("ACK", 5, ""));
	CHECK(d->lifetime == 1200 && timer(d) == 1200, "refresh after LOADED: lifetime %u timer %u",
		d->lifetime, timer(d));
}

CASE(loaded_later_dialog_reattached)
{
	BOOT(FLAG);
	struct dlg_cell *d = dlg_new();             /* arrives by replication after start-up */
	d->state = ST_CONFIRMED;
	d->mod_flags = SST_DIALOG_FLAG;
	seed_info(d, SST_PXY, SST_UAC, 1800, 0);
	for (struct dcb *cb = g_loaded; cb; cb = cb->next)
		run_load_cb(cb, d);
	dlg_req(d, req("UPDATE", 5, "Supported: timer\nSession-Expires: 1300\n"));
	dlg_reply_within(d, rpl(200, 5, "UPDATE", "Require: timer\nSession-Expires: 1300;refresher=uac\n"));
	CHECK(d->lifetime == 1300, "refresh after LOADED: lifetime %u, want 1300", d->lifetime);
}

CASE(loaded_unmarked_dialog_ignored)
{
	struct dlg_cell *d = dlg_new();
	d->state = ST_CONFIRMED;
	BOOT(FLAG);
	CHECK(dext_of(d)->cbs == NULL, "callbacks attached to a dialog without the sst mod flag");
}

CASE(unflagged_dialog_untouched)
{
	struct info i;
	BOOT(FLAG);
	struct sip_msg *inv = req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n");
	struct dlg_cell *d = dlg_new();
	d->lifetime = 43200;
	dlg_create(d, inv, 0);
	CHECK(unchanged(inv) && !marked(d) && info_of(d, &i) == 0 && d->lifetime == 43200 && !g_reply.calls,
		"unflagged INVITE touched: edits %d, marked %d, value %d, lifetime %u, replies %d",
		!unchanged(inv), marked(d), info_of(d, &i), d->lifetime, g_reply.calls);
}

/* ======================================================================= */
/* Cases: hostile input through sstCheckMin, CREATED and a 2xx (table)     */
/* ======================================================================= */
enum { RB_TEXT, RB_LONG_SE, RB_DUP_SE, RB_NO_CRLF, RB_NUL, RB_LONG_SUPPORTED, RB_DUP_MIN_SE };
struct rb { const char *name; int kind; const char *hdrs; };

static struct sip_msg *hostile(const struct rb *r, int code)
{
	size_t cap = 65536, n;
	char *h = calloc(1, cap), *t;
	if (r->kind == RB_LONG_SE) {
		strcpy(h, "Session-Expires: 1800;");
		memset(h + strlen(h), 'a', 10240);
		strcat(h, "\n");
	}
	for (int k = 0; r->kind == RB_DUP_SE && k < 200; k++)
		snprintf(h + strlen(h), cap - strlen(h), "Session-Expires: %d\n", 100 + k * 50);
	for (int k = 0; r->kind == RB_DUP_MIN_SE && k < 60; k++)
		strcat(h, k < 59 ? "Min-SE: 100\n" : "Min-SE: 100\nSession-Expires: 100\n");
	for (int k = 0; r->kind == RB_LONG_SUPPORTED && k < 1500; k++)
		strcat(h, !k ? "Supported: timer, " : k < 1499 ? "timer, " : "x\nSession-Expires: 100\n");
	if (r->kind == RB_NUL)
		strcpy(h, "Session-Expires: 18@00;refresher=u@c\nMin-SE: 9@0\n");
	if (r->kind == RB_TEXT)
		strcpy(h, r->hdrs);
	t = sip_text(code, "INVITE", 1, h, &n);
	for (size_t k = 0; r->kind == RB_NUL && k < n; k++)
		t[k] = t[k] == '@' ? 0 : t[k];
	if (r->kind == RB_NO_CRLF) {            /* the last header without CRLF, no empty line */
		n -= strlen("Content-Length: 0\r\n\r\n");
		memcpy(t + n, "Session-Expires: 1800", 21);
		n += 21;
	}
	struct sip_msg *m = msg_raw(t, n);
	free(t);
	free(h);
	return m;
}

static const struct rb RB[] = {
	{"se_huge_digits", RB_TEXT, "Session-Expires: 99999999999999999999999999\n"},
	{"se_u32_max", RB_TEXT, "Session-Expires: 4294967295\nSupported: timer\n"},
	{"se_zero", RB_TEXT, "Session-Expires: 0\nSupported: timer\n"},
	{"se_leading_zeros", RB_TEXT, "Session-Expires: 000000000000000000000000001800\n"},
	{"se_10kb_parameter", RB_LONG_SE, NULL},
	{"se_200_duplicates", RB_DUP_SE, NULL},
	{"min_se_60_duplicates", RB_DUP_MIN_SE, NULL},
	{"missing_final_crlf", RB_NO_CRLF, NULL},
	{"nul_bytes_in_values", RB_NUL, NULL},
	{"supported_10kb", RB_LONG_SUPPORTED, NULL},
	{"se_garbage_parameters", RB_TEXT, "Session-Expires: 1800;;;=;refresher;x==y;refresher=uac;refresher=uas\n"},
	{"se_folded_lines", RB_TEXT, "Session-Expires:\n 1800\n\t;refresher=uac\n"},
	{"se_without_colon", RB_TEXT, "Session-Expires 1800\n"},
	{"se_and_min_se_whitespace_only", RB_TEXT, "Session-Expires:    \t \nMin-SE: \n"},
	{"compact_forms_only", RB_TEXT, "x:100;refresher=uas\nk: timer\n"},
	{"se_and_min_se_u32_max", RB_TEXT, "Min-SE: 4294967295\nSession-Expires: 4294967295\n"},
	{"empty_require_odd_supported", RB_TEXT, "Require: \nSupported: ,,,timer,,\nSession-Expires: 100\n"},
	{"bad_cseq", RB_TEXT, "CSeq: x INVITE\nSession-Expires: 100\n"},
};

CASE_ROWS("robust_", RB, robust_row)
{
	const struct rb *r = arg;
	struct info i;
	int one = 1;
	BOOT(FLAG);
	int rc = check_min(hostile(r, 0), &one);
	CHECK(rc == 1 || rc == -1 || rc == -2, "sstCheckMin returned %d", rc);
	CHECK(rc != -2 || g_reply.calls == 0, "replied %d to a malformed request", g_reply.code);
	struct sip_msg *inv = flagged(hostile(r, 0)), *ok = hostile(r, 200);
	struct dlg_cell *d = dlg_new();
	dlg_create(d, inv, 0);
	msg_out(inv, NULL);                         /* the edits apply cleanly */
	CHECK(!marked(d) || (info_of(d, &i) == 1 && i.iv > 0 && d->lifetime > 0),
		"tracked with sst_info " INFO_FMT ", lifetime %u", INFO_ARGS(i), d->lifetime);
	dlg_reply(d, ok);
	msg_out(ok, NULL);
	CHECK(!marked(d) || timer(d) > 0, "dialog timer armed with 0: the call would end at once");
}

CASE(robust_pkg_out_of_memory)
{
	int one = 1;
	BOOT(FLAG);
	pkg_fail = 1;
	struct sip_msg *inv;
	struct dlg_cell *d = call("Min-SE: 100\n", 0, &inv);
	check_min(req("INVITE", 1, "Session-Expires: 100\n"), &one);
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	pkg_fail = 0;
	msg_out(inv, NULL);
}

/* Memory running out at any point of the INVITE's edits never leaves it
 * without Min-SE: the old header goes only once ours is in. */
CASE(robust_pkg_runs_out_mid_edit_min_se_never_dropped)
{
	BOOT(FLAG);
	for (int budget = 0; budget <= 12; budget++) {
		struct sip_msg *inv;
		pkg_budget = budget;
		call("Min-SE: 100\nSupported: timer\n", 0, &inv);
		pkg_budget = -1;
		int n = out_count(inv, "Min-SE", NULL);
		CHECK(n >= 1, "allocation %d failed: the INVITE goes out without Min-SE", budget);
		if (n == 1)
			CHECK(!strcmp(out_body(inv, "Min-SE", NULL, 0), "100") ||
				!strcmp(out_body(inv, "Min-SE", NULL, 0), "1800"),
				"allocation %d failed: Min-SE \"%s\"", budget, out_body(inv, "Min-SE", NULL, 0));
	}
}


/* ======================================================================= */
/* Cases: the session in force and the dialog timer                        */
/* ======================================================================= */

/* A refresh proposing less than is left, then refused: the lifetime armed at
 * the request keeps what is left of the session in force (RFC 4028 §10). */
CASE(timing_refused_refresh_keeps_what_is_left)
{
	static const int codes[] = { 488, 491, 500, 408, 487 };
	BOOT(FLAG, I("min_se", 90));
	for (int k = 0; k < 5; k++) {
		struct dlg_cell *d = established(1800);
		d->tl.timeout = g_ticks + 1790;             /* 10 s into the 1800 s session */
		dlg_req(d, req(k % 2 ? "UPDATE" : "INVITE", 2, "Session-Expires: 90\n"));
		CHECK(timer(d) >= 1790, "%d: armed %u at the refresh, want >= 1790 left", codes[k], timer(d));
		dlg_reply_within(d, rpl(codes[k], 2, k % 2 ? "UPDATE" : "INVITE", ""));
		dlg_req(d, req("OPTIONS", 3, ""));
		CHECK(timer(d) >= 1790, "%d: armed %u after the refusal, want >= 1790", codes[k], timer(d));
	}
}

CASE(timing_second_branch_2xx_settles_nothing)
{
	struct info i;
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	dlg_reply_on_leg(d, rpl(200, 1, "INVITE", "Session-Expires: 1800;refresher=uac\n"), 1);
	dlg_req(d, req("ACK", 1, ""));
	struct sip_msg *other = rpl(200, 1, "INVITE", "Session-Expires: 90;refresher=uas\n");
	dlg_reply_on_leg(d, other, 2);
	dlg_req(d, req("INFO", 2, ""));
	CHECK(info_of(d, &i) == 1 && i.iv == 1800, "sst_info " INFO_FMT ", want interval 1800", INFO_ARGS(i));
	CHECK(!strcmp(mi_refresher(d), "uac"), "refresher %s, want uac", mi_refresher(d));
	CHECK(d->lifetime == 1800 && timer(d) == 1800, "lifetime %u timer %u, want 1800", d->lifetime, timer(d));
	CHECK(out_count(other, "Session-Expires", "x") == 1, "the other branch's 2xx was edited");
}

/* PRACK and an early UPDATE do not decide the lifetime: with no session
 * timer in the end the dialog keeps its own timeout. */
CASE(timing_early_requests_leave_the_dialog_timeout)
{
	g_default_timeout = 7200;
	BOOT(FLAG);                                     /* min_se 1800: the proxy inserts one */
	struct dlg_cell *d = call("", 0, NULL);
	dlg_reply(d, rpl(183, 1, "INVITE", "Require: 100rel\nRSeq: 1\n"));
	dlg_req(d, req("PRACK", 2, "RAck: 1 1 INVITE\n"));
	dlg_reply_within(d, rpl(200, 2, "PRACK", ""));
	dlg_req(d, req("UPDATE", 3, "Session-Expires: 1800\n"));
	dlg_reply_within(d, rpl(200, 3, "UPDATE", "Session-Expires: 1800;refresher=uas\n"));
	dlg_reply(d, rpl(200, 1, "INVITE", ""));
	dlg_req(d, req("ACK", 1, ""));
	CHECK(timer(d) == 7200 && d->lifetime == 7200, "timer %u lifetime %u, want the dialog's 7200",
		timer(d), d->lifetime);
}

CASE(timing_huge_session_expires_is_clamped_with_a_notice)
{
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 4294967295\n", 1, NULL);
	dlg_reply(d, rpl(200, 1, "INVITE", "Session-Expires: 4294967295;refresher=uac\n"));
	unsigned long room = 2147483647UL - (unsigned long)time(NULL);
	CHECK(d->lifetime > 0 && d->lifetime <= room && g_ticks + (unsigned long)d->lifetime <= 2147483647UL,
		"lifetime %u: the dialog timer would wrap", d->lifetime);
	CHECK(log_has(L_NOTICE, 0, "clamped to") && log_has(L_NOTICE, 0, "call-1@harness"),
		"no NOTICE naming the call");
}

CASE(timing_2xx_with_session_expires_0_gets_no_second_one)
{
	BOOT(FLAG, I("min_se", 90));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 1, NULL);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "Session-Expires: 0\n");
	dlg_reply(d, ok);
	CHECK(out_count(ok, "Session-Expires", "x") == 1, "%d Session-Expires reach the UAC",
		out_count(ok, "Session-Expires", "x"));
	CHECK(timer(d) == 43200, "timer %u, want the dialog's own 43200 (no session timer)", timer(d));
}

CASE(timing_max_se_lowers_the_request)
{
	struct sip_msg *inv;
	BOOT(FLAG, I("min_se", 90), I("max_se", 3600));
	call("Supported: timer\nSession-Expires: 7200;refresher=uac\n", 1, &inv);
	CHECK(!strcmp(out_body(inv, "Session-Expires", "x", 0), "3600;refresher=uac"),
		"Session-Expires out \"%s\", want 3600;refresher=uac", out_body(inv, "Session-Expires", "x", 0));
}

CASE(startup_max_se_below_min_se_refuses)
{
	struct mp mps[] = { FLAG, I("min_se", 1800), I("max_se", 600) };
	char err[512] = "";
	int rc = load_module(g_path, mps, 3, err, sizeof err);
	CHECK(rc == -2, "rc %d (%s), want mod_init < 0", rc, err);
	CHECK(log_has(L_ERR, 0, "max_se = 600 is below min_se = 1800"), "no error line naming both");
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

/* Memory running out while the Session-Expires number is rewritten: the
 * header goes out whole, with the old number or the new one. */
CASE(robust_pkg_runs_out_mid_edit_session_expires_never_half)
{
	BOOT(FLAG);
	for (int budget = 0; budget <= 12; budget++) {
		struct sip_msg *inv;
		pkg_budget = budget;
		call("Session-Expires: 100;refresher=uac\nMin-SE: 90\n", 0, &inv);
		pkg_budget = -1;
		const char *se = out_body(inv, "Session-Expires", "x", 0);
		CHECK(!strcmp(se, "100;refresher=uac") || !strcmp(se, "1800;refresher=uac"),
			"allocation %d failed: Session-Expires \"%s\" forwarded", budget, se);
		CHECK(strcmp(out_body(inv, "Min-SE", NULL, 0), "1800") || !strcmp(se, "1800;refresher=uac"),
			"allocation %d failed: Min-SE 1800 goes with Session-Expires \"%s\"", budget, se);
		CHECK(out_count(inv, "Session-Expires", "x") == 1 && out_count(inv, "Min-SE", NULL) == 1,
			"allocation %d failed: %d Session-Expires, %d Min-SE", budget,
			out_count(inv, "Session-Expires", "x"), out_count(inv, "Min-SE", NULL));
	}
}

/* ======================================================================= */
/* Runner                                                                  */
/* ======================================================================= */
struct tcase { char *name; void (*fn)(const void *); const void *arg; const char *file; int line, row; };
static struct tcase *T;
static int NT, CAP;

static void case_register(const char *prefix, const char *name, void (*fn)(const void *),
		const void *arg, const char *file, int line, int row)
{
	size_t n = strlen(prefix) + strlen(name) + 1;
	char *full = malloc(n);
	if (full && NT == CAP) {
		struct tcase *grown = realloc(T, (CAP ? 2 * CAP : 64) * sizeof *T);
		if (grown)
			T = grown, CAP = CAP ? 2 * CAP : 64;
	}
	if (!full || NT == CAP) {
		fprintf(stderr, "harness: out of memory registering case %s%s\n", prefix, name);
		exit(2);
	}
	snprintf(full, n, "%s%s", prefix, name);
	T[NT++] = (struct tcase){ full, fn, arg, file, line, row };
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* run order: by file name, then line, then table row (constructors run in
 * an order the toolchain picks; this one does not depend on it) */
static int case_order(const void *pa, const void *pb)
{
	const struct tcase *a = pa, *b = pb;
	int c = strcmp(base_name(a->file), base_name(b->file));
	if (c)
		return c;
	return a->line != b->line ? (a->line < b->line ? -1 : 1) : (a->row > b->row) - (a->row < b->row);
}

/* sorted, and every name once: a name is what a run's results are compared by */
static int sort_cases(void)
{
	qsort(T, NT, sizeof *T, case_order);
	for (int i = 0; i < NT; i++)
		for (int k = i + 1; k < NT; k++)
			if (!strcmp(T[i].name, T[k].name)) {
				fprintf(stderr, "harness: two cases named %s (%s:%d and %s:%d)\n", T[i].name,
					T[i].file, T[i].line, T[k].file, T[k].line);
				return -1;
			}
	return 0;
}

/* in the child: run the case, free what the core and dialog module would, check pkg */
static void child(const struct tcase *t)
{
	alarm(30);
	get_flag_id_by_name(0, "F0", 0);            /* so that sst_flag is not bit 0 */
	get_flag_id_by_name(0, "F1", 0);
	get_flag_id_by_name(0, "F2", 0);
	t->fn(t->arg);
	for (int i = 0; i < MAX_MSGS; i++)
		if (g_msgs[i].msg)
			msg_free(g_msgs[i].msg);
	for (int i = 0; i < MAX_DLGS; i++)
		if (g_dlgs[i].dlg)
			dlg_destroy(g_dlgs[i].dlg);
	if (g_booted && pkg_live != g_pkg_mark)
		failf("pkg leak: %ld block(s) still live, e.g. %lu bytes from %s:%s:%u", pkg_live - g_pkg_mark,
			pkg_list.next->size, pkg_list.next->file, pkg_list.next->func, pkg_list.next->line);
	if (M.exp && M.exp->destroy_f)
		M.exp->destroy_f();
	fflush(stderr);
	_exit(R->nfail ? 1 : 0);
}

static int run_case(const struct tcase *t)
{
	FILE *log = tmpfile();
	char line[1024];
	int st = 0, ok = 0, n = 0;
	memset(R, 0, sizeof *R);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fileno(log), 2);
		child(t);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("FAIL - %s: %s %d (%s)%s%s\n", t->name, WTERMSIG(st) == SIGALRM ? "timed out, signal"
			: "crashed with signal", WTERMSIG(st), strsignal(WTERMSIG(st)), R->why[0] ? "; " : "", R->why);
	else if (WEXITSTATUS(st))
		printf("FAIL - %s: %s\n", t->name, R->why[0] ? R->why : "child exited non-zero");
	else
		printf("ok - %s%s%s\n", t->name, R->notes[0] ? " # " : "", R->notes), ok = 1;
	rewind(log);
	while ((!ok || g_verbose) && fgets(line, sizeof line, log) && n++ < 80)
		printf("    | %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(log);
	fflush(stdout);
	return ok;
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0, nfilter = 0;
	char **filter = calloc(argc, sizeof *filter);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-v"))
			g_verbose = 1;
		else if (!g_path)
			g_path = argv[i];
		else
			filter[nfilter++] = argv[i];
	if (!g_path) {
		fprintf(stderr, "usage: %s path/to/sst.so [-v] [name-substring ...]\n", argv[0]);
		return 2;
	}
	R = mmap(NULL, sizeof *R, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (R == MAP_FAILED)
		return 2;
	if (sort_cases())
		return 2;
	printf("# sst host harness: module %s, core \"%s\" (OSIPS_VER %d)\n", g_path, SST_HOST_VERSION, OSIPS_VER);
	for (int i = 0; i < NT; i++) {
		int want = !nfilter;
		for (int k = 0; k < nfilter; k++)
			want |= strstr(T[i].name, filter[k]) != NULL;
		if (want)
			run_case(&T[i]) ? pass++ : fail++;
	}
	printf("harness: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
