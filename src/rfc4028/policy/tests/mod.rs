//! Decision table: one test per call flow, named after the rule it checks;
//! the shared configuration and helpers are here, the tests by message kind
//! in the files beside.

mod initial;
mod reply;
mod within;

use super::*;
use crate::rfc4028::grammar::{HeaderError, Refresher};
use crate::session::dialog_state::*;

const CFG: Config = Config { min_se: 1800, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };

/// A confirmed dialog with 1800 s armed and room for any realistic lifetime.
const NOW: DialogNow = DialogNow { confirmed: true, armed_remaining: Some(1800), lifetime: 1800, bound: 1 << 30, answered_ago: None };

/// The first 2xx of the INVITE comes before the dialog is confirmed.
const INITIAL: ReplyContext =
    ReplyContext { initial: true, kept_leg: true, dialog: DialogNow { confirmed: false, armed_remaining: None, ..NOW } };

const REFRESH: ReplyContext = ReplyContext { initial: false, kept_leg: true, dialog: NOW };

fn l(seconds: u32) -> Lifetime {
    Lifetime { seconds, clamped_from: None }
}

fn facts(headers: &[(&str, &str)]) -> MessageFacts {
    gather(lay_out(headers.iter().map(|(n, b)| (n.as_bytes(), b.as_bytes())))).expect("valid headers")
}

fn track(d: InitialDecision) -> (SstState, Vec<Edit>) {
    (d.state, d.edits.iter().collect())
}

fn tracked() -> SstState {
    SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 }
}

fn within(state: &SstState, request: WithinRequest, hs: &[(&str, &str)], cfg: &Config, now: &DialogNow) -> RequestDecision {
    request_within(state, request, Some(&facts(hs)), cfg, now)
}

/// The message `headers` lay out to (see `lay_out`), with `edits` made.
fn edited(headers: &[(&str, &str)], edits: &Edits) -> String {
    let text: Vec<u8> = headers.iter().flat_map(|(n, b)| format!("{n}: {b}\r\n").into_bytes()).collect();
    String::from_utf8(edits.applied_to(&text)).expect("edits write ASCII")
}

fn initial_edits(headers: &[(&str, &str)], cfg: &Config) -> Edits {
    initial_invite(&facts(headers), cfg).edits
}

#[test]
fn duplicate_or_malformed_timer_headers_are_reported_by_name() {
    let r = gather(lay_out([(&b"Session-Expires"[..], &b"100"[..]), (&b"x"[..], &b"200"[..])]));
    assert_eq!(r, Err(FactsError { header: "Session-Expires", error: HeaderError::Duplicate }));
    let r = gather(lay_out([(&b"Min-SE"[..], &b"-1"[..])]));
    assert_eq!(r, Err(FactsError { header: "Min-SE", error: HeaderError::Negative }));
}

#[test]
fn gather_reads_position_of_session_expires_and_require() {
    // "Via: x\r\n" is 8 bytes, "Require: 100rel\r\n" 17, "Min-SE:  95\r\n" 13
    let f = facts(&[("Via", "x"), ("Require", "100rel"), ("Min-SE", " 95"), ("Session-Expires", " 90 ;refresher=uac")]);
    assert_eq!(f.session_expires.map(|(_, delta)| delta), Some(Span { at: 38 + 17 + 1, len: 2 }));
    assert_eq!(f.min_se_line, Some(Span { at: 25, len: 13 }));
    assert_eq!(f.first_require, Some(RequireEnd { at: 8 + 9 + 6, empty: false }));
    assert!(f.first_require.is_some() && !f.requires_timer);
}

#[test]
fn edits_land_on_the_bytes_they_change_and_keep_the_rest() {
    let cfg = Config { min_se: 1800, reject_to_small: false, ..CFG };
    // flow 4: the value is raised in place, parameters kept; Min-SE replaced whole
    let hs = [("Via", "x"), ("Session-Expires", " 100 ;refresher=uac"), ("Min-SE", "100;x=y"), ("To", "b")];
    assert_eq!(
        edited(&hs, &initial_edits(&hs, &cfg)),
        "Via: x\r\nSession-Expires:  1800 ;refresher=uac\r\nMin-SE: 1800\r\nTo: b\r\n"
    );
    // flow 5: a low Min-SE replaced, Session-Expires added after the last header
    let hs = [("Min-SE", "90"), ("To", "b")];
    assert_eq!(edited(&hs, &initial_edits(&hs, &cfg)), "Min-SE: 1800\r\nTo: b\r\nSession-Expires: 1800\r\n");
    // flow 9: Session-Expires and Require added in that order, or timer
    // appended to the first Require, with a comma only when it has tags
    let st = SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 };
    for (require, want) in [
        (None, "CSeq: 1 INVITE\r\nSession-Expires: 1800;refresher=uac\r\nRequire: timer\r\n"),
        (Some("100rel"), "CSeq: 1 INVITE\r\nRequire: 100rel, timer\r\nSession-Expires: 1800;refresher=uac\r\n"),
        (Some(""), "CSeq: 1 INVITE\r\nRequire: timer\r\nSession-Expires: 1800;refresher=uac\r\n"),
    ] {
        let mut hs = vec![("CSeq", "1 INVITE")];
        hs.extend(require.map(|r| ("Require", r)));
        let d = reply(st, 200, Some(&facts(&hs)), &cfg, &INITIAL);
        assert_eq!(edited(&hs, &d.edits), want, "{require:?}");
    }
}

#[test]
fn the_longest_edit_texts_are_written_whole() {
    let f = facts(&[("Session-Expires", "4294967295")]);
    let texts = [
        Edit::AddSessionExpires { interval: u32::MAX, refresher: Some(Refresher::Uac) },
        Edit::ReplaceMinSe(u32::MAX),
        Edit::SetSessionExpires(u32::MAX),
        Edit::AddRequireTimer,
    ]
    .map(|e| String::from_utf8(e.place_in(&f).expect("placed").text.as_bytes().to_vec()).unwrap());
    assert_eq!(texts, [
        "Session-Expires: 4294967295;refresher=uac\r\n",
        "Min-SE: 4294967295\r\n",
        "4294967295",
        "Require: timer\r\n",
    ]);
    // a rewrite has no place in a message without Session-Expires
    assert_eq!(Edit::SetSessionExpires(90).place_in(&facts(&[])), None);
}
