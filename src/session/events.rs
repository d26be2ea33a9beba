//! One decision per dialog event, each made whole here, as the C module's
//! sst_handlers.c has one handler per event: whether the event matters,
//! which RFC 4028 rule it asks (`rfc4028::policy`), and what follows for the
//! dialog. The module's dialog callbacks read what an entry asks for, call
//! the entry of their event and apply the `Decision`; the call-flow model
//! calls the same entries against a stand-in dialog timer.

use super::dialog_state::{DialogNow, Lifetime, SstState};
use crate::rfc4028::policy::{self, Config, Edits, MessageFacts, Method, RefreshAnswer, RefresherUpdate, ReplyContext, WithinRequest};

/// The lifetime to give the dialog; its module arms the timer with it at
/// confirmation and re-arms it after request callbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// The session's lifetime; a clamp to what the timer can hold is told.
    Session(Lifetime),
    /// The lifetime last set, clamped again from now (its clamp was told
    /// when first made: nothing on every request of a long call).
    Refit(Lifetime),
    /// What is left of the call's maximum duration (`max_duration`), which
    /// is shorter than what the session or the dialog would have armed.
    Capped(Lifetime),
    /// What is left of a call the far end lost (`dead_call_grace`).
    Grace(Lifetime),
}

impl Arm {
    pub fn lifetime(self) -> Lifetime {
        match self {
            Arm::Session(l) | Arm::Refit(l) | Arm::Capped(l) | Arm::Grace(l) => l,
        }
    }
}

/// What the operator is told about a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// The INVITE does not carry the sst flag: the dialog is not followed.
    NotFlagged,
    /// The dialog was created by a request that is not an INVITE.
    NotInvite,
    /// The INVITE's timer headers cannot be read: the dialog is not
    /// followed and keeps its own timeout.
    Unreadable,
    /// Flow 2 raised to min_se instead of a 422 (see `InitialDecision`).
    RaisedInsteadOf422,
}

/// What an event adds to the module's counters (the `sst` statistics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// The request's Session-Expires or Min-SE was raised to min_se.
    pub raised: bool,
    /// The request's Session-Expires was lowered to max_se.
    pub lowered: bool,
    /// A refresh of a running session timer was answered 2xx.
    pub refreshed: bool,
    /// A refresh of a running session timer got another final reply.
    pub refresh_refused: bool,
    /// The dialog ended at its maximum duration (`max_duration`).
    pub capped: bool,
    /// A refresh was answered 408 or 481: the call was given
    /// `dead_call_grace`.
    pub lost: bool,
}

/// Whether the dialog's session timer runs from this event on: the
/// `active_sst` gauge follows it, counting each dialog at most once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// A 2xx settled a running session timer, or a dialog carrying one was
    /// loaded (restart, replication).
    Started,
    /// A refresh's 2xx turned the session timer off, or the dialog ended.
    Stopped,
}

/// Everything one dialog event decides. The default decides nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// A created dialog is followed: its callbacks, its record, its mark.
    /// Nothing of a created dialog's decision is applied without it.
    pub track: bool,
    /// Changes to the event's message, each placed on the bytes it changes.
    pub edits: Edits,
    /// The record to store, when new or changed.
    pub record: Option<SstState>,
    /// Who refreshes, kept beside the record.
    pub refresher: RefresherUpdate,
    pub lifetime: Option<Arm>,
    /// The lifetime takes effect now, not with the next request: the dialog
    /// module re-arms its timer only after request callbacks, and this
    /// decision comes from a reply.
    pub rearm_now: bool,
    /// The far end lost the dialog (true), or accepted a refresh again
    /// (false): kept per node.
    pub lost: Option<bool>,
    /// A refresh of a running session timer passes: a final reply this
    /// proxy makes itself to it (tm's 408 when the far end never answers)
    /// decides as one from the far end, so its transaction is watched.
    pub watch_own_reply: bool,
    /// A refresh was accepted this many seconds after the answer: kept per
    /// node, shown in `dlg_list_ctx`.
    pub refreshed_at: Option<u32>,
    /// The session timer ran out: count it (`expired_sst`) and raise
    /// E_SST_EXPIRED with this record.
    pub expired: Option<SstState>,
    /// The maximum duration the script set for this call, to keep on the
    /// dialog (created dialogs only).
    pub max_duration: Option<u32>,
    pub counts: Counts,
    pub timing: Option<Timing>,
    pub note: Option<Note>,
}

fn noted(note: Note) -> Decision {
    Decision { note: Some(note), ..Decision::default() }
}

/// DLGCB_CREATED: a dialog created by a request; `flagged`: the request
/// carries the sst flag.
pub fn dialog_created(flagged: bool, method: Method, read: &mut impl Reads, cfg: &Config) -> Decision {
    if !flagged {
        return noted(Note::NotFlagged);
    }
    if method != Method::Invite {
        return noted(Note::NotInvite);
    }
    let Some(facts) = read.facts() else { return noted(Note::Unreadable) };
    let call = read.call_options();
    let i = policy::initial_invite_for_call(&facts, cfg, &call);
    Decision {
        track: true,
        max_duration: call.max_duration,
        counts: counts_of_edits(&i.edits, &facts),
        edits: i.edits,
        record: Some(i.state),
        note: i.raised_instead_of_422.then_some(Note::RaisedInsteadOf422),
        ..Decision::default()
    }
}

/// DLGCB_REQ_WITHIN: a request inside the dialog.
pub fn request_within(method: Method, read: &mut impl Reads, cfg: &Config, dialog: &DialogNow) -> Decision {
    // Requests of an early dialog (PRACK, an early UPDATE) and after its end
    // do not decide the lifetime: the 2xx of the INVITE does.
    if !dialog.confirmed {
        return Decision::default();
    }
    let mut d = request_decision(method, read, cfg, dialog);
    // A call the far end lost keeps the expiry its grace armed: the ACK of
    // the refused re-INVITE or any other request but a new refresh must not
    // give it the session back (the dialog module would re-arm from now). A
    // new refresh is armed as every refresh is: someone still holds the
    // call, and its answer decides again.
    if within_request(method) != Some(WithinRequest::Refresh) && read.lost() {
        d.lifetime = dialog.armed_remaining.map(|left| Arm::Grace(Lifetime::within(left.max(1), dialog.bound)));
    }
    // The dialog module re-arms its timer after any request once a lifetime
    // was set (from now, with that lifetime): each request keeps the call
    // within its maximum duration.
    d.lifetime = within_max_duration(d.lifetime, dialog.lifetime, read, cfg, dialog);
    d
}

/// What an in-dialog request does to session timing; None for anything
/// else (BYE, INFO, ...).
fn within_request(method: Method) -> Option<WithinRequest> {
    match method {
        Method::Ack | Method::Prack => Some(WithinRequest::AckOrPrack),
        Method::Invite | Method::Update => Some(WithinRequest::Refresh),
        Method::Other => None,
    }
}

fn request_decision(method: Method, read: &mut impl Reads, cfg: &Config, dialog: &DialogNow) -> Decision {
    // Anything else re-arms the timer with the lifetime last set, which
    // never needs the record.
    let Some(request) = within_request(method) else {
        return Decision { lifetime: policy::refit(dialog).map(Arm::Refit), ..Decision::default() };
    };
    let Some(state) = read.record() else { return Decision::default() };
    let facts = match request {
        WithinRequest::Refresh => read.facts(),
        WithinRequest::AckOrPrack => None,
    };
    let d = policy::request_within(&state, request, facts.as_ref(), cfg, dialog);
    let counts = facts.map(|f| counts_of_edits(&d.edits, &f)).unwrap_or_default();
    let watch_own_reply = request == WithinRequest::Refresh && state.timer_active();
    Decision { edits: d.edits, lifetime: d.lifetime.map(Arm::Session), counts, watch_own_reply, ..Decision::default() }
}

/// The call's maximum duration from its answer, if it has one.
pub(super) fn max_duration(read: &mut impl Reads, cfg: &Config) -> Option<u32> {
    cfg.max_duration_for(read.max_duration())
}

/// `arm` (None: the dialog keeps `current`, the lifetime it has), or what
/// is left of the call's maximum duration when that is shorter.
fn within_max_duration(arm: Option<Arm>, current: u32, read: &mut impl Reads, cfg: &Config, dialog: &DialogNow) -> Option<Arm> {
    let Some(left) = max_duration(read, cfg).map(|max| dialog.left_of(max)) else { return arm };
    if arm.map_or(current, |a| a.lifetime().seconds) > left {
        Some(Arm::Capped(Lifetime { seconds: left, clamped_from: None }))
    } else {
        arm
    }
}

fn counts_of_edits(edits: &Edits, facts: &MessageFacts) -> Counts {
    let m = edits.moved(facts);
    Counts { raised: m.raised, lowered: m.lowered, ..Counts::default() }
}

/// DLGCB_RESPONSE_FWDED: a reply to the initial INVITE; `leg_kept`: from
/// the leg the dialog keeps (the branch that answered 2xx first).
pub fn initial_reply(status: u32, leg_kept: bool, read: &mut impl Reads, cfg: &Config, dialog: &DialogNow) -> Decision {
    reply(status, ReplyContext { initial: true, kept_leg: leg_kept, dialog: *dialog }, read, cfg)
}

/// DLGCB_RESPONSE_WITHIN: a reply to an in-dialog request, which comes
/// from the kept leg by construction.
pub fn reply_within(status: u32, read: &mut impl Reads, cfg: &Config, dialog: &DialogNow) -> Decision {
    reply(status, ReplyContext { initial: false, kept_leg: true, dialog: *dialog }, read, cfg)
}

fn reply(status: u32, ctx: ReplyContext, read: &mut impl Reads, cfg: &Config) -> Decision {
    // A provisional reply never changes anything: its headers are not read.
    if status < 200 {
        return Decision::default();
    }
    let Some(state) = read.record() else { return Decision::default() };
    let facts = read.facts();
    let d = policy::reply(state, status, facts.as_ref(), cfg, &ctx);
    let (before, after) = (state.timer_active(), d.state.timer_active());
    // Only a reply that settles the session gives a lifetime: the INVITE's
    // first 2xx starts a timer (the record of an early dialog says what it
    // would be, not that it runs), a refresh's 2xx may start or stop one.
    let timing = match (d.lifetime.is_some(), ctx.initial, before, after) {
        (true, true, _, true) | (true, false, false, true) => Some(Timing::Started),
        (true, false, true, false) => Some(Timing::Stopped),
        _ => None,
    };
    let mut counts = Counts {
        refreshed: d.refresh == Some(RefreshAnswer::Accepted),
        refresh_refused: matches!(d.refresh, Some(RefreshAnswer::Refused(_))),
        ..Counts::default()
    };
    // The answer arms the dialog's timer with whatever lifetime it has: its
    // own timeout when no session timer starts, within the maximum
    // duration too. A reply's lifetime moves the timer only with the next
    // request, which keeps within it again.
    let mut lifetime = match (d.lifetime.map(Arm::Session), ctx.initial && d.settles) {
        (Some(arm), _) => within_max_duration(Some(arm), ctx.dialog.lifetime, read, cfg, &ctx.dialog),
        (None, true) => within_max_duration(None, ctx.dialog.lifetime, read, cfg, &ctx.dialog),
        (None, false) => None,
    };
    let (mut lost, mut rearm_now) = (None, false);
    match d.refresh {
        // The far end lost the dialog (RFC 3261 §12.2.1.2: the UAC ends it
        // then): what is left shrinks to the grace at once, never grows.
        Some(RefreshAnswer::Refused(408 | 481)) if cfg.dead_call_grace > 0 => {
            let grace = Lifetime::within(cfg.dead_call_grace, ctx.dialog.bound);
            if ctx.dialog.armed_remaining.is_none_or(|left| left > grace.seconds) {
                (lifetime, rearm_now) = (Some(Arm::Grace(grace)), true);
            }
            (lost, counts.lost) = (Some(true), true);
        }
        // Answered again after all, with a session (or timers off): what
        // the 2xx settles, at once (an UPDATE's 2xx would wait for a request
        // that may never come). A 2xx that settles nothing revives nothing.
        Some(RefreshAnswer::Accepted) if lifetime.is_some() && read.lost() => (lost, rearm_now) = (Some(false), true),
        _ => {}
    }
    Decision {
        edits: d.edits,
        record: (d.state != state).then_some(d.state),
        refresher: d.refresher,
        lifetime,
        rearm_now,
        lost,
        refreshed_at: ctx.dialog.answered_ago.filter(|_| counts.refreshed),
        counts,
        timing,
        ..Decision::default()
    }
}

mod lifecycle;
mod reads;
pub use lifecycle::{dialog_destroyed, dialog_ended, dialog_loaded, Ending};
pub use reads::{Known, Reads};

#[cfg(test)]
mod tests;
