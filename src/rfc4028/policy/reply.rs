//! Replies in a tracked dialog: the 2xx that settles the session (flows 8
//! to 11), the 422 that raises the floor (flow 7), and the replies that
//! settle nothing (early dialog, other branches, retransmissions).

use super::super::grammar::{Refresher, SessionExpires};
use crate::session::dialog_state::{DialogNow, Lifetime, Requester, SstState, Supported};
use super::headers::{Edit, Edits};
use super::headers::{CseqMethod, MessageFacts, Method};
use super::Config;

/// Who refreshes the session after a reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RefresherUpdate {
    /// The reply did not settle the session: whatever was recorded stands.
    #[default]
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

/// How a refresh of a running session (a re-INVITE or UPDATE in a
/// confirmed dialog) was answered: its final reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshAnswer {
    /// 2xx: the session goes on, settled by the reply.
    Accepted,
    /// Any other final status: no refresh (RFC 4028 §10).
    Refused(u32),
}

/// Decision on a reply seen in a tracked dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyDecision {
    pub state: SstState,
    pub edits: Edits,
    /// New dialog lifetime, when it changes.
    pub lifetime: Option<Lifetime>,
    pub refresher: RefresherUpdate,
    /// Set for the final reply to a refresh of a running session timer.
    pub refresh: Option<RefreshAnswer>,
    /// The reply settles the session, with a timer or without: the first
    /// 2xx of the kept leg to the INVITE, or a readable 2xx to a refresh.
    pub settles: bool,
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
        None if state.supported != Supported::Uac => RefresherUpdate::Set(Refresher::Uas),
        None => RefresherUpdate::Clear,
    }
}

/// What a final reply this proxy's tm made itself (its 408 when the far end
/// never answered, or the script's `t_reply()`) says about session timers:
/// tm builds it from the request (`method`), copying its CSeq and adding no
/// Session-Expires, Min-SE, Supported or Require.
pub fn facts_of_own_reply(method: Method) -> MessageFacts {
    let cseq_method = match method {
        Method::Invite => CseqMethod::Invite,
        Method::Update => CseqMethod::Update,
        _ => CseqMethod::Other,
    };
    MessageFacts { cseq_method: Some(cseq_method), ..MessageFacts::default() }
}

/// A final reply (`session::events` passes on no provisional one, which
/// never settles anything). `facts`: None when the reply's timer headers
/// could not be read (malformed or repeated Session-Expires or Min-SE).
pub fn reply(
    state: SstState,
    status: u32,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    ctx: &ReplyContext,
) -> ReplyDecision {
    let mut d = ReplyDecision { state, edits: Edits::default(), lifetime: None, refresher: RefresherUpdate::Keep, refresh: None, settles: false };
    let is_2xx = (200..300).contains(&status);
    // A 2xx of the INVITE once the dialog is confirmed is a retransmission
    // (or a changed copy): the UAC's transaction absorbs it, so it settles
    // nothing, but it goes on looking like the first.
    if ctx.initial && is_2xx && ctx.dialog.confirmed && ctx.kept_leg {
        let first = ReplyContext { dialog: DialogNow { confirmed: false, ..ctx.dialog }, ..*ctx };
        d.edits = reply(state, status, facts, cfg, &first).edits;
        return d;
    }
    // Replies within an early dialog (PRACK, early UPDATE) or after its end,
    // and a 2xx of a branch the dialog does not keep, settle nothing.
    if (!ctx.initial && !ctx.dialog.confirmed) || (is_2xx && !ctx.kept_leg) {
        return d;
    }
    let Some(facts) = facts else {
        if is_2xx && ctx.initial {
            untimed(&mut d, cfg);
            d.settles = true;
        }
        // A refresh 2xx that cannot be read leaves the session in force.
        return d;
    };
    let refresh_method = matches!(facts.cseq_method, Some(CseqMethod::Invite | CseqMethod::Update));
    if !ctx.initial && refresh_method && state.timer_active() {
        d.refresh = Some(if is_2xx { RefreshAnswer::Accepted } else { RefreshAnswer::Refused(status) });
    }
    // Flow 7: a 422 to the initial INVITE tells us the far end's floor;
    // never offer less. A 422 to a refresh is a failed refresh: the session
    // in force does not change (RFC 4028 §10), so neither does the record.
    if status == 422 {
        if let (true, Some(m)) = (ctx.initial, facts.min_se) {
            d.state.interval = d.state.interval.max(m);
        }
        return d;
    }
    if !is_2xx || !refresh_method {
        return d;
    }
    settle_2xx(&mut d, facts, cfg, ctx);
    d
}

/// A 2xx of the kept leg to the INVITE or a refresh: the session it settles.
fn settle_2xx(d: &mut ReplyDecision, facts: &MessageFacts, cfg: &Config, ctx: &ReplyContext) {
    let state = d.state;
    d.settles = true;
    let uas_supports = facts.supports_timer || facts.requires_timer || facts.se().is_some();
    match facts.se() {
        // No interval at all (RFC 4028 §4's floor is 90): it says neither
        // when the session ends nor who refreshes it. Adding our own
        // Session-Expires would give the UAC two; arming 0 would end a live
        // call at once. So the 2xx goes on as it is and is treated as one
        // that cannot be read.
        Some(se) if se.interval == 0 => {
            if ctx.initial {
                untimed(d, cfg);
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
            if d.state.supported != Supported::Uac {
                d.state.supported = if uas_supports { Supported::Uas } else { Supported::Unknown };
            }
            d.lifetime = Some(Lifetime::within(interval, ctx.dialog.bound));
            d.refresher = refresher_of_2xx(se, &state);
        }
        // Flow 9: the UAS ignored session timers but the UAC supports them:
        // tell the UAC to refresh (RFC 4028 §8.2).
        None if ctx.initial && state.supported == Supported::Uac && state.requester != Requester::Nobody => {
            let interval = if state.interval > 0 { state.interval } else { cfg.proxy_interval() };
            d.state.interval = interval;
            d.edits.push(Edit::AddSessionExpires { interval, refresher: Some(Refresher::Uac) }, facts);
            if !facts.requires_timer {
                d.edits.push(Edit::AddRequireTimer, facts);
            }
            d.lifetime = Some(Lifetime::within(interval, ctx.dialog.bound));
            d.refresher = RefresherUpdate::Set(Refresher::Uac);
        }
        // Flow 10 (neither end supports) and flow 11 (a refresh answered
        // without Session-Expires): no session timer from now on.
        None if ctx.initial => untimed(d, cfg),
        None => {
            untimed(d, cfg);
            // Our session interval is in force and must be undone.
            d.lifetime = Some(Lifetime::within(cfg.default_timeout, ctx.dialog.bound));
        }
    }
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
    d.state.supported = Supported::Neither;
    d.state.interval = cfg.default_timeout;
    d.refresher = RefresherUpdate::Clear;
}
