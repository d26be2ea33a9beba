/*
 * The module loader, with the rules of the core's sr_module.c: dlopen()
 * RTLD_NOW, the version strings, the exports' shape and dependencies,
 * modparams, load_f/preinit_f, the pseudo-variables, mod_init, statistics
 * (registered after mod_init), child_init.
 */
#include <dlfcn.h>
#include "harness.h"

struct loaded M;
const char *g_path;

/* version control: four non-NULL strings, three equal, the revision by prefix */
int loader_check_version(const struct module_exports *e, const char *ver, const char *flags,
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

int load_module(const char *path, const struct mp *mps, int nmp, char *err, size_t n)
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
		if (g_nstats == MAX_STATS || !s->stat_pointer)
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
