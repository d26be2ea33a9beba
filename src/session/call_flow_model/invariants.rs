//! The invariants the model checks after every event, against its
//! reference of the session in force (see `sim.rs`): (a) the armed expiry
//! is never earlier than the session in force (or the end of the call's
//! maximum duration, whichever comes first), (b) never later than now plus
//! the largest interval in play, (f) a call without a session timer keeps
//! its own timeout, (g) the gauge counts the dialog once, exactly while a
//! session timer runs, (i) never armed past the maximum duration's end,
//! (j) never past the grace of a call whose refresh got a 408 or 481.

use super::sim::{DlgState, Sim};
use super::steps::Step;

impl Sim {
    /// Reference: when the call must be over by, if it has a maximum
    /// duration (the script's for the call, else the setting).
    pub(super) fn deadline(&self) -> Option<u64> {
        let max = self.call_max.unwrap_or(self.cfg.max_duration);
        self.answered_at.filter(|_| max > 0).map(|a| a + u64::from(max))
    }

    /// (a), (b), (f): after every event of a live dialog.
    pub(super) fn check(&self, step: &Step) {
        if let (Some(own), true) = (self.own_timeout, self.dlg.state != DlgState::Ended) {
            if self.deadline().is_some() {
                assert!(self.dlg.lifetime <= own, "after {step:?}: a call without a session timer got {} s, more than its own timeout", self.dlg.lifetime);
            } else {
                assert_eq!(self.dlg.lifetime, own, "after {step:?}: a call without a session timer lost its own timeout");
            }
        }
        // (g): the gauge counts this dialog once, exactly while it is
        // confirmed with a session timer running, and never after its end.
        assert_eq!(self.gauge, i64::from(self.marked), "after {step:?}: the gauge moved {} for one dialog", self.gauge);
        let running = self.dlg.state == DlgState::Confirmed && self.record.timer_active();
        assert_eq!(self.marked, running, "after {step:?}: counted {} with a session timer running {running}", self.marked);
        if self.dlg.state != DlgState::Confirmed {
            return;
        }
        let armed = self.dlg.armed.expect("a confirmed dialog is armed");
        // (i): never armed past the call's maximum duration (once it is due,
        // the next tick ends the call)
        if let Some(end) = self.deadline() {
            assert!(armed <= end.max(self.t + 1), "after {step:?}: armed {armed} past the maximum duration's end {end} (t {})", self.t);
        }
        // (j): after a 408 or 481 to a refresh, at most the grace is left
        if let Some(end) = self.lost_end {
            assert!(armed <= end.max(self.t + 1), "after {step:?}: armed {armed} past the grace of a lost call {end} (t {})", self.t);
        }
        if let Some(e) = self.session {
            let e = self.deadline().map_or(e, |end| e.min(end));
            assert!(armed >= e, "after {step:?}: armed {armed} is earlier than the session in force (or the maximum duration's end) {e} (t {})", self.t);
        }
        let room = self.largest.max(u64::from(self.cfg.default_timeout)).min(u64::from(self.now().bound));
        assert!(armed <= self.t + room, "after {step:?}: armed {armed} is beyond now {} + {room}", self.t);
    }
}
