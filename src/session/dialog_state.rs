//! What one dialog carries for its session timer outside the RFC rules:
//! the per-dialog record, stored as the dialog value `sst_info` (16 bytes,
//! byte-compatible with the C module's `sst_info_t`: requester, supported,
//! interval, refcnt; native-endian u32 each, so a dialog saved or
//! replicated by either module loads in the other), and the dialog timer's
//! side: what it can hold, what it tells us when a callback runs, and the
//! lifetimes the proxy hands it.

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

// The dialog timer.

/// What the dialog module says about a dialog when one of our callbacks runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DialogNow {
    /// The dialog is confirmed (a 2xx was seen) and not ended. Requests and
    /// replies of an early dialog (PRACK, early UPDATE) and requests after
    /// its end do not decide the lifetime: the 2xx of the INVITE does.
    pub confirmed: bool,
    /// Seconds until the dialog timer fires; None while it is not armed.
    pub armed_remaining: Option<u32>,
    /// The lifetime the dialog module arms at its next re-arm (`lifetime`).
    pub lifetime: u32,
    /// The longest lifetime the dialog timer can hold from now.
    pub bound: u32,
    /// Seconds since the dialog was answered (its first 2xx); None before
    /// (the dialog module notes the answer after the 2xx's callbacks).
    pub answered_ago: Option<u32>,
}

impl DialogNow {
    /// What is left of a maximum duration `max` counted from the answer (the
    /// whole of it before the answer is noted, at its own 2xx), at least
    /// 1 s: a zero lifetime is never armed.
    pub fn left_of(&self, max: u32) -> u32 {
        max.saturating_sub(self.answered_ago.unwrap_or(0)).max(1)
    }

    /// Whether a dialog whose timer ran out now reached the maximum duration
    /// `max`. The dialog timer ticks in whole seconds that need not begin
    /// with the wall clock's, and the answer is noted in whole seconds: an
    /// expiry armed for the end of the maximum fires when at least `max - 1`
    /// seconds show as gone since the answer.
    pub fn reached(&self, max: u32) -> bool {
        self.answered_ago.is_some_and(|ago| ago.saturating_add(1) >= max)
    }
}

/// The longest lifetime the dialog module can arm now. It adds the lifetime
/// to its tick counter and passes it around as a C `int`, and it saves and
/// replicates the expiry as a signed 32-bit Unix time; a larger value wraps
/// (a dialog that never expires, or one that ends at once). Never 0.
pub fn lifetime_bound(ticks: u32, now_unix: u64) -> u32 {
    let max = i32::MAX as u64;
    let by_ticks = max.saturating_sub(u64::from(ticks));
    // Past 2038 the Unix-time fields no longer hold any expiry; the tick
    // counter still does, so it alone bounds the lifetime then.
    let by_clock = if now_unix < max { max - now_unix } else { by_ticks };
    by_ticks.min(by_clock).max(1) as u32
}

/// A lifetime to write to the dialog, at most what its timer can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    pub seconds: u32,
    /// What was asked for, when it was more than the dialog timer can hold
    /// (the module logs it: the session itself is not changed).
    pub clamped_from: Option<u32>,
}

impl Lifetime {
    pub fn within(want: u32, bound: u32) -> Lifetime {
        if want > bound {
            Lifetime { seconds: bound, clamped_from: Some(want) }
        } else {
            Lifetime { seconds: want, clamped_from: None }
        }
    }
}

#[cfg(test)]
mod tests;
