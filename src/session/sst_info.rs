//! The per-dialog session-timer record, stored as the dialog value
//! `sst_info`: 16 bytes, byte-compatible with the C module's `sst_info_t`
//! (requester, supported, interval, refcnt; native-endian u32 each), so a
//! dialog saved or replicated by either module loads in the other.

use crate::rfc4028::grammar::Refresher;

/// Who asked for session timers; stored as the C module's `enum
/// sst_flags` value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Requester {
    /// Nobody (SST_UNDF): a 2xx may still start a session timer.
    #[default]
    Nobody,
    /// The UAC, with its own Session-Expires (SST_UAC).
    Uac,
    /// This proxy, on behalf of a UAC that did not (SST_PXY).
    Proxy,
}

/// Who supports session timers; stored as the C module's `enum sst_flags`
/// value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Supported {
    /// Not known yet (SST_UNDF): the UAC did not say so and no 2xx settled it.
    #[default]
    Unknown,
    /// The UAC (SST_UAC): it can refresh.
    Uac,
    /// The UAS only (SST_UAS).
    Uas,
    /// Neither end (SST_NSUP): no session timer, the dialog keeps its own
    /// timeout.
    Neither,
}

/// The C module's flag values (`enum sst_flags`).
const SST_UNDF: u32 = 0;
const SST_UAC: u32 = 1;
const SST_UAS: u32 = 2;
const SST_PXY: u32 = 4;
const SST_NSUP: u32 = 8;

impl Requester {
    /// The value the C record holds (also what `dlg_list_ctx` and
    /// `$sst(requester_flags)` show).
    pub fn flags(self) -> u32 {
        match self {
            Requester::Nobody => SST_UNDF,
            Requester::Uac => SST_UAC,
            Requester::Proxy => SST_PXY,
        }
    }

    /// None for a value neither module writes.
    pub fn from_flags(v: u32) -> Option<Requester> {
        [Requester::Nobody, Requester::Uac, Requester::Proxy].into_iter().find(|r| r.flags() == v)
    }
}

impl Supported {
    /// The value the C record holds (also what `dlg_list_ctx` and
    /// `$sst(supported_flags)` show).
    pub fn flags(self) -> u32 {
        match self {
            Supported::Unknown => SST_UNDF,
            Supported::Uac => SST_UAC,
            Supported::Uas => SST_UAS,
            Supported::Neither => SST_NSUP,
        }
    }

    /// None for a value neither module writes.
    pub fn from_flags(v: u32) -> Option<Supported> {
        [Supported::Unknown, Supported::Uac, Supported::Uas, Supported::Neither].into_iter().find(|s| s.flags() == v)
    }
}

pub const STATE_LEN: usize = 16;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SstState {
    pub requester: Requester,
    pub supported: Supported,
    /// Session interval in seconds (the dialog lifetime while timing is on).
    pub interval: u32,
}

/// Why bytes are no record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadRecord {
    /// Not 16 bytes.
    Length(usize),
    /// A requester or supported value neither module writes (a record
    /// spoiled in storage or by a peer: nothing read back is trusted).
    Flags { requester: u32, supported: u32 },
}

impl SstState {
    /// Whether a session timer is running (as opposed to a dialog that only
    /// keeps the dialog module's default timeout).
    pub fn timer_active(&self) -> bool {
        self.supported != Supported::Neither && self.interval > 0
    }

    pub fn to_bytes(self) -> [u8; STATE_LEN] {
        let mut b = [0u8; STATE_LEN];
        b[0..4].copy_from_slice(&self.requester.flags().to_ne_bytes());
        b[4..8].copy_from_slice(&self.supported.flags().to_ne_bytes());
        b[8..12].copy_from_slice(&self.interval.to_ne_bytes());
        // bytes 12..16: the C module's reference count, meaningless across
        // processes and restarts; written 0.
        b
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, BadRecord> {
        if b.len() != STATE_LEN {
            return Err(BadRecord::Length(b.len()));
        }
        let word = |i: usize| u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let (requester, supported) = (word(0), word(4));
        match (Requester::from_flags(requester), Supported::from_flags(supported)) {
            (Some(requester), Some(supported)) => Ok(SstState { requester, supported, interval: word(8) }),
            _ => Err(BadRecord::Flags { requester, supported }),
        }
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
        let s = SstState { requester: Requester::Proxy, supported: Supported::Uac, interval: 1800 };
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
        assert_eq!(s, SstState { requester: Requester::Uac, supported: Supported::Uas, interval: 90 });
    }

    #[test]
    fn every_flag_value_round_trips_and_no_other_is_a_record() {
        for r in [Requester::Nobody, Requester::Uac, Requester::Proxy] {
            assert_eq!(Requester::from_flags(r.flags()), Some(r));
        }
        for s in [Supported::Unknown, Supported::Uac, Supported::Uas, Supported::Neither] {
            assert_eq!(Supported::from_flags(s.flags()), Some(s));
        }
        let record = |req: u32, sup: u32| {
            let mut b = Vec::new();
            for w in [req, sup, 1800, 0] {
                b.extend_from_slice(&w.to_ne_bytes());
            }
            SstState::from_bytes(&b)
        };
        assert!(record(4, 8).is_ok());
        for (req, sup) in [(2, 1), (8, 1), (3, 1), (1, 4), (1, 3), (u32::MAX, 0)] {
            assert_eq!(record(req, sup), Err(BadRecord::Flags { requester: req, supported: sup }));
        }
    }

    #[test]
    fn truncated_or_oversized_records_are_refused() {
        assert_eq!(SstState::from_bytes(&[0; 15]), Err(BadRecord::Length(15)));
        assert_eq!(SstState::from_bytes(&[0; 17]), Err(BadRecord::Length(17)));
        assert_eq!(SstState::from_bytes(&[]), Err(BadRecord::Length(0)));
    }
}
