//! `$sst(name)`: names, readings in every state of a call, and writes.

use super::*;
use crate::session::dialog_state::{Requester, Supported};

const RUNNING: SstState = SstState { requester: Requester::Proxy, supported: Supported::Uac, interval: 1800 };

#[test]
fn every_documented_name_parses_and_nothing_else() {
    for n in Field::all_names() {
        let f = Field::from_name(n.as_bytes()).expect(n);
        assert_eq!(f.name(), n);
        assert_eq!(Field::from_index(f.index()), Some(f));
    }
    assert_eq!(Field::from_index(-1), None);
    assert_eq!(Field::from_index(9), None);
    for bad in [&b""[..], b"Interval", b"intervals", b"timeout", b"interval ", b"flags"] {
        assert_eq!(Field::from_name(bad), None, "{bad:?}");
    }
}

#[test]
fn before_the_dialog_every_name_reads_empty_not_an_error() {
    let v = View::default();
    for n in Field::all_names() {
        assert_eq!(read(Field::from_name(n.as_bytes()).unwrap(), &v), Reading::Empty, "{n}");
    }
}

#[test]
fn before_the_dialog_what_the_script_asked_reads_back() {
    let v = View { requested: Some(CallOptions { interval: Some(600), insert: false, max_duration: None }), ..View::default() };
    assert_eq!(read(Field::Interval, &v), Reading::Number(600));
    assert_eq!(read(Field::Insert, &v), Reading::Number(0));
    assert_eq!(read(Field::Requester, &v), Reading::Empty);
    let v = View { requested: Some(CallOptions::default()), ..View::default() };
    assert_eq!(read(Field::Interval, &v), Reading::Empty, "no interval asked: none to show");
    assert_eq!(read(Field::Insert, &v), Reading::Number(1));
}

#[test]
fn a_running_timer_reads_as_words_and_the_mi_flag_numbers() {
    let v = View { state: Some(RUNNING), refresher: Some(Refresher::Uas), expires_at: Some(1_800_000_000), requested: None, max_duration: None };
    assert_eq!(read(Field::Interval, &v), Reading::Number(1800));
    assert_eq!(read(Field::Refresher, &v), Reading::Word("uas"));
    assert_eq!(read(Field::Requester, &v), Reading::Word("proxy"));
    assert_eq!(read(Field::RequesterFlags, &v), Reading::Number(4));
    assert_eq!(read(Field::Supported, &v), Reading::Word("uac"));
    assert_eq!(read(Field::SupportedFlags, &v), Reading::Number(1));
    assert_eq!(read(Field::Expires, &v), Reading::Number(1_800_000_000));
    assert_eq!(read(Field::Insert, &v), Reading::Empty);
}

#[test]
fn without_a_session_timer_interval_refresher_and_expires_are_empty() {
    // flow 10: nobody supports timers; the record keeps default_timeout as C does
    let st = SstState { requester: Requester::Proxy, supported: Supported::Neither, interval: 43200 };
    let v = View { state: Some(st), refresher: Some(Refresher::Uac), expires_at: Some(5), requested: None, max_duration: None };
    assert_eq!(read(Field::Interval, &v), Reading::Empty);
    assert_eq!(read(Field::Refresher, &v), Reading::Empty);
    assert_eq!(read(Field::Expires, &v), Reading::Empty);
    assert_eq!(read(Field::Supported, &v), Reading::Word("none"));
    assert_eq!(read(Field::SupportedFlags, &v), Reading::Number(8));
    // opted out, nobody asked: no requester, no interval
    let st = SstState { requester: Requester::Nobody, supported: Supported::Unknown, interval: 0 };
    let v = View { state: Some(st), ..View::default() };
    assert_eq!(read(Field::Requester, &v), Reading::Empty);
    assert_eq!(read(Field::RequesterFlags, &v), Reading::Number(0));
    assert_eq!(read(Field::Supported, &v), Reading::Empty);
    assert_eq!(read(Field::Interval, &v), Reading::Empty);
}

#[test]
fn interval_writes_take_whole_seconds_and_null_resets() {
    let d = CallOptions::default();
    assert_eq!(write(Field::Interval, Assigned::Int(600), d), Ok(CallOptions { interval: Some(600), insert: true, max_duration: None }));
    assert_eq!(write(Field::Interval, Assigned::Str(b" 900 "), d).unwrap().interval, Some(900));
    assert_eq!(write(Field::Interval, Assigned::Int(u32::MAX.into()), d).unwrap().interval, Some(u32::MAX));
    for bad in [Assigned::Int(0), Assigned::Int(-5), Assigned::Int(1 << 32), Assigned::Str(b""),
                Assigned::Str(b"abc"), Assigned::Str(b"-1"), Assigned::Str(b"1.5"), Assigned::Str(b"99999999999999999999999")] {
        assert_eq!(write(Field::Interval, bad, d), Err(WriteError::BadInterval), "{bad:?}");
    }
    let set = CallOptions { interval: Some(600), insert: false, max_duration: None };
    assert_eq!(write(Field::Interval, Assigned::Null, set), Ok(CallOptions { interval: None, insert: false, max_duration: None }));
}

#[test]
fn insert_writes_take_numbers_and_words_and_keep_the_interval() {
    let d = CallOptions { interval: Some(600), insert: true, max_duration: None };
    for off in [Assigned::Int(0), Assigned::Str(b"0"), Assigned::Str(b"no"), Assigned::Str(b"FALSE"), Assigned::Str(b" off")] {
        assert_eq!(write(Field::Insert, off, d), Ok(CallOptions { interval: Some(600), insert: false, max_duration: None }), "{off:?}");
    }
    let off = CallOptions { insert: false, ..d };
    for on in [Assigned::Int(1), Assigned::Int(7), Assigned::Str(b"yes"), Assigned::Str(b"On"), Assigned::Null] {
        assert_eq!(write(Field::Insert, on, off).unwrap().insert, true, "{on:?}");
    }
    assert_eq!(write(Field::Insert, Assigned::Str(b"maybe"), d), Err(WriteError::BadSwitch));
}

#[test]
fn state_items_are_read_only() {
    for f in [Field::Refresher, Field::Requester, Field::RequesterFlags, Field::Supported, Field::SupportedFlags, Field::Expires] {
        assert_eq!(write(f, Assigned::Int(1), CallOptions::default()), Err(WriteError::ReadOnly), "{f:?}");
    }
}

#[test]
fn max_duration_writes_take_0_to_int_max_and_read_back() {
    let d = CallOptions::default();
    assert_eq!(write(Field::MaxDuration, Assigned::Int(14_400), d), Ok(CallOptions { max_duration: Some(14_400), ..d }));
    assert_eq!(write(Field::MaxDuration, Assigned::Str(b"0"), d).unwrap().max_duration, Some(0));
    assert_eq!(write(Field::MaxDuration, Assigned::Int(i32::MAX as i64 - 1), d).unwrap().max_duration, Some(i32::MAX as u32 - 1));
    for bad in [Assigned::Int(-1), Assigned::Int(i32::MAX as i64), Assigned::Str(b"4h"), Assigned::Str(b"")] {
        assert_eq!(write(Field::MaxDuration, bad, d), Err(WriteError::BadDuration), "{bad:?}");
    }
    let set = CallOptions { max_duration: Some(60), ..d };
    assert_eq!(write(Field::MaxDuration, Assigned::Null, set), Ok(d));
    // before the dialog: what the script set; after: the value in force
    assert_eq!(read(Field::MaxDuration, &View { requested: Some(set), ..View::default() }), Reading::Number(60));
    let v = View { state: Some(RUNNING), max_duration: Some(3600), ..View::default() };
    assert_eq!(read(Field::MaxDuration, &v), Reading::Number(3600));
    assert_eq!(read(Field::MaxDuration, &View { state: Some(RUNNING), ..View::default() }), Reading::Empty);
}
