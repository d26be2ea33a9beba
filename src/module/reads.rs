//! What the dialog handlers read, and the values they keep on a dialog:
//! the event's message (its method and session-timer facts), the script's
//! per-call options (`$sst()` set before `create_dialog()`), the C module's
//! 16-byte `sst_info` record and beside it who refreshes (`sst_refresher`)
//! and the call's own maximum duration (`sst_max_duration`, only when the
//! script set one). `FromCall` hands them to a `session::events` entry
//! when the entry asks.

use super::entry::Context;
use crate::host::log::What;
use crate::host::dialog::{Dialog, DlgApi, DlgCall, Fetched, Kept};
use crate::host::msg::{FirstLine, IntSlot, SipMsg};
use crate::rfc4028::policy::{self, CallOptions, FactsError, HeaderLine, MessageFacts, Method, RefresherUpdate, Span};
use crate::rfc4028::Refresher;
use crate::session::dialog_state::{self, BadRecord, SstState, STATE_LEN};
use crate::session::events::Reads;
use crate::{sst_log, sys};
use core::ffi::c_int;

/// What a decision reads, taken from the callback's dialog and message
/// when the decision asks for it.
pub(super) struct FromCall<'c, 'call> {
    pub ctx: Context,
    pub dlg: &'c Dialog<'call>,
    pub msg: Option<&'c mut SipMsg<'call>>,
    pub what: What<'c>,
    /// What this node keeps in the dialog's callback registration (the
    /// call's own maximum duration, the lost mark): no lookup per message.
    pub kept: Kept,
    /// The event is a final reply tm made itself to a request with this
    /// method: its facts are known without a message.
    pub own_reply_to: Option<Method>,
}

impl<'c, 'call> FromCall<'c, 'call> {
    /// For an event before our registration exists (created, loaded).
    pub fn new(ctx: Context, dlg: &'c Dialog<'call>, msg: Option<&'c mut SipMsg<'call>>, what: What<'c>) -> Self {
        FromCall { ctx, dlg, msg, what, kept: Kept::default(), own_reply_to: None }
    }

    /// For a later event of a tracked dialog, with what its registration keeps.
    pub fn of(ctx: Context, call: &'c DlgCall<'call>, msg: Option<&'c mut SipMsg<'call>>, what: What<'c>) -> Self {
        FromCall { kept: call.kept(), ..FromCall::new(ctx, &call.dlg, msg, what) }
    }
}

impl Reads for FromCall<'_, '_> {
    fn record(&mut self) -> Option<SstState> {
        stored_state(self.ctx.api, self.dlg)
    }
    fn facts(&mut self) -> Option<MessageFacts> {
        if let Some(method) = self.own_reply_to {
            return Some(policy::facts_of_own_reply(method));
        }
        read_facts(self.msg.as_deref_mut()?, self.what)
    }
    fn call_options(&mut self) -> CallOptions {
        self.ctx.s.call_slots.requested().unwrap_or_default()
    }
    fn max_duration(&mut self) -> Option<u32> {
        self.kept.max_duration
    }
    fn lost(&mut self) -> bool {
        self.kept.lost
    }
}

/// Facts of a message, or a warning that names the bad header.
pub(super) fn read_facts(msg: &mut SipMsg, what: What<'_>) -> Option<MessageFacts> {
    if !msg.parse_all_headers() {
        sst_log!(WARN, "{}: cannot parse the headers; left to the core", what);
        return None;
    }
    let lines = msg.headers().map(|h| HeaderLine {
        name: h.name,
        body: h.body,
        line: Span { at: h.offset, len: h.len },
        body_at: h.body_offset,
    });
    match policy::gather(lines) {
        Ok(f) => Some(f),
        Err(FactsError { header, error }) => {
            sst_log!(WARN, "{}: malformed {} header ({})", what, header, error);
            None
        }
    }
}

/// The method of a request; None for a reply.
pub(super) fn request_method(msg: &SipMsg) -> Option<Method> {
    let FirstLine::Request { method } = msg.first_line() else { return None };
    Some(match method {
        sys::METHOD_INVITE => Method::Invite,
        sys::METHOD_UPDATE => Method::Update,
        sys::METHOD_ACK => Method::Ack,
        sys::METHOD_PRACK => Method::Prack,
        _ => Method::Other,
    })
}

/// The per-message slots that carry a call's options from the script to
/// the dialog-created callback. 0 is "not set" (the core zeroes the context
/// for every message): the interval is stored as its u32 bit pattern (never
/// 0: writes refuse it), insert as 1 (on) or 2 (off), the maximum duration
/// plus one (0 is a value: no limit for this call; writes keep it below
/// i32::MAX).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallSlots {
    pub interval: IntSlot,
    pub insert: IntSlot,
    pub max_duration: IntSlot,
}

const INSERT_ON: c_int = 1;
const INSERT_OFF: c_int = 2;

/// Slot values -> options; None when the script set nothing.
fn decode(interval: c_int, insert: c_int, max_duration: c_int) -> Option<CallOptions> {
    if interval == 0 && insert == 0 && max_duration == 0 {
        return None;
    }
    Some(CallOptions {
        interval: (interval != 0).then_some(interval as u32),
        insert: insert != INSERT_OFF,
        max_duration: (max_duration > 0).then(|| max_duration as u32 - 1),
    })
}

fn encode(o: CallOptions) -> (c_int, c_int, c_int) {
    let max = o.max_duration.map_or(0, |m| m.min(i32::MAX as u32 - 1) as c_int + 1);
    (o.interval.map_or(0, |i| i as c_int), if o.insert { INSERT_ON } else { INSERT_OFF }, max)
}

impl CallSlots {
    pub fn register() -> Option<CallSlots> {
        Some(CallSlots { interval: IntSlot::register()?, insert: IntSlot::register()?, max_duration: IntSlot::register()? })
    }

    /// What the script asked for the message being processed.
    pub fn requested(self) -> Option<CallOptions> {
        decode(self.interval.get()?, self.insert.get()?, self.max_duration.get()?)
    }

    /// false when no message is being processed.
    pub fn store(self, o: CallOptions) -> bool {
        let (i, s, m) = encode(o);
        self.interval.put(i) && self.insert.put(s) && self.max_duration.put(m)
    }
}

/// Name of the dialog value holding the 16-byte record (as the C module).
const STATE_VALUE: &str = "sst_info";
/// Name of the dialog value holding who refreshes (`uac`/`uas`), kept
/// beside the record so the record stays exactly the C module's.
const REFRESHER_VALUE: &str = "sst_refresher";

/// The dialog's record; None (with a log line) when missing or corrupt, in
/// which case the call simply continues without session timing.
pub(super) fn stored_state(api: &DlgApi, dlg: &Dialog) -> Option<SstState> {
    load_state(dlg, api.fetch_value(dlg, STATE_VALUE))
}

/// The record and the refresher, read for `dlg_list_ctx` from inside
/// DLGCB_MI_CONTEXT (see `DlgCall::mi_value`).
pub(super) fn mi_state(api: &DlgApi, call: &DlgCall<'_>) -> Option<(SstState, Option<Refresher>)> {
    let state = load_state(&call.dlg, call.mi_value(api, STATE_VALUE))?;
    Some((state, refresher_of(call.mi_value(api, REFRESHER_VALUE))))
}

/// `fetched`, the dialog's `sst_info`, as a record.
fn load_state(dlg: &Dialog, fetched: Result<Option<Fetched>, ()>) -> Option<SstState> {
    let callid = || String::from_utf8_lossy(dlg.callid()).into_owned();
    match fetched {
        Ok(Some(v)) if v.is_str && v.len == STATE_LEN => match SstState::from_bytes(v.bytes()) {
            Ok(state) => Some(state),
            Err(BadRecord::Flags { requester, supported }) => {
                sst_log!(WARN, "dialog {}: sst_info is corrupt (requester {}, supported {}: values no module writes); session timing off for this call", callid(), requester, supported);
                None
            }
            Err(BadRecord::Length(_)) => None, // 16 bytes, checked above
        },
        Ok(Some(v)) => {
            sst_log!(WARN, "dialog {}: sst_info is corrupt ({} bytes, expected {}); session timing off for this call", callid(), v.len, STATE_LEN);
            None
        }
        Ok(None) => {
            sst_log!(WARN, "dialog {}: sst_info is missing; session timing off for this call", callid());
            None
        }
        Err(()) => {
            sst_log!(ERR, "dialog {}: cannot read sst_info (out of memory?)", callid());
            None
        }
    }
}

/// Name of the dialog value holding the call's own maximum duration
/// (decimal seconds), stored at creation only when the script set one.
const MAX_DURATION_VALUE: &str = "sst_max_duration";

/// The call's own maximum duration; None when the script set none (or the
/// value is unreadable: the setting applies then).
pub(super) fn load_max_duration(api: &DlgApi, dlg: &Dialog) -> Option<u32> {
    match api.fetch_value(dlg, MAX_DURATION_VALUE) {
        Ok(Some(v)) if v.is_str => core::str::from_utf8(v.bytes()).ok()?.parse().ok(),
        _ => None,
    }
}

/// Keeps the script's maximum duration for this call on the dialog.
pub(super) fn store_max_duration(api: &DlgApi, dlg: &Dialog, secs: u32) -> bool {
    api.store_value(dlg, MAX_DURATION_VALUE, secs.to_string().as_bytes())
}

/// Stores the record; false when the dialog module could not.
pub(super) fn store_state(api: &DlgApi, dlg: &Dialog, state: &SstState) -> bool {
    api.store_value(dlg, STATE_VALUE, &state.to_bytes())
}

fn refresher_of(fetched: Result<Option<Fetched>, ()>) -> Option<Refresher> {
    match fetched {
        Ok(Some(v)) if v.is_str => dialog_state::refresher_from_bytes(v.bytes()),
        _ => None,
    }
}

/// Who refreshes, as the last settling 2xx said; None when unknown.
pub(super) fn load_refresher(api: &DlgApi, dlg: &Dialog) -> Option<Refresher> {
    refresher_of(api.fetch_value(dlg, REFRESHER_VALUE))
}

/// Records the refresher a reply settled, writing only on change (a write
/// is also a replication message in a cluster).
pub(super) fn apply_refresher(api: &DlgApi, dlg: &Dialog, update: RefresherUpdate, what: What<'_>) {
    let wanted = match update {
        RefresherUpdate::Keep => return,
        RefresherUpdate::Set(r) => Some(r),
        RefresherUpdate::Clear => None,
    };
    if load_refresher(api, dlg) == wanted {
        return;
    }
    let ok = match wanted {
        Some(r) => api.store_value(dlg, REFRESHER_VALUE, dialog_state::refresher_to_bytes(r)),
        None => api.delete_value(dlg, REFRESHER_VALUE),
    };
    if !ok {
        sst_log!(ERR, "{}: cannot record the refresher", what);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_encoding_round_trips_and_zero_means_unset() {
        assert_eq!(decode(0, 0, 0), None);
        for o in [
            CallOptions { interval: Some(600), insert: true, max_duration: None },
            CallOptions { interval: None, insert: false, max_duration: Some(0) },
            CallOptions { interval: Some(u32::MAX), insert: false, max_duration: Some(14400) },
            CallOptions { interval: None, insert: true, max_duration: Some(i32::MAX as u32 - 1) },
            CallOptions::default(),
        ] {
            let (i, s, m) = encode(o);
            assert_eq!(decode(i, s, m), Some(o), "{o:?}");
        }
    }
}
