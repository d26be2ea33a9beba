//! In-dialog requests: refreshes armed against the session in force,
//! ACK/PRACK (flow 12), lifetimes clamped to the dialog timer.

use super::*;

#[test]
fn flow11_a_refresh_request_arms_its_proposed_interval_when_more_than_is_left() {
    let hs = [("CSeq", "2 UPDATE"), ("Session-Expires", "900;refresher=uac")];
    let left_300 = DialogNow { armed_remaining: Some(300), ..NOW };
    assert_eq!(within(&tracked(), WithinRequest::Refresh, &hs, &CFG, &left_300).lifetime, Some(l(900)));
    // no Session-Expires, or no session timer running: leave the lifetime
    let none = within(&tracked(), WithinRequest::Refresh, &[("CSeq", "2 INVITE")], &CFG, &NOW);
    assert_eq!(none, RequestDecision::default());
    // a call without a session timer: its 2xx may start one, so it is armed too
    let no_timer = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
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
fn flow12_ack_and_prack_reapply_the_current_interval_only_while_timing() {
    let ack = |state: &SstState, lifetime| {
        request_within(state, WithinRequest::AckOrPrack, None, &CFG, &DialogNow { lifetime, ..NOW }).lifetime
    };
    // the script's $DLG_timeout (700) replaced our lifetime: restore it
    assert_eq!(ack(&tracked(), 700), Some(l(1800)));
    // unchanged lifetime: nothing to re-arm (the expiry must not move)
    assert_eq!(ack(&tracked(), 1800), None);
    assert_eq!(ack(&SstState::default(), 700), None);
    let no_timer = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    assert_eq!(ack(&no_timer, 700), None);
    // ...unless what was clamped a while ago no longer fits from now
    let later = DialogNow { lifetime: 5000, bound: 4990, ..NOW };
    assert_eq!(ack(&no_timer, 5000), None);
    let d = request_within(&no_timer, WithinRequest::AckOrPrack, None, &CFG, &later);
    assert_eq!(d.lifetime, Some(Lifetime { seconds: 4990, clamped_from: Some(5000) }));
}
