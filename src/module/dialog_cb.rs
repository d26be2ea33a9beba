//! The dialog callbacks (the C module's sst_handlers.c): a dialog created
//! by a flagged INVITE starts being tracked, a dialog loaded from the
//! database or a cluster peer gets its callbacks back, and each later event
//! of a tracked dialog has its own handler below.

use super::edits::apply_edits;
use super::entry::Outcome;
use super::event::raise_expired;
use super::mi::on_mi_context;
use super::record::{apply_refresher, store_state, stored_state};
use super::{read_facts, Context, What, EXPIRED_SST};
use crate::host::dialog::{Dialog, DlgCall};
use crate::host::msg::{FirstLine, SipMsg};
use crate::rfc4028::policy::{self, InitialDecision, ReplyContext, WithinRequest};
use crate::rfc4028::state::SstState;
use crate::rfc4028::timing::Lifetime;
use crate::{sst_log, sys};

type Handler = fn(Context, &DlgCall<'_>) -> Outcome;

/// The events a tracked dialog listens to, each with its handler; one
/// registration per dialog covers them all.
const HANDLERS: [(u32, Handler); 6] = [
    (sys::DLGCB_REQ_WITHIN, on_request_within),
    (sys::DLGCB_RESPONSE_FWDED, on_initial_reply),
    (sys::DLGCB_RESPONSE_WITHIN, on_in_dialog_reply),
    (sys::DLGCB_EXPIRED, on_expired),
    (sys::DLGCB_TERMINATED, on_terminated),
    (sys::DLGCB_MI_CONTEXT, on_mi_context),
];

const DIALOG_EVENTS: u32 = {
    let (mut bits, mut i) = (0, 0);
    while i < HANDLERS.len() {
        bits |= HANDLERS[i].0;
        i += 1;
    }
    bits
};

/// Lines of the later-event handlers keep the name they were logged under
/// when one function handled every event, so log filters keep matching.
const EVENT_LOG_NAME: &str = "on_dialog_event";

entry!(dialog fn dialog_created(ctx, call), panic: "the message is left as it was", {
    let Some(mut msg) = call.msg() else { return Ok(()) };
    on_dialog_created(ctx, &call.dlg, &mut msg);
    Ok(())
});

fn on_dialog_created(ctx: Context, dlg: &Dialog, msg: &mut SipMsg) {
    let Context { s, api } = ctx;
    if msg.flags() & s.flag_mask == 0 {
        sst_log!(DBG, "sst flag not set on this INVITE; dialog not tracked");
        return;
    }
    if msg.first_line() != (FirstLine::Request { method: sys::METHOD_INVITE }) {
        sst_log!(WARN, "dialog created by a request that is not an INVITE; not tracked");
        return;
    }
    let what = What { kind: &"initial INVITE", callid: dlg.callid() };
    let Some(facts) = read_facts(msg, what) else {
        sst_log!(WARN, "{}: session timer not tracked; the dialog keeps its default timeout", what);
        return;
    };
    // Never reject from here: with the usual `create_dialog(); t_relay();`
    // this callback runs inside tm while the transaction is still being
    // built (before the request is cloned and the reply address set);
    // replying is what crashes the C module, and once the transaction is
    // built tm forwards with no hook to stop it. The 422 belongs in the
    // script: sstCheckMin(1) before create_dialog().
    // What the script asked for this call ($sst(interval), $sst(insert)).
    let call = s.call_slots.requested().unwrap_or_default();
    match policy::initial_invite_for_call(&facts, &s.policy, &call, false) {
        InitialDecision::Reject { .. } => {
            sst_log!(ERR, "{}: unexpected reject decision; dialog not tracked", what);
        }
        InitialDecision::Track { state, edits, raised_instead_of_422 } => {
            if raised_instead_of_422 {
                sst_log!(
                    NOTICE,
                    "{}: Session-Expires below min_se {}: raised to it and forwarded (no 422 can be sent \
                     from the dialog callback; call sstCheckMin(1) before create_dialog() to reject)",
                    what, s.policy.min_se
                );
            }
            // Callbacks first: without them nothing would follow the call,
            // so the INVITE and the dialog are then left as they are.
            if !api.register(Some(dlg), DIALOG_EVENTS, dialog_event) {
                sst_log!(ERR, "{}: cannot register dialog callbacks; session timer not tracked", what);
                return;
            }
            apply_edits(msg, &edits, what);
            if !store_state(api, dlg, &state) {
                sst_log!(ERR, "{}: cannot store sst_info on the dialog; it won't survive a restart", what);
            }
            api.set_mod_flag(dlg, sys::SST_DIALOG_FLAG);
            sst_log!(DBG, "{}: tracked, interval {} (requester {}, supported {})", what, state.interval, state.requester, state.supported);
        }
    }
}

entry!(dialog fn dialog_loaded(ctx, call), panic: "the dialog is left as it was", {
    let (api, dlg) = (ctx.api, &call.dlg);
    if !api.is_mod_flag_set(dlg, sys::SST_DIALOG_FLAG) {
        return Ok(());
    }
    if !api.register(Some(dlg), DIALOG_EVENTS, dialog_event) {
        return Err(format!("dialog {}: cannot re-attach session timer callbacks", String::from_utf8_lossy(dlg.callid())).into());
    }
    Ok(())
});

entry!(dialog fn dialog_event(ctx, call), panic: "the message is left as it was", {
    if !call.has_params() {
        return Ok(());
    }
    match HANDLERS.iter().find(|(bit, _)| *bit == call.kind) {
        Some((_, handler)) => handler(ctx, &call),
        None => Ok(()),
    }
});

/// DLGCB_EXPIRED: the dialog's own timer ended it.
fn on_expired(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    count_expiry(ctx, call);
    Ok(())
}

/// DLGCB_TERMINATED: ended by BYE; by its timer too when the dialog module
/// sent those BYEs because its lifetime ran out with bye-on-timeout (reason
/// "Lifetime Timeout").
fn on_terminated(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    if call.dlg.ended_by_bye_on_timeout() {
        count_expiry(ctx, call);
    }
    Ok(())
}

/// A dialog ended by its timer. Only the node in charge of the dialog runs
/// expiry actions (is_active: a backup node of a replicated dialog ends it
/// silently), and only a dialog whose session timer was running expired by
/// it: a tracked call without one merely reached the dialog's own timeout.
/// An on-timeout route that extends the dialog ends nothing yet.
fn count_expiry(ctx: Context, call: &DlgCall<'_>) {
    let dlg = &call.dlg;
    if !call.is_active() {
        return;
    }
    let Some(state) = stored_state(ctx.api, dlg).filter(SstState::timer_active) else { return };
    EXPIRED_SST.increment();
    sst_log!(DBG as EVENT_LOG_NAME, "dialog {} expired by its session timer", String::from_utf8_lossy(dlg.callid()));
    if let Some(ev) = ctx.s.expired_event.filter(|e| e.has_subscribers()) {
        raise_expired(ev, ctx.api, dlg, &state);
    }
}

/// DLGCB_REQ_WITHIN: a refresh (re-INVITE, UPDATE) is negotiated like the
/// initial INVITE; ACK and PRACK re-apply the lifetime; anything else
/// re-arms what was set.
fn on_request_within(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    let dlg = &call.dlg;
    let Some(mut msg) = call.msg() else { return Ok(()) };
    let FirstLine::Request { method } = msg.first_line() else { return Ok(()) };
    let now = dlg.now();
    if !now.confirmed {
        return Ok(()); // early-dialog requests do not decide the lifetime
    }
    let request = match method {
        sys::METHOD_ACK | sys::METHOD_PRACK => WithinRequest::AckOrPrack,
        sys::METHOD_INVITE | sys::METHOD_UPDATE => WithinRequest::Refresh,
        _ => WithinRequest::Other,
    };
    if request == WithinRequest::Other {
        // re-armed with the lifetime last set, never less than the session left
        // (the clamp was reported when it was first made: no NOTICE
        // on every request of a call whose session outlasts the timer)
        if let Some(l) = policy::refit(&now) {
            dlg.set_lifetime(l.seconds);
            sst_log!(DBG as EVENT_LOG_NAME, "dialog {}: lifetime refitted to {} s", String::from_utf8_lossy(dlg.callid()), l.seconds);
        }
        return Ok(());
    }
    let Some(state) = stored_state(ctx.api, dlg) else { return Ok(()) };
    let what = What { kind: &"refresh request", callid: dlg.callid() };
    let facts = match request {
        WithinRequest::Refresh => read_facts(&mut msg, what),
        _ => None,
    };
    let d = policy::request_within(&state, request, facts.as_ref(), &ctx.s.policy, &now);
    apply_edits(&mut msg, &d.edits, what);
    // The dialog module re-arms its timer right after this callback.
    if let Some(l) = d.lifetime {
        set_lifetime(dlg, l, what);
    }
    Ok(())
}

/// DLGCB_RESPONSE_FWDED: a reply to the initial INVITE.
fn on_initial_reply(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    on_reply(ctx, call, true)
}

/// DLGCB_RESPONSE_WITHIN: a reply to an in-dialog request.
fn on_in_dialog_reply(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    on_reply(ctx, call, false)
}

fn on_reply(ctx: Context, call: &DlgCall<'_>, initial: bool) -> Outcome {
    let (api, dlg) = (ctx.api, &call.dlg);
    // None for a locally generated reply, too.
    let Some(mut msg) = call.msg() else { return Ok(()) };
    let FirstLine::Reply { status } = msg.first_line() else { return Ok(()) };
    if !policy::reply_can_matter(status) {
        return Ok(()); // skip the parsing
    }
    let rctx = ReplyContext {
        initial,
        // In-dialog replies come from the kept leg by construction.
        kept_leg: !initial || dlg.is_kept_leg(call.reply_leg()),
        dialog: dlg.now(),
    };
    let Some(state) = stored_state(api, dlg) else { return Ok(()) };
    let kind = format_args!("{status} reply");
    let what = What { kind: &kind, callid: dlg.callid() };
    let facts = read_facts(&mut msg, what);
    let d = policy::reply(state, status, facts.as_ref(), &ctx.s.policy, &rctx);
    apply_edits(&mut msg, &d.edits, what);
    if d.state != state && !store_state(api, dlg, &d.state) {
        sst_log!(ERR as EVENT_LOG_NAME, "{}: cannot update sst_info", what);
    }
    apply_refresher(api, dlg, d.refresher, what);
    if let Some(l) = d.lifetime {
        set_lifetime(dlg, l, what);
    }
    Ok(())
}

/// Gives the dialog a lifetime, saying so when the session was longer than
/// the dialog timer can hold (it would otherwise wrap: a dialog that never
/// ends, or one that ends at once).
fn set_lifetime(dlg: &Dialog, l: Lifetime, what: What<'_>) {
    if let Some(asked) = l.clamped_from {
        sst_log!(NOTICE, "{}: a session of {} s is more than the dialog timer can hold; lifetime clamped to {} s", what, asked, l.seconds);
    }
    dlg.set_lifetime(l.seconds);
    sst_log!(DBG, "{}: dialog lifetime {} s", what, l.seconds);
}
