//! What an entry may read (`Reads`; the module's dialog callbacks read it
//! from the dialog and the message), and `Known`: the same already at hand,
//! for the callers that are not a dialog callback (the tests, the call-flow
//! model, the fuzzers, the benchmarks).

use crate::rfc4028::policy::{CallOptions, MessageFacts};
use crate::session::dialog_state::SstState;

/// What a decision may read, read only when it needs it: the record is a
/// lookup in the dialog's shared memory (logged when missing or corrupt),
/// the facts a parse of every header of the message.
pub trait Reads {
    /// The dialog's stored record; None when missing or unreadable.
    fn record(&mut self) -> Option<SstState>;
    /// What the event's message says about session timers; None when its
    /// timer headers cannot be read.
    fn facts(&mut self) -> Option<MessageFacts>;
    /// What the script asked for this call before the dialog was created
    /// (`$sst(interval)`, `$sst(insert)`).
    fn call_options(&mut self) -> CallOptions {
        CallOptions::default()
    }
    /// The longest this call may last from its answer, as the script set it
    /// for this call before the dialog was created (kept on the dialog);
    /// None when it set nothing (the setting applies).
    fn max_duration(&mut self) -> Option<u32> {
        None
    }
    /// The far end lost the dialog: a refresh was answered 408 or 481, and
    /// none was accepted since (kept per node).
    fn lost(&mut self) -> bool {
        false
    }
}

/// Inputs already at hand (tests, the call-flow model, fuzzers, benchmarks).
#[derive(Clone, Copy, Debug, Default)]
pub struct Known {
    pub record: Option<SstState>,
    pub facts: Option<MessageFacts>,
    pub call: CallOptions,
    pub lost: bool,
}

impl Reads for Known {
    fn record(&mut self) -> Option<SstState> {
        self.record
    }
    fn facts(&mut self) -> Option<MessageFacts> {
        self.facts
    }
    fn call_options(&mut self) -> CallOptions {
        self.call
    }
    fn max_duration(&mut self) -> Option<u32> {
        self.call.max_duration
    }
    fn lost(&mut self) -> bool {
        self.lost
    }
}
