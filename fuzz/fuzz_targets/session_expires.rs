//! Header grammar on arbitrary bytes: parse_session_expires, parse_min_se,
//! has_option_tag, cseq_method, classify_name. Never panics; every Ok value
//! is consistent with the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sst::rfc4028::grammar::{
    classify_name, cseq_method, has_option_tag, parse_min_se, parse_session_expires, HeaderError,
};

fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The body with its delta-seconds replaced by `v`, as Edit::SetSessionExpires
/// rewrites it in place (raised to the proxy's minimum, or lowered to max_se).
fn with_delta(body: &[u8], start: usize, end: usize, v: u32) -> Vec<u8> {
    let mut b = body[..start].to_vec();
    b.extend_from_slice(v.to_string().as_bytes());
    b.extend_from_slice(&body[end..]);
    b
}

fuzz_target!(|data: &[u8]| {
    let _ = classify_name(data);

    match parse_session_expires(data) {
        Ok(se) => {
            assert!(se.delta_start <= se.delta_end, "{se:?}");
            assert!(se.delta_end <= data.len(), "{se:?}");
            let digits = &data[se.delta_start..se.delta_end];
            assert!(
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
                "{se:?}"
            );
            let text = core::str::from_utf8(digits).expect("digits are ASCII");
            assert_eq!(text.parse::<u32>(), Ok(se.interval), "{se:?}");
            // Only LWS before the value.
            assert!(data[..se.delta_start].iter().all(|&b| is_lws(b)), "{se:?}");
            // Min-SE has the same value grammar and accepts any generic-param.
            assert_eq!(parse_min_se(data), Ok(se.interval));
            // Rewriting the value in place keeps the header valid, the
            // parameters (refresher) as they were, and the range exact.
            for v in [0, 90, se.interval.saturating_add(1), u32::MAX] {
                let b = with_delta(data, se.delta_start, se.delta_end, v);
                let re = parse_session_expires(&b).expect("rewritten Session-Expires parses");
                assert_eq!(re.interval, v);
                assert_eq!(re.refresher, se.refresher);
                assert_eq!(re.delta_start, se.delta_start);
                assert_eq!(re.delta_end, se.delta_start + v.to_string().len());
            }
        }
        Err(e) => {
            // An error is one of the typed ones and is stable.
            assert_ne!(
                e,
                HeaderError::Duplicate,
                "a single body cannot be a duplicate"
            );
            assert_eq!(parse_session_expires(data), Err(e));
        }
    }

    match parse_min_se(data) {
        Ok(v) => {
            let start = data
                .iter()
                .position(|&b| !is_lws(b))
                .expect("a value was read");
            let len = data[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let text = core::str::from_utf8(&data[start..start + len]).unwrap();
            assert_eq!(text.parse::<u32>(), Ok(v));
        }
        Err(e) => assert_ne!(e, HeaderError::Duplicate),
    }

    // Option tags: the first NUL (if any) separates a tag from the body.
    let (tag, body) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"timer"[..], data),
    };
    let found = has_option_tag(body, tag);
    let tag_trimmed_nonempty = tag.iter().any(|&b| !is_lws(b));
    if found && tag_trimmed_nonempty {
        assert!(contains_ignore_case(body, tag));
    }
    // Case-insensitive, as the OpenSIPS Supported parser.
    assert_eq!(
        has_option_tag(&body.to_ascii_uppercase(), &tag.to_ascii_lowercase()),
        found
    );
    // What Edit::AddRequireTimer does to a Require body makes it name timer.
    let mut appended = body.to_vec();
    appended.extend_from_slice(b", timer");
    assert!(has_option_tag(&appended, b"timer"));
    assert!(has_option_tag(&appended, b"TIMER"));

    for body in [data, body] {
        if let Some(m) = cseq_method(body) {
            assert!(!m.is_empty());
            assert!(!m.iter().any(|&b| is_lws(b)));
            // A subslice of the body, after a number.
            let off = m.as_ptr() as usize - body.as_ptr() as usize;
            assert!(off + m.len() <= body.len());
            assert!(body[..off].iter().any(u8::is_ascii_digit));
        }
    }
});
