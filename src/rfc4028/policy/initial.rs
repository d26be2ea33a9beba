//! The initial INVITE: `sstCheckMin()`'s comparison, and the decision taken
//! when a dialog with the sst flag is created (flows 1 to 5).

use super::super::state::{SstState, SST_PXY, SST_UAC, SST_UNDF};
use super::edits::{Edit, Edits};
use super::facts::MessageFacts;
use super::{Config, RFC_MIN_SE};

/// Outcome of `sstCheckMin()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckMin {
    /// Not an INVITE/UPDATE request, or no Session-Expires: false.
    NotApplicable,
    /// Our min_se is not larger than what the request offers: false.
    LargeEnough,
    /// Our min_se is larger: true (and a 422 with `Min-SE: min_se` if asked).
    TooSmall { min_se: u32 },
}

pub fn check_min(is_invite_or_update: bool, facts: &MessageFacts, min_se: u32) -> CheckMin {
    if !is_invite_or_update {
        return CheckMin::NotApplicable;
    }
    let Some(se) = facts.se() else {
        return CheckMin::NotApplicable;
    };
    let offered = se.interval.min(facts.min_se.unwrap_or(RFC_MIN_SE));
    if min_se > offered {
        CheckMin::TooSmall { min_se }
    } else {
        CheckMin::LargeEnough
    }
}

/// Decision on an initial INVITE that created a dialog with the sst flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialDecision {
    /// Forward (with the edits) and track the dialog. Its lifetime is left
    /// alone here: the dialog module arms the timer only at the 2xx (whose
    /// decision sets it), and leaving it keeps a script's $DLG_timeout for a
    /// call that ends up without a session timer.
    Track {
        state: SstState,
        edits: Edits,
        /// The request was too small for a UAC that would take a 422 and
        /// rejecting is on, but no 422 could be sent from where the decision
        /// was taken: it was raised instead (flow 2 handled as flow 4),
        /// which the operator is told.
        raised_instead_of_422: bool,
    },
    /// Answer `422 Session Timer Too Small` with `Min-SE: min_se`; do not
    /// forward, do not track.
    Reject { min_se: u32 },
}

/// What the script asked for this one call before the dialog was created
/// (`$sst(interval)`, `$sst(insert)`); the default is the configuration's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallOptions {
    /// The interval to request instead of `sst_interval` (still at least
    /// min_se, as every interval this proxy asks for).
    pub interval: Option<u32>,
    /// Whether to request session timers on behalf of a UAC that did not
    /// (flow 5). Off: the request keeps no Session-Expires, so a UAS that
    /// does not handle timers is never made to (OpenSIPS #991).
    pub insert: bool,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions { interval: None, insert: true }
    }
}

/// `can_reject`: whether a 422 can be sent from where the decision is taken.
/// From the dialog module's "created" callback it cannot (the transaction
/// is still being built there), and RFC 4028 §8.1 leaves the proxy the other
/// choice: raise Min-SE and Session-Expires to its minimum and forward.
pub fn initial_invite(facts: &MessageFacts, cfg: &Config, can_reject: bool) -> InitialDecision {
    initial_invite_for_call(facts, cfg, &CallOptions::default(), can_reject)
}

/// `initial_invite` with the script's per-call options.
pub fn initial_invite_for_call(
    facts: &MessageFacts,
    cfg: &Config,
    call: &CallOptions,
    can_reject: bool,
) -> InitialDecision {
    let cfg = &Config { sst_interval: call.interval.unwrap_or(cfg.sst_interval), ..*cfg };
    let mut edits = Edits::default();
    let uac_supports = if facts.supports_timer { SST_UAC } else { SST_UNDF };
    let cap = cfg.request_cap(facts.min_se);
    let too_small_for_422 = facts.supports_timer && cfg.reject_to_small;
    let (requester, interval) = match facts.se() {
        // Flow 1: the UAC asks for enough; more than max_se is lowered to it.
        Some(se) if se.interval >= cfg.floor() => match cap {
            Some(cap) if se.interval > cap => {
                edits.push(Edit::SetSessionExpires(cap), facts);
                (SST_UAC, cap)
            }
            _ => (SST_UAC, se.interval),
        },
        // Flow 2: too small, the UAC can handle a 422 -> reject (RFC 4028 §8.1).
        Some(_) if too_small_for_422 && can_reject => {
            let min_se = cfg.min_se.max(facts.min_se.unwrap_or(0)).max(RFC_MIN_SE);
            return InitialDecision::Reject { min_se };
        }
        // Flow 3: too small but rejecting is off -> forward unchanged.
        Some(se) if facts.supports_timer && !cfg.reject_to_small => (SST_UAC, se.interval),
        // Flow 4: too small and the UAC would not understand a 422 (or no
        // 422 can be sent from here): raise Min-SE, and Session-Expires with
        // it (§8.1: a proxy that raises Min-SE above Session-Expires MUST
        // raise Session-Expires too).
        Some(se) => {
            let value = cfg.floor().max(facts.min_se.unwrap_or(0));
            // Session-Expires first: should memory run out before Min-SE
            // is replaced, the request still never carries an SE below its
            // Min-SE (edits stop at the first that fails).
            edits.push(Edit::SetSessionExpires(value), facts);
            edits.push(Edit::ReplaceMinSe(value), facts);
            let state = SstState { requester: SST_UAC, supported: uac_supports, interval: value };
            // (min_se 0 with Session-Expires: 0 is raised to the floor of 1
            // without a word: nothing was below min_se)
            let raised_instead_of_422 = too_small_for_422 && se.interval < cfg.min_se;
            return InitialDecision::Track { state, edits, raised_instead_of_422 };
        }
        // Flow 5 opted out by the script: nobody requests session timers
        // and the request goes on untouched; a UAS may still start them in
        // its 2xx, which is then followed as in flow 8.
        None if !call.insert => (SST_UNDF, 0),
        // Flow 5: no Session-Expires: the proxy requests session timers.
        None => {
            let wanted = facts.min_se.unwrap_or(0).max(cfg.proxy_interval());
            let interval = cap.map_or(wanted, |cap| wanted.min(cap));
            if let Some(m) = facts.min_se {
                if m < cfg.min_se {
                    edits.push(Edit::ReplaceMinSe(cfg.min_se), facts);
                }
            }
            // A proxy must not choose the refresher (§8.1): no parameter.
            edits.push(Edit::AddSessionExpires { interval, refresher: None }, facts);
            (SST_PXY, interval)
        }
    };
    let state = SstState { requester, supported: uac_supports, interval };
    InitialDecision::Track { state, edits, raised_instead_of_422: false }
}
