/*
 * The tm module as sst sees it: load_tm() and the callbacks a module puts on
 * the transaction of the request being routed, which the test then runs as
 * tm would when that transaction sends a final reply upstream.
 */
#include "harness.h"

struct tmcb g_tmcbs[MAX_TMCBS];
int g_ntmcbs, g_find_tm;

static long tm_trap(void)
{
	MISUSE("the module called a tm function the harness does not provide");
	return -1;
}

/* Before the transaction exists tm keeps the callback for the one the
 * message gets: here, the message itself stands for its transaction. */
static int fake_register_tmcb(struct sip_msg *msg, struct cell *t, int types, transaction_cb f,
		void *param, release_tmcb_param release)
{
	if (!msg || t || !f || release)
		MISUSE("register_tmcb(msg %p, t %p, f %p, release %p): sst registers on the routed message, "
			"with no release function", (void *)msg, (void *)t, (void *)f, (void *)release);
	if (g_ntmcbs == MAX_TMCBS)
		return -1;
	g_tmcbs[g_ntmcbs++] = (struct tmcb){ .msg = msg, .types = types, .f = f, .param = param };
	return 1;
}

int fake_load_tm(struct tm_binds *b)
{
	void **slot = (void **)b;
	for (size_t i = 0; i < sizeof *b / sizeof(void *); i++)
		slot[i] = (void *)tm_trap;
	b->register_tmcb = fake_register_tmcb;
	return 1;
}

int tmcbs_on(struct sip_msg *req)
{
	int n = 0;
	for (int i = 0; i < g_ntmcbs; i++)
		n += g_tmcbs[i].msg == req;
	return n;
}

void tm_reply_out(struct sip_msg *req, struct sip_msg *rpl, int code)
{
	for (int i = 0; i < g_ntmcbs; i++)
		if (g_tmcbs[i].msg == req && (g_tmcbs[i].types & TMCB_RESPONSE_OUT)) {
			struct tmcb_params p = { .req = req, .rpl = rpl, .code = code, .param = &g_tmcbs[i].param };
			g_tmcbs[i].f(NULL, TMCB_RESPONSE_OUT, &p);
		}
}
