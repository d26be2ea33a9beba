/*
 * The core's MI items (a tree the cases read back) and its event interface
 * (publish in mod_init, a pkg parameter list freed by the raise).
 */
#include "harness.h"

/* ---- MI: every item a node under its parent, in the order added ---- */
struct cJSON *mi_new(struct cJSON *to, const char *name, int len, int obj)
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

struct cJSON *mi_child(struct cJSON *o, const char *name)
{
	for (struct cJSON *c = o ? o->child : NULL; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* ---- evi: publish in mod_init, params list in pkg freed by the raise ---- */
#define EVI_FREE_LIST (1u << 31)
struct evi_params { unsigned int flags; int n;
	struct { const str *name; const void *val; int flags; } p[MAX_EVENT_PARAMS]; };
struct evi_slot g_evi[MAX_EVENTS];
int g_nevi, g_evi_subscribers = 1, g_evi_publish_fail, g_evi_add_fail;
struct raised_event g_event;

event_id_t evi_publish_event(str name)
{
	if (!g_in_init)
		MISUSE("evi_publish_event outside mod_init (the event table is per process after fork)");
	if (!name.s || name.len <= 0 || name.len >= 64 || g_nevi == MAX_EVENTS) {
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
void script_event_route(const char *name)
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
			|| (flags != EVI_INT_VAL && flags != EVI_STR_VAL) || list->n == MAX_EVENT_PARAMS) {
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

int event_param(const char *name)
{
	for (int i = 0; i < g_event.n; i++)
		if (!strcmp(g_event.name[i], name))
			return i;
	return -1;
}
