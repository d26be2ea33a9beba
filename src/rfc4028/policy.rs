//! The proxy policy (RFC 4028 §8 and the module documentation) as pure
//! functions: facts of a message + configuration + dialog state -> decision.

use super::grammar::{self, HeaderError, HeaderName, Refresher, SessionExpires};
use super::state::{SstState, SST_NSUP, SST_PXY, SST_UAC, SST_UAS, SST_UNDF};
use super::timing::{DialogNow, Lifetime};

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

    /// The longest Session-Expires a request with Min-SE `request_min_se`
    /// may carry on: max_se, but never below that Min-SE (RFC 4028 §8.1: a
    /// proxy may lower Session-Expires, never below Min-SE). None: no cap.
    pub fn request_cap(&self, request_min_se: Option<u32>) -> Option<u32> {
        (self.max_se > 0).then(|| self.max_se.max(request_min_se.unwrap_or(0)))
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
    /// Rewrite the Session-Expires delta-seconds in place (parameters kept):
    /// raised to the proxy's minimum, or lowered to max_se.
    SetSessionExpires(u32),
    /// Add a Session-Expires header.
    AddSessionExpires { interval: u32, refresher: Option<Refresher> },
    /// Add `timer` to Require (append to the first Require, or add one).
    AddRequireTimer,
}

/// Up to three edits, without allocating on the per-message path, in the
/// order they are made: each one may rely on those before it, so when one
/// cannot be made the rest are left out and the message stays consistent.
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
    let cap = cfg.request_cap(facts.min_se);
    let (requester, interval) = match facts.se() {
        // Flow 1: the UAC asks for enough; more than max_se is lowered to it.
        Some(se) if se.interval >= cfg.floor() => match cap {
            Some(cap) if se.interval > cap => {
                edits.push(Edit::SetSessionExpires(cap));
                (SST_UAC, cap)
            }
            _ => (SST_UAC, se.interval),
        },
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
            // Session-Expires first: should memory run out before Min-SE
            // is replaced, the request still never carries an SE below its
            // Min-SE (edits stop at the first that fails).
            edits.push(Edit::SetSessionExpires(value));
            edits.push(Edit::ReplaceMinSe(value));
            (SST_UAC, value)
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

/// Where a reply stands in the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyContext {
    /// A reply to the dialog-creating INVITE (else to an in-dialog request).
    pub initial: bool,
    /// The reply comes from the leg the dialog keeps: for the INVITE, the
    /// branch that answered first; every other branch's 2xx (a forked call)
    /// and its retransmissions are answered by a BYE from the UAC and settle
    /// nothing.
    pub kept_leg: bool,
    pub dialog: DialogNow,
}

/// Decision on a reply seen in a tracked dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyDecision {
    pub state: SstState,
    pub edits: Edits,
    /// New dialog lifetime, when it changes.
    pub lifetime: Option<Lifetime>,
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

/// `facts`: None when the reply's timer headers could not be read
/// (malformed or repeated Session-Expires or Min-SE).
pub fn reply(
    state: SstState,
    status: u32,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    ctx: &ReplyContext,
) -> ReplyDecision {
    let is_2xx = (200..300).contains(&status);
    // A 2xx of the INVITE once the dialog is confirmed is a retransmission
    // (or a changed copy): the UAC's transaction absorbs it, so it settles
    // nothing, but it goes on looking like the first.
    if ctx.initial && is_2xx && ctx.dialog.confirmed && ctx.kept_leg {
        let first = ReplyContext { dialog: DialogNow { confirmed: false, ..ctx.dialog }, ..*ctx };
        let edits = reply(state, status, facts, cfg, &first).edits;
        return ReplyDecision { state, edits, lifetime: None, refresher: RefresherUpdate::Keep };
    }
    let mut d = ReplyDecision { state, edits: Edits::default(), lifetime: None, refresher: RefresherUpdate::Keep };
    // Replies within an early dialog (PRACK, early UPDATE) or after its end,
    // and a 2xx of a branch the dialog does not keep, settle nothing.
    if (!ctx.initial && !ctx.dialog.confirmed) || (is_2xx && !ctx.kept_leg) {
        return d;
    }
    let Some(facts) = facts else {
        if is_2xx && ctx.initial {
            untimed(&mut d, cfg);
        }
        // A refresh 2xx that cannot be read leaves the session in force.
        return d;
    };
    // Flow 7: a 422 to the initial INVITE tells us the far end's floor;
    // never offer less. A 422 to a refresh is a failed refresh: the session
    // in force does not change (RFC 4028 §10), so neither does the record.
    if status == 422 {
        if let (true, Some(m)) = (ctx.initial, facts.min_se) {
            d.state.interval = d.state.interval.max(m);
        }
        return d;
    }
    let refresh_method = matches!(facts.cseq_method, Some(CseqMethod::Invite | CseqMethod::Update));
    if !is_2xx || !refresh_method {
        return d;
    }
    let uas_supports = facts.supports_timer || facts.requires_timer || facts.se().is_some();
    match facts.se() {
        // No interval at all (RFC 4028 §4's floor is 90): it says neither
        // when the session ends nor who refreshes it. Adding our own
        // Session-Expires would give the UAC two; arming 0 would end a live
        // call at once. So the 2xx goes on as it is and is treated as one
        // that cannot be read.
        Some(se) if se.interval == 0 => {
            if ctx.initial {
                untimed(&mut d, cfg);
            }
        }
        // Flow 8: both ends will use the interval of the 2xx.
        Some(se) => {
            let interval = match cfg.max_se {
                0 => se.interval,
                // A UAS may only lower what the request asked (RFC 4028 §9),
                // and the request carried at most max_se, or the Min-SE that
                // forced more: the proxy arms no more than that.
                max_se => se.interval.min(max_se.max(asked_in_request(&state, ctx))),
            };
            d.state.interval = interval;
            if d.state.supported != SST_UAC {
                d.state.supported = if uas_supports { SST_UAS } else { SST_UNDF };
            }
            d.lifetime = Some(Lifetime::within(interval, ctx.dialog.bound));
            d.refresher = refresher_of_2xx(se, &state);
        }
        // Flow 9: the UAS ignored session timers but the UAC supports them:
        // tell the UAC to refresh (RFC 4028 §8.2).
        None if ctx.initial && state.supported == SST_UAC && state.requester != SST_UNDF => {
            let interval = if state.interval > 0 { state.interval } else { cfg.proxy_interval() };
            d.state.interval = interval;
            d.edits.push(Edit::AddSessionExpires { interval, refresher: Some(Refresher::Uac) });
            if !facts.requires_timer {
                d.edits.push(Edit::AddRequireTimer);
            }
            d.lifetime = Some(Lifetime::within(interval, ctx.dialog.bound));
            d.refresher = RefresherUpdate::Set(Refresher::Uac);
        }
        // Flow 10 (neither end supports) and flow 11 (a refresh answered
        // without Session-Expires): no session timer from now on.
        None if ctx.initial => untimed(&mut d, cfg),
        None => {
            untimed(&mut d, cfg);
            // Our session interval is in force and must be undone.
            d.lifetime = Some(Lifetime::within(cfg.default_timeout, ctx.dialog.bound));
        }
    }
    d
}

/// What the request a 2xx answers asked for, as far as the dialog tells:
/// for the INVITE the record's interval (what was forwarded); for a refresh
/// the lifetime armed at the request, which is at least what it proposed.
fn asked_in_request(state: &SstState, ctx: &ReplyContext) -> u32 {
    if ctx.initial { state.interval } else { ctx.dialog.lifetime }
}

/// No session timer from now on. The interval is stored as the dialog
/// module's default timeout, as the C module does, so a C module reading
/// this record never sets a zero lifetime. After an initial 2xx the lifetime
/// is left alone: we never touched it, so the dialog keeps its own
/// ($DLG_timeout or default_timeout: OpenSIPS #2829).
fn untimed(d: &mut ReplyDecision, cfg: &Config) {
    d.state.supported = SST_NSUP;
    d.state.interval = cfg.default_timeout;
    d.refresher = RefresherUpdate::Clear;
}

/// An in-dialog request, by what it does to session timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithinRequest {
    /// ACK or PRACK: the dialog module may re-arm from its own idea of the
    /// timeout (e.g. a script's $DLG_timeout).
    AckOrPrack,
    /// re-INVITE or UPDATE: a session refresh (RFC 4028 §7.1, §7.4).
    Refresh,
    /// Anything else: it re-arms the timer with the lifetime last set.
    Other,
}

/// Decision on an in-dialog request of a tracked dialog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestDecision {
    pub edits: Edits,
    /// The lifetime to give the dialog module, which re-arms its timer with
    /// it right after the request callbacks.
    pub lifetime: Option<Lifetime>,
}

/// `facts`: the request's, for a refresh; None when unreadable.
///
/// The dialog module re-arms its timer (and replicates the expiry to a
/// backup node) only after request callbacks, never at a reply - an UPDATE
/// has no ACK to carry its 2xx's value - so a refresh is armed here, with
/// what it proposes but never less than what is left of the session in
/// force: a refresh that is refused (any final code, or none) or never
/// answered is no refresh (RFC 4028 §10), and must not shorten the call.
/// A UAS may lower the proposal but never raise it (RFC 4028 §9), so the
/// expiry armed here is never earlier than the session its 2xx settles.
pub fn request_within(
    state: &SstState,
    request: WithinRequest,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    dialog: &DialogNow,
) -> RequestDecision {
    let mut d = RequestDecision::default();
    if !dialog.confirmed {
        return d;
    }
    match request {
        // Flow 12: while a session timer runs, give it ours - only when the
        // lifetime differs, so an ACK that changed nothing does not move it.
        WithinRequest::AckOrPrack if state.timer_active() => {
            let l = Lifetime::within(state.interval, dialog.bound);
            if dialog.lifetime != l.seconds {
                d.lifetime = Some(l);
            }
        }
        WithinRequest::Refresh => {
            if let Some((f, mut proposed)) = facts.and_then(|f| Some((f, f.se()?.interval))) {
                if let Some(cap) = cfg.request_cap(f.min_se).filter(|cap| proposed > *cap) {
                    d.edits.push(Edit::SetSessionExpires(cap));
                    proposed = cap;
                }
                // Also in a call without a session timer yet: its 2xx may start one.
                if proposed > 0 {
                    let left = session_left(state, dialog);
                    d.lifetime = Some(Lifetime::within(proposed.max(left), dialog.bound));
                }
            }
        }
        _ => {}
    }
    if d.lifetime.is_none() {
        d.lifetime = refit(dialog);
    }
    d
}

/// What is left of the session in force, at most: the armed expiry is
/// never earlier than it, and no session has more left than its interval.
/// Without a session timer, the dialog's own timeout is what is left.
fn session_left(state: &SstState, dialog: &DialogNow) -> u32 {
    let armed = dialog.armed_remaining.unwrap_or(0);
    if state.timer_active() { armed.min(state.interval) } else { armed }
}

/// Any in-dialog request re-arms the timer with the lifetime last set, from
/// now: a lifetime clamped to what the timer could hold some time ago no
/// longer fits, and is clamped again.
pub fn refit(dialog: &DialogNow) -> Option<Lifetime> {
    (dialog.lifetime > dialog.bound).then(|| Lifetime::within(dialog.lifetime, dialog.bound))
}

#[cfg(test)]
mod tests;
