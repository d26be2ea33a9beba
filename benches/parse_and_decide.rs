//! Micro benchmarks of the pure RFC 4028 layer (`sst::rfc4028`): header
//! parsing and the per-message decision, typical and worst-case inputs.
//!
//! ```sh
//! cargo bench --bench parse_and_decide                 # full run (criterion, ~2.5 min)
//! cargo bench --bench parse_and_decide -- --quick      # quick statistics, ~5 s once built
//! cargo test --release --bench parse_and_decide        # CI: build, run every bench once (<1 s)
//! ```
//!
//! A cold release build with criterion takes about 80 s on 2 cores; the
//! numbers are nanoseconds per call (per message for `per_message/*`).
//!
//! Only `sst::rfc4028` is called: the rest of the crate needs the OpenSIPS
//! core's symbols, which a benchmark binary does not have. What the module
//! adds around these functions per message (asking the core to parse the
//! headers, walking its header list, storing the 16-byte dialog value) is
//! measured through a real server by `opensips-tests/bench/run.py`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sst::rfc4028::grammar::{has_option_tag, parse_min_se, parse_session_expires};
use sst::rfc4028::policy::{gather, initial_invite, lay_out, reply, Config, HeaderLine, ReplyContext};
use sst::session::dialog_state::{DialogNow, Requester, SstState, Supported};
use std::hint::black_box;

/// The module defaults (min_se 1800, reject_to_small on, dialog default 12 h).
const CFG: Config = Config { min_se: 1800, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };

/// The first 2xx of an INVITE (the dialog not confirmed yet: once it is, a
/// 2xx is a retransmission), from the branch the dialog keeps, on a server
/// whose dialog timer can hold any lifetime (the bound of a fresh server).
const INITIAL_2XX: ReplyContext = ReplyContext {
    initial: true,
    kept_leg: true,
    dialog: DialogNow { confirmed: false, armed_remaining: None, lifetime: 43200, bound: i32::MAX as u32, answered_ago: None },
};

// ------------------------------------------------------------------ inputs

const SE_TYPICAL: &str = "1800;refresher=uac";

/// Many short generic parameters before the refresher (40 of them).
fn se_many_params() -> String {
    let mut s = String::from("1800");
    for i in 0..40 {
        s.push_str(&format!(";p{i}=v{i}"));
    }
    s.push_str(";refresher=uas");
    s
}

/// Few but long parameters: long tokens, a long quoted string with escapes,
/// an IPv6 host, folded whitespace (about 1.5 KB).
fn se_long_params() -> String {
    let tok = "x".repeat(400);
    let quoted: String = "abc\\\"; def ".repeat(50);
    format!(
        "  000000001800 \r\n ; {tok}={tok} ;q=\"{quoted}\" ;maddr=[2001:db8:85a3::8a2e:370:7334]:5060 ; refresher = UAC "
    )
}

type Headers = Vec<(Vec<u8>, Vec<u8>)>;

/// A typical initial INVITE as a UA sends it with session timers (12 headers).
fn invite_typical() -> Headers {
    let h = [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---7f3c9a5e2b1d4c6a;rport"),
        ("Max-Forwards", "70"),
        ("From", "\"Alice\" <sip:alice@example.com>;tag=9fxced76sl"),
        ("To", "<sip:bob@example.org>"),
        ("Call-ID", "3848276298220188511@192.0.2.10"),
        ("CSeq", "1 INVITE"),
        ("Contact", "<sip:alice@192.0.2.10:5060;transport=udp>"),
        ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, REFER, NOTIFY, INFO"),
        ("Supported", "replaces, 100rel, timer, norefersub"),
        ("Session-Expires", "1800"),
        ("Min-SE", "90"),
        ("Content-Type", "application/sdp"),
    ];
    h.iter().map(|(n, b)| (n.as_bytes().to_vec(), b.as_bytes().to_vec())).collect()
}

/// The 200 OK answering it (12 headers).
fn reply_typical() -> Headers {
    let h = [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---7f3c9a5e2b1d4c6a;rport=5060"),
        ("Record-Route", "<sip:198.51.100.1;lr;did=1a2.b3c4d5e6>"),
        ("From", "\"Alice\" <sip:alice@example.com>;tag=9fxced76sl"),
        ("To", "<sip:bob@example.org>;tag=8321234356"),
        ("Call-ID", "3848276298220188511@192.0.2.10"),
        ("CSeq", "1 INVITE"),
        ("Contact", "<sip:bob@203.0.113.7:5060>"),
        ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE"),
        ("Supported", "timer"),
        ("Require", "timer"),
        ("Session-Expires", "1800;refresher=uac"),
        ("Content-Type", "application/sdp"),
    ];
    h.iter().map(|(n, b)| (n.as_bytes().to_vec(), b.as_bytes().to_vec())).collect()
}

/// A worst case that still parses: 60 headers, long bodies (about 12 KB of
/// headers), long Via and Record-Route sets, many X- headers whose names
/// share prefixes with the ones we look for, several Supported / Require
/// headers with long option lists, and the session-timer headers last with
/// long parameters.
fn invite_worst() -> Headers {
    let mut h: Vec<(String, String)> = Vec::new();
    for i in 0..8 {
        h.push(("Via".into(), format!("SIP/2.0/UDP 10.{i}.0.1:5060;branch=z9hG4bK-{};received=10.{i}.0.1;rport=5060", "a".repeat(120))));
    }
    for i in 0..8 {
        h.push(("Record-Route".into(), format!("<sip:10.{i}.1.1;lr;ftag={};did={}>", "f".repeat(60), "d".repeat(60))));
    }
    h.push(("Max-Forwards".into(), "62".into()));
    h.push(("From".into(), format!("\"{}\" <sip:alice@example.com>;tag={}", "A".repeat(100), "t".repeat(60))));
    h.push(("To".into(), "<sip:bob@example.org;user=phone>".into()));
    h.push(("Call-ID".into(), "c".repeat(200)));
    h.push(("CSeq".into(), "4711 INVITE".into()));
    h.push(("Contact".into(), format!("<sip:alice@192.0.2.10:5060;transport=udp;{}>", "p=q;".repeat(40))));
    for i in 0..28 {
        // names that start like the ones we classify
        let name = match i % 4 {
            0 => format!("Session-Expires-X{i}"),
            1 => format!("Min-SE-Hint{i}"),
            2 => format!("Supported-Ext{i}"),
            _ => format!("X-Custom-Header-{i}"),
        };
        h.push((name, "v".repeat(150)));
    }
    for _ in 0..4 {
        let tags: Vec<String> = (0..30).map(|i| format!("ext-option-{i}")).collect();
        h.push(("Supported".into(), format!("{}, timer", tags.join(", "))));
    }
    for _ in 0..3 {
        let tags: Vec<String> = (0..20).map(|i| format!("req-option-{i}")).collect();
        h.push(("Require".into(), tags.join(" ,\r\n ")));
    }
    h.push(("Min-SE".into(), format!("  90 ;{}=\"{}\"", "n".repeat(100), "q".repeat(300))));
    h.push(("Session-Expires".into(), se_long_params()));
    h.push(("Content-Type".into(), "application/sdp".into()));
    assert_eq!(h.len(), 60);
    h.into_iter().map(|(n, b)| (n.into_bytes(), b.into_bytes())).collect()
}

/// The header lines of `h`, placed as in a message written from them.
fn pairs(h: &Headers) -> impl Iterator<Item = HeaderLine<'_>> {
    lay_out(h.iter().map(|(n, b)| (n.as_slice(), b.as_slice())))
}

fn total_bytes(h: &Headers) -> u64 {
    h.iter().map(|(n, b)| (n.len() + b.len()) as u64).sum()
}

// ------------------------------------------------------------------ benches

fn bench_parse(c: &mut Criterion) {
    let many = se_many_params();
    let long = se_long_params();
    let mut g = c.benchmark_group("parse_session_expires");
    for (name, body) in [("typical", SE_TYPICAL), ("many_params_41", many.as_str()), ("long_params_1.5KB", long.as_str())] {
        assert!(parse_session_expires(body.as_bytes()).is_ok(), "{name} must parse");
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function(name, |b| b.iter(|| parse_session_expires(black_box(body.as_bytes()))));
    }
    g.finish();

    let mut g = c.benchmark_group("other_headers");
    g.bench_function("parse_min_se_typical", |b| b.iter(|| parse_min_se(black_box(b"90"))));
    let sup = "replaces, 100rel, timer, norefersub";
    g.bench_function("has_option_tag_typical", |b| b.iter(|| has_option_tag(black_box(sup.as_bytes()), b"timer")));
    g.finish();
}

fn bench_gather(c: &mut Criterion) {
    let mut g = c.benchmark_group("gather");
    for (name, h) in [
        ("invite_typical_12", invite_typical()),
        ("reply_typical_12", reply_typical()),
        ("invite_worst_60", invite_worst()),
    ] {
        assert!(gather(pairs(&h)).is_ok(), "{name} must gather");
        g.throughput(Throughput::Bytes(total_bytes(&h)));
        g.bench_function(name, |b| b.iter(|| gather(pairs(black_box(&h)))));
    }
    g.finish();
}

fn bench_decide(c: &mut Criterion) {
    let inv = gather(pairs(&invite_typical())).unwrap();
    let inv_worst = gather(pairs(&invite_worst())).unwrap();
    let small: Headers = [("Session-Expires", "100;refresher=uac"), ("Min-SE", "90"), ("CSeq", "1 INVITE")]
        .iter()
        .map(|(n, b)| (n.as_bytes().to_vec(), b.as_bytes().to_vec()))
        .collect();
    let inv_small = gather(pairs(&small)).unwrap();
    let inv_no_se = gather(pairs(&invite_typical()).filter(|h| h.name != b"Session-Expires")).unwrap();
    let ok = gather(pairs(&reply_typical())).unwrap();
    let tracked = SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 };
    assert!(initial_invite(&inv, &CFG).edits.is_empty());

    let mut g = c.benchmark_group("decide");
    g.bench_function("initial_invite_flow1", |b| b.iter(|| initial_invite(black_box(&inv), black_box(&CFG))));
    g.bench_function("initial_invite_flow1_worst_facts", |b| {
        b.iter(|| initial_invite(black_box(&inv_worst), black_box(&CFG)))
    });
    // SE below min_se from a UAC without timer support: two edits
    g.bench_function("initial_invite_flow4_raise", |b| {
        b.iter(|| initial_invite(black_box(&inv_small), black_box(&CFG)))
    });
    g.bench_function("initial_invite_flow5_no_se", |b| {
        b.iter(|| initial_invite(black_box(&inv_no_se), black_box(&CFG)))
    });
    g.bench_function("reply_200_with_se", |b| {
        b.iter(|| reply(black_box(tracked), black_box(200), Some(black_box(&ok)), black_box(&CFG), black_box(&INITIAL_2XX)))
    });
    g.finish();
}

/// What the module computes per message, end to end in the pure layer:
/// gather the facts from the header list, then decide.
fn bench_message(c: &mut Criterion) {
    let inv = invite_typical();
    let ok = reply_typical();
    let worst = invite_worst();
    let tracked = SstState { requester: Requester::Uac, supported: Supported::Uac, interval: 1800 };

    let mut g = c.benchmark_group("per_message");
    g.throughput(Throughput::Elements(1));
    g.bench_function("initial_invite_typical", |b| {
        b.iter(|| initial_invite(&gather(pairs(black_box(&inv))).unwrap(), &CFG))
    });
    g.bench_function("reply_200_typical", |b| {
        b.iter(|| reply(tracked, 200, Some(&gather(pairs(black_box(&ok))).unwrap()), &CFG, &INITIAL_2XX))
    });
    g.bench_function("initial_invite_worst_60", |b| {
        b.iter(|| initial_invite(&gather(pairs(black_box(&worst))).unwrap(), &CFG))
    });
    // the 16-byte dialog value, both ways
    g.bench_function("state_round_trip", |b| {
        b.iter_batched(
            || tracked,
            |s| SstState::from_bytes(&black_box(s.to_bytes())).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_parse, bench_gather, bench_decide, bench_message);
criterion_main!(benches);
