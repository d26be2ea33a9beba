//! The script's view of a call's session timer, `$sst(name)`: which names
//! exist, what each reads as, and what a write before `create_dialog()`
//! may say. Pure: the module layer finds the dialog, its record and the
//! clock, and turns a `Reading` into an OpenSIPS pv value.

use crate::rfc4028::grammar::Refresher;
use crate::rfc4028::policy::CallOptions;
use super::dialog_state::{Requester, SstState, Supported};

/// A name inside `$sst(...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Session interval in seconds, while a session timer runs or is asked for.
    Interval,
    /// `uac` / `uas`: who refreshes, once a 2xx settled it.
    Refresher,
    /// `uac` / `proxy`: who asked for session timers.
    Requester,
    RequesterFlags,
    /// `uac` / `uas` / `none`: who supports session timers.
    Supported,
    SupportedFlags,
    /// Absolute expiry (Unix time) of a running session timer.
    Expires,
    /// Whether this proxy asks for session timers when the UAC did not.
    Insert,
    /// The longest the call may last from its answer (`max_duration`).
    MaxDuration,
}

const NAMES: [(&str, Field); 9] = [
    ("interval", Field::Interval),
    ("refresher", Field::Refresher),
    ("requester", Field::Requester),
    ("requester_flags", Field::RequesterFlags),
    ("supported", Field::Supported),
    ("supported_flags", Field::SupportedFlags),
    ("expires", Field::Expires),
    ("insert", Field::Insert),
    ("max_duration", Field::MaxDuration),
];

impl Field {
    /// Names are matched exactly (lower case), as OpenSIPS's own pv names.
    pub fn from_name(name: &[u8]) -> Option<Field> {
        NAMES.iter().find(|(n, _)| n.as_bytes() == name).map(|(_, f)| *f)
    }

    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(_, f)| *f == self).map_or("?", |(n, _)| n)
    }

    /// A small stable number for the field (what parse_name stores).
    pub fn index(self) -> i32 {
        NAMES.iter().position(|(_, f)| *f == self).map_or(-1, |i| i as i32)
    }

    pub fn from_index(i: i32) -> Option<Field> {
        usize::try_from(i).ok().and_then(|i| NAMES.get(i)).map(|(_, f)| *f)
    }

    /// The list for error messages.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }
}

/// What `$sst(name)` reads as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// `$null`: no dialog yet, not tracked, or the item does not apply.
    Empty,
    Number(u64),
    Word(&'static str),
}

/// Everything a read can draw on for the current message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The tracked dialog's record; None before `create_dialog()` has run
    /// our callback, or for a call the module does not track.
    pub state: Option<SstState>,
    pub refresher: Option<Refresher>,
    /// Unix time at which the dialog module will end the call.
    pub expires_at: Option<u64>,
    /// What the script wrote for this message, before the dialog existed.
    pub requested: Option<CallOptions>,
    /// The call's maximum duration in force: its own, else the setting;
    /// None without one.
    pub max_duration: Option<u32>,
}

/// "" for nobody.
pub fn requester_word(r: Requester) -> &'static str {
    match r {
        Requester::Uac => "uac",
        Requester::Proxy => "proxy",
        Requester::Nobody => "",
    }
}

/// "" while not known.
pub fn supported_word(s: Supported) -> &'static str {
    match s {
        Supported::Uac => "uac",
        Supported::Uas => "uas",
        Supported::Neither => "none",
        Supported::Unknown => "",
    }
}

fn word(w: &'static str) -> Reading {
    if w.is_empty() {
        Reading::Empty
    } else {
        Reading::Word(w)
    }
}

pub fn read(field: Field, v: &View) -> Reading {
    let Some(state) = v.state else {
        // Before the dialog: only what the script asked for itself.
        return match (field, v.requested) {
            (Field::Interval, Some(CallOptions { interval: Some(i), .. })) => Reading::Number(i.into()),
            (Field::Insert, Some(o)) => Reading::Number(o.insert.into()),
            (Field::MaxDuration, Some(CallOptions { max_duration: Some(m), .. })) => Reading::Number(m.into()),
            _ => Reading::Empty,
        };
    };
    let running = state.timer_active();
    match field {
        Field::Interval if running => Reading::Number(state.interval.into()),
        Field::Refresher if running => v.refresher.map_or(Reading::Empty, |r| Reading::Word(r.as_str())),
        Field::Expires if running => v.expires_at.map_or(Reading::Empty, Reading::Number),
        Field::Interval | Field::Refresher | Field::Expires => Reading::Empty,
        Field::Requester => word(requester_word(state.requester)),
        Field::RequesterFlags => Reading::Number(state.requester.flags().into()),
        Field::Supported => word(supported_word(state.supported)),
        Field::SupportedFlags => Reading::Number(state.supported.flags().into()),
        // The per-call choice is spent once the dialog is tracked.
        Field::Insert => Reading::Empty,
        Field::MaxDuration => v.max_duration.map_or(Reading::Empty, |m| Reading::Number(m.into())),
    }
}

/// A value the script assigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assigned<'a> {
    /// `$sst(x) = $null`: back to the configuration's default.
    Null,
    Int(i64),
    Str(&'a [u8]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// Only `interval` and `insert` can be written.
    ReadOnly,
    /// interval: a whole number of seconds, 1 .. 4294967295.
    BadInterval,
    /// insert: 0/1, yes/no, true/false, on/off.
    BadSwitch,
    /// max_duration: a whole number of seconds from 0 (no limit) to 2147483646.
    BadDuration,
}

impl core::fmt::Display for WriteError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            WriteError::ReadOnly => "read-only; only $sst(interval), $sst(insert) and $sst(max_duration) can be set",
            WriteError::BadInterval => "interval must be a whole number of seconds from 1 to 4294967295",
            WriteError::BadSwitch => "insert must be 1 or 0 (yes/no, true/false, on/off)",
            WriteError::BadDuration => "max_duration must be a whole number of seconds from 0 (no limit) to 2147483646",
        })
    }
}

fn as_int(v: Assigned<'_>) -> Option<i64> {
    match v {
        Assigned::Int(i) => Some(i),
        Assigned::Str(s) => {
            let s = s.trim_ascii();
            if s.is_empty() || s.len() > 19 || !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            core::str::from_utf8(s).ok()?.parse().ok()
        }
        Assigned::Null => None,
    }
}

/// The per-call options after `$sst(field) = value`, starting from `now`.
pub fn write(field: Field, value: Assigned<'_>, now: CallOptions) -> Result<CallOptions, WriteError> {
    match field {
        Field::Interval => {
            if value == Assigned::Null {
                return Ok(CallOptions { interval: None, ..now });
            }
            let i = as_int(value).ok_or(WriteError::BadInterval)?;
            let i = u32::try_from(i).ok().filter(|i| *i > 0).ok_or(WriteError::BadInterval)?;
            Ok(CallOptions { interval: Some(i), ..now })
        }
        Field::Insert => {
            let on = match value {
                Assigned::Null => true,
                Assigned::Int(i) => i != 0,
                Assigned::Str(s) => {
                    let is = |words: [&str; 4]| words.iter().any(|w| s.trim_ascii().eq_ignore_ascii_case(w.as_bytes()));
                    if is(["1", "yes", "true", "on"]) {
                        true
                    } else if is(["0", "no", "false", "off"]) {
                        false
                    } else {
                        return Err(WriteError::BadSwitch);
                    }
                }
            };
            Ok(CallOptions { insert: on, ..now })
        }
        // The dialog timer holds an int: nothing longer can be armed.
        Field::MaxDuration => {
            if value == Assigned::Null {
                return Ok(CallOptions { max_duration: None, ..now });
            }
            let m = as_int(value).and_then(|m| u32::try_from(m).ok()).filter(|m| *m < i32::MAX as u32);
            Ok(CallOptions { max_duration: Some(m.ok_or(WriteError::BadDuration)?), ..now })
        }
        _ => Err(WriteError::ReadOnly),
    }
}

#[cfg(test)]
mod tests;
