//! The record's encoding and the dialog timer's bounds.

use super::*;

#[test]
fn refresher_value_round_trips_and_refuses_anything_else() {
    for r in [Refresher::Uac, Refresher::Uas] {
        assert_eq!(refresher_from_bytes(refresher_to_bytes(r)), Some(r));
    }
    for bad in [&b""[..], b"UAC", b"ua", b"uacx", b"\0\0\0"] {
        assert_eq!(refresher_from_bytes(bad), None, "{bad:?}");
    }
}

#[test]
fn round_trip_and_c_layout() {
    let s = SstState { requester: Requester::Proxy, supported: Supported::Uac, interval: 1800 };
    let b = s.to_bytes();
    assert_eq!(b.len(), 16);
    assert_eq!(&b[0..4], &4u32.to_ne_bytes());
    assert_eq!(&b[4..8], &1u32.to_ne_bytes());
    assert_eq!(&b[8..12], &1800u32.to_ne_bytes());
    assert_eq!(&b[12..16], &[0, 0, 0, 0]);
    assert_eq!(SstState::from_bytes(&b), Ok(s));
}

#[test]
fn a_record_written_by_the_c_module_reads_back() {
    // C sst_info_t {SST_UAC, SST_UAS, 90, refcnt 2}
    let mut b = Vec::new();
    for w in [1u32, 2, 90, 2] {
        b.extend_from_slice(&w.to_ne_bytes());
    }
    let s = SstState::from_bytes(&b).unwrap();
    assert_eq!(s, SstState { requester: Requester::Uac, supported: Supported::Uas, interval: 90 });
}

#[test]
fn every_flag_value_round_trips_and_no_other_is_a_record() {
    for r in [Requester::Nobody, Requester::Uac, Requester::Proxy] {
        assert_eq!(Requester::from_flags(r.flags()), Some(r));
    }
    for s in [Supported::Unknown, Supported::Uac, Supported::Uas, Supported::Neither] {
        assert_eq!(Supported::from_flags(s.flags()), Some(s));
    }
    let record = |req: u32, sup: u32| {
        let mut b = Vec::new();
        for w in [req, sup, 1800, 0] {
            b.extend_from_slice(&w.to_ne_bytes());
        }
        SstState::from_bytes(&b)
    };
    assert!(record(4, 8).is_ok());
    for (req, sup) in [(2, 1), (8, 1), (3, 1), (1, 4), (1, 3), (u32::MAX, 0)] {
        assert_eq!(record(req, sup), Err(BadRecord::Flags { requester: req, supported: sup }));
    }
}

#[test]
fn truncated_or_oversized_records_are_refused() {
    assert_eq!(SstState::from_bytes(&[0; 15]), Err(BadRecord::Length(15)));
    assert_eq!(SstState::from_bytes(&[0; 17]), Err(BadRecord::Length(17)));
    assert_eq!(SstState::from_bytes(&[]), Err(BadRecord::Length(0)));
}


#[test]
fn bound_keeps_ticks_plus_lifetime_and_the_unix_expiry_in_an_int() {
    let now = 1_800_000_000u64;
    let b = lifetime_bound(1000, now);
    assert_eq!(b as u64, i32::MAX as u64 - now);
    assert!(u64::from(b) + 1000 <= i32::MAX as u64);
    // a long-running server: the tick counter binds first
    assert_eq!(lifetime_bound(i32::MAX as u32 - 10, 100), 10);
    // the edges: never 0, whatever the counters say
    assert_eq!(lifetime_bound(u32::MAX, now), 1);
    assert_eq!(lifetime_bound(0, u64::MAX), i32::MAX as u32);
    assert_eq!(lifetime_bound(0, i32::MAX as u64), i32::MAX as u32);
}

#[test]
fn lifetime_within_the_bound_is_kept_and_above_it_is_clamped() {
    assert_eq!(Lifetime::within(1800, 5000), Lifetime { seconds: 1800, clamped_from: None });
    assert_eq!(Lifetime::within(5000, 5000), Lifetime { seconds: 5000, clamped_from: None });
    assert_eq!(Lifetime::within(u32::MAX, 5000), Lifetime { seconds: 5000, clamped_from: Some(u32::MAX) });
    assert_eq!(Lifetime::within(1 << 31, 5000).seconds, 5000);
}
