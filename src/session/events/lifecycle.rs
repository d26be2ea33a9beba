//! The entries of a dialog's life outside its messages: loaded (restart,
//! replication), ended (BYE, expiry, bye-on-timeout) and freed.

use super::{max_duration, Counts, Decision, Reads, Timing};
use crate::rfc4028::policy::Config;
use crate::session::dialog_state::{DialogNow, SstState};

/// DLGCB_LOADED: a dialog restored from the database or replicated from a
/// cluster peer, carrying our mark. Its callbacks are registered again by
/// the module; the gauge counts it when its record says a timer runs.
pub fn dialog_loaded(read: &mut impl Reads) -> Decision {
    let running = read.record().is_some_and(|r| r.timer_active());
    Decision { timing: running.then_some(Timing::Started), ..Decision::default() }
}

/// DLGCB_DESTROY: the dialog is freed, however it ended (BYE, expiry,
/// failure, a cancelled call, shutdown); nothing is read.
pub fn dialog_destroyed() -> Decision {
    Decision { timing: Some(Timing::Stopped), ..Decision::default() }
}

/// How a dialog ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// DLGCB_EXPIRED: the dialog's own timer ended it.
    Expired,
    /// DLGCB_TERMINATED: ended by BYE; `bye_on_timeout`: BYEs the dialog
    /// module sent itself because the lifetime ran out (bye-on-timeout).
    Terminated { bye_on_timeout: bool },
}

/// The dialog ended. `active`: this node is in charge of the dialog (a
/// backup node of a replicated dialog ends it silently, and only the node in
/// charge runs expiry actions). An on-timeout route that extends the dialog
/// ends nothing yet, and no event comes.
pub fn dialog_ended(ending: Ending, active: bool, read: &mut impl Reads, cfg: &Config, dialog: &DialogNow) -> Decision {
    let by_timer = match ending {
        Ending::Expired => true,
        Ending::Terminated { bye_on_timeout } => bye_on_timeout,
    };
    let ended = Decision { timing: Some(Timing::Stopped), ..Decision::default() };
    if !by_timer || !active {
        return ended;
    }
    // Ended at the operator's maximum, not because nobody refreshed.
    if max_duration(read, cfg).is_some_and(|max| dialog.reached(max)) {
        return Decision { counts: Counts { capped: true, ..Counts::default() }, ..ended };
    }
    // Ended after the far end lost it: counted when that was seen.
    if read.lost() {
        return ended;
    }
    // Only a running session timer expires: a tracked call without one
    // merely reached the dialog's own timeout.
    Decision { expired: read.record().filter(SstState::timer_active), ..ended }
}
