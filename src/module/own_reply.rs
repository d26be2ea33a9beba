//! A final reply this proxy makes itself to a refresh: tm's 408 when the
//! far end never answers (or a reply the script sends with `t_reply()`).
//! The dialog module runs no callback for it (it hands on only the replies
//! it forwards), yet the UAC ends the dialog on that 408 as on one from the
//! far end (RFC 3261 §12.2.1.2). So each refresh of a running session timer
//! gets one tm callback on its transaction, which hands such a reply to the
//! same decision as a forwarded one (`events::reply_within`).
//!
//! The callback may run in tm's timer process. What it gets: the address of
//! our dialog registration's parameter (`DlgCall::registration_slot`, shared
//! memory, the same in every process), and the dialog through the dialog
//! module's own current-dialog lookup, which finds the dialog the
//! transaction is attached to and holds (the dialog module attaches it, with
//! a reference, to the transaction of every request it matches). Without
//! that dialog the slot is not touched.

use super::dialog_cb::apply_to_dialog;
use super::entry::{Context, Outcome};
use super::reads::{request_method, FromCall};
use crate::host::dialog::DlgCall;
use crate::host::log::What;
use crate::host::msg::SipMsg;
use crate::host::tm::TmApi;
use crate::rfc4028::policy::Method;
use crate::session::events;
use crate::sst_log;

/// Has the transaction of the refresh `msg` of `call` hand a reply tm makes
/// itself to `own_final_reply`.
pub(super) fn watch(call: &DlgCall<'_>, msg: &mut SipMsg, what: What<'_>) {
    let Some(tm) = TmApi::get() else { return };
    if !tm.on_final_reply_out(msg, own_final_reply, call.registration_slot()) {
        sst_log!(WARN, "{}: cannot watch its transaction; a timeout of this refresh is not seen", what);
    }
}

entry!(tm fn own_final_reply(ctx, reply), panic: "the dialog is left as it was", {
    // A reply from the far end went through the dialog's own callback; a
    // 2xx tm makes itself carries no Session-Expires and settles nothing
    // we could follow (it is sent already: nothing can be added to it).
    let status = reply.status();
    if !reply.made_here() || status < 300 {
        return Ok(());
    }
    let Some(mut request) = reply.request() else { return Ok(()) };
    let Some(method) = request_method(&request) else { return Ok(()) };
    let slot = reply.param();
    ctx.api.with_current(|dlg| {
        let Some(dlg) = dlg else {
            sst_log!(DBG, "own {} reply to a refresh: its dialog is no longer attached; nothing to do", status);
            return Ok(());
        };
        let params = DlgCall::own_reply_params(slot);
        // SAFETY: the slot was taken from our registration on the dialog of
        // the request this transaction carries, which is the dialog the
        // transaction holds and the lookup found (see the module comment).
        let call = unsafe { DlgCall::of_own_reply(dlg, &params) };
        on_own_reply(ctx, &call, status, method, &mut request)
    })
});

/// The reply's decision, as for one forwarded from the far end, without a
/// reply message: its facts are those of tm's own reply to `method`.
fn on_own_reply(ctx: Context, call: &DlgCall<'_>, status: u32, method: Method, request: &mut SipMsg) -> Outcome {
    let kind = format_args!("own {status} reply");
    let what = What { kind: &kind, callid: call.dlg.callid() };
    let mut read = FromCall { own_reply_to: Some(method), ..FromCall::of(ctx, call, None, what) };
    let d = events::reply_within(status, &mut read, &ctx.s.policy, &call.dlg.now());
    // The reply has left: a decision for it has no edits (only a 2xx's do).
    apply_to_dialog(ctx, call, request, &d, what);
    Ok(())
}
