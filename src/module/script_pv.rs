//! `$sst(name)`: the script reads the call's session timer, and before
//! `create_dialog()` asks for a per-call interval, no insertion, or a
//! maximum duration.
//!
//! Why a pseudo-variable and not a function: it is how OpenSIPS scripts
//! already steer a call before its dialog exists (`$DLG_timeout` works the
//! same way and is kept in the same per-message context), it reads back what
//! was set, and a config that never names it behaves exactly as before.

use super::reads::{load_max_duration, load_refresher, stored_state};
use super::entry::Stop;
use super::entry::Context;
use crate::host::pv::{In, Out};
use crate::session::script::{self, Assigned, Field, Reading, View};
use crate::{sst_log, sys};

entry!(
    /// `parse_name` of `$sst(name)`: known names only, so a typo fails the
    /// config check at start-up instead of reading empty forever.
    pv_name fn pv_parse_name(spec), panic: "the config is refused", {
        let Some(text) = spec.text() else { return Err(Stop::Quiet) };
        let Some(field) = Field::from_name(text.trim_ascii()) else {
            let known: Vec<_> = Field::all_names().collect();
            return Err(format!("unknown name in $sst({}); known: {}", String::from_utf8_lossy(text), known.join(", ")).into());
        };
        if !spec.set_int_name(field.index()) {
            return Err(Stop::Quiet);
        }
        Ok(())
    }
);

/// What the script can see of the message's call right now.
fn view(ctx: Context) -> View {
    let Context { s, api } = ctx;
    let requested = s.call_slots.requested();
    api.with_current(|dlg| {
        let Some(dlg) = dlg.filter(|d| api.is_mod_flag_set(d, sys::SST_DIALOG_FLAG)) else {
            return View { requested, ..View::default() };
        };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        View {
            state: stored_state(api, &dlg),
            refresher: load_refresher(api, &dlg),
            expires_at: dlg.expires_at(now),
            requested,
            max_duration: s.policy.max_duration_for(load_max_duration(api, &dlg)),
        }
    })
}

entry!(pv_get fn pv_get(ctx, get), panic: "the script reads no value", {
    let out = match get.int_name().and_then(Field::from_index).map(|f| script::read(f, &view(ctx))) {
        Some(Reading::Number(n)) => Out::Uint(u32::try_from(n).unwrap_or(u32::MAX)),
        Some(Reading::Word(w)) => Out::Word(w),
        Some(Reading::Empty) | None => Out::Null,
    };
    Ok(get.answer(out))
});

entry!(pv_set fn pv_set(ctx, set), panic: "nothing is assigned", {
    let Some(field) = set.int_name().and_then(Field::from_index) else { return Err(Stop::Quiet) };
    let value = match set.value {
        In::Null => Assigned::Null,
        In::Int(i) => Assigned::Int(i),
        In::Str(s) => Assigned::Str(s),
        In::Other => {
            return Err(format!("$sst({}): cannot assign a value that is neither a number nor a string", field.name()).into());
        }
    };
    let Context { s, api } = ctx;
    let slots = s.call_slots;
    // Once the module has decided for this call, the endpoints own the
    // session interval: a late write would silently do nothing.
    if api.with_current(|d| d.is_some_and(|d| api.is_mod_flag_set(&d, sys::SST_DIALOG_FLAG))) {
        return Err(format!("$sst({}) can only be set before the call's dialog is created (create_dialog() \
            and the relay that follows decided it already)", field.name()).into());
    }
    let now = slots.requested().unwrap_or_default();
    let o = script::write(field, value, now).map_err(|e| format!("$sst({}): {}", field.name(), e))?;
    if !slots.store(o) {
        return Err(format!("$sst({}): no message is being processed here", field.name()).into());
    }
    if let Some(i) = o.interval {
        if i < s.policy.floor() {
            sst_log!(NOTICE, "$sst(interval) = {} is below min_se {}: min_se is requested instead", i, s.policy.floor());
        } else if s.policy.max_se > 0 && i > s.policy.max_se {
            sst_log!(NOTICE, "$sst(interval) = {} is above max_se {}: max_se is requested instead", i, s.policy.max_se);
        }
    }
    Ok(())
});
