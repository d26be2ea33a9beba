//! The dialog timer's side of session timing: what the dialog module can
//! hold, what it tells us about a dialog when a callback runs, and the
//! lifetimes the proxy hands it.

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
mod tests {
    use super::*;

    #[test]
    fn bound_keeps_ticks_plus_lifetime_and_the_unix_expiry_in_an_int() {
        let now = 1_800_000_000u64;
        let b = lifetime_bound(1000, now);
        assert_eq!(b as u64, i32::MAX as u64 - now);
        assert!(u64::from(b) + 1000 <= i32::MAX as u64);
        // a long-running server: the tick counter binds first
        assert_eq!(lifetime_bound(i32::MAX as u32 - 10, 100), 10);
        // the edges: never 0, whatever the counters say
        assert_eq!(lifetime_bound(u32::MAX, now), 1);
        assert_eq!(lifetime_bound(0, u64::MAX), i32::MAX as u32);
        assert_eq!(lifetime_bound(0, i32::MAX as u64), i32::MAX as u32);
    }

    #[test]
    fn lifetime_within_the_bound_is_kept_and_above_it_is_clamped() {
        assert_eq!(Lifetime::within(1800, 5000), Lifetime { seconds: 1800, clamped_from: None });
        assert_eq!(Lifetime::within(5000, 5000), Lifetime { seconds: 5000, clamped_from: None });
        assert_eq!(Lifetime::within(u32::MAX, 5000), Lifetime { seconds: 5000, clamped_from: Some(u32::MAX) });
        assert_eq!(Lifetime::within(1 << 31, 5000).seconds, 5000);
    }
}
