//! The module's entry points as OpenSIPS sees them, laid out as the C
//! module's sources: `init` (parameters, mod_init; sst.c), `check_min`
//! (`sstCheckMin()` and its 422), `dialog_cb` (the dialog callbacks;
//! sst_handlers.c), `list_ctx` (dlg_list_ctx; sst_mi.c), `expired_event`
//! (E_SST_EXPIRED), `dialog_values` (sst_info, sst_refresher), `script_pv` (`$sst()`),
//! `exports` (what the loader reads). Each entry point (`entry!`) reads
//! through `host`, asks `session::events` or `rfc4028::policy`, and applies
//! the decision; none of them lets a panic reach OpenSIPS.

use crate::host::dialog::DlgApi;
use crate::host::event::Event;
use crate::host::msg::{FirstLine, SipMsg};
use crate::host::stats::StatSlot;
use crate::rfc4028::policy::{self, Config, FactsError, HeaderLine, MessageFacts, Method, Span};
use crate::{sst_log, sys};
use std::sync::OnceLock;

#[macro_use]
mod entry;
mod check_min;
mod dialog_cb;
mod expired_event;
mod exports;
mod init;
mod list_ctx;
mod dialog_values;
mod script_pv;
pub use exports::exports;

/// Configuration after mod_init (each process inherits it through fork).
struct Settings {
    policy: Config,
    /// The sst_flag bit in msg->flags.
    flag_mask: u32,
    /// Where `$sst(interval)` / `$sst(insert)` written before create_dialog()
    /// wait for the dialog-created callback.
    call_slots: script_pv::CallSlots,
    /// E_SST_EXPIRED; None if the core would not publish it (logged).
    expired_event: Option<Event>,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// What every entry point after mod_init works with: the configuration and
/// the dialog module's API.
#[derive(Clone, Copy)]
struct Context {
    s: &'static Settings,
    api: &'static DlgApi,
}

impl Context {
    /// None until mod_init has set both up.
    fn get() -> Option<Context> {
        Some(Context { s: SETTINGS.get()?, api: DlgApi::get()? })
    }
}

/// `expired_sst`: dialogs that ended because their session timer ran out.
pub(crate) static EXPIRED_SST: StatSlot = StatSlot::new();

/// Names the message in log lines ("initial INVITE of <call-id>"), formatted
/// only when a line is actually written: nothing is built per message.
#[derive(Clone, Copy)]
struct What<'a> {
    kind: &'a dyn core::fmt::Display,
    callid: &'a [u8],
}

impl core::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.callid.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{} of {}", self.kind, String::from_utf8_lossy(self.callid))
        }
    }
}

/// Facts of a message, or a warning that names the bad header.
fn read_facts(msg: &mut SipMsg, what: What<'_>) -> Option<MessageFacts> {
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
fn request_method(msg: &SipMsg) -> Option<Method> {
    let FirstLine::Request { method } = msg.first_line() else { return None };
    Some(match method {
        sys::METHOD_INVITE => Method::Invite,
        sys::METHOD_UPDATE => Method::Update,
        sys::METHOD_ACK => Method::Ack,
        sys::METHOD_PRACK => Method::Prack,
        _ => Method::Other,
    })
}
