/*
 * Hostile input through sstCheckMin, CREATED and a 2xx (one table row per
 * case), and pkg memory running out at every point of an edit.
 */
#include "harness.h"

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

/* No pkg memory at all: every edit and the 422's Min-SE fail, each with an
 * ERROR; the INVITE goes on as it came (no half edit), sstCheckMin says the
 * 422 could not be sent (-3) and sends no reply without Min-SE, and the call
 * is still followed to its 2xx. */
CASE(robust_pkg_out_of_memory)
{
	struct info i;
	int one = 1;
	BOOT(FLAG);
	pkg_fail = 1;
	struct sip_msg *inv;
	struct dlg_cell *d = call("Min-SE: 100\n", 0, &inv);
	int rc = check_min(req("INVITE", 1, "Session-Expires: 100\n"), &one);
	struct sip_msg *ok = rpl(200, 1, "INVITE", "");
	dlg_reply(d, ok);
	pkg_fail = 0;
	CHECK(unchanged(inv), "the INVITE went on half edited: %s", msg_out(inv, NULL));
	CHECK(log_has(L_ERR, 0, "could not apply ReplaceMinSe(1800) (NoMemory)"), "no ERROR for the failed edit");
	CHECK(rc == -3 && g_reply.calls == 0, "sstCheckMin %d, %d replies sent (want -3, none)", rc, g_reply.calls);
	CHECK(log_has(L_ERR, 0, "cannot add Min-SE to the 422 reply"), "no ERROR for the 422's Min-SE");
	CHECK(unchanged(ok), "the 2xx was edited: %s", msg_out(ok, NULL));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.sup == SST_NSUP, "not followed to the 2xx: sst_info " INFO_FMT, INFO_ARGS(i));
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
