//! The entries' own tests: which events matter, what each reads, and what
//! its decision holds. The RFC 4028 rules they ask are tested in
//! `rfc4028::policy`'s decision table.

use super::*;
use crate::rfc4028::policy::{gather, lay_out, CallOptions, Edit};
use crate::session::dialog_state::{Requester, Supported};

const CFG: Config = Config { min_se: 1800, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };
const NOW: DialogNow = DialogNow { confirmed: true, armed_remaining: Some(1800), lifetime: 1800, bound: 1 << 30, answered_ago: None };
const EARLY: DialogNow = DialogNow { confirmed: false, armed_remaining: None, lifetime: 7200, ..NOW };
const TRACKED: SstState = SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 };

fn facts(headers: &[(&str, &str)]) -> MessageFacts {
    gather(lay_out(headers.iter().map(|(n, b)| (n.as_bytes(), b.as_bytes())))).expect("valid headers")
}

fn known(record: Option<SstState>, headers: &[(&str, &str)]) -> Known {
    Known { record, facts: Some(facts(headers)), call: CallOptions::default(), lost: false }
}

/// Inputs a decision must not read: reading the record is a shared-memory
/// lookup (and a warning when it is missing), the facts a parse.
struct Unread;

impl Reads for Unread {
    fn record(&mut self) -> Option<SstState> {
        panic!("the record was read")
    }
    fn facts(&mut self) -> Option<MessageFacts> {
        panic!("the message was parsed")
    }
    fn call_options(&mut self) -> CallOptions {
        panic!("the script's options were read")
    }
}

fn l(seconds: u32) -> Lifetime {
    Lifetime { seconds, clamped_from: None }
}

#[test]
fn a_created_dialog_is_tracked_only_for_a_flagged_invite_with_readable_headers() {
    assert_eq!(dialog_created(false, Method::Invite, &mut Unread, &CFG).note, Some(Note::NotFlagged));
    assert_eq!(dialog_created(true, Method::Update, &mut Unread, &CFG).note, Some(Note::NotInvite));
    let unreadable = &mut Known { facts: None, ..Known::default() };
    assert_eq!(dialog_created(true, Method::Invite, unreadable, &CFG), noted(Note::Unreadable));
    for d in [dialog_created(false, Method::Invite, &mut Unread, &CFG), dialog_created(true, Method::Update, &mut Unread, &CFG)] {
        assert_eq!(d, Decision { note: d.note, ..Decision::default() });
    }
    let d = dialog_created(true, Method::Invite, &mut known(None, &[("Session-Expires", "1800"), ("Supported", "timer")]), &CFG);
    assert_eq!(d, Decision { track: true, record: Some(TRACKED), ..Decision::default() });
}

#[test]
fn a_created_dialog_takes_the_scripts_options_and_tells_a_raise_instead_of_a_422() {
    let mut r = known(None, &[]);
    r.call = CallOptions { interval: Some(2400), insert: true, max_duration: None };
    let d = dialog_created(true, Method::Invite, &mut r, &CFG);
    assert_eq!(d.record, Some(SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 2400 }));
    assert_eq!(d.edits.iter().collect::<Vec<_>>(), vec![Edit::AddSessionExpires { interval: 2400, refresher: None }]);
    let d = dialog_created(true, Method::Invite, &mut known(None, &[("Session-Expires", "100"), ("Supported", "timer")]), &CFG);
    assert_eq!((d.track, d.note), (true, Some(Note::RaisedInsteadOf422)));
}

#[test]
fn requests_of_an_early_dialog_decide_nothing_and_read_nothing() {
    for m in [Method::Invite, Method::Update, Method::Ack, Method::Prack, Method::Other] {
        assert_eq!(request_within(m, &mut Unread, &CFG, &EARLY), Decision::default(), "{m:?}");
    }
}

#[test]
fn other_requests_only_refit_without_reading_the_record() {
    assert_eq!(request_within(Method::Other, &mut Unread, &CFG, &DialogNow { lifetime: 700, ..NOW }), Decision::default());
    let later = DialogNow { lifetime: 5000, bound: 4990, ..NOW };
    let d = request_within(Method::Other, &mut Unread, &CFG, &later);
    assert_eq!(d.lifetime, Some(Arm::Refit(Lifetime { seconds: 4990, clamped_from: Some(5000) })));
}

#[test]
fn ack_and_prack_reapply_the_session_without_parsing_and_refreshes_read_the_request() {
    struct RecordOnly;
    impl Reads for RecordOnly {
        fn record(&mut self) -> Option<SstState> {
            Some(TRACKED)
        }
        fn facts(&mut self) -> Option<MessageFacts> {
            panic!("an ACK was parsed")
        }
    }
    for m in [Method::Ack, Method::Prack] {
        let d = request_within(m, &mut RecordOnly, &CFG, &DialogNow { lifetime: 700, ..NOW });
        assert_eq!(d, Decision { lifetime: Some(Arm::Session(l(1800))), ..Decision::default() });
    }
    // a refresh proposing 3600 with 300 s of the session left
    let update = known(Some(TRACKED), &[("CSeq", "2 UPDATE"), ("Session-Expires", "3600")]);
    for m in [Method::Invite, Method::Update] {
        let d = request_within(m, &mut update.clone(), &CFG, &DialogNow { armed_remaining: Some(300), ..NOW });
        assert_eq!(d.lifetime, Some(Arm::Session(l(3600))), "{m:?}");
    }
    // no record (missing or corrupt): nothing
    assert_eq!(request_within(Method::Ack, &mut Known::default(), &CFG, &DialogNow { lifetime: 700, ..NOW }), Decision::default());
}

#[test]
fn provisional_replies_read_nothing_and_final_ones_need_the_record() {
    for status in [100, 180, 183, 199] {
        assert_eq!(initial_reply(status, true, &mut Unread, &CFG, &EARLY), Decision::default());
        assert_eq!(reply_within(status, &mut Unread, &CFG, &NOW), Decision::default());
    }
    let ok = [("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uac")];
    assert_eq!(initial_reply(200, true, &mut known(None, &ok), &CFG, &EARLY), Decision::default());
}

#[test]
fn only_the_kept_legs_2xx_settles_the_session_and_an_unchanged_record_is_not_stored() {
    let ok = [("CSeq", "1 INVITE"), ("Session-Expires", "1800;refresher=uac")];
    let d = initial_reply(200, true, &mut known(Some(TRACKED), &ok), &CFG, &EARLY);
    assert_eq!(d.lifetime, Some(Arm::Session(l(1800))));
    assert_eq!(d.refresher, RefresherUpdate::Set(crate::rfc4028::Refresher::Uac));
    assert_eq!(d.record, None, "the record did not change");
    let other_leg = initial_reply(200, false, &mut known(Some(TRACKED), &ok), &CFG, &NOW);
    assert_eq!(other_leg, Decision::default());
    // a 2xx without Session-Expires from a UAS that ignores timers: the record changes
    let plain = SstState { requester: Requester::Proxy, supported: Supported::Unknown, interval: 1800 };
    let d = initial_reply(200, true, &mut known(Some(plain), &[("CSeq", "1 INVITE")]), &CFG, &EARLY);
    assert_eq!(d.record, Some(SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 }));
    // a refresh's 2xx within: from the kept leg by construction
    let refreshed = [("CSeq", "2 UPDATE"), ("Session-Expires", "900;refresher=uas")];
    let d = reply_within(200, &mut known(Some(TRACKED), &refreshed), &CFG, &NOW);
    assert_eq!(d.lifetime, Some(Arm::Session(l(900))));
}

#[test]
fn only_a_running_session_timer_ends_a_dialog_by_expiry_on_the_node_in_charge() {
    let untimed = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    let ended = |ending, active, record| dialog_ended(ending, active, &mut Known { record, ..Known::default() }, &CFG, &NOW).expired;
    assert_eq!(ended(Ending::Expired, true, Some(TRACKED)), Some(TRACKED));
    assert_eq!(ended(Ending::Terminated { bye_on_timeout: true }, true, Some(TRACKED)), Some(TRACKED));
    assert_eq!(ended(Ending::Expired, true, Some(untimed)), None);
    assert_eq!(ended(Ending::Expired, true, None), None);
    // a BYE, or a backup node: the record is not even read; the gauge lets
    // go of the dialog whatever ended it
    let stopped = Decision { timing: Some(Timing::Stopped), ..Decision::default() };
    assert_eq!(dialog_ended(Ending::Terminated { bye_on_timeout: false }, true, &mut Unread, &CFG, &NOW), stopped);
    assert_eq!(dialog_ended(Ending::Expired, false, &mut Unread, &CFG, &NOW), stopped);
    assert_eq!(dialog_ended(Ending::Expired, true, &mut Known { record: Some(TRACKED), ..Known::default() }, &CFG, &NOW).timing, Some(Timing::Stopped));
    assert_eq!(dialog_destroyed(), stopped);
}

// What the operator features decide: the gauge's timing, the counts,
// the maximum duration, a lost call's grace, the last refresh.
mod features;
