//! The `sst` object in the dialog's context of `dlg_list_ctx` (the C
//! module's sst_mi.c).

use super::entry::Context;
use super::reads::mi_state;
use super::entry::Outcome;
use crate::host::dialog::DlgCall;

/// DLGCB_MI_CONTEXT: the record's three numbers, as the C module prints
/// them, who refreshes, and when this node last saw a refresh accepted.
pub(super) fn on_mi_context(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    let Some((state, refresher)) = mi_state(ctx.api, call) else { return Ok(()) };
    let Some(mi) = call.mi_context() else { return Ok(()) };
    if let Some(o) = mi.add_object("sst") {
        o.add_number("requester_flags", f64::from(state.requester.flags()));
        o.add_number("supported_flags", f64::from(state.supported.flags()));
        o.add_number("interval", f64::from(state.interval));
        // "" while no session timer runs or nobody is known to refresh
        let r = refresher.filter(|_| state.timer_active()).map_or("", |r| r.as_str());
        o.add_string("refresher", r);
        // Unix time; kept per node, so absent after a restart or on a peer
        if let (Some(after), Some(answer)) = (call.kept().last_refresh, call.dlg.answered_at()) {
            o.add_number("last_refresh", (answer + u64::from(after)) as f64);
        }
    }
    Ok(())
}
