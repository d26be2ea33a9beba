//! Checks of the initial INVITE's decision and of sstCheckMin().

use super::*;

pub(super) fn check_initial(facts: &MessageFacts, cfg: &Config, call: &CallOptions, d: &InitialDecision) {
    match *d {
        InitialDecision { state, edits, raised_instead_of_422 } => {
            // told exactly when a UAC that takes a 422 asked for less than min_se with rejecting on
            let too_small = facts.se().is_some_and(|se| se.interval < cfg.min_se);
            assert_eq!(raised_instead_of_422, too_small && facts.supports_timer && cfg.reject_to_small, "{facts:?} {cfg:?}");
            let edits = edits_vec(&edits);
            check_edits_shape(&edits);
            // Opted out (#991): nobody asked, so nothing is requested or changed.
            if state.requester == Requester::Nobody {
                assert!(!call.insert && facts.se().is_none(), "{facts:?} {call:?}");
                assert!(edits.is_empty() && state.interval == 0, "{edits:?} {state:?}");
                return;
            }
            assert!(
                state.requester == Requester::Uac || state.requester == Requester::Proxy,
                "{state:?}"
            );
            assert!(
                state.supported == Supported::Uac || state.supported == Supported::Unknown,
                "{state:?}"
            );
            assert_eq!(state.supported == Supported::Uac, facts.supports_timer);
            let cap = cfg.request_cap(facts.min_se);
            // The Session-Expires the forwarded request carries.
            let mut fwd_se = facts.se().map(|se| se.interval);
            let mut fwd_min_se = facts.min_se;
            for e in &edits {
                match *e {
                    Edit::ReplaceMinSe(v) => {
                        assert!(v >= cfg.min_se, "{e:?} {cfg:?}");
                        fwd_min_se = Some(v);
                    }
                    Edit::SetSessionExpires(v) => {
                        let se = facts.se().expect("a rewrite needs a Session-Expires");
                        check_request_se_edit(se.interval, facts.min_se, cfg, v);
                        fwd_se = Some(v);
                    }
                    Edit::AddSessionExpires {
                        interval,
                        refresher,
                    } => {
                        assert!(facts.se().is_none(), "added a second Session-Expires");
                        assert_eq!(refresher, None, "a proxy must not choose the refresher");
                        assert!(interval >= cfg.min_se);
                        assert!(interval > 0, "proxy asked for Session-Expires: 0 ({cfg:?})");
                        assert!(call.insert, "inserted although the script opted out");
                        // the script's interval replaces sst_interval, floor
                        // kept; max_se (or the Min-SE above it) caps it
                        let asked = call.interval.unwrap_or(cfg.sst_interval).max(cfg.floor());
                        let want = cap.map_or(asked, |c| asked.min(c));
                        assert!(interval >= want, "{e:?} {call:?} {cfg:?}");
                        fwd_se = Some(interval);
                    }
                    Edit::AddRequireTimer => panic!("Require: timer added to a request"),
                }
            }
            // What we track is what the forwarded request asks for.
            assert_eq!(Some(state.interval), fwd_se, "{facts:?} {cfg:?} {edits:?}");
            // max_se: no request goes on asking for more (or for more than
            // the Min-SE that forces it).
            if let Some(c) = cap {
                assert!(state.interval <= c, "above max_se: {facts:?} {cfg:?} {edits:?}");
            }
            // RFC 4028 §8.1: a proxy that touches Min-SE / SE leaves Min-SE <= SE.
            if !edits.is_empty() {
                if let (Some(m), Some(s)) = (fwd_min_se, fwd_se) {
                    assert!(m <= s, "forwarded Min-SE {m} > Session-Expires {s}");
                }
            }
            // Below our minimum only when the UAC handles it and rejecting is off.
            if state.interval < cfg.floor() {
                assert!(
                    !cfg.reject_to_small && facts.supports_timer,
                    "{facts:?} {cfg:?} {state:?}"
                );
            }
            assert_eq!(SstState::from_bytes(&state.to_bytes()), Ok(state));
        }
    }
}

pub(super) fn check_check_min(facts: &MessageFacts, min_se: u32) {
    for m in [Method::Ack, Method::Prack, Method::Other] {
        assert_eq!(check_min(m, || panic!("read for {m:?}"), min_se), CheckMin::NotApplicable);
    }
    assert_eq!(check_min(Method::Update, || Some(*facts), min_se), check_min(Method::Invite, || Some(*facts), min_se));
    match check_min(Method::Invite, || Some(*facts), min_se) {
        CheckMin::Unreadable => panic!("readable facts reported unreadable"),
        CheckMin::NotApplicable => assert!(facts.se().is_none()),
        CheckMin::LargeEnough => {
            let se = facts.se().unwrap();
            assert!(min_se <= se.interval);
        }
        CheckMin::TooSmall { min_se: m } => {
            assert_eq!(m, min_se);
            let se = facts.se().unwrap();
            assert!(m > se.interval.min(facts.min_se.unwrap_or(RFC_MIN_SE)));
        }
    }
}
