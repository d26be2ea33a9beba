/*
 * sst-rs: our own declarations of the slice of the OpenSIPS module ABI that
 * the sst module uses. Only what we touch is named; everything else is
 * padding up to the next named member.
 *
 * What moves between releases comes from the target release's layout facts
 * (abi/facts/, printed by abi/probe.c from that release's own headers):
 * build_script/ passes them as defines,
 *   ABI_SIZE_<type>, ABI_OFFSET_<type>_<field>   where a release differs,
 *   ABI_SYMBOL_<name>                            for each function it declares,
 * and OSIPS_VER, the series (304, 306 or 400). src/sys/layout_tests.rs
 * compares every size, offset and constant bindgen makes of this header with
 * those facts, and `make test` with a fresh probe of each test server's tree:
 * a wrong number here fails there, naming the field.
 */
#ifndef SST_ABI_H
#define SST_ABI_H

#include <stdint.h>

#if !defined(OSIPS_VER) || !defined(ABI_SIZE_sip_msg)
#error "build the module with cargo: build_script/ passes the target release's layout facts"
#endif

/* ---- basic types ---- */
typedef struct _str { char *s; int len; } str;
typedef union { int n; str s; } int_str;
typedef unsigned long long hdr_flags_t;
typedef struct cJSON mi_item_t;            /* opaque: MI items are cJSON */

/* ---- SIP message ---- */
struct msg_start {
	int type;                               /* SIP_REQUEST 1, SIP_REPLY 2 */
	int len;
	union {
		struct { str method; str uri; str version; int method_value; } request;
		struct { str version; str status; str reason; unsigned int statuscode; } reply;
	} u;
};

struct hdr_field {
	int type;                               /* enum _hdr_types_t */
	str name;
	str body;
	int len;                                /* whole header line incl. CRLF */
	void *parsed;
	struct hdr_field *next;
	struct hdr_field *sibling;
};

struct sip_msg {
	unsigned int id;
	struct msg_start first_line;            /* 8 */
	void *via1;                             /* 72 */
	void *via2;                             /* 80 */
	struct hdr_field *headers;              /* 88 */
	struct hdr_field *last_header;          /* 96 */
	hdr_flags_t parsed_flag;                /* 104 */
	char _pad_shortcuts[ABI_OFFSET_sip_msg_eoh - 112];
	char *eoh;
	char *unparsed;
	char _pad_rcv[ABI_OFFSET_sip_msg_buf - ABI_OFFSET_sip_msg_eoh - 16];
	char *buf;
	unsigned int len;
	char _pad_lumps[ABI_OFFSET_sip_msg_reply_lump - ABI_OFFSET_sip_msg_buf - 12];
	struct lump_rpl *reply_lump;
	char _pad_branch[ABI_OFFSET_sip_msg_flags - ABI_OFFSET_sip_msg_reply_lump - 8];
	unsigned int flags;                     /* script message flags */
	unsigned int msg_flags;
	char _pad_tail[ABI_SIZE_sip_msg - ABI_OFFSET_sip_msg_flags - 8];
};

#define SIP_REQUEST 1
#define SIP_REPLY   2
#define METHOD_INVITE 1
#define METHOD_ACK    4
#define METHOD_UPDATE 64
#define METHOD_PRACK  2048
#define HDR_OTHER_T   0
#define HDR_EOH_F     0xFFFFFFFFFFFFFFFFULL   /* every header: all bits of hdr_flags_t */

/* A change queued on a message (owned by the message; same in all three).
 * Only `op` is ever written by us: to withdraw a deletion we just queued.
 * A stand-in core may bring its own, with `op` at the same offset. */
#ifndef SST_HOST_OWN_LUMP
struct lump {
	int type;
	int op;                                 /* 4: LUMP_NOP, LUMP_DEL, LUMP_ADD, ... */
	union { unsigned int offset; char *value; } u;
	unsigned int len;                       /* 16 */
	struct lump *before, *after, *next;     /* 24, 32, 40 */
	int flags;                              /* 48 */
};
#endif
#define LUMP_NOP 0
/* A header queued for the reply the core will build for a request. */
struct lump_rpl {
	str text;
	int flags;
	struct lump_rpl *next;                  /* 24 */
};
#define LUMP_RPL_HDR 2

/* ---- module interface ---- */
typedef int (*cmd_function)(struct sip_msg *, void *, void *, void *, void *,
		void *, void *, void *, void *);
typedef int (*fixup_function)(void **);
typedef int (*free_fixup_function)(void **);
typedef int (*init_function)(void);
typedef int (*child_init_function)(int rank);
typedef void (*destroy_function)(void);

struct cmd_param { int flags; fixup_function fixup; free_fixup_function free_fixup; };
#define MAX_CMD_PARAMS 8
typedef struct cmd_export_ {
	const char *name;
	cmd_function function;
	struct cmd_param params[MAX_CMD_PARAMS + 1];
	int flags;
} cmd_export_t;
#define CMD_PARAM_INT 1
#define CMD_PARAM_OPT 16
#define REQUEST_ROUTE 1
#define ONREPLY_ROUTE 4

typedef unsigned int modparam_t;
typedef struct param_export_ {
	const char *name;
	modparam_t type;
	void *param_pointer;
} param_export_t;
#define STR_PARAM 1
#define INT_PARAM 2

typedef struct stat_var_ {
	unsigned int mod_idx;
	str name;
	unsigned short flags;
	void *context;
	union { unsigned long *val; void *f; } u;  /* counter: _Atomic unsigned long */
	struct stat_var_ *hnext;
	struct stat_var_ *lnext;
} stat_var;
#define STAT_NO_RESET 1
#define STAT_IS_FUNC 8
typedef struct stat_export_ {
	const char *name;
	unsigned short flags;
	stat_var **stat_pointer;
} stat_export_t;

enum module_type { MOD_TYPE_NULL = 0, MOD_TYPE_DEFAULT = 1 };
typedef struct module_dependency {
	enum module_type mod_type;
	const char *mod_name;
	unsigned int type;
} module_dependency_t;
typedef struct modparam_dependency {
	const char *script_param;
	void *get_deps_f;
} modparam_dependency_t;
#define MAX_MOD_DEPS 10
typedef struct dep_export_ {
	module_dependency_t md[MAX_MOD_DEPS];
	modparam_dependency_t mpd[];
} dep_export_t;
#define DEP_SILENT 1
#define DEP_ABORT  4

struct scm_version { const char *type; const char *rev; };
struct module_exports {
	const char *name;
	enum module_type type;
	struct {
		const char *version;
		const char *compile_flags;
		struct scm_version scm;
	} ver_info;
	unsigned int dlflags;
	void *load_f;
	const dep_export_t *deps;
	const cmd_export_t *cmds;
	const void *acmds;
	const param_export_t *params;
	const stat_export_t *stats;
	const void *mi_cmds;
	const struct pv_export *items;
	const void *trans;
	const void *procs;
	void *preinit_f;
	init_function init_f;
	void *response_f;
	destroy_function destroy_f;
	child_init_function init_child_f;
	void *reload_ack_f;
};

/* ---- dialog module API (reached only through find_export("load_dlg")) ---- */
/* One dialog value (the list hangs off dlg_cell.vals); same in all three. */
struct dlg_val {
	unsigned int id;
	str name;
	int type;                               /* DLG_VAL_TYPE_STR / _INT */
	int_str val;
	struct dlg_val *next;
};

/* A dialog's place on the dialog module's timer list. */
struct dlg_tl {
	struct dlg_tl *next, *prev;
	volatile unsigned int timeout;          /* 16: absolute tick of expiry; 0 = not armed */
};

struct dlg_cell {
	unsigned int ref;
	char _pad_links[24 - 4];
	unsigned int h_id;                      /* 24 */
	unsigned int h_entry;                   /* 28 */
	unsigned int state;                     /* 32 */
	unsigned int lifetime;                  /* 36 */
	unsigned short lifetime_dirty;          /* 40 */
	unsigned short locked_by;
	unsigned int start_ts;                  /* 44 */
	unsigned int flags;                     /* 48 */
	unsigned int from_rr_nb;
	unsigned int user_flags;                /* 56 */
	unsigned int mod_flags;                 /* 60 */
	char _pad_lock[80 - 64];
	struct dlg_tl tl;                       /* 80 */
	char _pad_timers[144 - 104];
	str terminate_reason;                   /* 144: why the dialog ended, once it does */
	str callid;                             /* 160 */
	char _pad_uris[216 - 176];
	unsigned char legs_no[4];               /* 216: [DLG_LEG_200OK] = the leg the dialog keeps */
	char _pad_cbs[248 - 220];
	struct dlg_val *vals;                   /* 248 */
	char _pad_tail[ABI_SIZE_dlg_cell - 256];
};

struct dlg_cb_params {
	struct sip_msg *msg;
	unsigned int direction;
#ifdef ABI_OFFSET_dlg_cb_params_dst_leg
	int dst_leg;                            /* since 3.4.7 */
#endif
	unsigned int is_active;
	void *dlg_data;
	void **param;
};

typedef void (dialog_cb)(struct dlg_cell *dlg, int type, struct dlg_cb_params *params);
typedef void (param_free_cb)(void *param);
typedef int (*register_dlgcb_f)(struct dlg_cell *dlg, int cb_types, dialog_cb f,
		void *param, param_free_cb ff);
typedef int (*store_dlg_value_f)(struct dlg_cell *dlg, str *name, int_str *val, int type);
typedef int (*fetch_dlg_value_f)(struct dlg_cell *dlg, const str *name, int *type,
		int_str *val, int val_has_buf);
typedef void (*set_mod_flag_f)(struct dlg_cell *dlg, unsigned int flags);
typedef int (*is_mod_flag_set_f)(struct dlg_cell *dlg, unsigned int flags);

struct dlg_binds {
	register_dlgcb_f register_dlgcb;        /* 0 */
	void *create_dlg;
	struct dlg_cell *(*get_dlg)(void);      /* 16: the dialog of the message being routed */
	void *add_profiles, *search_profile, *set_profile,
		*unset_profile, *get_profile_size;
	store_dlg_value_f store_dlg_value;      /* 64 */
	fetch_dlg_value_f fetch_dlg_value;      /* 72 */
	void *terminate_dlg, *match_dialog, *validate_dialog, *fix_route_dialog;
	set_mod_flag_f set_mod_flag;            /* 112 */
	is_mod_flag_set_f is_mod_flag_set;      /* 120 */
	void *dlg_ref, *dlg_unref, *get_direction, *get_dlg_did, *get_dlg_by_did,
		*get_dlg_by_ids, *get_dlg_by_callid, *send_indialog_request,
		*get_rr_param, *dlg_ctx_register_int, *dlg_ctx_register_str,
		*dlg_ctx_register_ptr, *dlg_ctx_put_int, *dlg_ctx_put_str,
		*dlg_ctx_put_ptr, *dlg_ctx_get_int, *dlg_ctx_get_str, *dlg_ctx_get_ptr;
};
typedef int (*load_dlg_f)(struct dlg_binds *);

#define DLGCB_LOADED          (1<<0)
#define DLGCB_CREATED         (1<<1)
#define DLGCB_FAILED          (1<<2)
#define DLGCB_CONFIRMED       (1<<3)
#define DLGCB_REQ_WITHIN      (1<<4)
#define DLGCB_TERMINATED      (1<<5)
#define DLGCB_EXPIRED         (1<<6)
#define DLGCB_EARLY           (1<<7)
#define DLGCB_RESPONSE_FWDED  (1<<8)
#define DLGCB_RESPONSE_WITHIN (1<<9)
#define DLGCB_MI_CONTEXT      (1<<10)
#define DLGCB_DESTROY         (1<<11)
#define DLG_VAL_TYPE_NONE 0
#define DLG_VAL_TYPE_STR 1
#define SST_DIALOG_FLAG  1

/* dlg_cell.state, and the index of legs_no naming the kept leg (all three) */
#define DLG_STATE_CONFIRMED_NA 3
#define DLG_STATE_CONFIRMED    4
#define DLG_LEG_200OK          2
/* dlg_cell.flags: the dialog sends BYEs when its lifetime runs out */
#define DLG_FLAG_BYEONTIMEOUT  (1<<3)

/* ---- signaling module API ---- */
typedef int (*sig_reply_f)(struct sip_msg *msg, int code, const str *reason, str *to_tag);
struct sig_binds { sig_reply_f reply; void *gen_totag; };
typedef int (*load_sig_f)(struct sig_binds *);

/* ---- tm module API: the one callback sst puts on a refresh's transaction,
 * to see a final reply tm makes itself, which reaches no dialog callback.
 * struct tm_binds is declared by its first member and its size (load_tm
 * fills all of it; the size moves between patch releases). ---- */
struct cell;
struct tmcb_params {
	struct sip_msg *req;                    /* the request: tm's shm copy */
	struct sip_msg *rpl;                    /* the reply, or FAKED_REPLY */
	int code;
	void **param;                           /* where tm keeps our parameter */
	void *extra1, *extra2;
};
typedef void (transaction_cb)(struct cell *t, int type, struct tmcb_params *params);
typedef void (release_tmcb_param)(void *param);
typedef int (*register_tmcb_f)(struct sip_msg *msg, struct cell *t, int types,
		transaction_cb f, void *param, release_tmcb_param release);
struct tm_binds {
	register_tmcb_f register_tmcb;          /* 0 */
	char _pad_tail[ABI_SIZE_tm_binds - 8];
};
typedef int (*load_tm_f)(struct tm_binds *);
/* after a final reply left for the UAC, also one tm made itself */
#define TMCB_RESPONSE_OUT (1<<7)
/* tmcb_params.rpl (and dlg_cb_params.msg) of a reply tm made itself: the
 * core's ((struct sip_msg *)-1), as a number */
#define FAKED_REPLY (-1)

/* ---- core functions and globals (resolved with RTLD_NOW against opensips) ---- */
#ifdef ABI_SYMBOL_parse_headers
int parse_headers(struct sip_msg *msg, hdr_flags_t flags, int next);
#endif
#ifdef ABI_SYMBOL_parse_headers_aux
int parse_headers_aux(struct sip_msg *msg, hdr_flags_t flags, int next, int sip_well_known_parse);
#endif
struct lump *anchor_lump(struct sip_msg *msg, unsigned int offset, int type);
struct lump *insert_new_lump_before(struct lump *before, char *new_hdr, unsigned int len, int type);
struct lump *insert_new_lump_after(struct lump *after, char *new_hdr, unsigned int len, int type);
struct lump *del_lump(struct sip_msg *msg, unsigned int offset, unsigned int len, int type);
struct lump_rpl *add_lump_rpl(struct sip_msg *msg, char *s, int len, int flags);
void unlink_lump_rpl(struct sip_msg *msg, struct lump_rpl *lump);
void free_lump_rpl(struct lump_rpl *lump);
cmd_function find_export(const char *name, int flags);
void *find_param_export(const char *mod, const char *name, modparam_t type);
int get_flag_id_by_name(int flag_type, char *flag_name, int flag_name_len);
#define FLAG_TYPE_MSG 0
void dprint(int log_level, int facility, const char *module, const char *func,
		char *stderr_fmt, char *syslog_fmt, char *format, ...);
int dp_my_pid(void);
extern int *log_level;
extern int log_facility;
extern char *log_prefix;
#define L_ERR  (-1)
#define L_WARN 1
#define L_NOTICE 2
#define L_INFO 3
#define L_DBG  4

/* pkg memory: DBG_MALLOC builds call through these pointers with file/func/line */
extern void *mem_block;
extern void *(*gen_pkg_malloc)(void *blk, unsigned long size, const char *file,
		const char *func, unsigned int line);
extern void (*gen_pkg_free)(void *blk, void *p, const char *file,
		const char *func, unsigned int line);

mi_item_t *add_mi_object(mi_item_t *to, char *name, int name_len);
int add_mi_number(mi_item_t *to, char *name, int name_len, double value);
int add_mi_string(mi_item_t *to, char *name, int name_len, const char *value, int value_len);

#endif /* SST_ABI_H */

/* ---- pseudo-variables (pvar.h); same layout in 3.4, 3.6 and 4.0 for what
 * is declared here. pv_param_t and pv_spec_t grow after these members from
 * 3.6.7 on (64 -> 72 and 104 -> 112 bytes): pv_param_t is declared by its
 * head only (read through pointers); pv_spec_t by its head and, padded, its
 * release's size, since sst parses one spec ($DLG_timeout) into its own
 * storage. */
typedef struct pv_name {
	int type;                               /* PV_NAME_INTSTR */
	union {
		struct { int type; int_str name; } isname;   /* 8, 16 */
		void *dname;
	} u;
} pv_name_t;                                /* 32 */
typedef struct pv_index { int type; union { int ival; void *dval; } u; } pv_index_t;   /* 16 */
typedef struct pv_param { pv_name_t pvn; pv_index_t pvi; } pv_param_t;   /* head: real one is longer */
typedef struct pv_value { str rs; int ri; int flags; } pv_value_t;        /* 24 */
typedef struct pv_spec {
	int type; void *getf; void *setf;
	pv_param_t pvp;                         /* 24: its head */
	char _pad_tail[ABI_SIZE_pv_spec_t - 24 - sizeof(pv_param_t)];
} pv_spec_t;
typedef int (*pv_getf_t)(struct sip_msg *, pv_param_t *, pv_value_t *);
typedef int (*pv_setf_t)(struct sip_msg *, pv_param_t *, int op, pv_value_t *);
typedef int (*pv_parse_name_f)(pv_spec_t *sp, const str *in);
typedef struct pv_export {
	str name;                               /* 0 (str_const in 3.6/4.0: same layout) */
	int type;                               /* 16: any non-zero; dialog uses 1000 */
	pv_getf_t getf;                         /* 24 */
	pv_setf_t setf;                         /* 32 */
	pv_parse_name_f parse_name;             /* 40 */
	void *parse_index;                      /* 48 */
	void *init_param;                       /* 56 */
	int iparam;                             /* 64 */
} pv_export_t;                              /* 72; the table ends at name.s == NULL */
#define PV_VAL_NULL 1
#define PV_VAL_STR  4
#define PV_VAL_INT  8
#define PV_TYPE_INT 16
#define PV_NAME_INTSTR 0
#define PV_MODULE_TYPE 1000
int pv_get_null(struct sip_msg *msg, pv_param_t *param, pv_value_t *res);
int pv_get_uintval(struct sip_msg *msg, pv_param_t *param, pv_value_t *res, unsigned int uival);
int pv_get_strval(struct sip_msg *msg, pv_param_t *param, pv_value_t *res, str *sval);
char *pv_parse_spec(const str *in, pv_spec_t *sp);   /* NULL: not a pv */
int pv_set_value(struct sip_msg *msg, pv_spec_t *sp, int op, pv_value_t *value);


/* ---- event interface (evi/evi_modules.h, evi_params.h) ---- */
typedef int event_id_t;
#define EVI_ERROR   (-1)
#define EVI_INT_VAL 1
#define EVI_STR_VAL 2
typedef struct evi_params evi_params_t;     /* opaque: built and freed by the core */
event_id_t evi_publish_event(str event_name);   /* by value; keeps the pointer */
event_id_t evi_get_id(str *event_name);     /* EVI_ERROR when not published */
int evi_probe_event(event_id_t id);         /* > 0: somebody subscribed */
evi_params_t *evi_get_params(void);         /* freed by evi_raise_event */
int evi_param_add(evi_params_t *list, const str *name, const void *param, int flags);
void evi_free_params(evi_params_t *list);
int evi_raise_event(event_id_t id, evi_params_t *params);

/* ---- processing context (context.h): per-message int slots, zeroed for
 * every message; get/put are static inline in C: int slot k is ((int*)ctx)[k] */
enum osips_context { CONTEXT_GLOBAL = 0 };
typedef void (*context_destroy_f)(void *);
extern void *current_processing_ctx;
int context_register_int(enum osips_context type, context_destroy_f f);

/* ---- time (timer.h): the tick counter the dialog timer runs on, 1 per second */
unsigned int get_ticks(void);

