//! The dialog callbacks (the C module's sst_handlers.c): a dialog created
//! by a flagged INVITE starts being tracked, a dialog loaded from the
//! database or a cluster peer gets its callbacks back, and each later event
//! of a tracked dialog has its handler below. Each handler reads what its
//! entry in `session::events` asks for, asks it, and applies the decision.

use super::entry::Outcome;
use super::expired_event::raise_expired;
use super::own_reply;
use super::list_ctx::on_mi_context;
use super::entry::Context;
use super::reads::{apply_refresher, load_max_duration, request_method, store_max_duration, store_state, FromCall};
use super::statistics::{self, EXPIRED_SST};
use crate::host::log::What;
use crate::host::dialog::{Dialog, DlgCall, Kept};
use crate::host::msg::{FirstLine, SipMsg};
use crate::rfc4028::policy::{Edits, Method, Place};
use crate::session::dialog_state::Lifetime;
use crate::session::events::{self, Arm, Decision, Ending, Note, Timing};
use crate::{sst_log, sys};

type Handler = fn(Context, &DlgCall<'_>) -> Outcome;

/// The events a tracked dialog listens to, each with its handler; one
/// registration per dialog covers them all.
const HANDLERS: [(u32, Handler); 7] = [
    (sys::DLGCB_REQ_WITHIN, on_request_within),
    (sys::DLGCB_RESPONSE_FWDED, on_initial_reply),
    (sys::DLGCB_RESPONSE_WITHIN, on_in_dialog_reply),
    (sys::DLGCB_EXPIRED, on_expired),
    (sys::DLGCB_TERMINATED, on_terminated),
    (sys::DLGCB_MI_CONTEXT, on_mi_context),
    (sys::DLGCB_DESTROY, on_destroy),
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

fn on_dialog_created<'call>(ctx: Context, dlg: &Dialog<'call>, msg: &mut SipMsg<'call>) {
    let Context { s, api } = ctx;
    let what = What { kind: &"initial INVITE", callid: dlg.callid() };
    let flagged = msg.flags() & s.flag_mask != 0;
    let method = request_method(msg).unwrap_or(Method::Other);
    let d = events::dialog_created(flagged, method, &mut FromCall::new(ctx, dlg, Some(msg), what), &s.policy);
    match d.note {
        Some(Note::NotFlagged) => sst_log!(DBG, "sst flag not set on this INVITE; dialog not tracked"),
        Some(Note::NotInvite) => sst_log!(WARN, "dialog created by a request that is not an INVITE; not tracked"),
        Some(Note::Unreadable) => {
            sst_log!(WARN, "{}: session timer not tracked; the dialog keeps its default timeout", what)
        }
        Some(Note::RaisedInsteadOf422) => sst_log!(
            NOTICE,
            "{}: Session-Expires below min_se {}: raised to it and forwarded (no 422 can be sent \
             from the dialog callback; call sstCheckMin(1) before create_dialog() to reject)",
            what, s.policy.min_se
        ),
        None => {}
    }
    let (true, Some(state)) = (d.track, d.record) else { return };
    // Callbacks first: without them nothing would follow the call, so the
    // INVITE and the dialog are then left as they are.
    if !api.register(Some(dlg), DIALOG_EVENTS, dialog_event, Kept { max_duration: d.max_duration, ..Kept::default() }) {
        sst_log!(ERR, "{}: cannot register dialog callbacks; session timer not tracked", what);
        return;
    }
    apply_edits(msg, &d.edits, what);
    statistics::count(&d.counts);
    if !store_state(api, dlg, &state) {
        sst_log!(ERR, "{}: cannot store sst_info on the dialog; it won't survive a restart", what);
    }
    if let Some(max) = d.max_duration {
        if !store_max_duration(api, dlg, max) {
            sst_log!(ERR, "{}: cannot store the call's max_duration; the setting applies to it", what);
        }
    }
    api.set_mod_flag(dlg, sys::SST_DIALOG_FLAG);
    sst_log!(DBG, "{}: tracked, interval {} (requester {}, supported {})", what, state.interval, state.requester.flags(), state.supported.flags());
}

entry!(dialog fn dialog_loaded(ctx, call), panic: "the dialog is left as it was", {
    let (api, dlg) = (ctx.api, &call.dlg);
    if !api.is_mod_flag_set(dlg, sys::SST_DIALOG_FLAG) {
        return Ok(());
    }
    let what = What { kind: &"loaded dialog", callid: dlg.callid() };
    let d = events::dialog_loaded(&mut FromCall::new(ctx, dlg, None, what));
    // The new registration carries the gauge's mark and the call's own
    // maximum duration from the start: this callback's own parameter
    // belongs to the global LOADED registration.
    let counted = d.timing == Some(Timing::Started);
    let kept = Kept { marked: counted, max_duration: load_max_duration(api, dlg), ..Kept::default() };
    if !api.register(Some(dlg), DIALOG_EVENTS, dialog_event, kept) {
        return Err(format!("dialog {}: cannot re-attach session timer callbacks", String::from_utf8_lossy(dlg.callid())).into());
    }
    if counted {
        statistics::count_loaded();
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

/// DLGCB_REQ_WITHIN.
fn on_request_within(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    let dlg = &call.dlg;
    let Some(mut msg) = call.msg() else { return Ok(()) };
    let Some(method) = request_method(&msg) else { return Ok(()) };
    let what = What { kind: &"refresh request", callid: dlg.callid() };
    let mut read = FromCall::of(ctx, call, Some(&mut msg), what);
    let d = events::request_within(method, &mut read, &ctx.s.policy, &dlg.now());
    apply(ctx, call, &mut msg, &d, what);
    if d.watch_own_reply {
        own_reply::watch(call, &mut msg, what);
    }
    Ok(())
}

/// DLGCB_RESPONSE_FWDED: a reply to the initial INVITE.
fn on_initial_reply(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    let dlg = &call.dlg;
    // None for a locally generated reply, too.
    let Some(mut msg) = call.msg() else { return Ok(()) };
    let FirstLine::Reply { status } = msg.first_line() else { return Ok(()) };
    let kind = format_args!("{status} reply");
    let what = What { kind: &kind, callid: dlg.callid() };
    let leg_kept = dlg.is_kept_leg(call.reply_leg());
    let mut read = FromCall::of(ctx, call, Some(&mut msg), what);
    let d = events::initial_reply(status, leg_kept, &mut read, &ctx.s.policy, &dlg.now());
    apply(ctx, call, &mut msg, &d, what);
    Ok(())
}

/// DLGCB_RESPONSE_WITHIN: a reply to an in-dialog request.
fn on_in_dialog_reply(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    let dlg = &call.dlg;
    let Some(mut msg) = call.msg() else { return Ok(()) };
    let FirstLine::Reply { status } = msg.first_line() else { return Ok(()) };
    let kind = format_args!("{status} reply");
    let what = What { kind: &kind, callid: dlg.callid() };
    let mut read = FromCall::of(ctx, call, Some(&mut msg), what);
    let d = events::reply_within(status, &mut read, &ctx.s.policy, &dlg.now());
    apply(ctx, call, &mut msg, &d, what);
    Ok(())
}

/// DLGCB_EXPIRED.
fn on_expired(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    on_ended(ctx, call, Ending::Expired)
}

/// DLGCB_TERMINATED.
fn on_terminated(ctx: Context, call: &DlgCall<'_>) -> Outcome {
    on_ended(ctx, call, Ending::Terminated { bye_on_timeout: call.dlg.ended_by_bye_on_timeout() })
}

/// DLGCB_DESTROY: the gauge lets go of the dialog, however it ended.
fn on_destroy(_ctx: Context, call: &DlgCall<'_>) -> Outcome {
    statistics::follow_timing(call, events::dialog_destroyed().timing);
    Ok(())
}

fn on_ended(ctx: Context, call: &DlgCall<'_>, ending: Ending) -> Outcome {
    let dlg = &call.dlg;
    let what = What { kind: &"dialog end", callid: dlg.callid() };
    let read = &mut FromCall::of(ctx, call, None, what);
    let d = events::dialog_ended(ending, call.is_active(), read, &ctx.s.policy, &dlg.now());
    statistics::follow_timing(call, d.timing);
    statistics::count(&d.counts);
    if d.counts.capped {
        sst_log!(DBG as EVENT_LOG_NAME, "dialog {} reached its max_duration", String::from_utf8_lossy(dlg.callid()));
    }
    let Some(state) = d.expired else { return Ok(()) };
    EXPIRED_SST.increment();
    sst_log!(DBG as EVENT_LOG_NAME, "dialog {} expired by its session timer", String::from_utf8_lossy(dlg.callid()));
    if let Some(ev) = ctx.s.expired_event.filter(|e| e.has_subscribers()) {
        raise_expired(ev, ctx.api, dlg, &state);
    }
    Ok(())
}

/// Carries out a later event's decision on the dialog and its message.
fn apply(ctx: Context, call: &DlgCall<'_>, msg: &mut SipMsg, d: &Decision, what: What<'_>) {
    apply_edits(msg, &d.edits, what);
    apply_to_dialog(ctx, call, msg, d, what);
}

/// Carries out what a decision does to the dialog (`msg`: the event's
/// message, which the dialog's own `$DLG_timeout` setter is called with).
pub(super) fn apply_to_dialog(ctx: Context, call: &DlgCall<'_>, msg: &mut SipMsg, d: &Decision, what: What<'_>) {
    let dlg = &call.dlg;
    statistics::count(&d.counts);
    statistics::follow_timing(call, d.timing);
    if let Some(state) = d.record {
        if !store_state(ctx.api, dlg, &state) {
            sst_log!(ERR as EVENT_LOG_NAME, "{}: cannot update sst_info", what);
        }
    }
    apply_refresher(ctx.api, dlg, d.refresher, what);
    if let Some(secs) = d.refreshed_at {
        call.note_refresh(secs);
    }
    if let Some(lost) = d.lost {
        call.set_lost(lost);
        if lost {
            sst_log!(NOTICE, "{}: the far end lost the dialog; it ends in at most {} s unless a BYE comes first", what, ctx.s.policy.dead_call_grace);
        }
    }
    if d.rearm_now {
        if let Some(l) = d.lifetime.map(Arm::lifetime) {
            // As `$DLG_timeout = l` in the script: re-armed now, and told to
            // a backup node.
            let done = ctx.s.dlg_timeout.as_ref().is_some_and(|v| ctx.api.rearm_now(v, dlg, msg, l.seconds));
            if !done {
                sst_log!(WARN, "{}: cannot re-arm the dialog timer from this reply; {} s take effect with the next request", what, l.seconds);
                dlg.set_lifetime(l.seconds);
            }
            return;
        }
    }
    match d.lifetime {
        // The dialog module re-arms its timer right after request callbacks.
        Some(Arm::Session(l)) => set_lifetime(dlg, l, what),
        Some(Arm::Refit(l)) => {
            dlg.set_lifetime(l.seconds);
            sst_log!(DBG as EVENT_LOG_NAME, "dialog {}: lifetime refitted to {} s", String::from_utf8_lossy(dlg.callid()), l.seconds);
        }
        Some(Arm::Capped(l)) => {
            dlg.set_lifetime(l.seconds);
            sst_log!(DBG as EVENT_LOG_NAME, "{}: lifetime {} s, what is left of the call's max_duration", what, l.seconds);
        }
        Some(Arm::Grace(l)) => dlg.set_lifetime(l.seconds),
        None => {}
    }
}

/// Carries out the edits on the message being forwarded, as lumps, in
/// order; one that cannot be made (each is whole or not at all) leaves out
/// those after it, which may rely on it (e.g. Min-SE raised only with the
/// Session-Expires it must not exceed).
fn apply_edits(msg: &mut SipMsg, edits: &Edits, what: What<'_>) {
    for e in edits.placed() {
        let text = e.text.as_bytes();
        let made = match e.place {
            Place::Replace { at, len } => msg.replace(at, len, text),
            Place::Insert { at } => msg.insert(at, text),
            Place::EndOfHeaders => msg.append_header(text),
        };
        if let Err(err) = made {
            sst_log!(ERR, "{}: could not apply {:?} ({:?}); the message goes on without it and what follows", what, e.edit, err);
            return;
        }
    }
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
