//! sstCheckMin() and the initial INVITE: flows 1 to 5, max_se, the script's per-call options.

use super::*;

#[test]
fn check_min_ignores_requests_other_than_invite_and_update() {
    let f = facts(&[("Session-Expires", "100")]);
    for m in [Method::Ack, Method::Prack, Method::Other] {
        assert_eq!(check_min(m, || Some(f), 1800), CheckMin::NotApplicable);
    }
    assert_eq!(check_min(Method::Update, || Some(f), 1800), CheckMin::TooSmall { min_se: 1800 });
    // the headers are not even read for another request
    assert_eq!(check_min(Method::Other, || panic!("read"), 1800), CheckMin::NotApplicable);
    assert_eq!(check_min(Method::Invite, || None, 1800), CheckMin::Unreadable);
}

#[test]
fn check_min_without_session_expires_is_false() {
    assert_eq!(check_min(Method::Invite, || Some(facts(&[("Min-SE", "100")])), 1800), CheckMin::NotApplicable);
}

#[test]
fn check_min_compares_against_smaller_of_se_and_min_se() {
    // SE 3600 but Min-SE 100: min(3600, 100) = 100 < 1800 -> too small
    let f = facts(&[("Session-Expires", "3600"), ("Min-SE", "100")]);
    assert_eq!(check_min(Method::Invite, || Some(f), 1800), CheckMin::TooSmall { min_se: 1800 });
    let f = facts(&[("Session-Expires", "3600"), ("Min-SE", "1800")]);
    assert_eq!(check_min(Method::Invite, || Some(f), 1800), CheckMin::LargeEnough);
}

#[test]
fn check_min_absent_min_se_counts_as_90_rfc4028_s5() {
    let f = facts(&[("x", "3600")]);
    assert_eq!(check_min(Method::Invite, || Some(f), 90), CheckMin::LargeEnough);
    assert_eq!(check_min(Method::Invite, || Some(f), 91), CheckMin::TooSmall { min_se: 91 });
}

#[test]
fn flow1_se_at_least_min_se_is_forwarded_unchanged_requester_uac() {
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "1800"), ("Supported", "timer")]), &CFG));
    assert_eq!(s, SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 });
    assert!(edits.is_empty());
}

#[test]
fn flow2_too_small_uac_supports_reject_on_is_raised_and_told_no_422_from_the_dialog_callback() {
    // the request's Min-SE and Session-Expires raised to min_se, as flow 4,
    // and the operator told that a 422 was due
    let f = facts(&[("Session-Expires", "100;refresher=uac"), ("Supported", "timer"), ("Min-SE", "90")]);
    let d = initial_invite(&f, &CFG);
    assert!(d.raised_instead_of_422);
    assert_eq!(track(d), (SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 },
        vec![Edit::SetSessionExpires(1800), Edit::ReplaceMinSe(1800)]));
    // the request's own Min-SE wins when it is larger than ours
    let f = facts(&[("Session-Expires", "100"), ("Min-SE", "2000"), ("Supported", "timer")]);
    let d = initial_invite(&f, &CFG);
    assert!(d.raised_instead_of_422);
    assert_eq!(track(d).1, vec![Edit::SetSessionExpires(2000), Edit::ReplaceMinSe(2000)]);
    // nothing to tell when rejecting is off (flow 3) or the UAC would not
    // understand a 422 (flow 4)
    let f = facts(&[("Session-Expires", "100"), ("Supported", "timer")]);
    assert!(!initial_invite(&f, &Config { reject_to_small: false, ..CFG }).raised_instead_of_422);
    assert!(!initial_invite(&facts(&[("Session-Expires", "100")]), &CFG).raised_instead_of_422);
}

#[test]
fn flow3_too_small_uac_supports_reject_off_forwards_unchanged() {
    let cfg = Config { reject_to_small: false, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "100"), ("k", "timer")]), &cfg));
    assert_eq!(s, SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 100 });
    assert!(edits.is_empty());
}

#[test]
fn flow4_too_small_uac_without_timer_raises_min_se_and_se_rfc4028_s8_1() {
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "100;refresher=uac"), ("Min-SE", "90")]), &CFG));
    assert_eq!(edits, vec![Edit::SetSessionExpires(1800), Edit::ReplaceMinSe(1800)]);
    assert_eq!(s, SstState { requester: Requester::Uac, supported: Supported::Unknown, interval: 1800 });
    // reject_to_small does not matter when the UAC cannot handle a 422
    let cfg = Config { reject_to_small: true, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "100")]), &cfg));
    assert_eq!((s.interval, edits.len()), (1800, 2));
}

#[test]
fn flow5_no_se_proxy_inserts_se_without_refresher_and_raises_low_min_se() {
    let (s, edits) = track(initial_invite(&facts(&[("Min-SE", "120")]), &CFG));
    assert_eq!(edits, vec![Edit::ReplaceMinSe(1800), Edit::AddSessionExpires { interval: 1800, refresher: None }]);
    assert_eq!(s, SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 });
}

#[test]
fn flow5_interval_is_max_of_min_se_request_min_se_and_sst_interval() {
    let cfg = Config { sst_interval: 2400, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[]), &cfg));
    assert_eq!(s.interval, 2400);
    assert_eq!(edits, vec![Edit::AddSessionExpires { interval: 2400, refresher: None }]);
    let (s, edits) = track(initial_invite(&facts(&[("Min-SE", "3000")]), &cfg));
    assert_eq!(s.interval, 3000);
    assert_eq!(edits, vec![Edit::AddSessionExpires { interval: 3000, refresher: None }]);
}

#[test]
fn max_se_lowers_requests_to_it_but_never_below_their_min_se_rfc4028_s8_1() {
    let cfg = Config { min_se: 90, max_se: 3600, ..CFG };
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "7200;refresher=uac")]), &cfg));
    assert_eq!((s.interval, edits), (3600, vec![Edit::SetSessionExpires(3600)]));
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "7200"), ("Min-SE", "5000")]), &cfg));
    assert_eq!((s.interval, edits), (5000, vec![Edit::SetSessionExpires(5000)]));
    let (s, edits) = track(initial_invite(&facts(&[("Session-Expires", "3600")]), &cfg));
    assert_eq!((s.interval, edits), (3600, vec![]));
    // the proxy's own request honours it too
    let cfg_big = Config { min_se: 90, sst_interval: 3600, max_se: 3600, ..CFG };
    let (s, _) = track(initial_invite_for_call(&facts(&[]), &cfg_big, &CallOptions { interval: Some(u32::MAX), insert: true, max_duration: None }));
    assert_eq!(s.interval, 3600);
    // refresh requests are lowered the same way, and armed with what goes on
    let left = DialogNow { armed_remaining: Some(100), ..NOW };
    let d = within(&tracked(), WithinRequest::Refresh, &[("CSeq", "2 UPDATE"), ("Session-Expires", "9000")], &cfg, &left);
    assert_eq!((d.edits.iter().collect::<Vec<_>>(), d.lifetime), (vec![Edit::SetSessionExpires(3600)], Some(l(3600))));
}

#[test]
fn per_call_interval_replaces_sst_interval_when_the_proxy_requests() {
    let call = CallOptions { interval: Some(2400), insert: true, max_duration: None };
    let (s, edits) = track(initial_invite_for_call(&facts(&[]), &CFG, &call));
    assert_eq!(s, SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 2400 });
    assert_eq!(edits, vec![Edit::AddSessionExpires { interval: 2400, refresher: None }]);
    // still never below min_se, like sst_interval
    let low = CallOptions { interval: Some(600), insert: true, max_duration: None };
    let (s, _) = track(initial_invite_for_call(&facts(&[]), &CFG, &low));
    assert_eq!(s.interval, 1800);
    // the UAC's own request is not overridden: it asked for enough
    let f = facts(&[("Session-Expires", "3600"), ("Supported", "timer")]);
    let (s, edits) = track(initial_invite_for_call(&f, &CFG, &call));
    assert_eq!(s.interval, 3600);
    assert!(edits.is_empty());
}

#[test]
fn per_call_interval_is_what_flow9_offers_the_uac() {
    // the proxy requested 2400 for this call; the UAS ignored timers
    let state = SstState { requester: Requester::Proxy, supported: Supported::Uac, interval: 2400 };
    let d = reply(state, 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL);
    assert_eq!(d.edits.iter().next(), Some(Edit::AddSessionExpires { interval: 2400, refresher: Some(Refresher::Uac) }));
}

#[test]
fn opt_out_leaves_a_request_without_session_expires_untouched_issue_991() {
    let off = CallOptions { interval: None, insert: false, max_duration: None };
    let f = facts(&[("Supported", "timer")]);
    let (s, edits) = track(initial_invite_for_call(&f, &CFG, &off));
    assert_eq!(s, SstState { requester: Requester::Nobody, supported: Supported::Uac, interval: 0 });
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
    let off = CallOptions { interval: Some(5000), insert: false, max_duration: None };
    let f = facts(&[("Session-Expires", "1800"), ("Supported", "timer")]);
    assert_eq!(initial_invite_for_call(&f, &CFG, &off), initial_invite(&f, &CFG));
}

#[test]
fn default_call_options_decide_exactly_as_before() {
    for hs in [&[][..], &[("Min-SE", "120")][..], &[("Session-Expires", "100")][..],
               &[("Session-Expires", "100"), ("Supported", "timer")][..]] {
        let f = facts(hs);
        assert_eq!(initial_invite_for_call(&f, &CFG, &CallOptions::default()), initial_invite(&f, &CFG));
    }
}
