//! The `sst` statistics group: what the core registers from `exports.stats`
//! (only with enable_stats = 1), and how a decision's counts and timing
//! move them. Counters count on the node that sees the message (a backup
//! node of a replicated dialog sees none); `expired_sst` and `capped_sst`
//! on the node in charge; the `active_sst` gauge on every node holding the dialog, as the
//! dialog module's own `active_dialogs`.

use crate::host::dialog::DlgCall;
use crate::host::stats::StatSlot;
use crate::session::events::{Counts, Timing};
use crate::sys::{self, Table};
use core::sync::atomic::{AtomicU64, Ordering};

/// `active_sst` (gauge): dialogs on this node whose session timer runs.
pub(crate) static ACTIVE_SST: StatSlot = StatSlot::new();
/// `expired_sst`: dialogs that ended because their session timer ran out.
pub(crate) static EXPIRED_SST: StatSlot = StatSlot::new();
/// `refreshed_sst`: refreshes of a running session timer answered 2xx.
static REFRESHED_SST: StatSlot = StatSlot::new();
/// `refresh_refused_sst`: refreshes answered with another final reply.
static REFRESH_REFUSED_SST: StatSlot = StatSlot::new();
/// `rejected_sst`: 422 replies sent by sstCheckMin().
pub(crate) static REJECTED_SST: StatSlot = StatSlot::new();
/// `raised_sst`: requests whose Session-Expires or Min-SE was raised to
/// min_se.
static RAISED_SST: StatSlot = StatSlot::new();
/// `lowered_sst`: requests whose Session-Expires was lowered to max_se.
static LOWERED_SST: StatSlot = StatSlot::new();
/// `capped_sst`: dialogs ended at their maximum duration (`max_duration`).
static CAPPED_SST: StatSlot = StatSlot::new();
/// `lost_sst`: calls given `dead_call_grace` after a refresh was answered
/// 408 or 481.
static LOST_SST: StatSlot = StatSlot::new();

const fn stat(name: &'static core::ffi::CStr, flags: u32, slot: &'static StatSlot) -> sys::stat_export_t {
    sys::stat_export_t { name: name.as_ptr(), flags: flags as _, stat_pointer: slot.0.as_ptr() }
}

/// The group as the loader reads it. A gauge is registered with
/// STAT_NO_RESET: `reset_statistics` leaves it alone and the prometheus
/// module exports it as a gauge (every other statistic as a counter).
pub(super) static STATS: Table<[sys::stat_export_t; 10]> = Table([
    stat(c"active_sst", sys::STAT_NO_RESET, &ACTIVE_SST),
    stat(c"expired_sst", 0, &EXPIRED_SST),
    stat(c"refreshed_sst", 0, &REFRESHED_SST),
    stat(c"refresh_refused_sst", 0, &REFRESH_REFUSED_SST),
    stat(c"rejected_sst", 0, &REJECTED_SST),
    stat(c"raised_sst", 0, &RAISED_SST),
    stat(c"lowered_sst", 0, &LOWERED_SST),
    stat(c"capped_sst", 0, &CAPPED_SST),
    stat(c"lost_sst", 0, &LOST_SST),
    sys::stat_export_t::END,
]);

/// Carries out what a decision counts.
pub(super) fn count(c: &Counts) {
    // most events count nothing
    if *c == Counts::default() {
        return;
    }
    for (yes, slot) in [
        (c.raised, &RAISED_SST),
        (c.lowered, &LOWERED_SST),
        (c.refreshed, &REFRESHED_SST),
        (c.refresh_refused, &REFRESH_REFUSED_SST),
        (c.capped, &CAPPED_SST),
        (c.lost, &LOST_SST),
    ] {
        if yes {
            slot.increment();
        }
    }
}

/// Dialogs with a running timer restored from the database while the
/// dialog module's LOADED callbacks run inside our mod_init, before the
/// core has registered the statistics (it does so after mod_init).
static LOADED_BEFORE_STATS: AtomicU64 = AtomicU64::new(0);

/// A loaded dialog with a running timer, marked on its registration.
pub(super) fn count_loaded() {
    if ACTIVE_SST.is_registered() {
        ACTIVE_SST.increment();
    } else {
        LOADED_BEFORE_STATS.fetch_add(1, Ordering::Relaxed);
    }
}

entry!(
    /// Adds the dialogs restored before the statistics existed to the
    /// gauge, once: rank 1 is the first process the core forks after
    /// registering them (every start has one: a worker or a timer process),
    /// and it inherits the count mod_init made.
    child_init fn child_init(rank), panic: "the gauge misses the dialogs restored at start-up", {
        if rank == 1 {
            ACTIVE_SST.add(LOADED_BEFORE_STATS.swap(0, Ordering::Relaxed) as i64);
        }
        Ok(())
    }
);

/// Moves the gauge with the dialog's mark, so that each dialog is counted
/// at most once however many events start or stop its timer.
pub(super) fn follow_timing(call: &DlgCall<'_>, timing: Option<Timing>) {
    match timing {
        Some(Timing::Started) if call.set_mark(true) => ACTIVE_SST.increment(),
        Some(Timing::Stopped) if call.set_mark(false) => ACTIVE_SST.decrement(),
        _ => {}
    }
}
