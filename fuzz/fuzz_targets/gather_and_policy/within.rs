//! Checks of the decisions on in-dialog requests: ACK/PRACK and refreshes.

use super::*;

/// Flow 12: only a running timer of a confirmed dialog is re-armed, with the
/// recorded interval (within the bound), never 0, only when it moves. Other
/// in-dialog requests (BYE, INFO, ...) only refit a lifetime that no longer
/// fits the bound.
pub(super) fn check_ack_or_prack(state: &SstState, cfg: &Config, dialog: &DialogNow) {
    let want = Lifetime::within(state.interval, dialog.bound);
    for current in [0, state.interval, want.seconds, want.seconds.wrapping_add(1), dialog.lifetime] {
        let now = DialogNow { lifetime: current, ..*dialog };
        let what = || format!("{state:?} {cfg:?} {now:?}");
        let d = request_within(state, Method::Ack, None, cfg, &now);
        assert!(d.edits.is_empty(), "{}", what());
        check_rearm(&d, &now, &what);
        if now.confirmed && state.timer_active() && current != want.seconds {
            let l = d.lifetime.expect("a running timer not given its interval");
            check_lifetime(l, state.interval, &now, &what);
            assert_ne!(l.seconds, current, "re-armed with what it has: {}", what());
        } else if now.confirmed {
            check_refit(d.lifetime, &now, &what);
        }
        // Anything else re-arms with the lifetime last set: only one that no
        // longer fits the timer is given again, clamped.
        let other = request_within(state, Method::Other, None, cfg, &now);
        assert!(other.edits.is_empty(), "{}", what());
        check_rearm(&other, &now, &what);
        if now.confirmed {
            check_refit(other.lifetime, &now, &what);
        }
    }
}

/// A refresh request (re-INVITE/UPDATE): lowered to max_se like an initial
/// one, and armed with what it proposes but never less than the session left
/// (a refused refresh must not shorten the call), within the bound, never 0.
pub(super) fn check_refresh_request(
    state: &SstState,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    dialog: &DialogNow,
    d: &RequestDecision,
) {
    let what = || format!("{state:?} {facts:?} {cfg:?} {dialog:?} -> {d:?}");
    let edits = edits_vec(&d.edits);
    check_edits_shape(&edits);
    check_rearm(d, dialog, &what);
    if !dialog.confirmed {
        return;
    }
    let se = facts.and_then(|f| f.se());
    let (Some(f), Some(se)) = (facts, se) else {
        // unreadable, or no Session-Expires: nothing but the refit
        assert!(edits.is_empty(), "{}", what());
        check_refit(d.lifetime, dialog, &what);
        return;
    };
    let cap = cfg.request_cap(f.min_se);
    let mut fwd = se.interval;
    for e in &edits {
        match *e {
            Edit::SetSessionExpires(v) => {
                check_request_se_edit(se.interval, f.min_se, cfg, v);
                fwd = v;
            }
            _ => panic!("a refresh request gets only its Session-Expires lowered: {}", what()),
        }
    }
    assert_eq!(
        !edits.is_empty(),
        cap.is_some_and(|c| se.interval > c),
        "lowered exactly when above the cap: {}",
        what()
    );
    if let Some(c) = cap {
        assert!(fwd <= c, "{}", what());
    }
    // Armed with what goes on (also in a call without a session timer yet:
    // its 2xx may start one), never with 0; Session-Expires: 0 arms nothing.
    if fwd == 0 {
        check_refit(d.lifetime, dialog, &what);
        return;
    }
    if state.timer_active() {
        assert!(d.lifetime.is_some(), "a running session not re-armed: {}", what());
    }
    match d.lifetime {
        Some(l) => {
            // What is left of the session in force: the armed time, but no
            // running session has more left than its interval; without a
            // session timer, the dialog's own timeout.
            let armed = dialog.armed_remaining.unwrap_or(0);
            let left = if state.timer_active() { armed.min(state.interval) } else { armed };
            check_lifetime(l, fwd.max(left), dialog, &what);
            // a refused (or unanswered) refresh never shortens it
            assert!(l.seconds >= left.min(dialog.bound), "shortened: {}", what());
            assert!(l.seconds >= fwd.min(dialog.bound), "{}", what());
        }
        None => {}
    }
}
