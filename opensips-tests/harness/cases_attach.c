/*
 * Which dialogs the module attaches to: restored from the database before
 * start-up, replicated after it (DLGCB_LOADED), or created without sst_flag.
 */
#include "harness.h"

CASE(loaded_c_written_dialog_reattached)
{
	struct dlg_cell *d = dlg_new();             /* restored from the database before start-up */
	d->state = ST_CONFIRMED;
	d->mod_flags = SST_DIALOG_FLAG;
	seed_info(d, SST_UAC, SST_UAC, 1800, 1);   /* as sst_handlers.c writes it, reference count 1 */
	BOOT(FLAG);
	struct cJSON *n = mi_child(mi_child(dlg_mi(d), "sst"), "interval");
	CHECK(n && n->num == 1800, "MI of a C-written dialog lacks interval 1800");
	dlg_req(d, req("INVITE", 5, "Supported: timer\nSession-Expires: 1200\n"));
	dlg_reply_within(d, rpl(200, 5, "INVITE", "Require: timer\nSession-Expires: 1200;refresher=uac\n"));
	dlg_req(d, req("ACK", 5, ""));
	CHECK(d->lifetime == 1200 && timer(d) == 1200, "refresh after LOADED: lifetime %u timer %u",
		d->lifetime, timer(d));
}

/* A record whose requester or supported holds a value neither module writes
 * (SST_UAC | SST_UAS, say) is refused like a truncated one: a WARNING naming
 * the values, no session timing for the call, the refresh goes on as sent. */
CASE(loaded_record_with_unknown_flags_refused)
{
	struct dlg_cell *d = dlg_new();
	d->state = ST_CONFIRMED;
	d->mod_flags = SST_DIALOG_FLAG;
	d->lifetime = 600;
	seed_info(d, SST_UAC, SST_UAC | SST_UAS, 1800, 1);
	BOOT(FLAG);
	struct sip_msg *ack = req("ACK", 5, "");
	dlg_req(d, ack);
	CHECK(log_has(L_WARN, 0, "sst_info is corrupt (requester 1, supported 3"), "no WARNING naming the flags");
	CHECK(d->lifetime == 600, "a refused record still set the lifetime: %u", d->lifetime);
	CHECK(mi_child(dlg_mi(d), "sst") == NULL, "dlg_list_ctx shows a refused record");
}

CASE(loaded_later_dialog_reattached)
{
	BOOT(FLAG);
	struct dlg_cell *d = dlg_new();             /* arrives by replication after start-up */
	d->state = ST_CONFIRMED;
	d->mod_flags = SST_DIALOG_FLAG;
	seed_info(d, SST_PXY, SST_UAC, 1800, 0);
	for (struct dcb *cb = g_loaded; cb; cb = cb->next)
		run_load_cb(cb, d);
	dlg_req(d, req("UPDATE", 5, "Supported: timer\nSession-Expires: 1300\n"));
	dlg_reply_within(d, rpl(200, 5, "UPDATE", "Require: timer\nSession-Expires: 1300;refresher=uac\n"));
	CHECK(d->lifetime == 1300, "refresh after LOADED: lifetime %u, want 1300", d->lifetime);
}

CASE(loaded_unmarked_dialog_ignored)
{
	struct dlg_cell *d = dlg_new();
	d->state = ST_CONFIRMED;
	BOOT(FLAG);
	CHECK(dext_of(d)->cbs == NULL, "callbacks attached to a dialog without the sst mod flag");
}

CASE(unflagged_dialog_untouched)
{
	struct info i;
	BOOT(FLAG);
	struct sip_msg *inv = req("INVITE", 1, "Session-Expires: 100\nMin-SE: 100\n");
	struct dlg_cell *d = dlg_new();
	d->lifetime = 43200;
	dlg_create(d, inv, 0);
	CHECK(unchanged(inv) && !marked(d) && info_of(d, &i) == 0 && d->lifetime == 43200 && !g_reply.calls,
		"unflagged INVITE touched: edits %d, marked %d, value %d, lifetime %u, replies %d",
		!unchanged(inv), marked(d), info_of(d, &i), d->lifetime, g_reply.calls);
}
