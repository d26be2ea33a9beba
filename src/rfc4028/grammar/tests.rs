use super::*;
use HeaderError::*;

/// (body, expected) for Session-Expires: RFC 4028 §4 grammar plus the
/// hostile forms the module must survive.
const SESSION_EXPIRES: &[(&str, Result<(u32, Option<Refresher>), HeaderError>)] = &[
    ("1800", Ok((1800, None))),
    ("90", Ok((90, None))),
    ("0", Ok((0, None))),
    ("  1800  ", Ok((1800, None))),
    ("1800;refresher=uac", Ok((1800, Some(Refresher::Uac)))),
    ("1800;refresher=uas", Ok((1800, Some(Refresher::Uas)))),
    ("1800 ; refresher = UAS", Ok((1800, Some(Refresher::Uas)))),
    ("1800;REFRESHER=Uac", Ok((1800, Some(Refresher::Uac)))),
    ("1800;foo=bar;refresher=uac", Ok((1800, Some(Refresher::Uac)))),
    ("1800;foo", Ok((1800, None))),
    ("1800;foo=\"quoted ; value\"", Ok((1800, None))),
    ("1800;maddr=[2001:db8::1]", Ok((1800, None))),
    ("1800\r\n ;refresher=uac", Ok((1800, Some(Refresher::Uac)))),
    ("4294967295", Ok((u32::MAX, None))),
    ("000000000000000000001800", Ok((1800, None))),
    ("", Err(Empty)),
    ("   ", Err(Empty)),
    (";refresher=uac", Err(Empty)),
    ("abc", Err(NotANumber)),
    ("12abc", Err(NotANumber)),
    ("1800.5", Err(NotANumber)),
    ("-1800", Err(Negative)),
    ("+1800", Err(NotANumber)),
    ("4294967296", Err(Overflow)),
    ("99999999999999999999999999", Err(Overflow)),
    ("1800;refresher=abc", Err(BadRefresher)),
    ("1800;refresher", Err(BadRefresher)),
    ("1800;refresher=", Err(BadParameter)),
    ("1800;refresher=uac;refresher=uas", Err(DuplicateRefresher)),
    ("1800;", Err(BadParameter)),
    ("1800;;refresher=uac", Err(BadParameter)),
    ("1800;=x", Err(BadParameter)),
    ("1800 1900", Err(TrailingGarbage)),
    ("1800;foo=\"unterminated", Err(BadParameter)),
    ("1800;foo=@@", Err(BadParameter)),
];

#[test]
fn session_expires_table() {
    for (body, expected) in SESSION_EXPIRES {
        let got = parse_session_expires(body.as_bytes()).map(|se| (se.interval, se.refresher));
        assert_eq!(&got, expected, "Session-Expires: {body:?}");
    }
}

#[test]
fn session_expires_delta_span_points_at_the_digits() {
    let body = b"  1800 ;refresher=uac";
    let se = parse_session_expires(body).unwrap();
    assert_eq!(&body[se.delta_start..se.delta_end], b"1800");
}

const MIN_SE: &[(&str, Result<u32, HeaderError>)] = &[
    ("90", Ok(90)),
    ("1800;x=y", Ok(1800)),
    (" 600 ", Ok(600)),
    ("", Err(Empty)),
    ("ninety", Err(NotANumber)),
    ("-90", Err(Negative)),
    ("4294967296", Err(Overflow)),
    ("90 x", Err(TrailingGarbage)),
    ("90;", Err(BadParameter)),
];

#[test]
fn min_se_table() {
    for (body, expected) in MIN_SE {
        assert_eq!(&parse_min_se(body.as_bytes()), expected, "Min-SE: {body:?}");
    }
}

#[test]
fn header_names_are_case_insensitive_with_compact_forms() {
    assert_eq!(classify_name(b"Session-Expires"), HeaderName::SessionExpires);
    assert_eq!(classify_name(b"session-EXPIRES"), HeaderName::SessionExpires);
    assert_eq!(classify_name(b"x"), HeaderName::SessionExpires);
    assert_eq!(classify_name(b"X "), HeaderName::SessionExpires);
    assert_eq!(classify_name(b"MIN-SE"), HeaderName::MinSe);
    assert_eq!(classify_name(b"k"), HeaderName::Supported);
    assert_eq!(classify_name(b"Supported"), HeaderName::Supported);
    assert_eq!(classify_name(b"require"), HeaderName::Require);
    assert_eq!(classify_name(b"CSeq"), HeaderName::CSeq);
    assert_eq!(classify_name(b"Session-Expire"), HeaderName::Other);
    assert_eq!(classify_name(b"xx"), HeaderName::Other);
    assert_eq!(classify_name(b""), HeaderName::Other);
}

#[test]
fn option_tags() {
    assert!(has_option_tag(b"timer", b"timer"));
    assert!(has_option_tag(b"100rel, timer", b"timer"));
    assert!(has_option_tag(b"100rel,TIMER ,path", b"timer"));
    assert!(has_option_tag(b"100rel,\r\n timer", b"timer"));
    assert!(!has_option_tag(b"timers", b"timer"));
    assert!(!has_option_tag(b"", b"timer"));
    assert!(!has_option_tag(b"100rel path", b"timer"));
}

#[test]
fn cseq_methods() {
    assert_eq!(cseq_method(b"1 INVITE"), Some(&b"INVITE"[..]));
    assert_eq!(cseq_method(b" 4711   UPDATE "), Some(&b"UPDATE"[..]));
    assert_eq!(cseq_method(b"INVITE"), None);
    assert_eq!(cseq_method(b"1"), None);
    assert_eq!(cseq_method(b""), None);
}

#[test]
fn no_input_panics() {
    // Every prefix of hostile inputs: the parser must return, not panic.
    let samples: &[&[u8]] = &[
        b"1800;foo=\"a\\\"b\";refresher=uas",
        b"\"\\",
        b";;;;====\"\"\"",
        b"\xff\xfe\x00123",
        b"1;a=\"\\",
    ];
    for s in samples {
        for end in 0..=s.len() {
            let _ = parse_session_expires(&s[..end]);
            let _ = parse_min_se(&s[..end]);
            let _ = has_option_tag(&s[..end], b"timer");
            let _ = cseq_method(&s[..end]);
        }
    }
}
