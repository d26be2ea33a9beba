//! The proxy policy (RFC 4028 §8 and the module documentation) as pure
//! functions: facts of a message + configuration + dialog state -> decision.

use super::grammar::{self, HeaderError, HeaderName, Refresher, SessionExpires};
use super::state::{SstState, SST_NSUP, SST_PXY, SST_UAC, SST_UAS, SST_UNDF};

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
}

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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CseqMethod {
    Invite,
    Update,
    Other,
}

/// What one message says about session timers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageFacts {
    /// The Session-Expires header and its position among the headers.
    pub session_expires: Option<(SessionExpires, usize)>,
    pub min_se: Option<u32>,
    /// `Supported: timer`
    pub supports_timer: bool,
    /// A Require header exists / names `timer`.
    pub has_require: bool,
    pub requires_timer: bool,
    pub cseq_method: Option<CseqMethod>,
}

impl MessageFacts {
    pub fn se(&self) -> Option<SessionExpires> {
        self.session_expires.map(|(se, _)| se)
    }
}

/// A header the module could not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactsError {
    pub header: &'static str,
    pub error: HeaderError,
}

/// Reads the facts from a message's headers, given as (name, body) pairs in
/// message order. Session-Expires and Min-SE may appear once each.
pub fn gather<'a, I>(headers: I) -> Result<MessageFacts, FactsError>
where
    I: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    let mut f = MessageFacts::default();
    for (index, (name, body)) in headers.into_iter().enumerate() {
        match grammar::classify_name(name) {
            HeaderName::SessionExpires => {
                let err = |error| FactsError { header: "Session-Expires", error };
                if f.session_expires.is_some() {
                    return Err(err(HeaderError::Duplicate));
                }
                f.session_expires = Some((grammar::parse_session_expires(body).map_err(err)?, index));
            }
            HeaderName::MinSe => {
                let err = |error| FactsError { header: "Min-SE", error };
                if f.min_se.is_some() {
                    return Err(err(HeaderError::Duplicate));
                }
                f.min_se = Some(grammar::parse_min_se(body).map_err(err)?);
            }
            HeaderName::Supported => f.supports_timer |= grammar::has_option_tag(body, b"timer"),
            HeaderName::Require => {
                f.has_require = true;
                f.requires_timer |= grammar::has_option_tag(body, b"timer");
            }
            HeaderName::CSeq => {
                f.cseq_method = grammar::cseq_method(body).map(|m| match m {
                    b"INVITE" => CseqMethod::Invite,
                    b"UPDATE" => CseqMethod::Update,
                    _ => CseqMethod::Other,
                })
            }
            HeaderName::Other => {}
        }
    }
    Ok(f)
}

/// A change to the message being forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Remove every Min-SE header and add `Min-SE: value`.
    ReplaceMinSe(u32),
    /// Rewrite the Session-Expires delta-seconds in place (parameters kept).
    RaiseSessionExpires(u32),
    /// Add a Session-Expires header.
    AddSessionExpires { interval: u32, refresher: Option<Refresher> },
    /// Add `timer` to Require (append to the first Require, or add one).
    AddRequireTimer,
}

/// Up to three edits, without allocating on the per-message path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    items: [Option<Edit>; 3],
}

impl Edits {
    pub fn push(&mut self, e: Edit) {
        if let Some(slot) = self.items.iter_mut().find(|s| s.is_none()) {
            *slot = Some(e);
        } else {
            debug_assert!(false, "more than three edits");
        }
    }
    pub fn iter(&self) -> impl Iterator<Item = Edit> + '_ {
        self.items.iter().filter_map(|e| *e)
    }
    pub fn is_empty(&self) -> bool {
        self.items[0].is_none()
    }
}

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
    Track { state: SstState, edits: Edits },
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
/// From the dialog module's "created" callback it cannot (see module.rs), and
/// RFC 4028 §8.1 leaves the proxy the other choice: raise Min-SE and
/// Session-Expires to its minimum and forward.
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
    let (requester, interval) = match facts.se() {
        // Flow 1: the UAC asks for enough.
        Some(se) if se.interval >= cfg.floor() => (SST_UAC, se.interval),
        // Flow 2: too small, the UAC can handle a 422 -> reject (RFC 4028 §8.1).
        Some(_) if facts.supports_timer && cfg.reject_to_small && can_reject => {
            let min_se = cfg.min_se.max(facts.min_se.unwrap_or(0)).max(RFC_MIN_SE);
            return InitialDecision::Reject { min_se };
        }
        // Flow 3: too small but rejecting is off -> forward unchanged.
        Some(se) if facts.supports_timer && !cfg.reject_to_small => (SST_UAC, se.interval),
        // Flow 4: too small and the UAC would not understand a 422 (or no
        // 422 can be sent from here): raise Min-SE, and Session-Expires with
        // it (§8.1: a proxy that raises Min-SE above Session-Expires MUST
        // raise Session-Expires too).
        Some(_) => {
            let value = cfg.floor().max(facts.min_se.unwrap_or(0));
            edits.push(Edit::ReplaceMinSe(value));
            edits.push(Edit::RaiseSessionExpires(value));
            (SST_UAC, value)
        }
        // Flow 5 opted out by the script: nobody requests session timers
        // and the request goes on untouched; a UAS may still start them in
        // its 2xx, which is then followed as in flow 8.
        None if !call.insert => (SST_UNDF, 0),
        // Flow 5: no Session-Expires: the proxy requests session timers.
        None => {
            let interval = facts.min_se.unwrap_or(0).max(cfg.proxy_interval());
            if let Some(m) = facts.min_se {
                if m < cfg.min_se {
                    edits.push(Edit::ReplaceMinSe(cfg.min_se));
                }
            }
            // A proxy must not choose the refresher (§8.1): no parameter.
            edits.push(Edit::AddSessionExpires { interval, refresher: None });
            (SST_PXY, interval)
        }
    };
    let state = SstState { requester, supported: uac_supports, interval };
    InitialDecision::Track { state, edits }
}

/// Who refreshes the session after a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefresherUpdate {
    /// The reply did not settle the session: whatever was recorded stands.
    Keep,
    /// The session runs and this end refreshes it.
    Set(Refresher),
    /// No session timer, or nobody named a refresher that can be inferred.
    Clear,
}

/// Decision on a reply seen in a tracked dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyDecision {
    pub state: SstState,
    pub edits: Edits,
    /// New dialog lifetime, when it changes.
    pub lifetime: Option<u32>,
    pub refresher: RefresherUpdate,
}

/// The refresher of a session settled by a 2xx carrying Session-Expires
/// (RFC 4028 §7.2, §9). The UAS's word is taken as given, `refresher=uas`
/// included, even when the UAC supports timers and asked to refresh
/// (RFC 4028 erratum 8926): the 2xx decides. Without a parameter only one
/// case is certain: a UAC that does not support timers cannot refresh, so
/// it is the UAS.
fn refresher_of_2xx(se: SessionExpires, state: &SstState) -> RefresherUpdate {
    match se.refresher {
        Some(r) => RefresherUpdate::Set(r),
        None if state.supported != SST_UAC => RefresherUpdate::Set(Refresher::Uas),
        None => RefresherUpdate::Clear,
    }
}

/// `initial`: a reply to the dialog-creating INVITE (else in-dialog).
pub fn reply(
    state: SstState,
    status: u32,
    facts: &MessageFacts,
    cfg: &Config,
    initial: bool,
) -> ReplyDecision {
    let mut d = ReplyDecision { state, edits: Edits::default(), lifetime: None, refresher: RefresherUpdate::Keep };
    // Flow 7: a 422 to the initial INVITE tells us the far end's floor;
    // never offer less. A 422 to a refresh is a failed refresh: the session
    // in force does not change (RFC 4028 §10), so neither does the record.
    if status == 422 {
        if let (true, Some(m)) = (initial, facts.min_se) {
            d.state.interval = d.state.interval.max(m);
        }
        return d;
    }
    let refresh_method = matches!(facts.cseq_method, Some(CseqMethod::Invite | CseqMethod::Update));
    if !(200..300).contains(&status) || !refresh_method {
        return d;
    }
    // A zero interval is no interval (RFC 4028 §4 floor is 90): arming a
    // zero lifetime would end a live call at once, so it counts as absent.
    let se = facts.se().filter(|se| se.interval > 0);
    let uas_supports = facts.supports_timer || facts.requires_timer || se.is_some();
    if let Some(se) = se {
        // Flow 8: both ends will use the interval of the 2xx.
        d.state.interval = se.interval;
        if d.state.supported != SST_UAC {
            d.state.supported = if uas_supports { SST_UAS } else { SST_UNDF };
        }
        d.lifetime = Some(se.interval);
        d.refresher = refresher_of_2xx(se, &state);
    } else if initial && state.supported == SST_UAC && state.requester != SST_UNDF {
        // Flow 9: the UAS ignored session timers but the UAC supports them:
        // tell the UAC to refresh (RFC 4028 §8.2).
        let interval = if state.interval > 0 { state.interval } else { cfg.proxy_interval() };
        d.state.interval = interval;
        d.edits.push(Edit::AddSessionExpires { interval, refresher: Some(Refresher::Uac) });
        if !facts.requires_timer {
            d.edits.push(Edit::AddRequireTimer);
        }
        d.lifetime = Some(interval);
        d.refresher = RefresherUpdate::Set(Refresher::Uac);
    } else {
        // Flow 10 (neither end supports) and flow 11 (a refresh answered
        // without Session-Expires): no session timer from now on. The
        // interval is stored as the dialog module's default timeout, as the
        // C module does, so a C module reading this record never sets a zero
        // lifetime.
        d.state.supported = SST_NSUP;
        d.state.interval = cfg.default_timeout;
        d.refresher = RefresherUpdate::Clear;
        // Initial 2xx: we never touched the lifetime, so the dialog keeps
        // its own ($DLG_timeout or default_timeout: OpenSIPS #2829). A
        // refresh: our session interval is in force and must be undone.
        if !initial {
            d.lifetime = Some(cfg.default_timeout);
        }
    }
    d
}

/// Flow 12: ACK and PRACK can make the dialog module re-arm its timer from
/// its own idea of the timeout (a script's $DLG_timeout); while a session
/// timer runs, give it ours — only when the lifetime differs, so an ACK
/// that changed nothing (e.g. for a refused refresh) does not move the expiry.
pub fn lifetime_on_ack_or_prack(state: &SstState, current_lifetime: u32) -> Option<u32> {
    (state.timer_active() && current_lifetime != state.interval).then_some(state.interval)
}

/// Flow 11, the request side: a refresh (re-INVITE/UPDATE) proposing
/// Session-Expires P while a session timer runs. The dialog module re-arms
/// its timer (and replicates the expiry to a backup node) only after
/// request callbacks, never at the reply - an UPDATE has no ACK to carry the
/// 2xx's value - so the lifetime is set to P here. A UAS may lower P but
/// never raise it (RFC 4028 §9), so the expiry armed here is never earlier
/// than the session's; the 2xx then settles the interval.
pub fn lifetime_on_refresh_request(state: &SstState, facts: &MessageFacts) -> Option<u32> {
    let proposed = facts.se()?.interval;
    (state.timer_active() && proposed > 0).then_some(proposed)
}

#[cfg(test)]
mod tests;
