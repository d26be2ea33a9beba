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
    check_min, gather, initial_invite_for_call, lay_out, reply, request_within, CallOptions, CheckMin,
    Config, CseqMethod, Edit, Edits, InitialDecision, MessageFacts, Place, RefresherUpdate,
    ReplyContext, ReplyDecision, RequestDecision, WithinRequest, RFC_MIN_SE,
};
use sst::rfc4028::state::{SstState, SST_NSUP, SST_PXY, SST_UAC, SST_UNDF};
use sst::rfc4028::timing::{DialogNow, Lifetime};

const INT_MAX: u32 = i32::MAX as u32;

fn numbers(line: &[u8]) -> Vec<u32> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.iter().filter(|b| b.is_ascii_digit()).fold(0u32, |v, &d| {
                v.wrapping_mul(10).wrapping_add(u32::from(d - b'0'))
            })
        })
        .collect()
}

/// Splits a block of lines into (name, body) pairs, bodies as sub-slices of
/// the input (continuation lines included, as the OpenSIPS parser leaves them).
fn headers(block: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out: Vec<(&[u8], usize, usize)> = Vec::new();
    let mut pos = 0;
    while pos < block.len() {
        let end = block[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(block.len(), |i| pos + i);
        let line = &block[pos..end];
        let line_end = if line.last() == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if let Some(last) = out.last_mut() {
                last.2 = line_end; // folded continuation
            }
        } else if let Some(colon) = line.iter().position(|&b| b == b':') {
            out.push((&line[..colon], pos + colon + 1, line_end));
        } else if !line.is_empty() {
            out.push((line, line_end, line_end)); // a name without a body
        }
        pos = end + 1;
    }
    out.into_iter().map(|(n, s, e)| (n, &block[s..e])).collect()
}

fn blocks(rest: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < rest.len() {
        // a blank line: "\n\n" or "\n\r\n"
        let blank = if rest[i..].starts_with(b"\n\n") {
            Some(2)
        } else if rest[i..].starts_with(b"\n\r\n") {
            Some(3)
        } else {
            None
        };
        if let Some(n) = blank {
            out.push(&rest[start..i + 1]);
            i += n;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&rest[start..]);
    out
}


fn edits_vec(e: &Edits) -> Vec<Edit> {
    e.iter().collect()
}

fn check_edits_shape(edits: &[Edit]) {
    assert!(edits.len() <= 3, "{edits:?}");
    // At most one edit of each kind.
    for (i, a) in edits.iter().enumerate() {
        for b in &edits[i + 1..] {
            assert_ne!(
                core::mem::discriminant(a),
                core::mem::discriminant(b),
                "{edits:?}"
            );
        }
    }
}

/// Every edit lands where it belongs in the message the headers lay out to:
/// a rewrite on the Session-Expires digits, a Min-SE replacement on the
/// whole Min-SE line, an insertion at the end of the first Require body;
/// nothing outside the text.
fn check_places(headers: &[(&[u8], &[u8])], facts: &MessageFacts, edits: &Edits) {
    let text: Vec<u8> = headers
        .iter()
        .flat_map(|(n, b)| [*n, b": ", *b, b"\r\n"].concat())
        .collect();
    let what = || format!("{:?} in {:?}", edits, String::from_utf8_lossy(&text));
    for p in edits.placed() {
        match (p.edit, p.place) {
            (Edit::SetSessionExpires(_), Place::Replace { at, len }) => {
                let digits = &text[at as usize..(at + len) as usize];
                assert!(!digits.is_empty() && digits.iter().all(u8::is_ascii_digit), "{}", what());
                let se = facts.se().expect("a rewrite of a Session-Expires");
                assert_eq!(digits.iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0')), u64::from(se.interval));
            }
            (Edit::ReplaceMinSe(_), Place::Replace { at, len }) => {
                let line = &text[at as usize..(at + len) as usize];
                let name = line.split(|&b| b == b':').next().unwrap_or(b"");
                assert_eq!(classify_name(name), HeaderName::MinSe, "{}", what());
                assert!(line.ends_with(b"\r\n"), "{}", what());
            }
            (Edit::ReplaceMinSe(_), Place::EndOfHeaders) => assert!(facts.min_se.is_none(), "{}", what()),
            (Edit::AddRequireTimer, Place::Insert { at }) => {
                let end = facts.first_require.expect("a Require to add to").at;
                assert_eq!(at, end, "{}", what());
                assert_eq!(&text[at as usize..at as usize + 2], b"\r\n", "{}", what());
            }
            (Edit::AddRequireTimer | Edit::AddSessionExpires { .. }, Place::EndOfHeaders) => {}
            other => panic!("{other:?} misplaced: {}", what()),
        }
    }
    // what goes on never carries two Session-Expires or two Min-SE lines
    let edited = edits.applied_to(&text);
    for which in [HeaderName::SessionExpires, HeaderName::MinSe] {
        let n = edited
            .split(|&b| b == b'\n')
            .filter(|l| classify_name(l.split(|&b| b == b':').next().unwrap_or(b"")) == which)
            .count();
        assert!(n <= 1, "{which:?} twice: {:?}", String::from_utf8_lossy(&edited));
    }
}

/// A lifetime handed to the dialog module: what was `asked`, within what the
/// dialog timer can hold, never 0; `clamped_from` exactly when it did not fit.
fn check_lifetime(l: Lifetime, asked: u32, dialog: &DialogNow, what: &dyn Fn() -> String) {
    assert!(l.seconds > 0, "zero lifetime: {}", what());
    assert!(l.seconds <= dialog.bound, "lifetime above the bound: {}", what());
    assert_eq!(l.clamped_from.unwrap_or(l.seconds), asked, "{}", what());
    match l.clamped_from {
        Some(c) => assert!(c > dialog.bound && l.seconds == dialog.bound, "{}", what()),
        None => assert!(asked <= dialog.bound, "not clamped: {}", what()),
    }
    assert_eq!(l, Lifetime::within(asked, dialog.bound), "{}", what());
}

/// A request that settles no lifetime of its own still leaves the dialog
/// timer able to hold the one it re-arms with: a lifetime above the bound
/// (clamped to what the timer could hold some time ago) is clamped again,
/// any other is left alone. Either way, a confirmed dialog never re-arms
/// with more than the bound.
fn check_refit(l: Option<Lifetime>, dialog: &DialogNow, what: &dyn Fn() -> String) {
    match l {
        Some(l) => {
            assert!(dialog.lifetime > dialog.bound, "refit of a lifetime that fits: {}", what());
            check_lifetime(l, dialog.lifetime, dialog, what);
        }
        None => assert!(dialog.lifetime <= dialog.bound, "left above the bound: {}", what()),
    }
}

/// After any in-dialog request of a confirmed dialog, the lifetime the dialog
/// module re-arms with fits its timer; an early dialog's decide nothing.
fn check_rearm(d: &RequestDecision, dialog: &DialogNow, what: &dyn Fn() -> String) {
    if dialog.confirmed {
        let rearm = d.lifetime.map_or(dialog.lifetime, |l| l.seconds);
        assert!(rearm > 0 || dialog.lifetime == 0, "{}", what());
        assert!(rearm <= dialog.bound, "re-armed above the bound: {}", what());
    } else {
        assert_eq!(*d, RequestDecision::default(), "early dialog: {}", what());
    }
}

/// A Session-Expires rewritten in a request from `orig` to `v`: raised to the
/// proxy's minimum (never below the request's Min-SE), or lowered to max_se
/// (never below the request's Min-SE); with max_se, never above the cap.
fn check_request_se_edit(orig: u32, request_min_se: Option<u32>, cfg: &Config, v: u32) {
    let what = || format!("{orig} -> {v}, Min-SE {request_min_se:?}, {cfg:?}");
    assert_ne!(v, orig, "a rewrite that changes nothing: {}", what());
    assert!(v > 0, "{}", what());
    assert!(v >= cfg.min_se, "{}", what());
    if v > orig {
        assert!(v >= cfg.floor(), "raised, but not to the floor: {}", what());
        assert!(v >= request_min_se.unwrap_or(0), "raised below Min-SE: {}", what());
    } else {
        let cap = cfg.request_cap(request_min_se).expect("lowered without max_se");
        assert_eq!(v, cap, "{}", what());
    }
    if cfg.max_se > 0 {
        assert!(v <= cfg.max_se.max(request_min_se.unwrap_or(0)), "above the cap: {}", what());
        assert!(v >= request_min_se.unwrap_or(0), "below the request's Min-SE: {}", what());
    }
}

fn check_initial(
    facts: &MessageFacts,
    cfg: &Config,
    call: &CallOptions,
    can_reject: bool,
    d: &InitialDecision,
) {
    match *d {
        InitialDecision::Reject { min_se } => {
            assert!(can_reject, "Reject without can_reject: {facts:?} {cfg:?}");
            assert!(
                cfg.reject_to_small && facts.supports_timer,
                "{facts:?} {cfg:?}"
            );
            let se = facts.se().expect("Reject needs a Session-Expires");
            // Too small: below min_se, and never 0 (Config::floor, F1).
            assert!(se.interval < cfg.floor(), "{facts:?} {cfg:?}");
            // The 422 asks for more than was offered, and never below the RFC floor.
            assert!(min_se > se.interval && min_se >= RFC_MIN_SE && min_se >= cfg.min_se);
            assert!(min_se >= facts.min_se.unwrap_or(0));
        }
        InitialDecision::Track { state, edits, .. } => {
            let edits = edits_vec(&edits);
            check_edits_shape(&edits);
            // Opted out (#991): nobody asked, so nothing is requested or changed.
            if state.requester == SST_UNDF {
                assert!(!call.insert && facts.se().is_none(), "{facts:?} {call:?}");
                assert!(edits.is_empty() && state.interval == 0, "{edits:?} {state:?}");
                return;
            }
            assert!(
                state.requester == SST_UAC || state.requester == SST_PXY,
                "{state:?}"
            );
            assert!(
                state.supported == SST_UAC || state.supported == SST_UNDF,
                "{state:?}"
            );
            assert_eq!(state.supported == SST_UAC, facts.supports_timer);
            let cap = cfg.request_cap(facts.min_se);
            // The Session-Expires the forwarded request carries.
            let mut fwd_se = facts.se().map(|se| se.interval);
            let mut fwd_min_se = facts.min_se;
            for e in &edits {
                match *e {
                    Edit::ReplaceMinSe(v) => {
                        assert!(v >= cfg.min_se, "{e:?} {cfg:?}");
                        fwd_min_se = Some(v);
                    }
                    Edit::SetSessionExpires(v) => {
                        let se = facts.se().expect("a rewrite needs a Session-Expires");
                        check_request_se_edit(se.interval, facts.min_se, cfg, v);
                        fwd_se = Some(v);
                    }
                    Edit::AddSessionExpires {
                        interval,
                        refresher,
                    } => {
                        assert!(facts.se().is_none(), "added a second Session-Expires");
                        assert_eq!(refresher, None, "a proxy must not choose the refresher");
                        assert!(interval >= cfg.min_se);
                        assert!(interval > 0, "proxy asked for Session-Expires: 0 ({cfg:?})");
                        assert!(call.insert, "inserted although the script opted out");
                        // the script's interval replaces sst_interval, floor
                        // kept; max_se (or the Min-SE above it) caps it
                        let asked = call.interval.unwrap_or(cfg.sst_interval).max(cfg.floor());
                        let want = cap.map_or(asked, |c| asked.min(c));
                        assert!(interval >= want, "{e:?} {call:?} {cfg:?}");
                        fwd_se = Some(interval);
                    }
                    Edit::AddRequireTimer => panic!("Require: timer added to a request"),
                }
            }
            // What we track is what the forwarded request asks for.
            assert_eq!(Some(state.interval), fwd_se, "{facts:?} {cfg:?} {edits:?}");
            // max_se: no request goes on asking for more (or for more than
            // the Min-SE that forces it).
            if let Some(c) = cap {
                assert!(state.interval <= c, "above max_se: {facts:?} {cfg:?} {edits:?}");
            }
            // RFC 4028 §8.1: a proxy that touches Min-SE / SE leaves Min-SE <= SE.
            if !edits.is_empty() {
                if let (Some(m), Some(s)) = (fwd_min_se, fwd_se) {
                    assert!(m <= s, "forwarded Min-SE {m} > Session-Expires {s}");
                }
            }
            // Below our minimum only when the UAC handles it and rejecting is off.
            if state.interval < cfg.floor() {
                assert!(
                    !cfg.reject_to_small && facts.supports_timer,
                    "{facts:?} {cfg:?} {state:?}"
                );
            }
            assert_eq!(SstState::from_bytes(&state.to_bytes()), Ok(state));
        }
    }
}

fn is_2xx(status: u32) -> bool {
    (200..300).contains(&status)
}

fn check_reply(
    before: SstState,
    status: u32,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    rc: &ReplyContext,
    d: &ReplyDecision,
) {
    let ctx = || format!("{before:?} {status} {facts:?} {cfg:?} {rc:?} -> {d:?}");
    let initial = rc.initial;
    let edits = edits_vec(&d.edits);
    check_edits_shape(&edits);
    let unchanged = ReplyDecision {
        state: before,
        edits: Edits::default(),
        lifetime: None,
        refresher: RefresherUpdate::Keep,
    };
    // An early dialog's (or an ended one's) replies decide nothing, nor
    // does a 2xx of a branch the dialog does not keep.
    if !initial && !rc.dialog.confirmed {
        assert_eq!(*d, unchanged, "unconfirmed dialog: {}", ctx());
    }
    if is_2xx(status) && !rc.kept_leg {
        assert_eq!(*d, unchanged, "a 2xx of a dropped branch: {}", ctx());
    }
    // A 2xx of the INVITE once the dialog is confirmed is a retransmission:
    // it settles nothing, and goes on edited as the first was.
    if initial && is_2xx(status) && rc.dialog.confirmed && rc.kept_leg {
        let first_rc = ReplyContext { dialog: DialogNow { confirmed: false, ..rc.dialog }, ..*rc };
        let first = reply(before, status, facts, cfg, &first_rc);
        check_reply(before, status, facts, cfg, &first_rc, &first);
        assert_eq!(*d, ReplyDecision { edits: first.edits, ..unchanged }, "retransmission: {}", ctx());
        return;
    }
    if let Some(l) = d.lifetime {
        // Always the recorded interval (as asked), within the bound, never 0.
        check_lifetime(l, d.state.interval, &rc.dialog, &ctx);
        assert!(is_2xx(status), "{}", ctx());
        // An initial 2xx arms only a running session timer; a refresh 2xx
        // without one (flow 11) undoes ours with default_timeout.
        if initial {
            assert!(d.state.timer_active(), "{}", ctx());
        } else {
            assert!(
                d.state.timer_active()
                    || (d.state.supported == SST_NSUP && d.state.interval == cfg.default_timeout),
                "{}",
                ctx()
            );
        }
    }
    assert_eq!(d.state.requester, before.requester, "{}", ctx());
    // The 2xx's Session-Expires, when it says anything (0 says nothing).
    let se_2xx = facts.and_then(|f| f.se()).filter(|se| se.interval > 0);
    if is_2xx(status) && se_2xx.is_none() && facts.is_none_or(|f| f.se().is_some()) {
        // Session-Expires: 0, or headers that cannot be read: the reply goes
        // on as it is (never with a second Session-Expires), nothing is armed
        // for an initial 2xx, and a refresh leaves the session in force.
        assert!(edits.is_empty(), "{}", ctx());
        if initial {
            assert_eq!(d.lifetime, None, "{}", ctx());
            assert!(!d.state.timer_active() || d.state == before, "{}", ctx());
        } else {
            assert_eq!(*d, unchanged, "{}", ctx());
        }
    }
    if status == 422 {
        assert!(edits.is_empty() && d.lifetime.is_none(), "{}", ctx());
        assert!(d.state.interval >= before.interval, "{}", ctx());
        assert_eq!(d.state.supported, before.supported, "{}", ctx());
        // A 422 to a refresh changes nothing (RFC 4028 §10).
        if !initial {
            assert_eq!(d.state, before, "{}", ctx());
        }
        // Only the 422's Min-SE can raise it.
        match facts.and_then(|f| f.min_se) {
            Some(m) => assert!(d.state.interval <= before.interval.max(m), "{}", ctx()),
            None => assert_eq!(d.state, before, "{}", ctx()),
        }
    } else if !is_2xx(status) {
        assert_eq!(*d, unchanged, "{}", ctx());
    }
    for e in &edits {
        match *e {
            Edit::AddSessionExpires {
                interval,
                refresher,
            } => {
                assert!(initial, "{}", ctx());
                // never a second Session-Expires in the reply
                let f = facts.expect("added Session-Expires to an unreadable reply");
                assert!(f.se().is_none(), "second Session-Expires: {}", ctx());
                assert_eq!(refresher, Some(Refresher::Uac), "{}", ctx());
                assert_eq!(interval, d.state.interval, "{}", ctx());
                assert!(interval > 0, "{}", ctx());
                let l = d.lifetime.expect("Session-Expires added, nothing armed");
                assert_eq!(l.clamped_from.unwrap_or(l.seconds), interval, "{}", ctx());
            }
            Edit::AddRequireTimer => {
                assert!(
                    edits
                        .iter()
                        .any(|e| matches!(e, Edit::AddSessionExpires { .. })),
                    "{}",
                    ctx()
                );
                assert!(!facts.is_some_and(|f| f.requires_timer), "{}", ctx());
            }
            Edit::ReplaceMinSe(_) | Edit::SetSessionExpires(_) => {
                panic!("reply() edits Min-SE/Session-Expires of a reply: {}", ctx())
            }
        }
    }
    // A session settled by the 2xx's own Session-Expires: never longer than
    // it says (RFC 4028 §9), and with max_se never longer than what the
    // request carried (at most max_se, or the Min-SE that forced more).
    if let (Some(se), Some(_)) = (se_2xx, d.lifetime) {
        assert!(d.state.interval <= se.interval, "{}", ctx());
        if cfg.max_se > 0 {
            let asked = if initial { before.interval } else { rc.dialog.lifetime };
            assert!(d.state.interval <= cfg.max_se.max(asked), "above max_se: {}", ctx());
        }
    }
    // The refresher: only a settling 2xx names one, and then a timer runs.
    match d.refresher {
        RefresherUpdate::Keep => {}
        RefresherUpdate::Set(r) => {
            assert!(is_2xx(status) && d.lifetime.is_some(), "{}", ctx());
            if edits.iter().any(|e| matches!(e, Edit::AddSessionExpires { .. })) {
                assert_eq!(r, Refresher::Uac, "{}", ctx());
            } else if let Some(se) = se_2xx.filter(|se| se.refresher.is_some()) {
                assert_eq!(se.refresher, Some(r), "the 2xx's own refresher is not kept: {}", ctx());
            }
        }
        RefresherUpdate::Clear => assert!(is_2xx(status), "{}", ctx()),
    }
    if !is_2xx(status) {
        assert_eq!(d.refresher, RefresherUpdate::Keep, "{}", ctx());
    }
    // Flows 10 / 11 store the dialog module's default timeout, never 0.
    if is_2xx(status) && d.state.supported == SST_NSUP && d.state != before {
        assert_eq!(d.state.interval, cfg.default_timeout, "{}", ctx());
    }
    assert_eq!(SstState::from_bytes(&d.state.to_bytes()), Ok(d.state));
}

/// Flow 12: only a running timer of a confirmed dialog is re-armed, with the
/// recorded interval (within the bound), never 0, only when it moves. Other
/// in-dialog requests (BYE, INFO, ...) only refit a lifetime that no longer
/// fits the bound.
fn check_ack_or_prack(state: &SstState, cfg: &Config, dialog: &DialogNow) {
    let want = Lifetime::within(state.interval, dialog.bound);
    for current in [0, state.interval, want.seconds, want.seconds.wrapping_add(1), dialog.lifetime] {
        let now = DialogNow { lifetime: current, ..*dialog };
        let what = || format!("{state:?} {cfg:?} {now:?}");
        let d = request_within(state, WithinRequest::AckOrPrack, None, cfg, &now);
        assert!(d.edits.is_empty(), "{}", what());
        check_rearm(&d, &now, &what);
        if now.confirmed && state.timer_active() && current != want.seconds {
            let l = d.lifetime.expect("a running timer not given its interval");
            check_lifetime(l, state.interval, &now, &what);
            assert_ne!(l.seconds, current, "re-armed with what it has: {}", what());
        } else if now.confirmed {
            check_refit(d.lifetime, &now, &what);
        }
        // Anything else re-arms with the lifetime last set: only one that no
        // longer fits the timer is given again, clamped.
        let other = request_within(state, WithinRequest::Other, None, cfg, &now);
        assert!(other.edits.is_empty(), "{}", what());
        check_rearm(&other, &now, &what);
        if now.confirmed {
            check_refit(other.lifetime, &now, &what);
        }
    }
}

/// A refresh request (re-INVITE/UPDATE): lowered to max_se like an initial
/// one, and armed with what it proposes but never less than the session left
/// (a refused refresh must not shorten the call), within the bound, never 0.
fn check_refresh_request(
    state: &SstState,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    dialog: &DialogNow,
    d: &RequestDecision,
) {
    let what = || format!("{state:?} {facts:?} {cfg:?} {dialog:?} -> {d:?}");
    let edits = edits_vec(&d.edits);
    check_edits_shape(&edits);
    check_rearm(d, dialog, &what);
    if !dialog.confirmed {
        return;
    }
    let se = facts.and_then(|f| f.se());
    let (Some(f), Some(se)) = (facts, se) else {
        // unreadable, or no Session-Expires: nothing but the refit
        assert!(edits.is_empty(), "{}", what());
        check_refit(d.lifetime, dialog, &what);
        return;
    };
    let cap = cfg.request_cap(f.min_se);
    let mut fwd = se.interval;
    for e in &edits {
        match *e {
            Edit::SetSessionExpires(v) => {
                check_request_se_edit(se.interval, f.min_se, cfg, v);
                fwd = v;
            }
            _ => panic!("a refresh request gets only its Session-Expires lowered: {}", what()),
        }
    }
    assert_eq!(
        !edits.is_empty(),
        cap.is_some_and(|c| se.interval > c),
        "lowered exactly when above the cap: {}",
        what()
    );
    if let Some(c) = cap {
        assert!(fwd <= c, "{}", what());
    }
    // Armed with what goes on (also in a call without a session timer yet:
    // its 2xx may start one), never with 0; Session-Expires: 0 arms nothing.
    if fwd == 0 {
        check_refit(d.lifetime, dialog, &what);
        return;
    }
    if state.timer_active() {
        assert!(d.lifetime.is_some(), "a running session not re-armed: {}", what());
    }
    match d.lifetime {
        Some(l) => {
            // What is left of the session in force: the armed time, but no
            // running session has more left than its interval; without a
            // session timer, the dialog's own timeout.
            let armed = dialog.armed_remaining.unwrap_or(0);
            let left = if state.timer_active() { armed.min(state.interval) } else { armed };
            check_lifetime(l, fwd.max(left), dialog, &what);
            // a refused (or unanswered) refresh never shortens it
            assert!(l.seconds >= left.min(dialog.bound), "shortened: {}", what());
            assert!(l.seconds >= fwd.min(dialog.bound), "{}", what());
        }
        None => {}
    }
}

fn check_check_min(facts: &MessageFacts, min_se: u32) {
    assert_eq!(check_min(false, facts, min_se), CheckMin::NotApplicable);
    match check_min(true, facts, min_se) {
        CheckMin::NotApplicable => assert!(facts.se().is_none()),
        CheckMin::LargeEnough => {
            let se = facts.se().unwrap();
            assert!(min_se <= se.interval);
        }
        CheckMin::TooSmall { min_se: m } => {
            assert_eq!(m, min_se);
            let se = facts.se().unwrap();
            assert!(m > se.interval.min(facts.min_se.unwrap_or(RFC_MIN_SE)));
        }
    }
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
    let r = request_within(&d1.state, WithinRequest::Refresh, refresh_facts, cfg, &after);
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
    };
    let status1 = at(4, 200).clamp(100, 999);
    let status2 = at(5, 200).clamp(100, 999);
    let stored = (n.len() >= 9).then(|| SstState {
        requester: n[6],
        supported: n[7],
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
        CallOptions { interval: Some(at(9, 600).clamp(1, u32::MAX)), insert: true },
        CallOptions { interval: None, insert: false },
    ];

    let mut turn = 0usize;
    if let Ok(facts) = gather(lay_out(req.iter().copied())) {
        for cfg in &configs {
            check_check_min(&facts, cfg.min_se);
            for call in &calls {
                for can_reject in [false, true] {
                    let d = initial_invite_for_call(&facts, cfg, call, can_reject);
                    check_initial(&facts, cfg, call, can_reject, &d);
                    if let InitialDecision::Track { edits, .. } = &d {
                        check_places(&req, &facts, edits);
                    }
                    let InitialDecision::Track { state, .. } = d else {
                        continue;
                    };
                    // One dialog per call, in turn (all four for every input,
                    // at a fraction of the cost of each for every call).
                    let (dialog, kept_leg, retransmission) = dialogs[turn % dialogs.len()];
                    turn += 1;
                    run_call(
                        state,
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
                    let rc = ReplyContext { initial, kept_leg, dialog };
                    let d = reply(s, status, facts, cfg, &rc);
                    check_reply(s, status, facts, cfg, &rc, &d);
                    if let Some(f) = facts {
                        check_places(lines, f, &d.edits);
                    }
                }
                let r = request_within(&s, WithinRequest::Refresh, facts, cfg, &dialog);
                check_refresh_request(&s, facts, cfg, &dialog, &r);
                if let Some(f) = facts {
                    check_places(lines, f, &r.edits);
                }
            }
        }
    }
});
