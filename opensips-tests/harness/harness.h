/*
 * sst-rs host harness: a small stand-in for the OpenSIPS core, the dialog
 * module and the signaling module, enough to load sst.so the way the OpenSIPS
 * loader does and drive it (parameters, mod_init, sstCheckMin(), every dialog
 * callback) with crafted SIP messages.
 *
 * Build (from the repository root), with every .c file of this folder and
 * the layout defines the module's build gave include/sst_abi.h (the file
 * abi_cflags in the build script's output folder; `make harness` finds it):
 *   cc -O1 -g -Wall -rdynamic $(cat .../out/abi_cflags) -Iinclude \
 *      opensips-tests/harness/[a-z]*.c -ldl -o build/sst-host
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
 * The files, one concern each:
 *   harness.h      what the files share (this file)
 *   main.c         case results, the case list, the runner
 *   fake_core.c    pkg memory, logging, flags, exports lookup, statistics,
 *                  pseudo-variable helpers, processing context, ticks
 *   fake_msg.c     the core's SIP message side: header parsing, lumps, reply
 *                  lumps, the message as sent
 *   fake_mi_evi.c  MI items and the event interface
 *   fake_dialog.c  the dialog and signaling modules, and driving a call
 *   loader.c       dlopen() and the checks of the OpenSIPS module loader
 *   msgs.c         building messages and reading what goes out
 *   fixtures.c     start-up, sstCheckMin as the core calls it, calls, sst_info
 *   cases_*.c      the cases, grouped by concern
 *
 * Adding a case is one edit: CASE(name) { ... } in the cases_*.c file of its
 * concern (or a row in a CASE_ROWS table); a new file here is built as it is.
 * Cases run ordered by file name, then in the order they are written.
 *
 * Every symbol the module imports is defined with the prototypes of
 * include/sst_abi.h; -rdynamic exports them so that RTLD_NOW resolves them.
 * Each stand-in follows the real function it replaces; the comments name the
 * behaviour relied on.
 */
#ifndef SST_HARNESS_H
#define SST_HARNESS_H
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#define SST_HOST_OWN_LUMP                        /* ours below: same op offset, more bookkeeping */
#include "sst_abi.h"

#if OSIPS_VER == 304
#  define DEF_VERSION "opensips 3.4.18 (x86_64/linux)"
#  define DEF_FLAGS "STATS: On, DISABLE_NAGLE, USE_MCAST, SHM_MMAP, PKG_MALLOC, Q_MALLOC, F_MALLOC, HP_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT"
#else
#  if OSIPS_VER == 400
#    define DEF_VERSION "opensips 4.0.1 (x86_64/linux)"
#  else
#    define DEF_VERSION "opensips 3.6.8 (x86_64/linux)"
#  endif
#  define DEF_FLAGS "STATS: On, DISABLE_NAGLE, USE_MCAST, SHM_MMAP, PKG_MALLOC, Q_MALLOC, F_MALLOC, HP_MALLOC, F_PARALLEL_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT"
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

#define DLG_VAL_TYPE_INT 2
enum { ST_UNCONFIRMED = 1, ST_EARLY, ST_CONFIRMED_NA, ST_CONFIRMED, ST_DELETED };
enum { DIR_NONE = 0, DIR_DOWN = 1, DIR_UP = 2 };
enum { SST_UAC = 1, SST_UAS = 2, SST_PXY = 4, SST_NSUP = 8 };

/* Everything below is the harness's own: hidden, so that -rdynamic exports
 * only the core's symbols above and the module can never bind to ours. */
#pragma GCC visibility push(hidden)

/* ---- main.c: case results, the case list ---- */
void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void check_failed(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define CHECK(c, ...) do { if (!(c)) check_failed(__LINE__, __VA_ARGS__); } while (0)
#define MISUSE(...) failf("API misuse: " __VA_ARGS__)

/* Register a case (from a constructor, before main). Cases run ordered by
 * file name, then by where they are written, then by table row. */
void case_register(const char *prefix, const char *name, void (*fn)(const void *), const void *arg,
		const char *file, int line, int row);

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

/* ---- fake_core.c: pkg memory, malloc-backed, every live block on a list ---- */
struct pkg_blk {
	struct pkg_blk *prev, *next;
	unsigned long size;
	const char *file, *func;
	unsigned int line;
	long pad;                                /* keeps user data 16-aligned */
};
extern struct pkg_blk pkg_list;
extern long pkg_live;
extern int pkg_fail;                         /* 1: every allocation fails */
extern int pkg_budget;                       /* >= 0: allocations left before they fail */
int oom(void);                               /* whether the next pkg allocation fails */
struct pkg_blk *pkg_find(const void *p);
void *host_pkg_malloc(void *blk, unsigned long size, const char *file, const char *func,
		unsigned int line);
void host_pkg_free(void *blk, void *p, const char *file, const char *func, unsigned int line);

/* ---- fake_core.c: logging, flags, exports, statistics, context, ticks ---- */
extern int log_level_val;
extern int g_log_above;                      /* dprint calls above *log_level */
/* a line at exactly `level` (or, with `or_worse`, any more severe one) containing needle */
int log_has(int level, int or_worse, const char *needle);
extern int g_nflags;
int flag_bit(const char *name);
extern int g_find_dlg, g_find_sig, g_default_timeout;
extern unsigned int g_script_timeout;        /* $DLG_timeout set by the script (0: unset) */
struct host_stat { stat_var var; unsigned long counter; char name[40]; };
#define MAX_STATS 16
extern struct host_stat g_stats[MAX_STATS];
extern int g_nstats;
struct host_stat *stat_find(const char *name);
#define STAT_MISSING 999999UL
unsigned long stat_value(const char *name);  /* STAT_MISSING when not registered */
extern int g_in_init;                        /* inside mod_init (what must happen before fork) */
void new_context(void);                      /* a new message: its own zeroed context */
extern unsigned int g_ticks;

/* ---- fake_msg.c: messages, lumps ---- */
enum { L_NOP, L_DEL, L_ADD };              /* the core's LUMP_NOP, LUMP_DEL, LUMP_ADD */
struct lump {
	int type;
	int op;                                  /* at 4, as the core's: the module writes it */
	unsigned int off, len;
	char *text;                              /* L_ADD: the pkg buffer we took over */
	struct lump *before, *after, *next;      /* next: the offset-sorted main list */
	struct lump *all;                        /* every lump of the message */
};
struct mext {                                /* what the core keeps beside a sip_msg */
	struct sip_msg *msg;
	struct lump *main, *all;
	struct hdr_field *hdrs;
	int parsed;                              /* 0 not yet, 1 ok, -1 error */
	char *out;
};
#define MAX_MSGS 64
extern struct mext g_msgs[MAX_MSGS];
struct mext *mext_of(const struct sip_msg *m);
unsigned int method_id(const char *s, int len);
int name_is(const str *n, const char *full, const char *compact);
const char *msg_out(struct sip_msg *m, size_t *olen);   /* as sent, after the lumps */

/* ---- fake_mi_evi.c: MI items, events ---- */
struct cJSON { char name[48]; int is_obj; double num; char str[64]; int is_str;
	struct cJSON *child, *next; };
struct cJSON *mi_new(struct cJSON *to, const char *name, int len, int obj);
struct cJSON *mi_child(struct cJSON *o, const char *name);
struct evi_slot { const char *name_ptr; char name[64]; };
#define MAX_EVENTS 4
#define MAX_EVENT_PARAMS 16
extern struct evi_slot g_evi[MAX_EVENTS];
extern int g_nevi, g_evi_subscribers, g_evi_publish_fail, g_evi_add_fail;
struct raised_event { int raised; event_id_t id; int n; char name[MAX_EVENT_PARAMS][32];
	int is_int[MAX_EVENT_PARAMS]; int ival[MAX_EVENT_PARAMS]; char sval[MAX_EVENT_PARAMS][128]; };
extern struct raised_event g_event;          /* the last event raised */
void script_event_route(const char *name);   /* an event_route[name], before mod_init */
int event_param(const char *name);           /* its index in g_event, or -1 */

/* ---- fake_dialog.c: the dialog and signaling modules ---- */
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
extern struct dext g_dlgs[MAX_DLGS];
extern struct dcb *g_created, *g_loaded;
extern struct dlg_cell *g_current_dlg;       /* the dialog of the message being routed */
extern int g_dlg_timeout_sets;               /* $DLG_timeout assignments (pv_set_value) */
struct sig_reply { int calls, code, in_created; char reason[128], hdrs[1024]; };
extern struct sig_reply g_reply;             /* the replies sent through the signaling module */
extern int g_reply_ret;
int fake_load_dlg(struct dlg_binds *b);
int fake_load_sig(struct sig_binds *b);
struct dext *dext_of(const struct dlg_cell *d);
struct dval *dval_find(struct dext *x, const char *name, int nlen);
int fake_store_dlg_value(struct dlg_cell *dlg, str *name, int_str *val, int type);
void run_load_cb(struct dcb *cb, struct dlg_cell *d);
struct dlg_cell *dlg_new(void);
void run_cbs(int type, struct dlg_cell *d, struct sip_msg *msg, int dir, int leg, void *data);
void dlg_create(struct dlg_cell *d, struct sip_msg *invite, int overwrite);
void dlg_reply(struct dlg_cell *d, struct sip_msg *rpl);
void dlg_reply_on_leg(struct dlg_cell *d, struct sip_msg *rpl, long leg);
void dlg_req(struct dlg_cell *d, struct sip_msg *req);
void dlg_reply_within(struct dlg_cell *d, struct sip_msg *rpl);
struct cJSON *dlg_mi(struct dlg_cell *d);    /* dlg_list_ctx: the dialog's context object */
void dlg_destroy(struct dlg_cell *d);

/* ---- fake_tm.c: tm's callbacks on the transaction of a routed request ---- */
struct tmcb { struct sip_msg *msg; int types; transaction_cb *f; void *param; };
#define MAX_TMCBS 16
extern struct tmcb g_tmcbs[MAX_TMCBS];
extern int g_ntmcbs, g_find_tm;
int fake_load_tm(struct tm_binds *b);
int tmcbs_on(struct sip_msg *req);           /* callbacks put on the transaction of req */
/* that transaction sends a final reply upstream: rpl is FAKED_REPLY_MSG for one tm made */
void tm_reply_out(struct sip_msg *req, struct sip_msg *rpl, int code);
#define FAKED_REPLY_MSG ((struct sip_msg *)(intptr_t)FAKED_REPLY)

/* ---- loader.c ---- */
struct mp { const char *name; const char *s; int i; int is_str; };   /* one modparam */
struct loaded {
	void *h;
	struct module_exports *exp;
	const cmd_export_t *cmd;                 /* sstCheckMin */
	int init_rc;
};
extern struct loaded M;
extern const char *g_path;                   /* the sst.so under test */
int loader_check_version(const struct module_exports *e, const char *ver, const char *flags,
		const char *scm_type, const char *scm_rev, char *err, size_t n);
/* 0: loaded and initialised; -1: refused before mod_init; -2: mod_init < 0 */
int load_module(const char *path, const struct mp *mps, int nmp, char *err, size_t n);

/* ---- msgs.c: building messages, reading what goes out ---- */
struct sip_msg *msg_raw(const char *buf, size_t len);
char *sip_text(int code, const char *method, int cseq, const char *extra, size_t *len);
struct sip_msg *sipmsg(int code, const char *method, int cseq, const char *extra);
#define req(method, cseq, extra) sipmsg(0, method, cseq, extra)
#define rpl(code, cseq, method, extra) sipmsg(code, method, cseq, extra)
void msg_free(struct sip_msg *m);
int out_count(struct sip_msg *m, const char *name, const char *compact);
const char *out_body(struct sip_msg *m, const char *name, const char *compact, int idx);
#define OUT_SE(m) out_body(m, "Session-Expires", "x", 0)
#define OUT_MSE(m) out_body(m, "Min-SE", NULL, 0)
int unchanged(struct sip_msg *m);
int same_hdrs(struct sip_msg *m, const char *name, const char *compact);
long num(const char *body);                  /* the leading delta-seconds, or -1 */
int has_token(const char *body, const char *tok);

/* ---- fixtures.c: start-up, sstCheckMin, calls, the sst_info value ---- */
extern int g_sst_bit, g_booted;
extern long g_pkg_mark;                      /* pkg blocks live after start-up */
int boot_with(const struct mp *mps, int n);
#define BOOT(...) do { const struct mp mps_[] = { __VA_ARGS__ }; \
	if (!boot_with(mps_, (int)(sizeof mps_ / sizeof mps_[0]))) return; } while (0)
#define S(n, v) { n, v, 0, 1 }
#define I(n, v) { n, NULL, v, 0 }
#define FLAG S("sst_flag", "SST_FLAG")
struct sip_msg *flagged(struct sip_msg *m);
int check_min(struct sip_msg *m, const int *p1);
struct dlg_cell *call(const char *hdrs, int overwrite, struct sip_msg **inv);
struct dlg_cell *established(int se);
struct info { uint32_t req, sup, iv, w4; };
#define INFO_FMT "{requester %u, supported %u, interval %u, word4 %u}"
#define INFO_ARGS(i) (i).req, (i).sup, (i).iv, (i).w4
int info_of(struct dlg_cell *d, struct info *i);
void seed_info(struct dlg_cell *d, uint32_t req, uint32_t sup, uint32_t iv, uint32_t w4);
int marked(struct dlg_cell *d);
unsigned int timer(struct dlg_cell *d);
const char *mi_refresher(struct dlg_cell *d);

#pragma GCC visibility pop
#endif
