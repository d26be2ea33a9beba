/*
 * The core's side of a SIP message: header parsing (parse_headers and the
 * sip_msg header shortcuts), lumps, reply lumps, and the message as the core
 * would send it once the lumps are applied.
 */
#include "harness.h"

#if OSIPS_VER == 304
#  define OFF_CSEQ 144                     /* sip_msg header shortcuts: their offsets in 3.4 */
#  define OFF_SUPPORTED 240
#  define OFF_SE 368
#  define OFF_MIN_SE 376
#else
#  define OFF_CSEQ 136                     /* ... and in 3.6 and 4.0 */
#  define OFF_SUPPORTED 232
#  define OFF_SE 360
#  define OFF_MIN_SE 368
#endif

_Static_assert(offsetof(struct lump, op) == 4, "the module writes lump.op at offset 4, as in the core");
struct mext g_msgs[MAX_MSGS];
struct cseq_view { int error; str number; str method; unsigned int method_id; };

struct mext *mext_of(const struct sip_msg *m)
{
	for (int i = 0; i < MAX_MSGS; i++)
		if (m && g_msgs[i].msg == m)
			return &g_msgs[i];
	return NULL;
}

unsigned int method_id(const char *s, int len)
{
	static const char *t[] = { "INVITE", "CANCEL", "ACK", "BYE", "INFO", "OPTIONS", "UPDATE",
		"REGISTER", "MESSAGE", "SUBSCRIBE", "NOTIFY", "PRACK", "REFER", "PUBLISH" };
	for (int i = 0; i < 14; i++)
		if ((int)strlen(t[i]) == len && !memcmp(t[i], s, len))
			return 1u << i;
	return 16384;                            /* METHOD_OTHER */
}

int name_is(const str *n, const char *full, const char *compact)
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

#ifdef ABI_SYMBOL_parse_headers
int parse_headers(struct sip_msg *msg, hdr_flags_t flags, int next)
{ (void)flags; (void)next; return host_parse_headers(msg); }
#endif
#ifdef ABI_SYMBOL_parse_headers_aux
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
const char *msg_out(struct sip_msg *m, size_t *olen)
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

