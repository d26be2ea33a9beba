//! The per-dialog session-timer record, stored as the dialog value
//! `sst_info`: 16 bytes, byte-compatible with the C module's `sst_info_t`
//! (requester, supported, interval, refcnt; native-endian u32 each), so a
//! dialog saved or replicated by either module loads in the other.

use crate::rfc4028::grammar::Refresher;

/// Flag bits of `requester` and `supported` (C: `enum sst_flags`).
pub const SST_UNDF: u32 = 0;
pub const SST_UAC: u32 = 1;
pub const SST_UAS: u32 = 2;
pub const SST_PXY: u32 = 4;
pub const SST_NSUP: u32 = 8;

pub const STATE_LEN: usize = 16;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SstState {
    /// Who asked for session timers: UAC, proxy (us), or nobody.
    pub requester: u32,
    /// Who supports them: UAC, else UAS, or NSUP when neither does.
    pub supported: u32,
    /// Session interval in seconds (the dialog lifetime while timing is on).
    pub interval: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadStateLength(pub usize);

impl SstState {
    /// Whether a session timer is running (as opposed to a dialog that only
    /// keeps the dialog module's default timeout).
    pub fn timer_active(&self) -> bool {
        self.supported != SST_NSUP && self.interval > 0
    }

    pub fn to_bytes(self) -> [u8; STATE_LEN] {
        let mut b = [0u8; STATE_LEN];
        b[0..4].copy_from_slice(&self.requester.to_ne_bytes());
        b[4..8].copy_from_slice(&self.supported.to_ne_bytes());
        b[8..12].copy_from_slice(&self.interval.to_ne_bytes());
        // bytes 12..16: the C module's reference count, meaningless across
        // processes and restarts; written 0.
        b
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, BadStateLength> {
        if b.len() != STATE_LEN {
            return Err(BadStateLength(b.len()));
        }
        let word = |i: usize| u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Ok(SstState { requester: word(0), supported: word(4), interval: word(8) })
    }
}

/// Who refreshes the session, kept beside the record (not in it: the C
/// module reads all 16 bytes, its fourth word as a reference count, so a
/// byte there would leak the C module's copy after a swap back). Stored as
/// the dialog value's text, `uac` or `uas`; absent when nobody is known.
pub fn refresher_from_bytes(b: &[u8]) -> Option<Refresher> {
    match b {
        b"uac" => Some(Refresher::Uac),
        b"uas" => Some(Refresher::Uas),
        _ => None,
    }
}

pub fn refresher_to_bytes(r: Refresher) -> &'static [u8] {
    r.as_str().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresher_value_round_trips_and_refuses_anything_else() {
        for r in [Refresher::Uac, Refresher::Uas] {
            assert_eq!(refresher_from_bytes(refresher_to_bytes(r)), Some(r));
        }
        for bad in [&b""[..], b"UAC", b"ua", b"uacx", b"\0\0\0"] {
            assert_eq!(refresher_from_bytes(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn round_trip_and_c_layout() {
        let s = SstState { requester: SST_PXY, supported: SST_UAC, interval: 1800 };
        let b = s.to_bytes();
        assert_eq!(b.len(), 16);
        assert_eq!(&b[0..4], &4u32.to_ne_bytes());
        assert_eq!(&b[4..8], &1u32.to_ne_bytes());
        assert_eq!(&b[8..12], &1800u32.to_ne_bytes());
        assert_eq!(&b[12..16], &[0, 0, 0, 0]);
        assert_eq!(SstState::from_bytes(&b), Ok(s));
    }

    #[test]
    fn a_record_written_by_the_c_module_reads_back() {
        // C sst_info_t {SST_UAC, SST_UAS, 90, refcnt 2}
        let mut b = Vec::new();
        for w in [1u32, 2, 90, 2] {
            b.extend_from_slice(&w.to_ne_bytes());
        }
        let s = SstState::from_bytes(&b).unwrap();
        assert_eq!(s, SstState { requester: SST_UAC, supported: SST_UAS, interval: 90 });
    }

    #[test]
    fn truncated_or_oversized_records_are_refused() {
        assert_eq!(SstState::from_bytes(&[0; 15]), Err(BadStateLength(15)));
        assert_eq!(SstState::from_bytes(&[0; 17]), Err(BadStateLength(17)));
        assert_eq!(SstState::from_bytes(&[]), Err(BadStateLength(0)));
    }
}
