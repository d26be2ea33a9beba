//! Replies: the 2xx that settles the session (flows 8 to 11), the 422
//! (flow 7), the refresher, and replies that settle nothing.

use super::*;

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

#[test]
fn early_dialog_replies_decide_nothing() {
    let early = DialogNow { confirmed: false, armed_remaining: None, lifetime: 7200, ..NOW };
    let proxy_asked = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
    let update = [("CSeq", "2 UPDATE"), ("Session-Expires", "1800")];
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
    let state = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
    let f = facts(&[("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uas")]);
    let d = reply(state, 200, Some(&f), &CFG, &INITIAL);
    assert_eq!(d.state.supported, Supported::Uas);
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
    let state = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
    let d = reply(state, 200, Some(&facts(&[("CSeq", "1 INVITE")])), &CFG, &INITIAL);
    assert_eq!(d.lifetime, None);
    assert_eq!(d.state.supported, Supported::Neither);
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
    let no_uac = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
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
