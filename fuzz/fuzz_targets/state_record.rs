//! The 16-byte `sst_info` dialog value: from_bytes/to_bytes round trip for
//! 16 bytes (byte-compatible with the C sst_info_t), an error otherwise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sst::rfc4028::policy::lifetime_on_ack_or_prack;
use sst::rfc4028::state::{BadStateLength, SstState, SST_NSUP, STATE_LEN};

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
            // Flow 12 re-arms only a running timer, never with 0, and only
            // when the dialog's current lifetime differs.
            let other = s.interval.wrapping_add(1);
            for current in [0, s.interval, other] {
                match lifetime_on_ack_or_prack(&s, current) {
                    Some(l) => {
                        assert_eq!(l, s.interval);
                        assert!(l > 0 && l != current);
                        assert!(s.supported != SST_NSUP);
                    }
                    None => {
                        assert!(s.supported == SST_NSUP || s.interval == 0 || current == s.interval)
                    }
                }
            }
            assert_eq!(
                s.timer_active(),
                lifetime_on_ack_or_prack(&s, other).is_some()
            );
        }
        Err(e) => {
            assert_ne!(data.len(), STATE_LEN);
            assert_eq!(e, BadStateLength(data.len()));
        }
    }
    // Every prefix/extension of a good record other than 16 bytes is refused.
    if data.len() >= STATE_LEN {
        assert!(SstState::from_bytes(&data[..STATE_LEN]).is_ok());
        if data.len() > STATE_LEN {
            assert_eq!(
                SstState::from_bytes(&data[..STATE_LEN + 1]),
                Err(BadStateLength(STATE_LEN + 1))
            );
        }
        assert_eq!(
            SstState::from_bytes(&data[..STATE_LEN - 1]),
            Err(BadStateLength(STATE_LEN - 1))
        );
    }
});
