//! The 16-byte `sst_info` dialog value: from_bytes/to_bytes round trip for
//! 16 bytes holding flag values a module writes (byte-compatible with the C
//! sst_info_t), an error naming the length or the flags otherwise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sst::rfc4028::policy::{Config, Method};
use sst::session::events::{request_within, Arm, Known};
use sst::session::dialog_state::{BadRecord, DialogNow, Lifetime, Requester, STATE_LEN, SstState, Supported};

const INT_MAX: u32 = i32::MAX as u32;

/// The module defaults (min_se 1800, dialog default_timeout 12 h, no max_se).
const CFG: Config = Config { min_se: 1800, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };

/// An ACK through the entry the module's callback calls, with this record.
fn ack(s: SstState, now: &DialogNow) -> sst::rfc4028::policy::RequestDecision {
    let d = request_within(Method::Ack, &mut Known { record: Some(s), ..Known::default() }, &CFG, now);
    sst::rfc4028::policy::RequestDecision { edits: d.edits, lifetime: d.lifetime.map(Arm::lifetime) }
}

fuzz_target!(|data: &[u8]| {
    match SstState::from_bytes(data) {
        Ok(s) => {
            assert_eq!(data.len(), STATE_LEN);
            let b = s.to_bytes();
            // requester, supported, interval survive; the C refcnt is written 0.
            assert_eq!(&b[..12], &data[..12]);
            assert_eq!(&b[12..], &[0u8; 4]);
            assert_eq!(SstState::from_bytes(&b), Ok(s));
            assert_eq!(s.to_bytes(), b);
            // Flow 12 re-arms only a running timer of a confirmed dialog,
            // never with 0, with the recorded interval within what the dialog
            // timer can hold, and only when the dialog's lifetime differs;
            // otherwise only a lifetime above the bound is clamped again.
            for bound in [1, 90, INT_MAX] {
                let want = Lifetime::within(s.interval, bound);
                let other = want.seconds.wrapping_add(1);
                for current in [0, s.interval, want.seconds, other] {
                    for confirmed in [true, false] {
                        let now = DialogNow { confirmed, armed_remaining: None, lifetime: current, bound, answered_ago: None };
                        let d = ack(s, &now);
                        assert!(d.edits.is_empty());
                        if !confirmed {
                            assert_eq!(d.lifetime, None);
                        } else if s.timer_active() && current != want.seconds {
                            let l = d.lifetime.expect("a running timer not given its interval");
                            assert_eq!(l, want);
                            assert!(l.seconds > 0 && l.seconds <= bound && l.seconds != current);
                            assert_eq!(l.clamped_from.is_some(), s.interval > bound);
                        } else {
                            // no timer, or it has its interval: only a lifetime
                            // that no longer fits the timer is clamped again
                            let refit = (current > bound).then(|| Lifetime::within(current, bound));
                            assert_eq!(d.lifetime, refit);
                        }
                    }
                }
                // a lifetime that fits the timer and is not the interval
                let fits = want.seconds.saturating_sub(1);
                let now = DialogNow { confirmed: true, armed_remaining: None, lifetime: fits, bound, answered_ago: None };
                assert_eq!(
                    s.timer_active(),
                    ack(s, &now).lifetime.is_some()
                );
            }
        }
        Err(BadRecord::Length(n)) => {
            assert_ne!(data.len(), STATE_LEN);
            assert_eq!(n, data.len());
        }
        Err(BadRecord::Flags { requester, supported }) => {
            assert_eq!(data.len(), STATE_LEN);
            let word = |i: usize| u32::from_ne_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
            assert_eq!((requester, supported), (word(0), word(4)));
            assert!(Requester::from_flags(requester).is_none() || Supported::from_flags(supported).is_none());
        }
    }
    // Every prefix/extension of a good record other than 16 bytes is refused.
    if data.len() >= STATE_LEN {
        assert!(!matches!(SstState::from_bytes(&data[..STATE_LEN]), Err(BadRecord::Length(_))));
        if data.len() > STATE_LEN {
            assert_eq!(
                SstState::from_bytes(&data[..STATE_LEN + 1]),
                Err(BadRecord::Length(STATE_LEN + 1))
            );
        }
        assert_eq!(
            SstState::from_bytes(&data[..STATE_LEN - 1]),
            Err(BadRecord::Length(STATE_LEN - 1))
        );
    }
});
