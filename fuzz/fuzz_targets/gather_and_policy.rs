//! Messages -> facts -> decisions, with invariants on every decision.
//!
//! Input (text, so the seeds stay readable):
//!
//! ```text
//! min_se sst_interval reject_to_small default_timeout status1 status2 [requester supported interval [call_interval]]
//! <initial INVITE headers>            one `Name: body` per line; a line starting
//!                                     with SP/HTAB continues the previous body
//! <blank line>
//! <headers of the reply to the INVITE>
//! <blank line>
//! <headers of an in-dialog reply (refresh)>
//! ```
//!
//! The numbers of the first line are read leniently (missing -> a default;
//! clamped to what mod_init and the dialog module accept). The optional three
//! make a stored record (as loaded from the database or a C-module peer) that
//! is run through reply() as well. Every INVITE is also decided with the
//! script's per-call options: call_interval (default 600) and insert off.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sst::rfc4028::grammar::Refresher;
use sst::rfc4028::policy::{
    check_min, gather, initial_invite_for_call, lifetime_on_ack_or_prack,
    lifetime_on_refresh_request, reply, CallOptions, CheckMin, Config, Edit, Edits,
    InitialDecision, MessageFacts, RefresherUpdate, ReplyDecision, RFC_MIN_SE,
};
use sst::rfc4028::state::{SstState, SST_NSUP, SST_PXY, SST_UAC, SST_UNDF};

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
        InitialDecision::Track { state, edits } => {
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
            // The Session-Expires the forwarded request carries.
            let mut fwd_se = facts.se().map(|se| se.interval);
            let mut fwd_min_se = facts.min_se;
            for e in &edits {
                match *e {
                    Edit::ReplaceMinSe(v) => {
                        assert!(v >= cfg.min_se, "{e:?} {cfg:?}");
                        fwd_min_se = Some(v);
                    }
                    Edit::RaiseSessionExpires(v) => {
                        assert!(v >= cfg.min_se, "{e:?} {cfg:?}");
                        let se = facts.se().expect("raise needs a Session-Expires");
                        assert!(v > se.interval, "raise must raise: {e:?} {se:?}");
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
                        // the script's interval replaces sst_interval, floor kept
                        let asked = call.interval.unwrap_or(cfg.sst_interval);
                        assert!(interval >= asked.max(cfg.floor()), "{e:?} {call:?} {cfg:?}");
                        fwd_se = Some(interval);
                    }
                    Edit::AddRequireTimer => panic!("Require: timer added to a request"),
                }
            }
            // What we track is what the forwarded request asks for.
            assert_eq!(Some(state.interval), fwd_se, "{facts:?} {cfg:?} {edits:?}");
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

fn check_reply(
    before: SstState,
    status: u32,
    facts: &MessageFacts,
    cfg: &Config,
    initial: bool,
    d: &ReplyDecision,
) {
    let ctx = || format!("{before:?} {status} {facts:?} {cfg:?} initial={initial} -> {d:?}");
    let edits = edits_vec(&d.edits);
    check_edits_shape(&edits);
    if let Some(l) = d.lifetime {
        assert_ne!(l, 0, "reply() armed a zero lifetime: {}", ctx());
        assert_eq!(
            l,
            d.state.interval,
            "lifetime differs from the recorded interval: {}",
            ctx()
        );
    }
    assert_eq!(d.state.requester, before.requester, "{}", ctx());
    if status == 422 {
        assert!(edits.is_empty() && d.lifetime.is_none(), "{}", ctx());
        assert!(d.state.interval >= before.interval, "{}", ctx());
        assert_eq!(d.state.supported, before.supported, "{}", ctx());
        // A 422 to a refresh changes nothing (RFC 4028 §10).
        if !initial {
            assert_eq!(d.state, before, "{}", ctx());
        }
    } else if !(200..300).contains(&status) {
        assert_eq!(
            (d.state, edits.len(), d.lifetime),
            (before, 0, None),
            "{}",
            ctx()
        );
    }
    for e in &edits {
        match *e {
            Edit::AddSessionExpires {
                interval,
                refresher,
            } => {
                assert!(initial, "{}", ctx());
                assert_eq!(refresher, Some(Refresher::Uac), "{}", ctx());
                assert_eq!(interval, d.state.interval, "{}", ctx());
                assert_eq!(d.lifetime, Some(interval), "{}", ctx());
            }
            Edit::AddRequireTimer => {
                assert!(
                    edits
                        .iter()
                        .any(|e| matches!(e, Edit::AddSessionExpires { .. })),
                    "{}",
                    ctx()
                );
                assert!(!facts.requires_timer, "{}", ctx());
            }
            Edit::ReplaceMinSe(_) | Edit::RaiseSessionExpires(_) => {
                panic!("reply() edits Min-SE/Session-Expires of a reply: {}", ctx())
            }
        }
    }
    // The refresher: only a settling 2xx names one, and then a timer runs.
    match d.refresher {
        RefresherUpdate::Keep => {}
        RefresherUpdate::Set(r) => {
            assert!((200..300).contains(&status) && d.lifetime.is_some(), "{}", ctx());
            if edits.iter().any(|e| matches!(e, Edit::AddSessionExpires { .. })) {
                assert_eq!(r, Refresher::Uac, "{}", ctx());
            } else if let Some(se) = facts.se().filter(|se| se.refresher.is_some()) {
                assert_eq!(se.refresher, Some(r), "the 2xx's own refresher is not kept: {}", ctx());
            }
        }
        RefresherUpdate::Clear => assert!((200..300).contains(&status), "{}", ctx()),
    }
    if !(200..300).contains(&status) {
        assert_eq!(d.refresher, RefresherUpdate::Keep, "{}", ctx());
    }
    // Flows 10 / 11 store the dialog module's default timeout, never 0.
    if (200..300).contains(&status) && d.state.supported == SST_NSUP && d.state != before {
        assert_eq!(d.state.interval, cfg.default_timeout, "{}", ctx());
    }
    check_ack_or_prack(
        &d.state,
        [
            0,
            d.state.interval,
            d.lifetime.unwrap_or(cfg.default_timeout),
        ],
    );
    assert_eq!(SstState::from_bytes(&d.state.to_bytes()), Ok(d.state));
}

/// Flow 12: only a running timer is re-armed, never with 0, only when it moves.
fn check_ack_or_prack(state: &SstState, currents: [u32; 3]) {
    for current in currents {
        match lifetime_on_ack_or_prack(state, current) {
            Some(l) => {
                assert!(
                    l > 0 && l == state.interval && l != current,
                    "{state:?} {current}"
                );
                assert!(state.timer_active());
            }
            None => assert!(
                !state.timer_active() || current == state.interval,
                "{state:?} {current}"
            ),
        }
    }
}

/// Flow 11, request side: a refresh arms what it proposes, never 0.
fn check_refresh_request(state: &SstState, facts: &MessageFacts) {
    match lifetime_on_refresh_request(state, facts) {
        Some(p) => {
            assert!(p > 0, "{state:?} {facts:?}");
            assert_eq!(Some(p), facts.se().map(|se| se.interval));
            assert!(state.timer_active());
        }
        None => assert!(
            !state.timer_active() || facts.se().is_none_or(|se| se.interval == 0),
            "{state:?} {facts:?}"
        ),
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

fuzz_target!(|data: &[u8]| {
    let (control, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let n = numbers(control);
    let at = |i: usize, default: u32| n.get(i).copied().unwrap_or(default);
    let base = Config {
        min_se: at(0, 1800).min(INT_MAX),
        sst_interval: at(1, 0).min(INT_MAX),
        reject_to_small: at(2, 1) != 0,
        // the dialog module refuses default_timeout <= 0
        default_timeout: at(3, 43200).clamp(1, INT_MAX),
    };
    let status1 = at(4, 200).clamp(100, 999);
    let status2 = at(5, 200).clamp(100, 999);
    let stored = (n.len() >= 9).then(|| SstState {
        requester: n[6],
        supported: n[7],
        interval: n[8],
    });

    let b = blocks(rest);
    let req = headers(b.first().copied().unwrap_or(&[]));
    let rpl = headers(b.get(1).copied().unwrap_or(&[]));
    let refresh = headers(b.get(2).copied().unwrap_or(&[]));
    let rpl_facts = gather(rpl.iter().copied()).ok();
    let refresh_facts = gather(refresh.iter().copied()).ok();

    let configs = [
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

    let calls = [
        CallOptions::default(),
        CallOptions { interval: Some(at(9, 600).clamp(1, u32::MAX)), insert: true },
        CallOptions { interval: None, insert: false },
    ];

    if let Ok(facts) = gather(req.iter().copied()) {
        for (cfg, call) in configs.iter().flat_map(|c| calls.iter().map(move |o| (c, o))) {
            check_check_min(&facts, cfg.min_se);
            for can_reject in [false, true] {
                let d = initial_invite_for_call(&facts, cfg, call, can_reject);
                check_initial(&facts, cfg, call, can_reject, &d);
                let InitialDecision::Track { state, .. } = d else {
                    continue;
                };
                let Some(rf) = rpl_facts.as_ref() else {
                    continue;
                };
                let d1 = reply(state, status1, rf, cfg, true);
                check_reply(state, status1, rf, cfg, true, &d1);
                let Some(ff) = refresh_facts.as_ref() else {
                    continue;
                };
                // The third block doubles as the refresh request's headers.
                check_refresh_request(&d1.state, ff);
                let d2 = reply(d1.state, status2, ff, cfg, false);
                check_reply(d1.state, status2, ff, cfg, false, &d2);
            }
        }
    }

    // A record loaded from storage (any bit pattern a peer could have written).
    if let Some(s) = stored {
        for facts in [rpl_facts.as_ref(), refresh_facts.as_ref()]
            .into_iter()
            .flatten()
        {
            for cfg in &configs {
                for (status, initial) in [(status1, true), (status2, false)] {
                    let d = reply(s, status, facts, cfg, initial);
                    check_reply(s, status, facts, cfg, initial, &d);
                    check_refresh_request(&s, facts);
                }
            }
        }
    }
});
