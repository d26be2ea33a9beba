//! Decision table: one test per call flow, named after the rule it checks.

use super::*;
use crate::rfc4028::timing::{DialogNow, Lifetime};
use crate::rfc4028::state::*;

const CFG: Config = Config { min_se: 1800, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0 };

/// A confirmed dialog with 1800 s armed and room for any realistic lifetime.
const NOW: DialogNow = DialogNow { confirmed: true, armed_remaining: Some(1800), lifetime: 1800, bound: 1 << 30 };
/// The first 2xx of the INVITE comes before the dialog is confirmed.
const INITIAL: ReplyContext =
    ReplyContext { initial: true, kept_leg: true, dialog: DialogNow { confirmed: false, armed_remaining: None, ..NOW } };
const REFRESH: ReplyContext = ReplyContext { initial: false, kept_leg: true, dialog: NOW };

fn l(seconds: u32) -> Lifetime {
    Lifetime { seconds, clamped_from: None }
}

fn facts(headers: &[(&str, &str)]) -> MessageFacts {
    gather(headers.iter().map(|(n, b)| (n.as_bytes(), b.as_bytes()))).expect("valid headers")
}

fn track(d: InitialDecision) -> (SstState, Vec<Edit>) {
    match d {
        InitialDecision::Track { state, edits } => (state, edits.iter().collect()),
        other => panic!("expected Track, got {other:?}"),
    }
}

#[test]
fn check_min_ignores_requests_other_than_invite_and_update() {
    let f = facts(&[("Session-Expires", "100")]);
    assert_eq!(check_min(false, &f, 1800), CheckMin::NotApplicable);
}

#[test]
fn check_min_without_session_expires_is_false() {
    assert_eq!(check_min(true, &facts(&[("Min-SE", "100")]), 1800), CheckMin::NotApplicable);
}

#[test]
fn check_min_compares_against_smaller_of_se_and_min_se() {
    // SE 3600 but Min-SE 100: min(3600, 100) = 100 < 1800 -> too small
    let f = facts(&[("Session-Expires", "3600"), ("Min-SE", "100")]);
    assert_eq!(check_min(true, &f, 1800), CheckMin::TooSmall { min_se: 1800 });
    let f = facts(&[("Session-Expires", "3600"), ("Min-SE", "1800")]);
    assert_eq!(check_min(true, &f, 1800), CheckMin::LargeEnough);
}

#[test]
fn check_min_absent_min_se_counts_as_90_rfc4028_s5() {
    let f = facts(&[("x", "3600")]);
    assert_eq!(check_min(true, &f, 90), CheckMin::LargeEnough);
    assert_eq!(check_min(true, &f, 91), CheckMin::TooSmall { min_se: 91 });
}

#[test]
fn flow1_se_at_least_min_se_is_forwarded_unchanged_requester_uac() {
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "1800"), ("Supported", "timer")]), &CFG, true));
    assert_eq!(s, SstState { requester: SST_UAC, supported: SST_UAC, interval: 1800 });
    assert!(edits.is_empty());
}

#[test]
fn flow2_too_small_uac_supports_reject_on_gives_422_with_max_min_se_rfc4028_s6() {
    let f = facts(&[("Session-Expires", "100"), ("Supported", "timer")]);
    assert_eq!(initial_invite(&f, &CFG, true), InitialDecision::Reject { min_se: 1800 });
    // the request's own Min-SE wins when it is larger than ours
    let f = facts(&[("Session-Expires", "100"), ("Min-SE", "2000"), ("Supported", "timer")]);
    assert_eq!(initial_invite(&f, &CFG, true), InitialDecision::Reject { min_se: 2000 });
    // never below the RFC floor of 90, whatever min_se says
    let cfg = Config { min_se: 60, ..CFG };
    let f = facts(&[("Session-Expires", "30"), ("Supported", "timer")]);
    assert_eq!(initial_invite(&f, &cfg, true), InitialDecision::Reject { min_se: 90 });
}

#[test]
fn flow2_without_a_safe_reply_point_raises_like_flow4_and_tracks() {
    let f = facts(&[("Session-Expires", "100;refresher=uac"), ("Supported", "timer"), ("Min-SE", "90")]);
    let (s, edits) = track(initial_invite(&f, &CFG, false));
    assert_eq!(edits, vec![Edit::SetSessionExpires(1800), Edit::ReplaceMinSe(1800)]);
    assert_eq!(s, SstState { requester: SST_UAC, supported: SST_UAC, interval: 1800 });
}

#[test]
fn flow3_too_small_uac_supports_reject_off_forwards_unchanged() {
    let cfg = Config { reject_to_small: false, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "100"), ("k", "timer")]), &cfg, true));
    assert_eq!(s, SstState { requester: SST_UAC, supported: SST_UAC, interval: 100 });
    assert!(edits.is_empty());
}

#[test]
fn flow4_too_small_uac_without_timer_raises_min_se_and_se_rfc4028_s8_1() {
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "100;refresher=uac"), ("Min-SE", "90")]), &CFG, true));
    assert_eq!(edits, vec![Edit::SetSessionExpires(1800), Edit::ReplaceMinSe(1800)]);
    assert_eq!(s, SstState { requester: SST_UAC, supported: SST_UNDF, interval: 1800 });
    // reject_to_small does not matter when the UAC cannot handle a 422
    let cfg = Config { reject_to_small: true, ..CFG };
    assert!(matches!(initial_invite(&facts(&[("Session-Expires", "100")]), &cfg, true), InitialDecision::Track { .. }));
}

#[test]
fn flow5_no_se_proxy_inserts_se_without_refresher_and_raises_low_min_se() {
    let (s, edits) = track(initial_invite(&facts(&[("Min-SE", "120")]), &CFG, true));
    assert_eq!(edits, vec![Edit::ReplaceMinSe(1800), Edit::AddSessionExpires { interval: 1800, refresher: None }]);
    assert_eq!(s, SstState { requester: SST_PXY, supported: SST_UNDF, interval: 1800 });
}

#[test]
fn flow5_interval_is_max_of_min_se_request_min_se_and_sst_interval() {
    let cfg = Config { sst_interval: 2400, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[]), &cfg, true));
    assert_eq!(s.interval, 2400);
    assert_eq!(edits, vec![Edit::AddSessionExpires { interval: 2400, refresher: None }]);
    let (s, edits) = track(initial_invite(&facts(&[("Min-SE", "3000")]), &cfg, true));
    assert_eq!(s.interval, 3000);
    assert_eq!(edits, vec![Edit::AddSessionExpires { interval: 3000, refresher: None }]);
}

fn tracked() -> SstState {
    SstState { requester: SST_UAC, supported: SST_UAC, interval: 1800 }
}

#[test]
fn flow7_422_raises_the_interval_to_its_min_se() {
    let d = reply(tracked(), 422, Some(&facts(&[("Min-SE", "3600")])), &CFG, &INITIAL);
    assert_eq!(d.state.interval, 3600);
    assert_eq!(d.lifetime, None);
    let d = reply(tracked(), 422, Some(&facts(&[("Min-SE", "600")])), &CFG, &INITIAL);
    assert_eq!(d.state.interval, 1800);
}

#[test]
fn flow7_a_422_to_a_refresh_changes_nothing_rfc4028_s10() {
    // A refused refresh is no refresh: the session in force stays as it is.
    let d = reply(tracked(), 422, Some(&facts(&[("CSeq", "2 INVITE"), ("Min-SE", "3600")])), &CFG, &REFRESH);
    assert_eq!(d.state, tracked());
    assert_eq!(d.lifetime, None);
}

fn within(state: &SstState, request: WithinRequest, hs: &[(&str, &str)], cfg: &Config, now: &DialogNow) -> RequestDecision {
    request_within(state, request, Some(&facts(hs)), cfg, now)
}

#[test]
fn flow11_a_refresh_request_arms_its_proposed_interval_when_more_than_is_left() {
    let hs = [("CSeq", "2 UPDATE"), ("Session-Expires", "900;refresher=uac")];
    let left_300 = DialogNow { armed_remaining: Some(300), ..NOW };
    assert_eq!(within(&tracked(), WithinRequest::Refresh, &hs, &CFG, &left_300).lifetime, Some(l(900)));
    // no Session-Expires, or no session timer running: leave the lifetime
    let none = within(&tracked(), WithinRequest::Refresh, &[("CSeq", "2 INVITE")], &CFG, &NOW);
    assert_eq!(none, RequestDecision::default());
    // a call without a session timer: its 2xx may start one, so it is armed too
    let no_timer = SstState { requester: SST_PXY, supported: SST_NSUP, interval: 43200 };
    let d = within(&no_timer, WithinRequest::Refresh, &hs, &CFG, &DialogNow { armed_remaining: Some(40000), ..NOW });
    assert_eq!(d.lifetime, Some(l(40000)));
    let zero = [("CSeq", "2 UPDATE"), ("Session-Expires", "0")];
    assert_eq!(within(&tracked(), WithinRequest::Refresh, &zero, &CFG, &NOW).lifetime, None);
    // unreadable: nothing
    assert_eq!(request_within(&tracked(), WithinRequest::Refresh, None, &CFG, &NOW), RequestDecision::default());
}

#[test]
fn a_refresh_proposing_less_than_is_left_never_shortens_the_session_rfc4028_s10() {
    // 1800 s session, 1790 s left; the refresh proposes 90. If it is refused
    // (488, 491, 500, no answer) the 1800 s session is still in force, so
    // the lifetime armed at the request keeps what is left of it.
    let left = DialogNow { armed_remaining: Some(1790), ..NOW };
    let hs = [("CSeq", "3 INVITE"), ("Session-Expires", "90")];
    assert_eq!(within(&tracked(), WithinRequest::Refresh, &hs, &CFG, &left).lifetime, Some(l(1790)));
    // ...and every refusal leaves record and lifetime alone
    let refused = facts(&[("CSeq", "3 INVITE")]);
    for status in [408, 422, 487, 488, 491, 500, 503, 603] {
        let d = reply(tracked(), status, Some(&refused), &CFG, &REFRESH);
        assert_eq!((d.state, d.lifetime, d.refresher), (tracked(), None, RefresherUpdate::Keep), "{status}");
    }
}

#[test]
fn early_dialog_requests_and_replies_decide_nothing() {
    let early = DialogNow { confirmed: false, armed_remaining: None, lifetime: 7200, ..NOW };
    let proxy_asked = SstState { requester: SST_PXY, supported: SST_UNDF, interval: 1800 };
    assert_eq!(within(&proxy_asked, WithinRequest::AckOrPrack, &[], &CFG, &early), RequestDecision::default());
    let update = [("CSeq", "2 UPDATE"), ("Session-Expires", "1800")];
    assert_eq!(within(&proxy_asked, WithinRequest::Refresh, &update, &CFG, &early), RequestDecision::default());
    let ctx = ReplyContext { initial: false, kept_leg: true, dialog: early };
    let d = reply(proxy_asked, 200, Some(&facts(&update)), &CFG, &ctx);
    assert_eq!((d.state, d.lifetime), (proxy_asked, None));
    // the INVITE's own 2xx without Session-Expires then leaves the dialog its timeout,
    // and a retransmission of it (the dialog is confirmed by then) settles nothing
    let retransmitted = ReplyContext { initial: true, kept_leg: true, dialog: NOW };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "90")]);
    let d = reply(tracked(), 200, Some(&f), &CFG, &retransmitted);
    assert_eq!((d.state, d.lifetime, d.refresher), (tracked(), None, RefresherUpdate::Keep));
    let ctx = ReplyContext { initial: true, kept_leg: true, dialog: early };
    assert_eq!(reply(proxy_asked, 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &ctx).lifetime, None);
}

#[test]
fn a_2xx_of_a_branch_the_dialog_does_not_keep_settles_nothing() {
    let other = ReplyContext { kept_leg: false, ..INITIAL };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "90;refresher=uas")]);
    let d = reply(tracked(), 200, Some(&f), &CFG, &other);
    assert_eq!((d.state, d.lifetime, d.refresher, d.edits), (tracked(), None, RefresherUpdate::Keep, Edits::default()));
    // flow 9 would add Session-Expires: not to the other branch's 2xx either
    let d = reply(tracked(), 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &other);
    assert!(d.edits.is_empty());
}

#[test]
fn huge_intervals_are_clamped_to_what_the_dialog_timer_holds() {
    let tight = ReplyContext { dialog: DialogNow { bound: 350_000_000, ..INITIAL.dialog }, ..INITIAL };
    for v in ["4294967295", "2147483648", "2147483647"] {
        let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", v)]);
        let d = reply(tracked(), 200, Some(&f), &CFG, &tight);
        let want: u32 = v.parse().unwrap();
        assert_eq!(d.lifetime, Some(Lifetime { seconds: 350_000_000, clamped_from: Some(want) }), "{v}");
        assert_eq!(d.state.interval, want, "the session itself is what the 2xx said");
    }
    // the ACK that follows re-arms the clamped value, and only if it differs
    let huge = SstState { interval: u32::MAX, ..tracked() };
    let now = DialogNow { bound: 350_000_000, lifetime: 350_000_000, ..NOW };
    assert_eq!(request_within(&huge, WithinRequest::AckOrPrack, None, &CFG, &now).lifetime, None);
    let now = DialogNow { lifetime: 700, ..now };
    assert_eq!(request_within(&huge, WithinRequest::AckOrPrack, None, &CFG, &now).lifetime.map(|l| l.seconds), Some(350_000_000));
    // a refresh request proposing it, likewise
    let hs = [("CSeq", "2 INVITE"), ("Session-Expires", "4294967295")];
    assert_eq!(within(&tracked(), WithinRequest::Refresh, &hs, &CFG, &now).lifetime.map(|l| l.seconds), Some(350_000_000));
}

#[test]
fn max_se_lowers_requests_to_it_but_never_below_their_min_se_rfc4028_s8_1() {
    let cfg = Config { min_se: 90, max_se: 3600, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "7200;refresher=uac")]), &cfg, false));
    assert_eq!((s.interval, edits), (3600, vec![Edit::SetSessionExpires(3600)]));
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "7200"), ("Min-SE", "5000")]), &cfg, false));
    assert_eq!((s.interval, edits), (5000, vec![Edit::SetSessionExpires(5000)]));
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "3600")]), &cfg, false));
    assert_eq!((s.interval, edits), (3600, vec![]));
    // the proxy's own request honours it too
    let cfg_big = Config { min_se: 90, sst_interval: 3600, max_se: 3600, ..CFG };
    let (s, _) = track(initial_invite_for_call(&facts(&[]), &cfg_big, &CallOptions { interval: Some(u32::MAX), insert: true }, false));
    assert_eq!(s.interval, 3600);
    // refresh requests are lowered the same way, and armed with what goes on
    let left = DialogNow { armed_remaining: Some(100), ..NOW };
    let d = within(&tracked(), WithinRequest::Refresh, &[("CSeq", "2 UPDATE"), ("Session-Expires", "9000")], &cfg, &left);
    assert_eq!((d.edits.iter().collect::<Vec<_>>(), d.lifetime), (vec![Edit::SetSessionExpires(3600)], Some(l(3600))));
}

#[test]
fn max_se_bounds_the_lifetime_unless_a_min_se_above_it_forced_the_session() {
    let cfg = Config { min_se: 90, max_se: 3600, ..CFG };
    // the request went on with 3600; a UAS answering 7200 broke RFC 4028 §9
    let asked = SstState { interval: 3600, ..tracked() };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "7200;refresher=uac")]);
    let d = reply(asked, 200, Some(&f), &cfg, &INITIAL);
    assert_eq!((d.state.interval, d.lifetime), (3600, Some(l(3600))));
    // Min-SE 5000 forced 5000: that session is in force
    let forced = SstState { interval: 5000, ..tracked() };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "5000;refresher=uac")]);
    assert_eq!(reply(forced, 200, Some(&f), &cfg, &INITIAL).lifetime, Some(l(5000)));
}

#[test]
fn a_2xx_with_session_expires_0_or_unreadable_is_left_as_it_is_and_untimed() {
    // 0 says neither when the session ends nor who refreshes: no second
    // Session-Expires is added, nothing is armed, the dialog keeps its own timeout.
    for d in [
        reply(tracked(), 200, Some(&facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "0")])), &CFG, &INITIAL),
        reply(tracked(), 200, None, &CFG, &INITIAL),
    ] {
        assert!(d.edits.is_empty());
        assert_eq!(d.lifetime, None);
        assert!(!d.state.timer_active());
        assert_eq!(d.refresher, RefresherUpdate::Clear);
    }
    // to a refresh: the session in force stays as it is
    for d in [
        reply(tracked(), 200, Some(&facts(&[("CSeq", "2 INVITE"), ("Session-Expires", "0")])), &CFG, &REFRESH),
        reply(tracked(), 200, None, &CFG, &REFRESH),
    ] {
        assert_eq!((d.state, d.lifetime, d.refresher), (tracked(), None, RefresherUpdate::Keep));
    }
}

#[test]
fn flow8_2xx_with_se_sets_the_negotiated_interval_not_min_se() {
    // The C module's defect: it used max(sst_interval, min_se) = 90 here.
    let cfg = Config { min_se: 90, ..CFG };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uac"), ("Supported", "timer")]);
    let d = reply(tracked(), 200, Some(&f), &cfg, &INITIAL);
    assert_eq!(d.lifetime, Some(l(1800)));
    assert_eq!(d.state.interval, 1800);
    assert!(d.edits.is_empty());
}

#[test]
fn flow8_records_that_the_uas_supports_when_the_uac_does_not() {
    let state = SstState { requester: SST_PXY, supported: SST_UNDF, interval: 1800 };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uas")]);
    let d = reply(state, 200, Some(&f), &CFG, &INITIAL);
    assert_eq!(d.state.supported, SST_UAS);
}

#[test]
fn flow9_2xx_without_se_uac_supports_adds_se_refresher_uac_and_require_timer() {
    let d = reply(tracked(), 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL);
    assert_eq!(
        d.edits.iter().collect::<Vec<_>>(),
        vec![Edit::AddSessionExpires { interval: 1800, refresher: Some(Refresher::Uac) }, Edit::AddRequireTimer]
    );
    assert_eq!(d.lifetime, Some(l(1800)));
    // Require already names timer: nothing to add there
    let d = reply(tracked(), 200, Some(&facts(&[("CSeq", "1 INVITE"), ("Require", "timer")])), &CFG, &INITIAL);
    assert_eq!(d.edits.iter().count(), 1);
}

#[test]
fn flow10_nobody_supports_timers_dialog_keeps_its_own_timeout_issue_2829() {
    // The dialog's lifetime is still what the dialog module set at creation:
    // default_timeout, or the script's $DLG_timeout. Leave it alone.
    let state = SstState { requester: SST_PXY, supported: SST_UNDF, interval: 1800 };
    let d = reply(state, 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL);
    assert_eq!(d.lifetime, None);
    assert_eq!(d.state.supported, SST_NSUP);
    assert!(!d.state.timer_active());
    assert!(d.edits.is_empty());
}

#[test]
fn flow11_refresh_whose_2xx_drops_se_ends_timing_with_default_timeout_not_zero() {
    let d = reply(tracked(), 200, Some(&facts(&[("CSeq", "2 UPDATE")])), &CFG, &REFRESH);
    assert_eq!(d.lifetime, Some(l(43200)));
    assert!(d.edits.is_empty());
    // and a refresh answered with SE restarts the timer with that SE
    let d = reply(tracked(), 200, Some(&facts(&[("CSeq", "3 INVITE"), ("Session-Expires", "900;refresher=uas")])), &CFG, &REFRESH);
    assert_eq!(d.lifetime, Some(l(900)));
    assert_eq!(d.state.interval, 900);
}

#[test]
fn replies_to_other_methods_and_provisional_replies_change_nothing() {
    let f = facts(&[("CSeq", "2 BYE"), ("Session-Expires", "10")]);
    assert_eq!(reply(tracked(), 200, Some(&f), &CFG, &REFRESH).lifetime, None);
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "10")]);
    assert_eq!(reply(tracked(), 180, Some(&f), &CFG, &INITIAL).lifetime, None);
    assert_eq!(reply(tracked(), 486, Some(&f), &CFG, &INITIAL).lifetime, None);
}

#[test]
fn flow12_ack_and_prack_reapply_the_current_interval_only_while_timing() {
    let ack = |state: &SstState, lifetime| {
        request_within(state, WithinRequest::AckOrPrack, None, &CFG, &DialogNow { lifetime, ..NOW }).lifetime
    };
    // the script's $DLG_timeout (700) replaced our lifetime: restore it
    assert_eq!(ack(&tracked(), 700), Some(l(1800)));
    // unchanged lifetime: nothing to re-arm (the expiry must not move)
    assert_eq!(ack(&tracked(), 1800), None);
    assert_eq!(ack(&SstState::default(), 700), None);
    let no_timer = SstState { requester: SST_PXY, supported: SST_NSUP, interval: 43200 };
    assert_eq!(ack(&no_timer, 700), None);
    // other in-dialog requests re-arm what was set last: nothing to decide
    let info = request_within(&tracked(), WithinRequest::Other, None, &CFG, &DialogNow { lifetime: 700, ..NOW });
    assert_eq!(info, RequestDecision::default());
    // ...unless what was clamped a while ago no longer fits from now
    let later = DialogNow { lifetime: 5000, bound: 4990, ..NOW };
    let info = request_within(&tracked(), WithinRequest::Other, None, &CFG, &later);
    assert_eq!(info.lifetime, Some(Lifetime { seconds: 4990, clamped_from: Some(5000) }));
}

#[test]
fn duplicate_or_malformed_timer_headers_are_reported_by_name() {
    let r = gather([(&b"Session-Expires"[..], &b"100"[..]), (&b"x"[..], &b"200"[..])]);
    assert_eq!(r, Err(FactsError { header: "Session-Expires", error: HeaderError::Duplicate }));
    let r = gather([(&b"Min-SE"[..], &b"-1"[..])]);
    assert_eq!(r, Err(FactsError { header: "Min-SE", error: HeaderError::Negative }));
}

#[test]
fn gather_reads_position_of_session_expires_and_require() {
    let f = facts(&[("Via", "x"), ("Require", "100rel"), ("Session-Expires", "90")]);
    assert_eq!(f.session_expires.map(|(_, i)| i), Some(2));
    assert!(f.has_require && !f.requires_timer);
}

// ---------------------------------------------------------------- issue 6

#[test]
fn per_call_interval_replaces_sst_interval_when_the_proxy_requests() {
    let call = CallOptions { interval: Some(2400), insert: true };
    let (s, edits) = track(initial_invite_for_call(&facts(&[]), &CFG, &call, false));
    assert_eq!(s, SstState { requester: SST_PXY, supported: SST_UNDF, interval: 2400 });
    assert_eq!(edits, vec![Edit::AddSessionExpires { interval: 2400, refresher: None }]);
    // still never below min_se, like sst_interval
    let low = CallOptions { interval: Some(600), insert: true };
    let (s, _) = track(initial_invite_for_call(&facts(&[]), &CFG, &low, false));
    assert_eq!(s.interval, 1800);
    // the UAC's own request is not overridden: it asked for enough
    let f = facts(&[("Session-Expires", "3600"), ("Supported", "timer")]);
    let (s, edits) = track(initial_invite_for_call(&f, &CFG, &call, false));
    assert_eq!(s.interval, 3600);
    assert!(edits.is_empty());
}

#[test]
fn per_call_interval_is_what_flow9_offers_the_uac() {
    // the proxy requested 2400 for this call; the UAS ignored timers
    let state = SstState { requester: SST_PXY, supported: SST_UAC, interval: 2400 };
    let d = reply(state, 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL);
    assert_eq!(d.edits.iter().next(), Some(Edit::AddSessionExpires { interval: 2400, refresher: Some(Refresher::Uac) }));
}

#[test]
fn opt_out_leaves_a_request_without_session_expires_untouched_issue_991() {
    let off = CallOptions { interval: None, insert: false };
    let f = facts(&[("Supported", "timer")]);
    let (s, edits) = track(initial_invite_for_call(&f, &CFG, &off, false));
    assert_eq!(s, SstState { requester: SST_UNDF, supported: SST_UAC, interval: 0 });
    assert!(edits.is_empty());
    assert!(!s.timer_active());
    // ...so a 2xx without Session-Expires gets none added (the #991 case:
    // the UAC supports timers, the UAS cannot take refreshes)
    let d = reply(s, 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL);
    assert!(d.edits.is_empty());
    assert_eq!(d.lifetime, None, "the dialog keeps its own timeout");
    assert_eq!(d.refresher, RefresherUpdate::Clear);
    // ...and a UAS that starts session timers itself is followed
    let d = reply(s, 200, Some(&facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1200;refresher=uac")])), &CFG, &INITIAL);
    assert_eq!(d.lifetime, Some(l(1200)));
    assert_eq!(d.refresher, RefresherUpdate::Set(Refresher::Uac));
}

#[test]
fn opt_out_does_not_touch_a_uac_that_asked_itself() {
    let off = CallOptions { interval: Some(5000), insert: false };
    let f = facts(&[("Session-Expires", "1800"), ("Supported", "timer")]);
    assert_eq!(initial_invite_for_call(&f, &CFG, &off, false), initial_invite(&f, &CFG, false));
}

#[test]
fn default_call_options_decide_exactly_as_before() {
    for hs in [&[][..], &[("Min-SE", "120")][..], &[("Session-Expires", "100")][..],
               &[("Session-Expires", "100"), ("Supported", "timer")][..]] {
        let f = facts(hs);
        assert_eq!(initial_invite_for_call(&f, &CFG, &CallOptions::default(), true), initial_invite(&f, &CFG, true));
    }
}

#[test]
fn refresher_is_the_2xx_s_own_uas_included_erratum_8926() {
    // the UAC supports timers and the proxy asked, but the UAS keeps the refresh
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uas")]);
    assert_eq!(reply(tracked(), 200, Some(&f), &CFG, &INITIAL).refresher, RefresherUpdate::Set(Refresher::Uas));
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uac")]);
    assert_eq!(reply(tracked(), 200, Some(&f), &CFG, &INITIAL).refresher, RefresherUpdate::Set(Refresher::Uac));
}

#[test]
fn refresher_without_a_parameter_is_inferred_only_when_certain() {
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1800")]);
    // the UAC supports timers: either end could refresh; nothing is recorded
    assert_eq!(reply(tracked(), 200, Some(&f), &CFG, &INITIAL).refresher, RefresherUpdate::Clear);
    // the UAC does not: only the UAS can
    let no_uac = SstState { requester: SST_PXY, supported: SST_UNDF, interval: 1800 };
    assert_eq!(reply(no_uac, 200, Some(&f), &CFG, &INITIAL).refresher, RefresherUpdate::Set(Refresher::Uas));
}

#[test]
fn refresher_of_flow9_is_the_uac_and_non_2xx_keep_it() {
    assert_eq!(reply(tracked(), 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL).refresher, RefresherUpdate::Set(Refresher::Uac));
    for status in [180, 422, 486] {
        let f = facts(&[("CSeq", "2 INVITE"), ("Min-SE", "3600")]);
        assert_eq!(reply(tracked(), status, Some(&f), &CFG, &REFRESH).refresher, RefresherUpdate::Keep, "{status}");
    }
    // a refresh 2xx that drops Session-Expires ends timing: no refresher
    assert_eq!(reply(tracked(), 200, Some(&facts(&[("CSeq", "2 UPDATE")])), &CFG, &REFRESH).refresher, RefresherUpdate::Clear);
}
