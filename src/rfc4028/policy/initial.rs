//! The module's configuration and the bounds it puts on a request; the
//! initial INVITE: `sstCheckMin()`'s comparison, and the decision taken
//! when a dialog with the sst flag is created (flows 1 to 5).

use crate::session::dialog_state::{Requester, SstState, Supported};
use super::headers::{Edit, Edits, MessageFacts, Method};

/// RFC 4028 §4: no Session-Expires or Min-SE may be below 90 seconds, and a
/// request without Min-SE is treated as Min-SE: 90 (§5).
pub const RFC_MIN_SE: u32 = 90;

/// Module configuration, fixed after mod_init.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub min_se: u32,
    pub sst_interval: u32,
    pub reject_to_small: bool,
    /// The dialog module's default_timeout: the lifetime of a dialog without
    /// a session timer.
    pub default_timeout: u32,
    /// The longest Session-Expires this proxy lets a request carry, and so
    /// the longest session it arms; 0: no cap.
    pub max_se: u32,
    /// The longest a tracked call may last from its answer, refreshes or
    /// not (`max_duration`); 0: no limit.
    pub max_duration: u32,
    /// What is left of a call whose refresh was answered 408 or 481 (the
    /// far end lost the dialog, RFC 3261 §12.2.1.2), so that the BYE the
    /// UAC should send still passes (`dead_call_grace`); 0: off.
    pub dead_call_grace: u32,
}

/// The bounds the settings put on a request's session interval (RFC 4028
/// §8.1), used by the request rules here and in `within`.
impl Config {
    /// The smallest session interval the proxy lets through: min_se, but
    /// never 0 (min_se = 0 is accepted at start-up with a warning; a zero
    /// interval would mean `Session-Expires: 0` and a call ended at once).
    pub fn floor(&self) -> u32 {
        self.min_se.max(1)
    }

    /// The interval this proxy asks for when it requests session timers.
    pub fn proxy_interval(&self) -> u32 {
        self.sst_interval.max(self.floor())
    }

    /// The longest Session-Expires a request with Min-SE `request_min_se`
    /// may carry on: max_se, but never below that Min-SE (RFC 4028 §8.1: a
    /// proxy may lower Session-Expires, never below Min-SE). None: no cap.
    pub fn request_cap(&self, request_min_se: Option<u32>) -> Option<u32> {
        (self.max_se > 0).then(|| self.max_se.max(request_min_se.unwrap_or(0)))
    }

    /// The maximum duration in force for a call: its own (`$sst(max_duration)`,
    /// 0: none for this call), else the setting (0: none).
    pub fn max_duration_for(&self, call_own: Option<u32>) -> Option<u32> {
        Some(call_own.unwrap_or(self.max_duration)).filter(|m| *m > 0)
    }
}

/// Outcome of `sstCheckMin()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckMin {
    /// Not an INVITE/UPDATE request, or no Session-Expires: false.
    NotApplicable,
    /// The request's timer headers could not be read (malformed or repeated).
    Unreadable,
    /// Our min_se is not larger than what the request offers: false.
    LargeEnough,
    /// Our min_se is larger: true (and a 422 with `Min-SE: min_se` if asked).
    TooSmall { min_se: u32 },
}

/// `facts` is asked for only for an INVITE or UPDATE (reading them parses
/// every header); None when they cannot be read.
pub fn check_min(method: Method, facts: impl FnOnce() -> Option<MessageFacts>, min_se: u32) -> CheckMin {
    if !matches!(method, Method::Invite | Method::Update) {
        return CheckMin::NotApplicable;
    }
    let Some(facts) = facts() else {
        return CheckMin::Unreadable;
    };
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

/// Decision on an initial INVITE that created a dialog with the sst flag:
/// forward it with the edits and track the dialog. Its lifetime is left
/// alone here: the dialog module arms the timer only at the 2xx (whose
/// decision sets it), and leaving it keeps a script's $DLG_timeout for a
/// call that ends up without a session timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitialDecision {
    pub state: SstState,
    pub edits: Edits,
    /// The request was too small for a UAC that would take a 422 and
    /// rejecting is on, but no 422 can be sent from the dialog-created
    /// callback, where this is decided: it was raised instead (flow 2
    /// handled as flow 4), which the operator is told.
    pub raised_instead_of_422: bool,
}

/// What the script asked for this one call before the dialog was created
/// (`$sst(interval)`, `$sst(insert)`, `$sst(max_duration)`); the default is
/// the configuration's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallOptions {
    /// The interval to request instead of `sst_interval` (still at least
    /// min_se, as every interval this proxy asks for).
    pub interval: Option<u32>,
    /// Whether to request session timers on behalf of a UAC that did not
    /// (flow 5). Off: the request keeps no Session-Expires, so a UAS that
    /// does not handle timers is never made to (OpenSIPS #991).
    pub insert: bool,
    /// The longest this call may last from its answer, instead of the
    /// `max_duration` setting; Some(0): no limit for this call.
    pub max_duration: Option<u32>,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions { interval: None, insert: true, max_duration: None }
    }
}

/// The 422 of flow 2 is never sent from here: with the usual
/// `create_dialog(); t_relay();` the dialog-created callback runs inside tm
/// while the transaction is still being built, and replying there is what
/// crashes the C module; RFC 4028 §8.1 leaves the proxy the other choice:
/// raise Min-SE and Session-Expires to its minimum and forward. The 422
/// belongs in the script (`sstCheckMin(1)` before `create_dialog()`).
pub fn initial_invite(facts: &MessageFacts, cfg: &Config) -> InitialDecision {
    initial_invite_for_call(facts, cfg, &CallOptions::default())
}

/// `initial_invite` with the script's per-call options.
pub fn initial_invite_for_call(
    facts: &MessageFacts,
    cfg: &Config,
    call: &CallOptions,
) -> InitialDecision {
    let cfg = &Config { sst_interval: call.interval.unwrap_or(cfg.sst_interval), ..*cfg };
    let mut edits = Edits::default();
    let uac_supports = if facts.supports_timer { Supported::Uac } else { Supported::Unknown };
    let cap = cfg.request_cap(facts.min_se);
    let too_small_for_422 = facts.supports_timer && cfg.reject_to_small;
    let (requester, interval) = match facts.se() {
        // Flow 1: the UAC asks for enough; more than max_se is lowered to it.
        Some(se) if se.interval >= cfg.floor() => match cap {
            Some(cap) if se.interval > cap => {
                edits.push(Edit::SetSessionExpires(cap), facts);
                (Requester::Uac, cap)
            }
            _ => (Requester::Uac, se.interval),
        },
        // Flow 3: too small but rejecting is off -> forward unchanged.
        Some(se) if facts.supports_timer && !cfg.reject_to_small => (Requester::Uac, se.interval),
        // Flow 4: too small and the UAC would not understand a 422, and
        // flow 2 (it would, and rejecting is on: no 422 can be sent from
        // here): raise Min-SE, and Session-Expires with
        // it (§8.1: a proxy that raises Min-SE above Session-Expires MUST
        // raise Session-Expires too).
        Some(se) => {
            let value = cfg.floor().max(facts.min_se.unwrap_or(0));
            // Session-Expires first: should memory run out before Min-SE
            // is replaced, the request still never carries an SE below its
            // Min-SE (edits stop at the first that fails).
            edits.push(Edit::SetSessionExpires(value), facts);
            edits.push(Edit::ReplaceMinSe(value), facts);
            let state = SstState { requester: Requester::Uac, supported: uac_supports, interval: value };
            // (min_se 0 with Session-Expires: 0 is raised to the floor of 1
            // without a word: nothing was below min_se)
            let raised_instead_of_422 = too_small_for_422 && se.interval < cfg.min_se;
            return InitialDecision { state, edits, raised_instead_of_422 };
        }
        // Flow 5 opted out by the script: nobody requests session timers
        // and the request goes on untouched; a UAS may still start them in
        // its 2xx, which is then followed as in flow 8.
        None if !call.insert => (Requester::Nobody, 0),
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
            (Requester::Proxy, interval)
        }
    };
    let state = SstState { requester, supported: uac_supports, interval };
    InitialDecision { state, edits, raised_instead_of_422: false }
}
