/*
 * sstCheckMin([send_reply]): one table row per case, then what happens when
 * the 422 cannot be sent.
 */
#include "harness.h"

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
