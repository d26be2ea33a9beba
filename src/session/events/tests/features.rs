//! The entries' decisions for the operator features: when the gauge moves,
//! what is counted, the maximum duration, the grace of a lost call, and the
//! time of the last accepted refresh.

use super::*;

#[test]
fn the_gauge_starts_with_the_2xx_that_settles_a_timer_and_stops_when_a_refresh_turns_it_off() {
    let ok = [("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uac")];
    assert_eq!(initial_reply(200, true, &mut known(Some(TRACKED), &ok), &CFG, &EARLY).timing, Some(Timing::Started));
    // a retransmission once confirmed, another branch's 2xx, a failure: nothing
    assert_eq!(initial_reply(200, true, &mut known(Some(TRACKED), &ok), &CFG, &NOW).timing, None);
    assert_eq!(initial_reply(200, false, &mut known(Some(TRACKED), &ok), &CFG, &EARLY).timing, None);
    assert_eq!(initial_reply(486, true, &mut known(Some(TRACKED), &[("CSeq", "1 INVITE")]), &CFG, &EARLY).timing, None);
    // a 2xx that starts no timer (neither end supports it)
    let plain = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
    assert_eq!(initial_reply(200, true, &mut known(Some(plain), &[("CSeq", "1 INVITE")]), &CFG, &EARLY).timing, None);
    // a refresh answered without Session-Expires turns it off; a later one with it on again
    let untimed = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    assert_eq!(reply_within(200, &mut known(Some(TRACKED), &[("CSeq", "3 INVITE")]), &CFG, &NOW).timing, Some(Timing::Stopped));
    let again = [("CSeq", "4 UPDATE"), ("Session-Expires", "1800;refresher=uas")];
    assert_eq!(reply_within(200, &mut known(Some(untimed), &again), &CFG, &NOW).timing, Some(Timing::Started));
    assert_eq!(reply_within(200, &mut known(Some(TRACKED), &again), &CFG, &NOW).timing, None);
    // loaded from the database or a peer: counted when its record says a timer runs
    let loaded = |record| dialog_loaded(&mut Known { record, ..Known::default() }).timing;
    assert_eq!((loaded(Some(TRACKED)), loaded(Some(untimed)), loaded(None)), (Some(Timing::Started), None, None));
}

#[test]
fn a_refresh_of_a_running_timer_is_counted_by_its_final_reply() {
    let counts = |status, record, cseq: &str| reply_within(status, &mut known(Some(record), &[("CSeq", cseq), ("Session-Expires", "1800")]), &CFG, &NOW).counts;
    let accepted = Counts { refreshed: true, ..Counts::default() };
    let refused = Counts { refresh_refused: true, ..Counts::default() };
    assert_eq!(counts(200, TRACKED, "5 INVITE"), accepted);
    assert_eq!(counts(200, TRACKED, "5 UPDATE"), accepted);
    for status in [408, 422, 481, 488, 491, 500, 603] {
        assert_eq!(counts(status, TRACKED, "5 UPDATE"), refused, "{status}");
    }
    // a reply to another request, a provisional, no timer running, an early dialog: not counted
    assert_eq!(counts(200, TRACKED, "5 INFO"), Counts::default());
    assert_eq!(counts(180, TRACKED, "5 INVITE"), Counts::default());
    let untimed = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    assert_eq!(counts(481, untimed, "5 INVITE"), Counts::default());
    let early = reply_within(200, &mut known(Some(TRACKED), &[("CSeq", "2 UPDATE"), ("Session-Expires", "1800")]), &CFG, &EARLY);
    assert_eq!(early.counts, Counts::default());
}

#[test]
fn requests_count_what_the_proxy_raised_or_lowered() {
    let capped = Config { max_se: 3600, ..CFG };
    // flow 4: below min_se, the UAC does not support timers: both raised
    let d = dialog_created(true, Method::Invite, &mut known(None, &[("Session-Expires", "100"), ("Min-SE", "90")]), &CFG);
    assert_eq!(d.counts, Counts { raised: true, ..Counts::default() });
    // flow 1 above max_se: lowered
    let d = dialog_created(true, Method::Invite, &mut known(None, &[("Session-Expires", "7200"), ("Supported", "timer")]), &capped);
    assert_eq!(d.counts, Counts { lowered: true, ..Counts::default() });
    // flow 5 inserts a Session-Expires: neither
    let d = dialog_created(true, Method::Invite, &mut known(None, &[]), &CFG);
    assert_eq!(d.counts, Counts::default());
    // a refresh above max_se is lowered
    let refresh = &mut known(Some(TRACKED), &[("CSeq", "3 INVITE"), ("Session-Expires", "7200")]);
    assert_eq!(request_within(Method::Invite, refresh, &capped, &NOW).counts, Counts { lowered: true, ..Counts::default() });
    let refresh = &mut known(Some(TRACKED), &[("CSeq", "3 INVITE"), ("Session-Expires", "1800")]);
    assert_eq!(request_within(Method::Invite, refresh, &capped, &NOW).counts, Counts::default());
}

#[test]
fn the_maximum_duration_bounds_every_lifetime_armed_from_the_answer_on() {
    let capped = |secs| Some(Arm::Capped(l(secs)));
    let cfg = Config { max_duration: 3000, ..CFG };
    let ok = [("CSeq", "1 INVITE"), ("Session-Expires", "7200;refresher=uac")];
    let mut timed = known(Some(SstState { interval: 7200, ..TRACKED }), &ok);
    // the answer: the whole maximum is left (the dialog notes the answer after)
    assert_eq!(initial_reply(200, true, &mut timed.clone(), &cfg, &EARLY).lifetime, capped(3000));
    assert_eq!(initial_reply(200, true, &mut timed.clone(), &CFG, &EARLY).lifetime, Some(Arm::Session(l(7200))));
    // an answer without a session timer: the dialog's own timeout, within it too
    let plain = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
    let d = initial_reply(200, true, &mut known(Some(plain), &[("CSeq", "1 INVITE")]), &cfg, &EARLY);
    assert_eq!(d.lifetime, capped(3000), "EARLY's lifetime is 7200");
    // 2900 s later: a refresh for 7200, an ACK, a BYE each arm what is left
    let late = DialogNow { answered_ago: Some(2900), ..NOW };
    let refresh = &mut known(Some(TRACKED), &[("CSeq", "3 INVITE"), ("Session-Expires", "7200")]);
    assert_eq!(request_within(Method::Invite, refresh, &cfg, &late).lifetime, capped(100));
    assert_eq!(request_within(Method::Ack, &mut timed, &cfg, &late).lifetime, capped(100));
    assert_eq!(request_within(Method::Other, &mut Unread, &cfg, &late).lifetime, capped(100));
    // past it: 1 s, never 0
    assert_eq!(request_within(Method::Other, &mut Unread, &cfg, &DialogNow { answered_ago: Some(5000), ..NOW }).lifetime, capped(1));
    // a shorter lifetime is left alone
    assert_eq!(request_within(Method::Other, &mut Unread, &cfg, &DialogNow { answered_ago: Some(10), lifetime: 600, ..NOW }).lifetime, None);
    // the call's own value wins over the setting, 0 meaning none for this call
    let mut own = known(Some(TRACKED), &[("CSeq", "3 INVITE"), ("Session-Expires", "7200")]);
    own.call.max_duration = Some(5000);
    assert_eq!(request_within(Method::Invite, &mut own.clone(), &cfg, &late).lifetime, capped(2100));
    own.call.max_duration = Some(0);
    assert_eq!(request_within(Method::Invite, &mut own, &cfg, &late).lifetime, Some(Arm::Session(l(7200))));
}

#[test]
fn a_dialog_ended_at_its_maximum_duration_is_counted_as_such_not_as_an_expiry() {
    let cfg = Config { max_duration: 3000, ..CFG };
    let record = &mut Known { record: Some(TRACKED), ..Known::default() };
    let at = |ago| DialogNow { answered_ago: Some(ago), ..NOW };
    // the timer's whole seconds: 2999 shown as gone is the end of 3000
    for ago in [2999, 3000, 3001] {
        let d = dialog_ended(Ending::Expired, true, record, &cfg, &at(ago));
        assert_eq!((d.expired, d.counts.capped), (None, true), "{ago}");
    }
    let bye = dialog_ended(Ending::Terminated { bye_on_timeout: true }, true, record, &cfg, &at(3000));
    assert_eq!((bye.expired, bye.counts.capped), (None, true));
    // the session ran out first
    let before = dialog_ended(Ending::Expired, true, record, &cfg, &at(2998));
    assert_eq!((before.expired, before.counts.capped), (Some(TRACKED), false));
    // a backup node counts neither; a BYE is neither; no maximum, no cap
    assert_eq!(dialog_ended(Ending::Expired, false, record, &cfg, &at(3000)).counts.capped, false);
    assert_eq!(dialog_ended(Ending::Terminated { bye_on_timeout: false }, true, record, &cfg, &at(3000)).counts.capped, false);
    assert_eq!(dialog_ended(Ending::Expired, true, record, &CFG, &at(3000)).expired, Some(TRACKED));
}

#[test]
fn the_scripts_maximum_duration_is_kept_for_the_dialog() {
    let mut r = known(None, &[("Session-Expires", "1800"), ("Supported", "timer")]);
    r.call.max_duration = Some(14_400);
    assert_eq!(dialog_created(true, Method::Invite, &mut r, &CFG).max_duration, Some(14_400));
    r.call.max_duration = None;
    assert_eq!(dialog_created(true, Method::Invite, &mut r, &CFG).max_duration, None);
}

#[test]
fn a_refresh_answered_408_or_481_leaves_the_call_its_grace_at_once() {
    let cfg = Config { dead_call_grace: 32, ..CFG };
    let refused = |status| reply_within(status, &mut known(Some(TRACKED), &[("CSeq", "3 UPDATE")]), &cfg, &NOW);
    for status in [408, 481] {
        let d = refused(status);
        assert_eq!((d.lifetime, d.rearm_now, d.lost, d.counts.lost), (Some(Arm::Grace(l(32))), true, Some(true), true), "{status}");
    }
    // any other refusal: the session in force stays, as before
    for status in [422, 486, 488, 491, 500] {
        let d = refused(status);
        assert_eq!((d.lifetime, d.rearm_now, d.lost), (None, false, None), "{status}");
    }
    // off, or less than the grace left: nothing armed (never longer)
    assert_eq!(reply_within(481, &mut known(Some(TRACKED), &[("CSeq", "3 UPDATE")]), &CFG, &NOW).lost, None);
    let soon = DialogNow { armed_remaining: Some(10), ..NOW };
    let d = reply_within(481, &mut known(Some(TRACKED), &[("CSeq", "3 UPDATE")]), &cfg, &soon);
    assert_eq!((d.lifetime, d.lost), (None, Some(true)));
    // no session timer running: no refresh, nothing lost
    let untimed = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    assert_eq!(reply_within(481, &mut known(Some(untimed), &[("CSeq", "3 UPDATE")]), &cfg, &NOW).lost, None);
}

#[test]
fn a_lost_call_keeps_its_grace_until_a_refresh_is_answered_again() {
    let cfg = Config { dead_call_grace: 32, ..CFG };
    let left = DialogNow { armed_remaining: Some(20), lifetime: 32, ..NOW };
    let mut lost = known(Some(TRACKED), &[("CSeq", "3 INVITE")]);
    lost.lost = true;
    // the ACK of the refused re-INVITE, a BYE, an INFO: what is left, no more
    for m in [Method::Ack, Method::Other] {
        assert_eq!(request_within(m, &mut lost.clone(), &cfg, &left).lifetime, Some(Arm::Grace(l(20))), "{m:?}");
    }
    // a new refresh is armed as any refresh
    let mut refresh = known(Some(TRACKED), &[("CSeq", "4 UPDATE"), ("Session-Expires", "1800")]);
    refresh.lost = true;
    assert_eq!(request_within(Method::Update, &mut refresh.clone(), &cfg, &left).lifetime, Some(Arm::Session(l(1800))));
    // its 2xx revives the call at once
    let mut ok = known(Some(TRACKED), &[("CSeq", "4 UPDATE"), ("Session-Expires", "1800;refresher=uac")]);
    ok.lost = true;
    let d = reply_within(200, &mut ok, &cfg, &left);
    assert_eq!((d.lifetime, d.rearm_now, d.lost), (Some(Arm::Session(l(1800))), true, Some(false)));
    // its end at the grace is no session-timer expiry
    assert_eq!(dialog_ended(Ending::Expired, true, &mut lost, &cfg, &NOW).expired, None);
}

#[test]
fn an_accepted_refresh_is_noted_with_its_time_after_the_answer() {
    let later = DialogNow { answered_ago: Some(900), ..NOW };
    let ok = [("CSeq", "3 UPDATE"), ("Session-Expires", "1800;refresher=uac")];
    assert_eq!(reply_within(200, &mut known(Some(TRACKED), &ok), &CFG, &later).refreshed_at, Some(900));
    // refused, or no timer running: nothing noted
    assert_eq!(reply_within(488, &mut known(Some(TRACKED), &[("CSeq", "3 UPDATE")]), &CFG, &later).refreshed_at, None);
    let untimed = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    assert_eq!(reply_within(200, &mut known(Some(untimed), &ok), &CFG, &later).refreshed_at, None);
}

#[test]
fn refreshes_of_a_running_timer_watch_their_transaction_and_tms_own_408_is_a_lost_call() {
    let cfg = Config { dead_call_grace: 32, ..CFG };
    let refresh = known(Some(TRACKED), &[("CSeq", "2 UPDATE"), ("Session-Expires", "1800")]);
    for m in [Method::Invite, Method::Update] {
        assert!(request_within(m, &mut refresh.clone(), &cfg, &NOW).watch_own_reply, "{m:?}");
    }
    for m in [Method::Ack, Method::Prack, Method::Other] {
        assert!(!request_within(m, &mut refresh.clone(), &cfg, &NOW).watch_own_reply, "{m:?}");
    }
    let untimed = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    assert!(!request_within(Method::Update, &mut Known { record: Some(untimed), ..refresh }, &cfg, &NOW).watch_own_reply);
    assert!(!request_within(Method::Update, &mut refresh.clone(), &cfg, &EARLY).watch_own_reply);
    // the 408 tm makes itself when nobody answers: as one from the far end
    let own = |m| Known { record: Some(TRACKED), facts: Some(crate::rfc4028::policy::facts_of_own_reply(m)), ..Known::default() };
    for m in [Method::Invite, Method::Update] {
        let d = reply_within(408, &mut own(m), &cfg, &NOW);
        assert_eq!((d.lifetime, d.rearm_now, d.lost), (Some(Arm::Grace(l(32))), true, Some(true)), "{m:?}");
        assert!(d.counts.lost && d.counts.refresh_refused && d.edits.is_empty(), "{m:?}");
    }
    // its 500 (a script's t_reply) keeps the session in force
    let d = reply_within(500, &mut own(Method::Update), &cfg, &NOW);
    assert_eq!((d.lifetime, d.lost, d.counts.refresh_refused), (None, None, true));
}
