//! In-dialog requests of a tracked dialog: refreshes (re-INVITE, UPDATE)
//! armed against the session in force, ACK/PRACK re-applying it (flow 12),
//! and the lifetime every request re-arms.

use crate::session::dialog_state::{DialogNow, Lifetime, SstState};
use super::headers::{Edit, Edits};
use super::headers::MessageFacts;
use super::Config;

/// An in-dialog request, by what it does to session timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithinRequest {
    /// ACK or PRACK: the dialog module may re-arm from its own idea of the
    /// timeout (e.g. a script's $DLG_timeout).
    AckOrPrack,
    /// re-INVITE or UPDATE: a session refresh (RFC 4028 §7.1, §7.4).
    Refresh,
}

/// Decision on an in-dialog request of a tracked dialog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestDecision {
    pub edits: Edits,
    /// The lifetime to give the dialog module, which re-arms its timer with
    /// it right after the request callbacks.
    pub lifetime: Option<Lifetime>,
}

/// A request of a confirmed dialog (`session::events` passes on no other:
/// the 2xx of the INVITE decides the lifetime first). `facts`: the
/// request's, for a refresh; None when unreadable.
///
/// The dialog module re-arms its timer (and replicates the expiry to a
/// backup node) only after request callbacks, never at a reply - an UPDATE
/// has no ACK to carry its 2xx's value - so a refresh is armed here, with
/// what it proposes but never less than what is left of the session in
/// force: a refresh that is refused (any final code, or none) or never
/// answered is no refresh (RFC 4028 §10), and must not shorten the call.
/// A UAS may lower the proposal but never raise it (RFC 4028 §9), so the
/// expiry armed here is never earlier than the session its 2xx settles.
pub fn request_within(
    state: &SstState,
    request: WithinRequest,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    dialog: &DialogNow,
) -> RequestDecision {
    let mut d = RequestDecision::default();
    match request {
        // Flow 12: while a session timer runs, give it ours - only when the
        // lifetime differs, so an ACK that changed nothing does not move it.
        WithinRequest::AckOrPrack if state.timer_active() => {
            let l = Lifetime::within(state.interval, dialog.bound);
            if dialog.lifetime != l.seconds {
                d.lifetime = Some(l);
            }
        }
        WithinRequest::Refresh => {
            if let Some((f, mut proposed)) = facts.and_then(|f| Some((f, f.se()?.interval))) {
                if let Some(cap) = cfg.request_cap(f.min_se).filter(|cap| proposed > *cap) {
                    d.edits.push(Edit::SetSessionExpires(cap), f);
                    proposed = cap;
                }
                // Also in a call without a session timer yet: its 2xx may start one.
                if proposed > 0 {
                    let left = session_left(state, dialog);
                    d.lifetime = Some(Lifetime::within(proposed.max(left), dialog.bound));
                }
            }
        }
        _ => {}
    }
    if d.lifetime.is_none() {
        d.lifetime = refit(dialog);
    }
    d
}

/// What is left of the session in force, at most: the armed expiry is
/// never earlier than it, and no session has more left than its interval.
/// Without a session timer, the dialog's own timeout is what is left.
fn session_left(state: &SstState, dialog: &DialogNow) -> u32 {
    let armed = dialog.armed_remaining.unwrap_or(0);
    if state.timer_active() { armed.min(state.interval) } else { armed }
}

/// Any in-dialog request re-arms the timer with the lifetime last set, from
/// now: a lifetime clamped to what the timer could hold some time ago no
/// longer fits, and is clamped again.
pub fn refit(dialog: &DialogNow) -> Option<Lifetime> {
    (dialog.lifetime > dialog.bound).then(|| Lifetime::within(dialog.lifetime, dialog.bound))
}
