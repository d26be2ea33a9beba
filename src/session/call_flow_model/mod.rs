//! A model test of whole call flows. Generated sequences of SIP events
//! (initial INVITE variants, provisionals with PRACK and early UPDATE, forks
//! with several 2xx, refreshes from either side proposing higher, lower,
//! zero and huge values, refusals with every class of final reply, ACKs,
//! other in-dialog requests, time passing) go through the entries of
//! `session::events` the module's dialog callbacks call, against a stand-in
//! for the dialog module's timer (lifetime, the re-arm after request
//! callbacks, the insert at confirmation). After every event the armed
//! expiry is checked against an independent reference of the session in
//! force, read from the messages as forwarded:
//!   (a) never earlier than the session in force expires;
//!   (b) never later than now plus the largest interval in play;
//!   (c) never beyond what the dialog timer can hold, nor beyond max_se
//!       unless a Min-SE above it set the session;
//!   (d) no forwarded message carries two Session-Expires or two Min-SE;
//!   (e) a dialog the timer ends is counted as expired by its session timer
//!       exactly when a session timer was in force;
//!   (f) a call in which no session timer has been in force nor proposed
//!       keeps the dialog's own timeout (default_timeout), before and after
//!       its 2xx.
//! A request and its reply happen at the same instant here; time passes
//! between transactions (see the README for the UPDATE round trip).
//!
//! `PROPTEST_CASES=100000 cargo test --release call_flow_model` explores longer.

mod invariants;
mod msg;
mod refresh;
mod sim;
mod steps;

use crate::rfc4028::policy::*;
use crate::session::events::{self, Known};
use msg::Msg;
use proptest::prelude::*;
use sim::{Dialog, DlgState, Sim};
use steps::*;

fn run(cfg: Config, inv: &Invite, steps: &[Step]) {
    let mut msg = Msg::default();
    if let Some(v) = inv.se {
        msg.0.push(("Session-Expires".into(), v.to_string()));
    }
    if let Some(m) = inv.min_se {
        msg.0.push(("Min-SE".into(), m.to_string()));
    }
    if inv.supported {
        msg.0.push(("Supported".into(), "timer".into()));
    }
    let mut reads = Known { record: None, facts: msg.facts(), call: inv.call, lost: false };
    let created = events::dialog_created(true, Method::Invite, &mut reads, &cfg);
    let (true, Some(state)) = (created.track, created.record) else { return }; // not tracked: nothing to check
    msg.apply(&created.edits);
    let asked = msg.facts().and_then(|f| f.se()).map(|se| se.interval);
    let mut sim = Sim {
        cfg,
        t: 0,
        dlg: Dialog { state: DlgState::Unconfirmed, lifetime: cfg.default_timeout, dirty: false, armed: None, kept_leg: None },
        record: state,
        session: None,
        largest: asked.map_or(0, u64::from),
        largest_min_se: inv.min_se.unwrap_or(0),
        asked,
        own_timeout: Some(cfg.default_timeout),
        marked: false,
        gauge: 0,
        call_max: created.max_duration,
        answered_at: None,
        lost: false,
        lost_end: None,
    };
    for s in steps {
        sim.step(s);
        if sim.dlg.state == DlgState::Ended {
            break;
        }
    }
}

/// 512 sequences per run; PROPTEST_CASES=N explores N.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn call_flow_model(cfg in config(), inv in invite(), steps in proptest::collection::vec(step(), 1..40)) {
        run(cfg, &inv, &steps);
    }
}

/// Flows that once cut a live session short or kept a dead one, spelled
/// out: refused refreshes from either side, a forked 2xx, an early dialog
/// with PRACK and UPDATE, huge values.
#[test]
fn call_flow_model_known_flows() {
    let cfg = Config { min_se: 90, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0, max_duration: 0, dead_call_grace: 0 };
    let uac = Invite { se: Some(1800), min_se: None, supported: true, call: CallOptions::default() };
    let answer = Step::Answer { leg: 1, se: SeAnswer::Same, refresher_uas: false };
    for code in [488, 491, 500, 408, 487, 422] {
        for invite in [true, false] {
            let refused = Step::Refresh { invite, se: Some(90), min_se: None, outcome: Outcome::Refused(code) };
            run(cfg, &uac, &[answer.clone(), Step::Ack, Step::Wait(10), refused, Step::Other, Step::Wait(1700)]);
        }
    }
    // a second branch's 2xx with a short session
    let fork = Step::Answer { leg: 2, se: SeAnswer::Lower(1710), refresher_uas: true };
    run(cfg, &uac, &[answer.clone(), Step::Ack, fork, Step::Other, Step::Wait(1700)]);
    // early dialog: PRACK and an early UPDATE, then a 2xx without timers
    let cfg7200 = Config { min_se: 1800, default_timeout: 7200, ..cfg };
    let plain = Invite { se: None, min_se: None, supported: false, call: CallOptions::default() };
    run(cfg7200, &plain, &[Step::Provisional, Step::Prack, Step::EarlyUpdate { se: 1800 },
        Step::Answer { leg: 1, se: SeAnswer::Absent, refresher_uas: false }, Step::Ack, Step::Wait(7000)]);
    // huge values
    let huge = Invite { se: Some(u32::MAX), ..uac.clone() };
    run(cfg, &huge, &[answer.clone(), Step::Ack, Step::Refresh { invite: true, se: Some(u32::MAX), min_se: None,
        outcome: Outcome::Ok { se: SeAnswer::Same, retransmitted: true } }, Step::Wait(5)]);
}

