//! Checks every decision shares: the shape and places of edits, lifetimes,
//! re-arms, a rewritten Session-Expires.

use super::*;

pub(super) fn edits_vec(e: &Edits) -> Vec<Edit> {
    e.iter().collect()
}

pub(super) fn check_edits_shape(edits: &[Edit]) {
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
pub(super) fn check_places(headers: &[(&[u8], &[u8])], facts: &MessageFacts, edits: &Edits) {
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
    // (a line starting with SP/HTAB continues the body above it)
    let edited = edits.applied_to(&text);
    for which in [HeaderName::SessionExpires, HeaderName::MinSe] {
        let n = edited
            .split(|&b| b == b'\n')
            .filter(|l| !matches!(l.first(), Some(b' ' | b'\t')))
            .filter(|l| classify_name(l.split(|&b| b == b':').next().unwrap_or(b"")) == which)
            .count();
        assert!(n <= 1, "{which:?} twice: {:?}", String::from_utf8_lossy(&edited));
    }
}

/// A lifetime handed to the dialog module: what was `asked`, within what the
/// dialog timer can hold, never 0; `clamped_from` exactly when it did not fit.
pub(super) fn check_lifetime(l: Lifetime, asked: u32, dialog: &DialogNow, what: &dyn Fn() -> String) {
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
pub(super) fn check_refit(l: Option<Lifetime>, dialog: &DialogNow, what: &dyn Fn() -> String) {
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
pub(super) fn check_rearm(d: &RequestDecision, dialog: &DialogNow, what: &dyn Fn() -> String) {
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
pub(super) fn check_request_se_edit(orig: u32, request_min_se: Option<u32>, cfg: &Config, v: u32) {
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
