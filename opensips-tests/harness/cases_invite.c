/*
 * The initial INVITE through DLGCB_CREATED (flows 1 to 5 of README.md's
 * flow table): forwarded as is, raised to min_se, or given a Session-Expires.
 */
#include "harness.h"

CASE(flow1_se_above_min_forwarded_unchanged)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 1800\n", 0, &inv);
	CHECK(unchanged(inv), "INVITE edited: %s", msg_out(inv, NULL));
	CHECK(marked(d), "dialog not marked with SST_DIALOG_FLAG");
	CHECK(info_of(d, &i) == 1 && i.req == SST_UAC && i.iv == 1800 && i.w4 == 0 && (i.sup & SST_UAC),
		"sst_info " INFO_FMT ", want requester 1, UAC in supported, 1800, 0", INFO_ARGS(i));
	CHECK(d->lifetime == 43200, "lifetime %u after CREATED: the dialog's own timeout is kept "
		"until the 2xx arms the timer", d->lifetime);
}

/* Flow 2 from the dialog callback: no reply there (it runs inside tm while
 * the transaction is built; the C module's reply there crashes 3.6.8), so the
 * module raises Min-SE and Session-Expires to min_se like flow 4 (RFC 4028
 * 8.1 allows either) and tracks the call; the 422 belongs to sstCheckMin(1). */
CASE(flow2_no_reply_from_created_raises_and_tracks)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 100;refresher=uac\nMin-SE: 100\n", 0, &inv);
	CHECK(g_reply.calls == 0, "module replied %d \"%s\"%s", g_reply.code, g_reply.reason,
		g_reply.in_created ? " from inside DLGCB_CREATED (what crashes a real 3.6.8)" : "");
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && num(OUT_SE(inv)) == 1800
		&& strstr(OUT_SE(inv), ";refresher=uac"), "Session-Expires out \"%s\", want 1800;refresher=uac", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800, "Min-SE out \"%s\"", OUT_MSE(inv));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.iv == 1800 && i.req == SST_UAC && i.sup == SST_UAC,
		"tracked %d, sst_info " INFO_FMT ", want UAC/UAC/1800", marked(d), INFO_ARGS(i));
}

CASE(flow3_reject_to_small_0_tracks_small_se)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG, I("reject_to_small", 0));
	struct dlg_cell *d = call("Supported: timer\nSession-Expires: 100\n", 0, &inv);
	CHECK(unchanged(inv) && g_reply.calls == 0, "INVITE edited or replied to: %s", msg_out(inv, NULL));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.iv == 100 && i.req == SST_UAC,
		"tracked %d, sst_info " INFO_FMT ", want interval 100 from the UAC", marked(d), INFO_ARGS(i));
}

CASE(flow4_uac_without_timer_raises_min_se_and_se)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Session-Expires: 100;refresher=uac\nMin-SE: 90\n", 0, &inv);
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && num(OUT_SE(inv)) == 1800
		&& strstr(OUT_SE(inv), ";refresher=uac"), "Session-Expires out \"%s\", want 1800;refresher=uac", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800, "Min-SE out \"%s\"", OUT_MSE(inv));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.iv == 1800, "sst_info " INFO_FMT, INFO_ARGS(i));
}

CASE(flow4_without_min_se_header_raises_se)
{
	struct sip_msg *inv;
	BOOT(FLAG);
	call("Session-Expires: 100;refresher=uas\n", 0, &inv);
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && num(OUT_SE(inv)) == 1800
		&& strstr(OUT_SE(inv), ";refresher=uas"), "Session-Expires out \"%s\", want 1800;refresher=uas", OUT_SE(inv));
	/* a Min-SE is added: a proxy that raises Session-Expires above the
	 * 90 s a request without Min-SE stands for says the new floor (8.1) */
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800, "Min-SE out \"%s\"", OUT_MSE(inv));
}

/* Min-SE is a single-instance header: a request with two is left alone,
 * untracked, with a WARNING naming Min-SE; never a raised SE beside a stale
 * Min-SE (the C module's loop removes one). */
CASE(flow4_duplicate_min_se_no_stale_value)
{
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Min-SE: 90\nSession-Expires: 100\nMin-SE: 120\n", 0, &inv);
	CHECK(unchanged(inv), "a request with two Min-SE was edited: %s", msg_out(inv, NULL));
	CHECK(!marked(d), "a request with two Min-SE is tracked");
	CHECK(log_has(L_WARN, 0, "malformed Min-SE header"), "no WARNING naming Min-SE");
}

CASE(flow5_no_se_inserts_interval_without_refresher)
{
	struct info i;
	struct sip_msg *inv;
	BOOT(FLAG);
	struct dlg_cell *d = call("Supported: timer\n", 0, &inv);
	CHECK(out_count(inv, "Session-Expires", "x") == 1 && !strcmp(OUT_SE(inv), "1800"),
		"Session-Expires out \"%s\", want exactly \"1800\"", OUT_SE(inv));
	CHECK(marked(d) && info_of(d, &i) == 1 && i.req == SST_PXY && i.iv == 1800,
		"sst_info " INFO_FMT ", want requester proxy (4), 1800", INFO_ARGS(i));
	CHECK(d->lifetime == 43200, "lifetime %u after CREATED, want the dialog's own", d->lifetime);
}

CASE(flow5_sst_interval_and_low_min_se)
{
	struct sip_msg *inv;
	BOOT(FLAG, I("sst_interval", 2400));
	call("Min-SE: 600\n", 0, &inv);
	CHECK(num(OUT_SE(inv)) == 2400, "Session-Expires \"%s\", want 2400", OUT_SE(inv));
	CHECK(out_count(inv, "Min-SE", NULL) == 1 && num(OUT_MSE(inv)) == 1800,
		"Min-SE out \"%s\" (x%d), want one 1800", OUT_MSE(inv), out_count(inv, "Min-SE", NULL));
}

CASE(flow5_request_min_se_above_min_se_kept)
{
	struct sip_msg *inv;
	BOOT(FLAG);
	call("Min-SE: 3600\n", 0, &inv);
	CHECK(num(OUT_SE(inv)) == 3600, "Session-Expires \"%s\", want 3600", OUT_SE(inv));
	CHECK(same_hdrs(inv, "Min-SE", NULL), "Min-SE 3600 edited: %s", msg_out(inv, NULL));
}
