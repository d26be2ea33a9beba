//! The module parameters and `mod_init` (the C module's sst.c). Log lines
//! are named as the C module's (`sst:mod_init:`), so operators' log
//! filters keep working.

use super::dialog_cb::{dialog_created, dialog_loaded};
use super::expired_event::EXPIRED_EVENT;
use super::reads::CallSlots;
use super::entry::{Settings, SETTINGS};
use super::exports;
use crate::host::dialog::{DlgApi, Kept};
use crate::host::event::Event;
use crate::host::param::{self, IntParam, StrParam};
use crate::host::pv::ScriptVar;
use crate::host::sig::SigApi;
use crate::host::tm::TmApi;
use crate::rfc4028::policy::{self, Config};
use crate::{module_params, sst_log, sys};

// Written by the core while it reads the config (modparam), before mod_init;
// the loader looks names up in this order.
module_params! { PARAMS:
    static DEAD_CALL_GRACE: IntParam = IntParam::new(c"dead_call_grace", 32)
        .non_negative("give the seconds a call whose refresh was answered 408 or 481 may last, or 0 to keep it to its session");
    static ENABLE_STATS: IntParam = IntParam::new(c"enable_stats", 1);
    static MAX_DURATION: IntParam = IntParam::new(c"max_duration", 0)
        .non_negative("give the longest a call may last from its answer in seconds, or 0 for no limit");
    static MAX_SE: IntParam = IntParam::new(c"max_se", 0)
        .non_negative("give the longest session interval in seconds, or 0 for no cap");
    static MIN_SE: IntParam = IntParam::new(c"min_se", 1800)
        .non_negative("give the minimum session interval in seconds (RFC 4028: at least 90)");
    static REJECT_TO_SMALL: IntParam = IntParam::new(c"reject_to_small", 1);
    static SST_FLAG: StrParam = StrParam::required(
        c"sst_flag",
        "add modparam(\"sst\", \"sst_flag\", \"SST_FLAG\") naming the message flag that marks calls to track",
        "set it to the name of a message flag, e.g. \"SST_FLAG\"",
    );
    static SST_INTERVAL: IntParam = IntParam::new(c"sst_interval", 0)
        .non_negative("give seconds, or 0 to use min_se");
}

/// Default used when the dialog module does not export default_timeout
/// (the dialog module's own default: 12 hours).
const FALLBACK_DEFAULT_TIMEOUT: u32 = 12 * 3600;

entry!(
    /// `exports.init_f`: checks the parameters, binds the signaling and
    /// dialog APIs and registers the global dialog callbacks.
    init fn mod_init(), panic: "the module is not initialised and OpenSIPS does not start", {
    sst_log!(
        INFO,
        "SIP Session Timer module - initializing (sst-rs {} for {})",
        env!("CARGO_PKG_VERSION"),
        sys::target::VERSION.to_string_lossy()
    );
    // In the order the operator is told about the first problem.
    let flag_name = SST_FLAG.checked()?;
    let flag_str = flag_name.to_string_lossy().into_owned();
    let bit = param::message_flag_bit(flag_name);
    if !(0..=31).contains(&bit) {
        return Err(format!("invalid sst_flag \"{flag_str}\": the core could not map it to a message flag (error {bit}; are all 32 flags in use?)").into());
    }
    let min_se = MIN_SE.checked()?;
    let sst_interval = SST_INTERVAL.checked()?;
    let max_se = MAX_SE.checked()?;
    let max_duration = MAX_DURATION.checked()?;
    let dead_call_grace = DEAD_CALL_GRACE.checked()?;
    if max_se > 0 && max_se < min_se {
        return Err(format!("max_se = {max_se} is below min_se = {min_se}: no session interval could satisfy both").into());
    }
    if max_se > 0 && sst_interval > max_se {
        return Err(format!("sst_interval = {sst_interval} is above max_se = {max_se}: the proxy would ask for more than it allows").into());
    }
    if (min_se as u32) < policy::RFC_MIN_SE {
        sst_log!(WARN, "min_se = {} is below the RFC 4028 floor of 90 seconds; accepted as configured", min_se);
    }
    if ENABLE_STATS.get() == 0 {
        exports::drop_statistics();
    }

    if !SigApi::load() {
        return Err("can't load the signaling module API (is signaling.so loaded before sst?)".into());
    }
    if !DlgApi::load() {
        return Err("can't load the dialog module API (is dialog.so loaded before sst?)".into());
    }
    // tm is loaded wherever the dialog module is (it needs it); without its
    // API only the replies tm makes itself go unseen.
    if !TmApi::load() {
        sst_log!(WARN, "can't load the tm module API; a refresh this proxy times out on (tm's own 408) is not seen");
    }
    let default_timeout =
        param::int_of(c"dialog", c"default_timeout").map_or(FALLBACK_DEFAULT_TIMEOUT, |v| v.max(0) as u32);

    // Both before the fork, as the core requires: context slots are sized
    // for every message from then on, and events are a table each process
    // inherits.
    let call_slots = CallSlots::register().ok_or("cannot register per-message context slots for $sst()")?;
    // What re-arms the dialog timer from a reply (the dialog module does so
    // only after requests): the dialog module's own $DLG_timeout setter.
    let dlg_timeout = ScriptVar::parse("$DLG_timeout");
    if dlg_timeout.is_none() && dead_call_grace > 0 {
        sst_log!(WARN, "cannot use $DLG_timeout; a call whose refresh is answered 408 or 481 gets dead_call_grace only with its next request");
    }
    let expired_event = Event::publish(EXPIRED_EVENT);
    if expired_event.is_none() {
        sst_log!(ERR, "cannot publish the {} event; session-timer expiries will not be raised as events", EXPIRED_EVENT);
    }

    let settings = Settings {
        policy: Config {
            min_se: min_se as u32,
            sst_interval: sst_interval as u32,
            reject_to_small: REJECT_TO_SMALL.get() != 0,
            default_timeout,
            max_se: max_se as u32,
            max_duration: max_duration as u32,
            dead_call_grace: dead_call_grace as u32,
        },
        dlg_timeout,
        flag_mask: 1u32 << bit,
        call_slots,
        expired_event,
    };
    sst_log!(
        DBG,
        "sst_flag {} (bit {}), min_se {}, sst_interval {}, reject_to_small {}, max_se {}, max_duration {}, dead_call_grace {}, dialog default_timeout {}",
        flag_str, bit, settings.policy.min_se, settings.policy.sst_interval,
        settings.policy.reject_to_small, settings.policy.max_se, settings.policy.max_duration,
        settings.policy.dead_call_grace, default_timeout
    );
    if SETTINGS.set(settings).is_err() {
        return Err("mod_init ran twice".into());
    }

    let api = DlgApi::get().ok_or("dialog API vanished")?;
    if !api.register(None, sys::DLGCB_CREATED, dialog_created, Kept::default()) {
        return Err("cannot register the dialog-created callback".into());
    }
    // Runs at once for dialogs already loaded (e.g. from the database), so
    // everything it needs is set up above.
    if !api.register(None, sys::DLGCB_LOADED, dialog_loaded, Kept::default()) {
        return Err("cannot register the dialog-loaded callback".into());
    }
    Ok(())
});
