//! The stand-in for the dialog module (its states, the leg it keeps, its
//! timer: the lifetime, the re-arm after request callbacks, the insert at
//! confirmation), which hands each event to the entry of `session::events`
//! the module's callback calls and carries out the decision as the module
//! does; and the reference of the session in force each event is checked
//! against. Nothing here decides whether an event matters.

use super::msg::Msg;
use super::steps::*;
use crate::rfc4028::policy::*;
use crate::session::dialog_state::{lifetime_bound, DialogNow, Lifetime, SstState};
use crate::session::events::{self, Decision, Ending, Timing};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum DlgState {
    Unconfirmed,
    Early,
    Confirmed,
    Ended,
}

/// The dialog module's side, as far as timing goes.
pub(super) struct Dialog {
    pub(super) state: DlgState,
    pub(super) lifetime: u32,
    pub(super) dirty: bool,
    /// Absolute expiry (model seconds) once armed.
    pub(super) armed: Option<u64>,
    pub(super) kept_leg: Option<u8>,
}

pub(super) struct Sim {
    pub(super) cfg: Config,
    pub(super) t: u64,
    pub(super) dlg: Dialog,
    pub(super) record: SstState,
    /// Reference: when the session in force expires (None: no session timer).
    pub(super) session: Option<u64>,
    /// Reference: the largest interval any message carried on, and the
    /// largest Min-SE any request asked for.
    pub(super) largest: u64,
    pub(super) largest_min_se: u32,
    /// The Session-Expires the INVITE went on with (what a compliant UAS may answer).
    pub(super) asked: Option<u32>,
    /// Reference: the dialog's own timeout (default_timeout), while no
    /// session timer has been in force nor proposed by a refresh, nor a
    /// script set $DLG_timeout; None after.
    pub(super) own_timeout: Option<u32>,
    /// The gauge's mark on the dialog (the module's registration parameter).
    pub(super) marked: bool,
    /// How many times the gauge moved for this dialog: +1 / -1.
    pub(super) gauge: i64,
    /// The script's maximum duration for this call (kept on the dialog).
    pub(super) call_max: Option<u32>,
    /// When the dialog was answered (the dialog module notes it after the
    /// 2xx's callbacks).
    pub(super) answered_at: Option<u64>,
    /// The far end lost the dialog, as the module keeps it per node.
    pub(super) lost: bool,
    /// Reference: a refresh was answered 408 or 481 and none accepted
    /// since: the call must be over by then.
    pub(super) lost_end: Option<u64>,
}

const TICK0: u64 = 1000;
const UNIX0: u64 = 1_800_000_000;

impl Sim {
    pub(super) fn now(&self) -> DialogNow {
        DialogNow {
            confirmed: self.dlg.state == DlgState::Confirmed,
            armed_remaining: self.dlg.armed.map(|a| a.saturating_sub(self.t) as u32),
            lifetime: self.dlg.lifetime,
            bound: lifetime_bound((TICK0 + self.t) as u32, UNIX0 + self.t),
            answered_ago: self.answered_at.map(|a| (self.t - a) as u32),
        }
    }

    /// When a session of `interval` settled now expires, as far as the
    /// dialog timer can hold it ((c): longer ones are clamped by design).
    pub(super) fn expiry_of(&self, interval: u32) -> u64 {
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

    /// An in-dialog request through the proxy (DLGCB_REQ_WITHIN), then the
    /// dialog module's re-arm.
    pub(super) fn request_within(&mut self, method: Method, msg: &mut Msg) -> Decision {
        if let Some(m) = msg.facts().and_then(|f| f.min_se) {
            self.largest_min_se = self.largest_min_se.max(m);
        }
        let d = events::request_within(method, &mut self.reads(msg), &self.cfg, &self.now());
        self.apply(d, msg);
        self.saw(msg);
        self.rearm();
        d
    }

    /// A reply through the proxy: to the INVITE (DLGCB_RESPONSE_FWDED, with
    /// whether its leg is the one the dialog keeps) or within (DLGCB_RESPONSE_WITHIN).
    pub(super) fn reply(&mut self, status: u32, msg: &mut Msg, initial: bool, kept_leg: bool) -> Decision {
        let now = self.now();
        let d = if initial {
            events::initial_reply(status, kept_leg, &mut self.reads(msg), &self.cfg, &now)
        } else {
            events::reply_within(status, &mut self.reads(msg), &self.cfg, &now)
        };
        self.apply(d, msg);
        self.saw(msg);
        d
    }

    /// A final reply the proxy's tm makes itself to a refresh (`method`),
    /// which the module sees only through the callback it put on the
    /// refresh's transaction: the same entry, with the facts of tm's reply.
    pub(super) fn own_reply(&mut self, status: u32, method: Method) -> Decision {
        let now = self.now();
        let mut read = self.reads(&Msg::default());
        read.facts = Some(facts_of_own_reply(method));
        let d = events::reply_within(status, &mut read, &self.cfg, &now);
        assert!(d.edits.is_empty(), "edits for a reply tm has sent already");
        self.apply(d, &mut Msg::default());
        d
    }

    /// What an entry reads, as the module reads it: the stored record, the
    /// message's facts.
    fn reads(&self, msg: &Msg) -> events::Known {
        let call = CallOptions { max_duration: self.call_max, ..CallOptions::default() };
        events::Known { record: Some(self.record), facts: msg.facts(), call, lost: self.lost }
    }


    /// The decision carried out as the module's callbacks carry it out.
    fn apply(&mut self, d: Decision, msg: &mut Msg) {
        if msg.facts().is_some() {
            msg.apply(&d.edits);
        } else {
            assert!(d.edits.is_empty(), "edits placed in a message that cannot be read");
        }
        if let Some(r) = d.record {
            self.record = r;
        }
        if let Some(a) = d.lifetime {
            self.set(a.lifetime());
            // as `$DLG_timeout` does: the timer is re-armed at once
            if d.rearm_now && self.dlg.armed.is_some() {
                self.dlg.armed = Some(self.t + u64::from(self.dlg.lifetime));
            }
        }
        if let Some(lost) = d.lost {
            self.lost = lost;
        }
        self.follow_timing(d.timing);
    }

    /// The gauge as `module::statistics` moves it: with the dialog's mark.
    pub(super) fn follow_timing(&mut self, timing: Option<Timing>) {
        match timing {
            Some(Timing::Started) if !self.marked => (self.marked, self.gauge) = (true, self.gauge + 1),
            Some(Timing::Stopped) if self.marked => (self.marked, self.gauge) = (false, self.gauge - 1),
            _ => {}
        }
    }

    pub(super) fn step(&mut self, s: &Step) {
        use DlgState::*;
        match *s {
            Step::Provisional if self.dlg.state == Unconfirmed => {
                let mut ringing = Msg::answer(SeAnswer::Same, self.asked, false, "1 INVITE");
                self.reply(180, &mut ringing, true, true);
                self.dlg.state = Early;
            }
            Step::Prack if self.dlg.state == Early => {
                self.request_within(Method::Prack, &mut Msg::default());
            }
            Step::EarlyUpdate { se } if self.dlg.state == Early => {
                let mut req = Msg(vec![("CSeq".into(), "2 UPDATE".into()), ("Session-Expires".into(), se.to_string())]);
                self.request_within(Method::Update, &mut req);
                let mut ok = Msg::answer(SeAnswer::Same, Some(se), false, "2 UPDATE");
                self.reply(200, &mut ok, false, true);
            }
            Step::Answer { leg, se, refresher_uas } if matches!(self.dlg.state, Unconfirmed | Early | Confirmed) => {
                let first = self.dlg.kept_leg.is_none();
                let kept = self.dlg.kept_leg.is_none_or(|k| k == leg);
                let mut ok = Msg::answer(se, self.asked, refresher_uas, "1 INVITE");
                self.reply(200, &mut ok, true, kept);
                if first {
                    self.answered_at = Some(self.t);
                    self.dlg.kept_leg = Some(leg);
                    // confirmation: the dialog module inserts its timer
                    self.dlg.state = Confirmed;
                    self.dlg.armed = Some(self.t + u64::from(self.dlg.lifetime));
                    // reference: the session the UAC was told about
                    self.session = ok.session_expires().map(|i| self.expiry_of(i));
                    if self.session.is_some() {
                        self.own_timeout = None;
                    }
                }
            }
            Step::Reject(code) if matches!(self.dlg.state, Unconfirmed | Early) => {
                let mut m = Msg(vec![("CSeq".into(), "1 INVITE".into()), ("Min-SE".into(), "3600".into())]);
                self.reply(code, &mut m, true, true);
                self.dlg.state = Ended;
            }
            Step::Ack if self.dlg.state == Confirmed => {
                self.request_within(Method::Ack, &mut Msg::default());
            }
            Step::AckAfterScriptTimeout(secs) if self.dlg.state == Confirmed => {
                // what $DLG_timeout does: a new lifetime, re-armed after the callbacks
                self.dlg.lifetime = secs;
                self.dlg.dirty = true;
                // (f) is not checked after this: a refresh answered without
                // Session-Expires gives the call default_timeout back
                self.own_timeout = None;
                self.request_within(Method::Ack, &mut Msg::default());
            }
            Step::Other if self.dlg.state == Confirmed => {
                self.request_within(Method::Other, &mut Msg::default());
            }
            Step::Refresh { invite, se, min_se, outcome } if self.dlg.state == Confirmed => {
                self.refresh(s, invite, se, min_se, outcome);
            }
            Step::Wait(secs) => {
                self.t += u64::from(secs);
                if self.dlg.state == Confirmed && self.dlg.armed.is_some_and(|a| a <= self.t) {
                    // the dialog timer ran out: it must not have cut a live session
                    let armed = self.dlg.armed.unwrap();
                    // (the timer's whole seconds: within one of the end is the end)
                    let capped = self.deadline().is_some_and(|end| armed + 1 >= end);
                    if let Some(e) = self.session.filter(|_| !capped) {
                        assert!(armed >= e, "the dialog expired at {armed}, before the session in force ({e})");
                    }
                    // (e): counted as a session-timer expiry exactly when one was in
                    // force, as the end of the maximum duration when that came first
                    // the expiry callback runs when the timer fires, not at the end of the wait
                    let now = DialogNow { armed_remaining: None, answered_ago: self.answered_at.map(|a| (armed - a) as u32), ..self.now() };
                    let d = events::dialog_ended(Ending::Expired, true, &mut self.reads(&Msg::default()), &self.cfg, &now);
                    assert_eq!(d.counts.capped, capped, "ended at the maximum duration: counted {}, armed {armed}, deadline {:?}", d.counts.capped, self.deadline());
                    assert_eq!(d.expired.is_some(), self.session.is_some() && !capped, "expiry counted {:?}, session in force {:?}", d.expired, self.session);
                    self.follow_timing(d.timing);
                    self.follow_timing(events::dialog_destroyed().timing);
                    self.dlg.state = Ended;
                }
            }
            _ => {} // not possible in this dialog state
        }
        self.check(s);
    }
}
