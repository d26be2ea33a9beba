/*
 * Messages for the cases: a sip_msg as the core hands it over (first line
 * parsed, headers not yet), SIP text built from a few headers, what the core
 * frees with a message; and reading the message as it goes out.
 */
#include "harness.h"

struct sip_msg *msg_raw(const char *buf, size_t len)
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
char *sip_text(int code, const char *method, int cseq, const char *extra, size_t *len)
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

struct sip_msg *sipmsg(int code, const char *method, int cseq, const char *extra)
{
	size_t n;
	char *t = sip_text(code, method, cseq, extra, &n);
	struct sip_msg *m = msg_raw(t, n);
	free(t);
	return m;
}
void msg_free(struct sip_msg *m)     /* what the core frees with a message */
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

int out_count(struct sip_msg *m, const char *name, const char *compact)
{
	size_t n;
	const char *o = msg_out(m, &n);
	return hdr_in(o, n, name, compact, 0, NULL, 0);
}

const char *out_body(struct sip_msg *m, const char *name, const char *compact, int idx)
{
	static char b[4][16384];
	static int k;
	size_t n;
	const char *o = msg_out(m, &n);
	k = (k + 1) % 4;
	hdr_in(o, n, name, compact, idx, b[k], sizeof b[k]);
	return b[k];                             /* "" when absent */
}

int unchanged(struct sip_msg *m)
{
	size_t n;
	const char *o = msg_out(m, &n);
	return n == m->len && !memcmp(o, m->buf, n);
}

int same_hdrs(struct sip_msg *m, const char *name, const char *compact)
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

long num(const char *body)
{
	char *e;
	if (!body || !isdigit((unsigned char)*body))
		return -1;
	long v = strtol(body, &e, 10);
	return (*e == 0 || *e == ';' || *e == ' ' || *e == '\t') ? v : -1;
}

int has_token(const char *body, const char *tok)
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
