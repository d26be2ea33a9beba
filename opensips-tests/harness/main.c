/*
 * The runner: the case list (filled by CASE/CASE_ROWS before main), one
 * fork()ed child per case, the results read back from a shared page.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

/* ---- case results: a MAP_SHARED page the parent reads after the child ended ---- */
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

void failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	R->nfail++;
	vappend(R->why, sizeof R->why, fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(R->notes, sizeof R->notes, fmt, ap);
	va_end(ap);
}

void check_failed(int line, const char *fmt, ...)
{
	char buf[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	failf("line %d: %s", line, buf);
}
/* ---- the case list: grown as the cases register, then put in run order ---- */
struct tcase { char *name; void (*fn)(const void *); const void *arg; const char *file; int line, row; };
static struct tcase *T;
static int NT, CAP;

void case_register(const char *prefix, const char *name, void (*fn)(const void *), const void *arg,
		const char *file, int line, int row)
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

/* run order: by file name, then line, then table row, then name (constructors
 * run in an order the toolchain picks; this one does not depend on it) */
static int case_order(const void *pa, const void *pb)
{
	const struct tcase *a = pa, *b = pb;
	int c = strcmp(base_name(a->file), base_name(b->file));
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	if (!c)
		c = (a->row > b->row) - (a->row < b->row);
	return c ? c : strcmp(a->name, b->name);
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
	free(filter);
	return fail ? 1 : 0;
}
