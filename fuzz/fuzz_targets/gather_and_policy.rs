//! Messages -> facts -> decisions, with invariants on every decision.
//!
//! Input (text, so the seeds stay readable):
//!
//! ```text
//! min_se sst_interval reject_to_small default_timeout status1 status2 [requester supported interval [call_interval [max_se bound armed lifetime flags]]]
//! <initial INVITE headers>            one `Name: body` per line; a line starting
//!                                     with SP/HTAB continues the previous body
//! <blank line>
//! <headers of the reply to the INVITE>
//! <blank line>
//! <headers of an in-dialog refresh request, and of its reply>
//! ```
//!
//! The numbers of the first line are read leniently (missing -> a default;
//! clamped to what mod_init and the dialog module accept). The optional three
//! make a stored record (as loaded from the database or a C-module peer) that
//! is run through reply() and request_within() as well. Every INVITE is also
//! decided with the script's per-call options: call_interval (default 600)
//! and insert off.
//!
//! The last five describe the proxy's max_se (default 0; tried besides 0, 90,
//! 3600, INT_MAX and max(min_se, sst_interval), each only where mod_init
//! would accept it) and the dialog as the dialog module reports it
//! (`DialogNow`): `bound` (default INT_MAX, clamped to 1..=INT_MAX), `armed`
//! (0: timer not armed, else seconds left + 1; default 0), `lifetime`
//! (default 43200) and `flags` (bit 0: dialog not confirmed in-dialog, bit 1:
//! the 2xx to the INVITE comes from a branch the dialog does not keep, bit 2:
//! that 2xx is a retransmission, i.e. meets a confirmed dialog). Every chain
//! is also run with dialogs at the edges: bound 1, a small bound, INT_MAX,
//! and the flags flipped, one per call in turn.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sst::rfc4028::grammar::{classify_name, HeaderName, Refresher};
use sst::rfc4028::policy::{
    check_min, gather, initial_invite_for_call, lay_out, CallOptions, CheckMin, Config, CseqMethod,
    Edit, Edits, InitialDecision, MessageFacts, Method, Place, RefresherUpdate, ReplyContext,
    RefreshAnswer, ReplyDecision, RequestDecision, RFC_MIN_SE,
};
use sst::session::events::{self, Arm, Known};
use sst::session::dialog_state::{DialogNow, Lifetime, Requester, SstState, Supported};

#[path = "gather_and_policy/input.rs"]
mod input;
#[path = "gather_and_policy/shared.rs"]
mod shared;
#[path = "gather_and_policy/initial.rs"]
mod initial;
#[path = "gather_and_policy/replies.rs"]
mod replies;
#[path = "gather_and_policy/within.rs"]
mod within;

use initial::*;
use input::*;
use replies::*;
use shared::*;
use within::*;


/// A reply through the entry the module's callback calls for it
/// (`initial_reply`, `reply_within`), seen as the rule's `ReplyDecision`
/// (`settles` is the rule's own and not compared: false).
fn reply(state: SstState, status: u32, facts: Option<&MessageFacts>, cfg: &Config, rc: &ReplyContext) -> ReplyDecision {
    let mut read = Known { record: Some(state), facts: facts.copied(), call: CallOptions::default(), lost: false };
    let d = if rc.initial {
        events::initial_reply(status, rc.kept_leg, &mut read, cfg, &rc.dialog)
    } else {
        assert!(rc.kept_leg, "in-dialog replies come from the kept leg");
        events::reply_within(status, &mut read, cfg, &rc.dialog)
    };
    assert_eq!(d.track || d.expired.is_some() || d.note.is_some(), false, "{d:?}");
    let refresh = match (d.counts.refreshed, d.counts.refresh_refused) {
        (false, false) => None,
        (true, false) => Some(RefreshAnswer::Accepted),
        (false, true) => Some(RefreshAnswer::Refused(status)),
        (true, true) => panic!("a refresh both accepted and refused: {d:?}"),
    };
    ReplyDecision { state: d.record.unwrap_or(state), edits: d.edits, lifetime: d.lifetime.map(Arm::lifetime), refresher: d.refresher, refresh, settles: false }
}

/// An in-dialog request through the entry the module's callback calls
/// (`request_within`), seen as the rule's `RequestDecision`.
fn request_within(state: &SstState, method: Method, facts: Option<&MessageFacts>, cfg: &Config, dialog: &DialogNow) -> RequestDecision {
    let mut read = Known { record: Some(*state), facts: facts.copied(), call: CallOptions::default(), lost: false };
    let d = events::request_within(method, &mut read, cfg, dialog);
    assert_eq!((d.record, d.refresher, d.expired), (None, RefresherUpdate::Keep, None), "{d:?}");
    RequestDecision { edits: d.edits, lifetime: d.lifetime.map(Arm::lifetime) }
}

/// What mod_init accepts: max_se 0 (no cap), or at least min_se and
/// sst_interval.
fn consistent(cfg: &Config) -> bool {
    cfg.max_se == 0 || (cfg.max_se >= cfg.min_se && cfg.max_se >= cfg.sst_interval)
}

/// The dialog after the dialog module armed `l` (it does so right after a
/// request's callbacks; for a reply's lifetime, at the re-arm that follows).
fn armed(dialog: &DialogNow, l: Option<Lifetime>) -> DialogNow {
    match l {
        Some(l) => DialogNow { armed_remaining: Some(l.seconds), lifetime: l.seconds, ..*dialog },
        None => *dialog,
    }
}

/// One call: the reply to the INVITE, the ACK, a refresh request, its reply.
#[allow(clippy::too_many_arguments)]
fn run_call(
    state: SstState,
    status1: u32,
    status2: u32,
    rpl_facts: Option<&MessageFacts>,
    refresh_facts: Option<&MessageFacts>,
    cfg: &Config,
    dialog: &DialogNow,
    kept_leg: bool,
    retransmission: bool,
) {
    // The INVITE's 2xx; a retransmission of it meets a confirmed dialog.
    let at_2xx = DialogNow { confirmed: retransmission, ..*dialog };
    let rc1 = ReplyContext { initial: true, kept_leg, dialog: at_2xx };
    let d1 = reply(state, status1, rpl_facts, cfg, &rc1);
    check_reply(state, status1, rpl_facts, cfg, &rc1, &d1);
    let after = armed(dialog, d1.lifetime);
    check_ack_or_prack(&d1.state, cfg, &after);
    // The third block is both the refresh request's headers and its reply's.
    let r = request_within(&d1.state, Method::Update, refresh_facts, cfg, &after);
    check_refresh_request(&d1.state, refresh_facts, cfg, &after, &r);
    let at_reply = armed(&after, r.lifetime);
    // In-dialog replies come from the kept leg by construction.
    let rc2 = ReplyContext { initial: false, kept_leg: true, dialog: at_reply };
    let d2 = reply(d1.state, status2, refresh_facts, cfg, &rc2);
    check_reply(d1.state, status2, refresh_facts, cfg, &rc2, &d2);
    // With max_se, a refresh 2xx never settles a longer session than the
    // refresh request went on with (RFC 4028 §9: a UAS may only lower it),
    // or than what the dialog had left when it was sent.
    if let (Some(f), Some(_)) = (refresh_facts, d2.lifetime) {
        let refresh_method = matches!(f.cseq_method, Some(CseqMethod::Invite | CseqMethod::Update));
        if let (Some(cap), Some(_), true) = (cfg.request_cap(f.min_se), f.se(), refresh_method) {
            let left = after.armed_remaining.unwrap_or(0);
            assert!(
                d2.state.interval <= cap.max(left),
                "a refresh 2xx armed more than max_se / the request's Min-SE allow: \
                 {state:?} {status1} {rpl_facts:?} -> {d1:?}; request {f:?} at {after:?} -> {r:?}; \
                 {status2} at {at_reply:?} -> {d2:?}; {cfg:?}"
            );
        }
    }
    assert_eq!(SstState::from_bytes(&d2.state.to_bytes()), Ok(d2.state));
}

fuzz_target!(|data: &[u8]| {
    let (control, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let n = numbers(control);
    let at = |i: usize, default: u32| n.get(i).copied().unwrap_or(default);
    // mod_init takes ints: min_se, sst_interval, max_se are 0..=INT_MAX.
    let base = Config {
        min_se: at(0, 1800).min(INT_MAX),
        sst_interval: at(1, 0).min(INT_MAX),
        reject_to_small: at(2, 1) != 0,
        // the dialog module refuses default_timeout <= 0
        default_timeout: at(3, 43200).clamp(1, INT_MAX),
        max_se: 0,
        // (the maximum duration and the grace of a lost call are the
        // call-flow model's: they need the clock and the dialog's state)
        max_duration: 0,
        dead_call_grace: 0,
    };
    let status1 = at(4, 200).clamp(100, 999);
    let status2 = at(5, 200).clamp(100, 999);
    // A stored record holds only flag values a module writes (any other
    // is refused as corrupt when read); other numbers pick one in turn.
    const REQUESTERS: [Requester; 3] = [Requester::Nobody, Requester::Uac, Requester::Proxy];
    const SUPPORTED: [Supported; 4] = [Supported::Unknown, Supported::Uac, Supported::Uas, Supported::Neither];
    let stored = (n.len() >= 9).then(|| SstState {
        requester: Requester::from_flags(n[6]).unwrap_or(REQUESTERS[n[6] as usize % 3]),
        supported: Supported::from_flags(n[7]).unwrap_or(SUPPORTED[n[7] as usize % 4]),
        interval: n[8],
    });
    let max_se_in = at(10, 0).min(INT_MAX);
    let flags = at(14, 0);
    let dialog_in = DialogNow {
        confirmed: flags & 1 == 0,
        armed_remaining: at(12, 0).checked_sub(1),
        lifetime: at(13, 43200),
        // lifetime_bound() is never 0 nor above INT_MAX
        bound: at(11, INT_MAX).clamp(1, INT_MAX),
        answered_ago: None,
    };
    let kept_in = flags & 2 == 0;
    let retrans_in = flags & 4 != 0;
    // (the dialog in-dialog, the INVITE's 2xx from the kept branch, that 2xx
    // a retransmission)
    let dialogs = [
        (dialog_in, kept_in, retrans_in),
        (DialogNow { bound: 1, confirmed: !dialog_in.confirmed, ..dialog_in }, kept_in, !retrans_in),
        (DialogNow { bound: 100, armed_remaining: Some(50), ..dialog_in }, !kept_in, retrans_in),
        (DialogNow { bound: INT_MAX, ..dialog_in }, kept_in, !retrans_in),
    ];

    let b = blocks(rest);
    let req = headers(b.first().copied().unwrap_or(&[]));
    let rpl = headers(b.get(1).copied().unwrap_or(&[]));
    let refresh = headers(b.get(2).copied().unwrap_or(&[]));
    let rpl_facts = gather(lay_out(rpl.iter().copied())).ok();
    let refresh_facts = gather(lay_out(refresh.iter().copied())).ok();

    let shapes = [
        base,
        Config {
            reject_to_small: !base.reject_to_small,
            ..base
        },
        Config {
            min_se: RFC_MIN_SE,
            sst_interval: 0,
            ..base
        },
        Config {
            min_se: base.sst_interval,
            sst_interval: base.min_se,
            ..base
        },
    ];
    let mut configs: Vec<Config> = Vec::new();
    for shape in shapes {
        let tight = shape.min_se.max(shape.sst_interval).max(1);
        for max_se in [max_se_in, 0, 90, 3600, INT_MAX, tight] {
            let cfg = Config { max_se, ..shape };
            if consistent(&cfg) && !configs.contains(&cfg) {
                configs.push(cfg);
            }
        }
    }

    let calls = [
        CallOptions::default(),
        CallOptions { interval: Some(at(9, 600).clamp(1, u32::MAX)), insert: true, max_duration: None },
        CallOptions { interval: None, insert: false, max_duration: None },
    ];

    let mut turn = 0usize;
    if let Ok(facts) = gather(lay_out(req.iter().copied())) {
        for cfg in &configs {
            check_check_min(&facts, cfg.min_se);
            for call in &calls {
                let d = initial_invite_for_call(&facts, cfg, call);
                check_initial(&facts, cfg, call, &d);
                check_places(&req, &facts, &d.edits);
                // One dialog per call, in turn (all four for every input,
                // at a fraction of the cost of each for every call).
                let (dialog, kept_leg, retransmission) = dialogs[turn % dialogs.len()];
                turn += 1;
                run_call(
                    d.state,
                    status1,
                    status2,
                    rpl_facts.as_ref(),
                    refresh_facts.as_ref(),
                    cfg,
                    &dialog,
                    kept_leg,
                    retransmission,
                );
            }
        }
    }

    // A record loaded from storage (any bit pattern a peer could have written).
    if let Some(s) = stored {
        // ACK/PRACK and other requests do not depend on the configuration.
        for (dialog, _, _) in &dialogs {
            check_ack_or_prack(&s, &base, dialog);
        }
        for (facts, lines) in [(rpl_facts.as_ref(), &rpl), (refresh_facts.as_ref(), &refresh), (None, &req)] {
            for cfg in &configs {
                let (dialog, kept_leg, _) = dialogs[turn % dialogs.len()];
                turn += 1;
                for (status, initial) in [(status1, true), (status2, false)] {
                    // in-dialog replies come from the kept leg by construction
                    let rc = ReplyContext { initial, kept_leg: kept_leg || !initial, dialog };
                    let d = reply(s, status, facts, cfg, &rc);
                    check_reply(s, status, facts, cfg, &rc, &d);
                    if let Some(f) = facts {
                        check_places(lines, f, &d.edits);
                    }
                }
                let r = request_within(&s, Method::Update, facts, cfg, &dialog);
                check_refresh_request(&s, facts, cfg, &dialog, &r);
                if let Some(f) = facts {
                    check_places(lines, f, &r.edits);
                }
            }
        }
    }
});
