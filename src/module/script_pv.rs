//! `$sst(name)`: the script reads the call's session timer, and before
//! `create_dialog()` asks for a per-call interval or no insertion.
//!
//! Why a pseudo-variable and not a function: it is how OpenSIPS scripts
//! already steer a call before its dialog exists (`$DLG_timeout` works the
//! same way and is kept in the same per-message context), it reads back what
//! was set, and a config that never names it behaves exactly as before.

use super::*;
use crate::host::context::IntSlot;
use crate::host::pv::{self, In, Out, PvParam};
use crate::rfc4028::policy::CallOptions;
use crate::rfc4028::script::{self, Assigned, Field, Reading, View};

/// The two per-message slots that carry a call's options from the script to
/// the dialog-created callback. 0 is "not set" (the core zeroes the context
/// for every message): the interval is stored as its u32 bit pattern (never
/// 0: writes refuse it), insert as 1 (on) or 2 (off).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallSlots {
    pub interval: IntSlot,
    pub insert: IntSlot,
}

const INSERT_ON: c_int = 1;
const INSERT_OFF: c_int = 2;

/// Slot values -> options; None when the script set nothing.
pub(crate) fn decode(interval: c_int, insert: c_int) -> Option<CallOptions> {
    if interval == 0 && insert == 0 {
        return None;
    }
    Some(CallOptions {
        interval: (interval != 0).then_some(interval as u32),
        insert: insert != INSERT_OFF,
    })
}

pub(crate) fn encode(o: CallOptions) -> (c_int, c_int) {
    (o.interval.map_or(0, |i| i as c_int), if o.insert { INSERT_ON } else { INSERT_OFF })
}

impl CallSlots {
    pub fn register() -> Option<CallSlots> {
        Some(CallSlots { interval: IntSlot::register()?, insert: IntSlot::register()? })
    }

    /// What the script asked for the message being processed.
    pub fn requested(self) -> Option<CallOptions> {
        decode(self.interval.get()?, self.insert.get()?)
    }

    fn store(self, o: CallOptions) -> bool {
        let (i, s) = encode(o);
        self.interval.put(i) && self.insert.put(s)
    }
}

fn call_slots() -> Option<CallSlots> {
    settings().map(|s| s.call_slots)
}

/// `parse_name` of `$sst(name)`: known names only, so a typo fails the
/// config check at start-up instead of reading empty forever.
pub(crate) unsafe extern "C" fn pv_parse_name(sp: *mut sys::pv_spec_t, name: *const sys::str_) -> c_int {
    guard("pv_parse_name", -1, || {
        // SAFETY: the core passes the spec being built and the text in $sst(...).
        let Some(text) = (unsafe { pv::str_bytes(name) }) else { return -1 };
        let Some(field) = Field::from_name(text.trim_ascii()) else {
            let known: Vec<_> = Field::all_names().collect();
            sst_log!(ERR, "unknown name in $sst({}); known: {}", String::from_utf8_lossy(text), known.join(", "));
            return -1;
        };
        if sp.is_null() {
            return -1;
        }
        // SAFETY: sp is the non-NULL spec of this parse.
        unsafe { pv::set_int_name(sp, field.index()) };
        0
    })
}

fn field_of(param: *mut sys::pv_param_t) -> Option<Field> {
    // SAFETY: the core passes the param of the spec parse_name filled.
    let p = unsafe { PvParam::from_ptr(param) }?;
    Field::from_index(p.int_name()?)
}

/// What the script can see of the message's call right now.
fn view() -> View {
    let requested = call_slots().and_then(CallSlots::requested);
    let Some(api) = DlgApi::get() else { return View { requested, ..View::default() } };
    let Some(dlg) = api.current().filter(|d| api.is_mod_flag_set(d, sys::SST_DIALOG_FLAG)) else {
        return View { requested, ..View::default() };
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    View {
        state: load_state(api, &dlg),
        refresher: load_refresher(api, &dlg),
        expires_at: dlg.expires_at(now),
        requested,
    }
}

pub(crate) unsafe extern "C" fn pv_get(msg: *mut sys::sip_msg, param: *mut sys::pv_param_t, res: *mut sys::pv_value_t) -> c_int {
    guard("pv_get_sst", -1, || {
        if res.is_null() {
            return -1;
        }
        let out = match field_of(param).map(|f| script::read(f, &view())) {
            Some(Reading::Number(n)) => Out::Uint(u32::try_from(n).unwrap_or(u32::MAX)),
            Some(Reading::Word(w)) => Out::Word(w),
            Some(Reading::Empty) | None => Out::Null,
        };
        // SAFETY: the three pointers are this getter's own arguments.
        unsafe { pv::answer(msg, param, res, out) }
    })
}

pub(crate) unsafe extern "C" fn pv_set(msg: *mut sys::sip_msg, param: *mut sys::pv_param_t, _op: c_int, val: *mut sys::pv_value_t) -> c_int {
    guard("pv_set_sst", -1, || {
        let _ = msg;
        let Some(field) = field_of(param) else { return -1 };
        // SAFETY: val is NULL ($null) or the value being assigned.
        let value = match unsafe { pv::assigned(val) } {
            In::Null => Assigned::Null,
            In::Int(i) => Assigned::Int(i),
            In::Str(s) => Assigned::Str(s),
            In::Other => {
                sst_log!(ERR, "$sst({}): cannot assign a value that is neither a number nor a string", field.name());
                return -1;
            }
        };
        let Some(slots) = call_slots() else { return -1 };
        // Once the module has decided for this call, the endpoints own the
        // session interval: a late write would silently do nothing.
        if let Some(api) = DlgApi::get() {
            if api.current().is_some_and(|d| api.is_mod_flag_set(&d, sys::SST_DIALOG_FLAG)) {
                sst_log!(ERR, "$sst({}) can only be set before the call's dialog is created (create_dialog() \
                    and the relay that follows decided it already)", field.name());
                return -1;
            }
        }
        let now = slots.requested().unwrap_or_default();
        match script::write(field, value, now) {
            Ok(o) => {
                if !slots.store(o) {
                    sst_log!(ERR, "$sst({}): no message is being processed here", field.name());
                    return -1;
                }
                if let (Some(i), Some(s)) = (o.interval, settings()) {
                    if i < s.policy.floor() {
                        sst_log!(NOTICE, "$sst(interval) = {} is below min_se {}: min_se is requested instead", i, s.policy.floor());
                    } else if s.policy.max_se > 0 && i > s.policy.max_se {
                        sst_log!(NOTICE, "$sst(interval) = {} is above max_se {}: max_se is requested instead", i, s.policy.max_se);
                    }
                }
                0
            }
            Err(e) => {
                sst_log!(ERR, "$sst({}): {}", field.name(), e);
                -1
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_encoding_round_trips_and_zero_means_unset() {
        assert_eq!(decode(0, 0), None);
        for o in [
            CallOptions { interval: Some(600), insert: true },
            CallOptions { interval: None, insert: false },
            CallOptions { interval: Some(u32::MAX), insert: false },
            CallOptions::default(),
        ] {
            let (i, s) = encode(o);
            assert_eq!(decode(i, s), Some(o), "{o:?}");
        }
    }
}
