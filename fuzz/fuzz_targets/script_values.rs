//! `$sst(name)`: names, assigned values and readings of any record.
//!
//! Input: byte 0 picks the item, byte 1 how the value is assigned (int,
//! string, $null); the rest is the name to parse, the string assigned, and
//! (read as numbers) a stored record, a refresher value and an expiry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sst::rfc4028::policy::CallOptions;
use sst::session::script::{read, write, Assigned, Field, Reading, View, WriteError};
use sst::session::dialog_state::{refresher_from_bytes, SstState};

fn word(data: &[u8], i: usize) -> u32 {
    let b = |k: usize| data.get(i * 4 + k).copied().unwrap_or(0);
    u32::from_le_bytes([b(0), b(1), b(2), b(3)])
}

fuzz_target!(|data: &[u8]| {
    // Names: only the documented ones parse, each to itself.
    if let Some(f) = Field::from_name(data) {
        assert_eq!(f.name().as_bytes(), data);
        assert_eq!(Field::from_index(f.index()), Some(f));
    }
    let Some((&pick, rest)) = data.split_first() else { return };
    let Some(field) = Field::from_index(i32::from(pick % 8)) else { return };
    let (how, text) = rest.split_first().map_or((0, &[][..]), |(h, t)| (*h, t));
    let int = i64::from_le_bytes(core::array::from_fn(|k| text.get(k).copied().unwrap_or(0)));
    let value = match how % 3 {
        0 => Assigned::Int(int),
        1 => Assigned::Str(text),
        _ => Assigned::Null,
    };
    let start = CallOptions { interval: Some(word(text, 0).max(1)), insert: word(text, 1) & 1 == 0, max_duration: None };
    match write(field, value, start) {
        Ok(o) => match field {
            Field::Interval => {
                assert_eq!(o.insert, start.insert, "an interval write moved insert");
                match (value, o.interval) {
                    (Assigned::Null, i) => assert_eq!(i, None),
                    (_, Some(i)) => assert!(i > 0),
                    (v, None) => panic!("{v:?} accepted without an interval"),
                }
            }
            Field::Insert => assert_eq!(o.interval, start.interval, "an insert write moved interval"),
            Field::MaxDuration => {
                assert_eq!((o.interval, o.insert), (start.interval, start.insert), "a max_duration write moved another option");
                match (value, o.max_duration) {
                    (Assigned::Null, m) => assert_eq!(m, None),
                    (_, Some(m)) => assert!(m < i32::MAX as u32, "max_duration {m} accepted"),
                    (v, None) => panic!("{v:?} accepted without a max_duration"),
                }
            }
            f => panic!("{f:?} accepted a write"),
        },
        Err(WriteError::ReadOnly) => assert!(!matches!(field, Field::Interval | Field::Insert | Field::MaxDuration)),
        Err(WriteError::BadInterval) => assert_eq!(field, Field::Interval),
        Err(WriteError::BadSwitch) => assert_eq!(field, Field::Insert),
        Err(WriteError::BadDuration) => assert_eq!(field, Field::MaxDuration),
    }
    // Reading any record: no panic, words are the documented ones.
    let mut record = [0u8; 16];
    for (i, w) in [word(text, 2), word(text, 3), word(text, 4)].into_iter().enumerate() {
        record[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
    }
    // a record with flags no module writes is refused when read: nothing to show
    let Ok(state) = SstState::from_bytes(&record) else { return };
    let view = View {
        state: (how & 4 != 0).then_some(state),
        refresher: refresher_from_bytes(text.get(20..23).unwrap_or(&[])),
        expires_at: (how & 8 != 0).then_some(u64::from(word(text, 6))),
        requested: (how & 16 != 0).then_some(start),
        max_duration: (how & 32 != 0).then(|| word(text, 7)),
    };
    match read(field, &view) {
        Reading::Empty => {}
        Reading::Number(n) => {
            if matches!(field, Field::Interval) {
                assert!(n > 0, "interval 0 shown");
            }
        }
        Reading::Word(w) => assert!(["uac", "uas", "proxy", "none"].contains(&w), "{w}"),
    }
});
