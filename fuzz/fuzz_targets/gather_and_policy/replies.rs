//! Checks of the decision on a reply in a tracked dialog.

use super::*;

pub(super) fn is_2xx(status: u32) -> bool {
    (200..300).contains(&status)
}

pub(super) fn check_reply(
    before: SstState,
    status: u32,
    facts: Option<&MessageFacts>,
    cfg: &Config,
    rc: &ReplyContext,
    d: &ReplyDecision,
) {
    let ctx = || format!("{before:?} {status} {facts:?} {cfg:?} {rc:?} -> {d:?}");
    let initial = rc.initial;
    let edits = edits_vec(&d.edits);
    check_edits_shape(&edits);
    let unchanged = ReplyDecision {
        state: before,
        edits: Edits::default(),
        lifetime: None,
        refresher: RefresherUpdate::Keep,
        refresh: None,
        settles: false,
    };
    // Only a final reply to a refresh of a running timer in a confirmed
    // dialog is counted as one, accepted exactly when it is a 2xx.
    if let Some(r) = d.refresh {
        assert!(!initial && rc.dialog.confirmed && status >= 200 && before.timer_active(), "counted: {}", ctx());
        assert_eq!(r == RefreshAnswer::Accepted, is_2xx(status), "{}", ctx());
    }
    // An early dialog's (or an ended one's) replies decide nothing, nor
    // does a 2xx of a branch the dialog does not keep.
    if !initial && !rc.dialog.confirmed {
        assert_eq!(*d, unchanged, "unconfirmed dialog: {}", ctx());
    }
    if is_2xx(status) && !rc.kept_leg {
        assert_eq!(*d, unchanged, "a 2xx of a dropped branch: {}", ctx());
    }
    // A 2xx of the INVITE once the dialog is confirmed is a retransmission:
    // it settles nothing, and goes on edited as the first was.
    if initial && is_2xx(status) && rc.dialog.confirmed && rc.kept_leg {
        let first_rc = ReplyContext { dialog: DialogNow { confirmed: false, ..rc.dialog }, ..*rc };
        let first = reply(before, status, facts, cfg, &first_rc);
        check_reply(before, status, facts, cfg, &first_rc, &first);
        assert_eq!(*d, ReplyDecision { edits: first.edits, ..unchanged }, "retransmission: {}", ctx());
        return;
    }
    if let Some(l) = d.lifetime {
        // Always the recorded interval (as asked), within the bound, never 0.
        check_lifetime(l, d.state.interval, &rc.dialog, &ctx);
        assert!(is_2xx(status), "{}", ctx());
        // An initial 2xx arms only a running session timer; a refresh 2xx
        // without one (flow 11) undoes ours with default_timeout.
        if initial {
            assert!(d.state.timer_active(), "{}", ctx());
        } else {
            assert!(
                d.state.timer_active()
                    || (d.state.supported == Supported::Neither && d.state.interval == cfg.default_timeout),
                "{}",
                ctx()
            );
        }
    }
    assert_eq!(d.state.requester, before.requester, "{}", ctx());
    // The 2xx's Session-Expires, when it says anything (0 says nothing).
    let se_2xx = facts.and_then(|f| f.se()).filter(|se| se.interval > 0);
    if is_2xx(status) && se_2xx.is_none() && facts.is_none_or(|f| f.se().is_some()) {
        // Session-Expires: 0, or headers that cannot be read: the reply goes
        // on as it is (never with a second Session-Expires), nothing is armed
        // for an initial 2xx, and a refresh leaves the session in force.
        assert!(edits.is_empty(), "{}", ctx());
        if initial {
            assert_eq!(d.lifetime, None, "{}", ctx());
            assert!(!d.state.timer_active() || d.state == before, "{}", ctx());
        } else {
            // (a 2xx still answers the refresh: it may be counted as accepted)
            assert_eq!(ReplyDecision { refresh: None, ..*d }, unchanged, "{}", ctx());
        }
    }
    if status == 422 {
        assert!(edits.is_empty() && d.lifetime.is_none(), "{}", ctx());
        assert!(d.state.interval >= before.interval, "{}", ctx());
        assert_eq!(d.state.supported, before.supported, "{}", ctx());
        // A 422 to a refresh changes nothing (RFC 4028 §10).
        if !initial {
            assert_eq!(d.state, before, "{}", ctx());
        }
        // Only the 422's Min-SE can raise it.
        match facts.and_then(|f| f.min_se) {
            Some(m) => assert!(d.state.interval <= before.interval.max(m), "{}", ctx()),
            None => assert_eq!(d.state, before, "{}", ctx()),
        }
    } else if !is_2xx(status) {
        assert_eq!(*d, unchanged, "{}", ctx());
    }
    for e in &edits {
        match *e {
            Edit::AddSessionExpires {
                interval,
                refresher,
            } => {
                assert!(initial, "{}", ctx());
                // never a second Session-Expires in the reply
                let f = facts.expect("added Session-Expires to an unreadable reply");
                assert!(f.se().is_none(), "second Session-Expires: {}", ctx());
                assert_eq!(refresher, Some(Refresher::Uac), "{}", ctx());
                assert_eq!(interval, d.state.interval, "{}", ctx());
                assert!(interval > 0, "{}", ctx());
                let l = d.lifetime.expect("Session-Expires added, nothing armed");
                assert_eq!(l.clamped_from.unwrap_or(l.seconds), interval, "{}", ctx());
            }
            Edit::AddRequireTimer => {
                assert!(
                    edits
                        .iter()
                        .any(|e| matches!(e, Edit::AddSessionExpires { .. })),
                    "{}",
                    ctx()
                );
                assert!(!facts.is_some_and(|f| f.requires_timer), "{}", ctx());
            }
            Edit::ReplaceMinSe(_) | Edit::SetSessionExpires(_) => {
                panic!("reply() edits Min-SE/Session-Expires of a reply: {}", ctx())
            }
        }
    }
    // A session settled by the 2xx's own Session-Expires: never longer than
    // it says (RFC 4028 §9), and with max_se never longer than what the
    // request carried (at most max_se, or the Min-SE that forced more).
    if let (Some(se), Some(_)) = (se_2xx, d.lifetime) {
        assert!(d.state.interval <= se.interval, "{}", ctx());
        if cfg.max_se > 0 {
            let asked = if initial { before.interval } else { rc.dialog.lifetime };
            assert!(d.state.interval <= cfg.max_se.max(asked), "above max_se: {}", ctx());
        }
    }
    // The refresher: only a settling 2xx names one, and then a timer runs.
    match d.refresher {
        RefresherUpdate::Keep => {}
        RefresherUpdate::Set(r) => {
            assert!(is_2xx(status) && d.lifetime.is_some(), "{}", ctx());
            if edits.iter().any(|e| matches!(e, Edit::AddSessionExpires { .. })) {
                assert_eq!(r, Refresher::Uac, "{}", ctx());
            } else if let Some(se) = se_2xx.filter(|se| se.refresher.is_some()) {
                assert_eq!(se.refresher, Some(r), "the 2xx's own refresher is not kept: {}", ctx());
            }
        }
        RefresherUpdate::Clear => assert!(is_2xx(status), "{}", ctx()),
    }
    if !is_2xx(status) {
        assert_eq!(d.refresher, RefresherUpdate::Keep, "{}", ctx());
    }
    // Flows 10 / 11 store the dialog module's default timeout, never 0.
    if is_2xx(status) && d.state.supported == Supported::Neither && d.state != before {
        assert_eq!(d.state.interval, cfg.default_timeout, "{}", ctx());
    }
    assert_eq!(SstState::from_bytes(&d.state.to_bytes()), Ok(d.state));
}
