//! A model test of whole call flows. Generated sequences of SIP events
//! (initial INVITE variants, provisionals with PRACK and early UPDATE, forks
//! with several 2xx, refreshes from either side proposing higher, lower,
//! zero and huge values, refusals with every class of final reply, ACKs,
//! other in-dialog requests, time passing) drive the policy exactly as the
//! module's dialog callbacks do, against a stand-in for the dialog module's
//! timer (lifetime, the re-arm after request callbacks, the insert at
//! confirmation). After every event the armed expiry is checked against an
//! independent reference of the session in force, read from the messages as
//! forwarded:
//!   (a) never earlier than the session in force expires;
//!   (b) never later than now plus the largest interval in play;
//!   (c) never beyond what the dialog timer can hold, nor beyond max_se
//!       unless a Min-SE above it set the session;
//!   (d) no forwarded message carries two Session-Expires or two Min-SE.
//! A request and its reply happen at the same instant here; time passes
//! between transactions (see the README for the UPDATE round trip).
//!
//! `PROPTEST_CASES=100000 cargo test --release call_flow_model` explores longer.

use super::grammar::{self, HeaderName};
use super::policy::*;
use super::state::SstState;
use super::timing::{lifetime_bound, DialogNow, Lifetime};
use proptest::prelude::*;

/// A message as headers (name, body), edited the way the module edits it.
#[derive(Clone, Debug, Default)]
struct Msg(Vec<(String, String)>);

impl Msg {
    fn facts(&self) -> Option<MessageFacts> {
        gather(self.0.iter().map(|(n, b)| (n.as_bytes(), b.as_bytes()))).ok()
    }
    fn count(&self, which: HeaderName) -> usize {
        self.0.iter().filter(|(n, _)| grammar::classify_name(n.as_bytes()) == which).count()
    }
    fn find(&mut self, which: HeaderName) -> Option<&mut String> {
        self.0.iter_mut().find(|(n, _)| grammar::classify_name(n.as_bytes()) == which).map(|(_, b)| b)
    }
    /// The session interval this message tells its receiver, if usable.
    fn session_expires(&self) -> Option<u32> {
        let f = self.facts()?;
        f.se().map(|se| se.interval).filter(|i| *i > 0)
    }
    fn apply(&mut self, edits: &Edits) {
        for e in edits.iter() {
            match e {
                Edit::ReplaceMinSe(v) => match self.find(HeaderName::MinSe) {
                    Some(b) => *b = v.to_string(),
                    None => self.0.push(("Min-SE".into(), v.to_string())),
                },
                Edit::SetSessionExpires(v) => {
                    let b = self.find(HeaderName::SessionExpires).expect("an SE to set");
                    let se = grammar::parse_session_expires(b.as_bytes()).expect("a readable SE");
                    b.replace_range(se.delta_start..se.delta_end, &v.to_string());
                }
                Edit::AddSessionExpires { interval, refresher } => {
                    let r = refresher.map_or(String::new(), |r| format!(";refresher={}", r.as_str()));
                    self.0.push(("Session-Expires".into(), format!("{interval}{r}")));
                }
                Edit::AddRequireTimer => match self.find(HeaderName::Require) {
                    Some(b) => b.push_str(", timer"),
                    None => self.0.push(("Require".into(), "timer".into())),
                },
            }
        }
        // (d): never two of either in what goes on
        assert!(self.count(HeaderName::SessionExpires) <= 1, "two Session-Expires forwarded: {self:?}");
        assert!(self.count(HeaderName::MinSe) <= 1, "two Min-SE forwarded: {self:?}");
    }
}

#[derive(Clone, Copy, Debug)]
enum SeAnswer {
    Same,
    Lower(u32),
    Absent,
    Zero,
    Unreadable,
}

#[derive(Clone, Copy, Debug)]
enum Outcome {
    Ok { se: SeAnswer, retransmitted: bool },
    Refused(u32),
}

#[derive(Clone, Debug)]
enum Step {
    Provisional,
    Prack,
    EarlyUpdate { se: u32 },
    Answer { leg: u8, se: SeAnswer, refresher_uas: bool },
    Reject(u32),
    Ack,
    Refresh { invite: bool, se: Option<u32>, min_se: Option<u32>, outcome: Outcome },
    Other,
    Wait(u32),
}

#[derive(Clone, Debug)]
struct Invite {
    se: Option<u32>,
    min_se: Option<u32>,
    supported: bool,
    call: CallOptions,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DlgState {
    Unconfirmed,
    Early,
    Confirmed,
    Ended,
}

/// The dialog module's side, as far as timing goes.
struct Dialog {
    state: DlgState,
    lifetime: u32,
    dirty: bool,
    /// Absolute expiry (model seconds) once armed.
    armed: Option<u64>,
    kept_leg: Option<u8>,
}

struct Sim {
    cfg: Config,
    t: u64,
    dlg: Dialog,
    record: SstState,
    /// Reference: when the session in force expires (None: no session timer).
    session: Option<u64>,
    /// Reference: the largest interval any message carried on, and the
    /// largest Min-SE any request asked for.
    largest: u64,
    largest_min_se: u32,
    /// The Session-Expires the INVITE went on with (what a compliant UAS may answer).
    asked: Option<u32>,
}

const TICK0: u64 = 1000;
const UNIX0: u64 = 1_800_000_000;

impl Sim {
    fn now(&self) -> DialogNow {
        DialogNow {
            confirmed: self.dlg.state == DlgState::Confirmed,
            armed_remaining: self.dlg.armed.map(|a| a.saturating_sub(self.t) as u32),
            lifetime: self.dlg.lifetime,
            bound: lifetime_bound((TICK0 + self.t) as u32, UNIX0 + self.t),
        }
    }

    /// When a session of `interval` settled now expires, as far as the
    /// dialog timer can hold it ((c): longer ones are clamped by design).
    fn expiry_of(&self, interval: u32) -> u64 {
        self.t + u64::from(interval.min(self.now().bound))
    }

    fn set(&mut self, l: Lifetime) {
        assert!(l.seconds > 0, "a zero lifetime");
        let bound = self.now().bound;
        assert!(l.seconds <= bound, "lifetime {} beyond the timer's bound {}", l.seconds, bound);
        assert_eq!(l.clamped_from.is_some(), l.clamped_from.is_some_and(|c| c > bound));
        if self.cfg.max_se > 0 && self.record.timer_active() {
            let cap = self.cfg.max_se.max(self.largest_min_se);
            assert!(l.seconds <= cap, "lifetime {} beyond max_se {} (largest Min-SE {})", l.seconds, self.cfg.max_se, self.largest_min_se);
        }
        self.dlg.lifetime = l.seconds;
        self.dlg.dirty = true;
    }

    fn saw(&mut self, msg: &Msg) {
        if let Some(se) = msg.session_expires() {
            self.largest = self.largest.max(u64::from(se));
        }
    }

    /// The dialog module after request callbacks: re-arm when dirty.
    fn rearm(&mut self) {
        if self.dlg.dirty && self.dlg.armed.is_some() {
            self.dlg.armed = Some(self.t + u64::from(self.dlg.lifetime));
        }
    }

    fn request_within(&mut self, request: WithinRequest, msg: &mut Msg) {
        if let Some(m) = msg.facts().and_then(|f| f.min_se) {
            self.largest_min_se = self.largest_min_se.max(m);
        }
        // As the module: nothing before confirmation; for other requests only
        // the refit, without the record.
        if self.dlg.state == DlgState::Confirmed && request == WithinRequest::Other {
            if let Some(l) = refit(&self.now()) {
                self.set(l);
            }
        } else if self.dlg.state == DlgState::Confirmed {
            let facts = msg.facts();
            let d = request_within(&self.record, request, facts.as_ref(), &self.cfg, &self.now());
            if facts.is_some() {
                msg.apply(&d.edits);
            }
            if let Some(l) = d.lifetime {
                self.set(l);
            }
        }
        self.saw(msg);
        self.rearm();
    }

    fn reply(&mut self, status: u32, msg: &mut Msg, initial: bool, kept_leg: bool) {
        if status < 200 && status != 422 {
            return;
        }
        let ctx = ReplyContext { initial, kept_leg, dialog: self.now() };
        let facts = msg.facts();
        let d = reply(self.record, status, facts.as_ref(), &self.cfg, &ctx);
        if facts.is_some() {
            msg.apply(&d.edits);
        } else {
            assert!(d.edits.is_empty());
        }
        self.record = d.state;
        if let Some(l) = d.lifetime {
            self.set(l);
        }
        self.saw(msg);
    }

    fn answer_msg(se: SeAnswer, asked: Option<u32>, refresher_uas: bool, cseq: &str) -> Msg {
        let mut m = Msg(vec![("CSeq".into(), cseq.into())]);
        let r = if refresher_uas { ";refresher=uas" } else { ";refresher=uac" };
        let v = match (se, asked) {
            (SeAnswer::Same, Some(a)) => Some(a.to_string()),
            (SeAnswer::Lower(by), Some(a)) => Some(a.saturating_sub(by).max(1).to_string()),
            // A request without Session-Expires gets none back here: the
            // UAS may only lower what was asked (RFC 4028 §9).
            (SeAnswer::Same | SeAnswer::Lower(_), None) => None,
            (SeAnswer::Absent, _) => None,
            (SeAnswer::Zero, _) => Some("0".into()),
            (SeAnswer::Unreadable, _) => Some("abc".into()),
        };
        if let Some(v) = v {
            m.0.push(("Session-Expires".into(), format!("{v}{r}")));
        }
        m
    }

    /// (a), (b): after every event of a live, confirmed dialog.
    fn check(&self, step: &Step) {
        if self.dlg.state != DlgState::Confirmed {
            return;
        }
        let armed = self.dlg.armed.expect("a confirmed dialog is armed");
        if let Some(e) = self.session {
            assert!(armed >= e, "after {step:?}: armed {armed} is earlier than the session in force {e} (t {})", self.t);
        }
        let room = self.largest.max(u64::from(self.cfg.default_timeout)).min(u64::from(self.now().bound));
        assert!(armed <= self.t + room, "after {step:?}: armed {armed} is beyond now {} + {room}", self.t);
    }

    fn step(&mut self, s: &Step) {
        use DlgState::*;
        match *s {
            Step::Provisional if self.dlg.state == Unconfirmed => self.dlg.state = Early,
            Step::Prack if self.dlg.state == Early => {
                self.request_within(WithinRequest::AckOrPrack, &mut Msg::default());
            }
            Step::EarlyUpdate { se } if self.dlg.state == Early => {
                let mut req = Msg(vec![("CSeq".into(), "2 UPDATE".into()), ("Session-Expires".into(), se.to_string())]);
                self.request_within(WithinRequest::Refresh, &mut req);
                let mut ok = Self::answer_msg(SeAnswer::Same, Some(se), false, "2 UPDATE");
                self.reply(200, &mut ok, false, true);
            }
            Step::Answer { leg, se, refresher_uas } if matches!(self.dlg.state, Unconfirmed | Early | Confirmed) => {
                let first = self.dlg.kept_leg.is_none();
                let kept = self.dlg.kept_leg.is_none_or(|k| k == leg);
                let mut ok = Self::answer_msg(se, self.asked, refresher_uas, "1 INVITE");
                self.reply(200, &mut ok, true, kept);
                if first {
                    self.dlg.kept_leg = Some(leg);
                    // confirmation: the dialog module inserts its timer
                    self.dlg.state = Confirmed;
                    self.dlg.armed = Some(self.t + u64::from(self.dlg.lifetime));
                    // reference: the session the UAC was told about
                    self.session = ok.session_expires().map(|i| self.expiry_of(i));
                }
            }
            Step::Reject(code) if matches!(self.dlg.state, Unconfirmed | Early) => {
                let mut m = Msg(vec![("CSeq".into(), "1 INVITE".into()), ("Min-SE".into(), "3600".into())]);
                self.reply(code, &mut m, true, true);
                self.dlg.state = Ended;
            }
            Step::Ack if self.dlg.state == Confirmed => {
                self.request_within(WithinRequest::AckOrPrack, &mut Msg::default());
            }
            Step::Other if self.dlg.state == Confirmed => {
                self.request_within(WithinRequest::Other, &mut Msg::default());
            }
            Step::Refresh { invite, se, min_se, outcome } if self.dlg.state == Confirmed => {
                let cseq = if invite { "5 INVITE" } else { "5 UPDATE" };
                let mut req = Msg(vec![("CSeq".into(), cseq.into())]);
                if let Some(v) = se {
                    req.0.push(("Session-Expires".into(), v.to_string()));
                }
                if let Some(m) = min_se {
                    req.0.push(("Min-SE".into(), m.to_string()));
                }
                self.request_within(WithinRequest::Refresh, &mut req);
                let forwarded = req.facts().and_then(|f| f.se()).map(|se| se.interval);
                match outcome {
                    Outcome::Ok { se, retransmitted } => {
                        let mut ok = Self::answer_msg(se, forwarded, false, cseq);
                        self.reply(200, &mut ok, false, true);
                        match (ok.facts(), ok.session_expires()) {
                            (Some(_), Some(i)) => self.session = Some(self.expiry_of(i)),
                            // a refresh answered without Session-Expires: no timer from now on
                            (Some(f), None) if f.se().is_none() => self.session = None,
                            // 0 or unreadable: the session in force stays
                            _ => {}
                        }
                        if retransmitted {
                            let mut again = Self::answer_msg(se, forwarded, false, cseq);
                            self.reply(200, &mut again, false, true);
                        }
                    }
                    Outcome::Refused(code) => {
                        let mut m = Msg(vec![("CSeq".into(), cseq.into())]);
                        if code == 422 {
                            m.0.push(("Min-SE".into(), "7200".into()));
                        }
                        self.reply(code, &mut m, false, true);
                    }
                }
                if invite {
                    // the ACK of the final reply comes through the proxy too
                    self.check(s);
                    self.request_within(WithinRequest::AckOrPrack, &mut Msg::default());
                }
            }
            Step::Wait(secs) => {
                self.t += u64::from(secs);
                if self.dlg.state == Confirmed && self.dlg.armed.is_some_and(|a| a <= self.t) {
                    // the dialog timer ran out: it must not have cut a live session
                    let armed = self.dlg.armed.unwrap();
                    if let Some(e) = self.session {
                        assert!(armed >= e, "the dialog expired at {armed}, before the session in force ({e})");
                    }
                    self.dlg.state = Ended;
                }
            }
            _ => {} // not possible in this dialog state
        }
        self.check(s);
    }
}

fn interval() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32), Just(1), Just(89), Just(90), Just(91), Just(1800), Just(3600), Just(7200),
        Just(i32::MAX as u32), Just(1u32 << 31), Just(u32::MAX), 0u32..100_000,
    ]
}

fn se_answer() -> impl Strategy<Value = SeAnswer> {
    prop_oneof![
        4 => Just(SeAnswer::Same),
        2 => (1u32..5000).prop_map(SeAnswer::Lower),
        1 => Just(SeAnswer::Absent),
        1 => Just(SeAnswer::Zero),
        1 => Just(SeAnswer::Unreadable),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let refused = prop_oneof![Just(408u32), Just(422), Just(487), Just(488), Just(491), Just(500), Just(503), Just(603)];
    let outcome = prop_oneof![
        (se_answer(), any::<bool>()).prop_map(|(se, retransmitted)| Outcome::Ok { se, retransmitted }),
        refused.prop_map(Outcome::Refused),
    ];
    prop_oneof![
        Just(Step::Provisional),
        Just(Step::Prack),
        interval().prop_map(|se| Step::EarlyUpdate { se }),
        (1u8..4, se_answer(), any::<bool>()).prop_map(|(leg, se, refresher_uas)| Step::Answer { leg, se, refresher_uas }),
        prop_oneof![Just(422u32), Just(486), Just(500)].prop_map(Step::Reject),
        Just(Step::Ack),
        (any::<bool>(), proptest::option::of(interval()), proptest::option::of(interval()), outcome)
            .prop_map(|(invite, se, min_se, outcome)| Step::Refresh { invite, se, min_se, outcome }),
        Just(Step::Other),
        prop_oneof![0u32..5, 0u32..2000, 0u32..50_000].prop_map(Step::Wait),
    ]
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![Just(0u32), Just(90), Just(1800)],
        prop_oneof![Just(0u32), Just(600), Just(2400)],
        any::<bool>(),
        prop_oneof![Just(600u32), Just(7200), Just(43200)],
        prop_oneof![Just(0u32), Just(1800), Just(3600), Just(100_000)],
    )
        .prop_filter_map("mod_init refuses max_se below min_se or sst_interval", |(min_se, sst, reject, dt, max_se)| {
            let ok = max_se == 0 || (max_se >= min_se && max_se >= sst);
            ok.then_some(Config { min_se, sst_interval: sst, reject_to_small: reject, default_timeout: dt, max_se })
        })
}

fn invite() -> impl Strategy<Value = Invite> {
    (
        proptest::option::of(interval()),
        proptest::option::of(interval()),
        any::<bool>(),
        proptest::option::of(interval()),
        any::<bool>(),
    )
        .prop_map(|(se, min_se, supported, per_call, insert)| Invite {
            se,
            min_se,
            supported,
            call: CallOptions { interval: per_call.filter(|i| *i > 0), insert },
        })
}

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
    // The module never rejects from the dialog callback (can_reject false).
    let Some(facts) = msg.facts() else { return }; // not tracked: nothing to check
    let InitialDecision::Track { state, edits } = initial_invite_for_call(&facts, &cfg, &inv.call, false) else {
        panic!("a Reject from the dialog callback");
    };
    msg.apply(&edits);
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

/// The flows of the issue that motivated the model, spelled out.
#[test]
fn call_flow_model_known_flows() {
    let cfg = Config { min_se: 90, sst_interval: 0, reject_to_small: true, default_timeout: 43200, max_se: 0 };
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
