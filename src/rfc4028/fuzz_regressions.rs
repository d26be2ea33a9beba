//! Regression tests from fuzzing (`fuzz/`, cargo-fuzz). Each test is the
//! minimized input of one finding, with the invariant it broke.
//!
//! F1 is fixed by `Config::floor()` (a session interval is never 0).

use super::grammar::Refresher;
use super::policy::{gather, initial_invite, lay_out, reply, Config, Edit, InitialDecision, MessageFacts, ReplyContext};
use crate::session::dialog_state::{DialogNow, Requester, SstState, Supported};

fn facts(headers: &[(&str, &str)]) -> MessageFacts {
    gather(lay_out(headers.iter().map(|(n, b)| (n.as_bytes(), b.as_bytes())))).expect("valid headers")
}

/// F1 (gather_and_policy, 2026-11-27). Minimized input: the two bytes
/// `"\0\0"`, i.e. `min_se` 0 with every other number defaulted
/// (`sst_interval` 0) and an INVITE without timer headers.
///
/// mod_init accepts `min_se = 0` (it only warns below 90) and `sst_interval`
/// 0 is its default, so `Config::proxy_interval()` is 0. Flow 5 then inserts
/// `Session-Expires: 0` into the forwarded INVITE.
#[test]
fn f1_proxy_never_inserts_session_expires_0() {
    let cfg = Config { min_se: 0, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };
    for headers in [&[("CSeq", "1 INVITE")][..], &[("CSeq", "1 INVITE"), ("Min-SE", "0")][..]] {
        let f = facts(headers);
        let InitialDecision { state, edits, .. } = initial_invite(&f, &cfg);
        for e in edits.iter() {
            if let Edit::AddSessionExpires { interval, .. } = e {
                assert!(interval > 0, "proxy inserted Session-Expires: 0 ({headers:?})");
            }
        }
        assert!(state.interval > 0, "tracked interval 0 ({headers:?})");
    }
}

/// F1, second symptom (same root cause, same configuration): the 2xx of the
/// INVITE above has no Session-Expires and the UAC supports timers, so flow 9
/// takes `proxy_interval()` for the interval, adds
/// `Session-Expires: 0;refresher=uac`, and arms a dialog lifetime of 0 — the
/// call would be ended at once.
#[test]
fn f1_reply_never_arms_a_zero_lifetime() {
    let cfg = Config { min_se: 0, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };
    let invite = facts(&[("Supported", "timer"), ("CSeq", "1 INVITE")]);
    let state = initial_invite(&invite, &cfg).state;
    assert_eq!((state.requester, state.supported), (Requester::Proxy, Supported::Uac));
    let ok = facts(&[("CSeq", "1 INVITE")]);
    // Also from a record whose interval is 0 (as loaded from storage).
    for s in [state, SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 0 }] {
        let dialog = DialogNow { confirmed: false, armed_remaining: None, lifetime: 43200, bound: i32::MAX as u32, answered_ago: None };
        let d = reply(s, 200, Some(&ok), &cfg, &ReplyContext { initial: true, kept_leg: true, dialog });
        assert_ne!(d.lifetime.map(|l| l.seconds), Some(0), "zero lifetime armed from {s:?}");
        for e in d.edits.iter() {
            if let Edit::AddSessionExpires { interval, refresher } = e {
                assert_eq!(refresher, Some(Refresher::Uac));
                assert!(interval > 0, "reply got Session-Expires: 0 from {s:?}");
            }
        }
    }
}
