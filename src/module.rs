//! The module's entry points as OpenSIPS sees them: `exports`, parameters,
//! `mod_init`, `sstCheckMin()` and the dialog callbacks. Each entry point
//! gathers facts through `host`, asks `rfc4028::policy`, and applies the
//! decision; none of them lets a panic reach OpenSIPS.

use crate::host::dialog::{Dialog, DlgApi};
use crate::host::mi::MiObject;
use crate::host::msg::{FirstLine, SipMsg};
use crate::host::sig::SigApi;
use crate::host::stats::StatSlot;
use crate::host::guard;
use crate::rfc4028::policy::{self, CheckMin, Config, Edits, FactsError, HeaderLine, InitialDecision, MessageFacts, Place, Span};
use crate::rfc4028::policy::{RefresherUpdate, ReplyContext, WithinRequest};
use crate::rfc4028::timing::Lifetime;
use crate::rfc4028::state::{self, SstState, STATE_LEN};
use crate::rfc4028::Refresher;
use crate::sst_log;
use crate::sys;
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr::{null, null_mut};
use std::sync::OnceLock;

mod exports;
mod script_pv;
pub use exports::exports;
use script_pv::CallSlots;
use crate::host::event::{Event, Param};

/// Name of the dialog value holding the 16-byte record (as the C module).
const STATE_VALUE: &str = "sst_info";
/// Name of the dialog value holding who refreshes (`uac`/`uas`), kept
/// beside the record so the record stays exactly the C module's.
const REFRESHER_VALUE: &str = "sst_refresher";
const REASON_422: &str = "Session Timer Too Small";

/// Dialog events a tracked dialog listens to: one registration per dialog.
const DIALOG_EVENTS: u32 = sys::DLGCB_REQ_WITHIN
    | sys::DLGCB_RESPONSE_FWDED
    | sys::DLGCB_RESPONSE_WITHIN
    | sys::DLGCB_EXPIRED
    | sys::DLGCB_TERMINATED
    | sys::DLGCB_MI_CONTEXT;

/// Configuration after mod_init (each process inherits it through fork).
struct Settings {
    policy: Config,
    /// The sst_flag bit in msg->flags.
    flag_mask: u32,
    /// Where `$sst(interval)` / `$sst(insert)` written before create_dialog()
    /// wait for the dialog-created callback.
    call_slots: CallSlots,
    /// E_SST_EXPIRED; None if the core would not publish it (logged).
    expired_event: Option<Event>,
}

/// Raised when a dialog ends because its session timer ran out.
const EXPIRED_EVENT: &str = "E_SST_EXPIRED";

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// `expired_sst`: dialogs that ended because their session timer ran out.
pub(crate) static EXPIRED_SST: StatSlot = StatSlot::new();

// Module parameters: the core writes them while it reads the config file,
// before mod_init, in the main process only (never concurrently).
pub(crate) static mut PARAM_SST_FLAG: *mut c_char = null_mut();
pub(crate) static mut PARAM_MIN_SE: c_int = 1800;
pub(crate) static mut PARAM_SST_INTERVAL: c_int = 0;
pub(crate) static mut PARAM_REJECT_TO_SMALL: c_int = 1;
pub(crate) static mut PARAM_ENABLE_STATS: c_int = 1;
pub(crate) static mut PARAM_MAX_SE: c_int = 0;

/// Default used when the dialog module does not export default_timeout
/// (the dialog module's own default: 12 hours).
const FALLBACK_DEFAULT_TIMEOUT: u32 = 12 * 3600;

/// `exports.init_f`; log lines come from `mod_init` below, named as the C
/// module's (`sst:mod_init:`), so operators' log filters keep working.
extern "C" fn mod_init_entry() -> c_int {
    guard("mod_init", -1, || match mod_init() {
        Ok(()) => 0,
        Err(why) => {
            sst_log!(ERR, "{}", why);
            -1
        }
    })
}

fn mod_init() -> Result<(), String> {
    sst_log!(
        INFO,
        "SIP Session Timer module - initializing (sst-rs {} for {})",
        env!("CARGO_PKG_VERSION"),
        sys::target::VERSION.to_string_lossy()
    );
    // SAFETY: parameters are written by the core before mod_init and never
    // again; mod_init runs once, in the main process, before the fork.
    let (flag_name, min_se, sst_interval, reject, enable_stats, max_se) = unsafe {
        (PARAM_SST_FLAG, PARAM_MIN_SE, PARAM_SST_INTERVAL, PARAM_REJECT_TO_SMALL, PARAM_ENABLE_STATS, PARAM_MAX_SE)
    };

    if flag_name.is_null() {
        return Err("sst_flag is not set: add modparam(\"sst\", \"sst_flag\", \"SST_FLAG\") naming the message flag that marks calls to track".into());
    }
    // SAFETY: STR_PARAM values are NUL-terminated strdup()s owned by the core.
    let flag_str = unsafe { CStr::from_ptr(flag_name) }.to_string_lossy().into_owned();
    if flag_str.trim().is_empty() {
        return Err("sst_flag is empty: set it to the name of a message flag, e.g. \"SST_FLAG\"".into());
    }
    // SAFETY: core function; called before the fork as it requires.
    let bit = unsafe { sys::get_flag_id_by_name(sys::FLAG_TYPE_MSG as c_int, flag_name, 0) };
    if !(0..=31).contains(&bit) {
        return Err(format!("invalid sst_flag \"{flag_str}\": the core could not map it to a message flag (error {bit}; are all 32 flags in use?)"));
    }
    if min_se < 0 {
        return Err(format!("min_se = {min_se} is negative: give the minimum session interval in seconds (RFC 4028: at least 90)"));
    }
    if sst_interval < 0 {
        return Err(format!("sst_interval = {sst_interval} is negative: give seconds, or 0 to use min_se"));
    }
    if max_se < 0 {
        return Err(format!("max_se = {max_se} is negative: give the longest session interval in seconds, or 0 for no cap"));
    }
    if max_se > 0 && max_se < min_se {
        return Err(format!("max_se = {max_se} is below min_se = {min_se}: no session interval could satisfy both"));
    }
    if max_se > 0 && sst_interval > max_se {
        return Err(format!("sst_interval = {sst_interval} is above max_se = {max_se}: the proxy would ask for more than it allows"));
    }
    if (min_se as u32) < policy::RFC_MIN_SE {
        sst_log!(WARN, "min_se = {} is below the RFC 4028 floor of 90 seconds; accepted as configured", min_se);
    }
    if enable_stats == 0 {
        // Registered by the core only after mod_init returns: clearing the
        // table here keeps expired_sst out of the statistics entirely.
        // SAFETY: single-threaded start-up; `exports` is our own writable data.
        unsafe { (*core::ptr::addr_of_mut!(exports)).stats = null() };
    }

    if !SigApi::load() {
        return Err("can't load the signaling module API (is signaling.so loaded before sst?)".into());
    }
    if !DlgApi::load() {
        return Err("can't load the dialog module API (is dialog.so loaded before sst?)".into());
    }
    // SAFETY: find_param_export returns NULL or dialog's INT_PARAM storage.
    let default_timeout = unsafe {
        let p = sys::find_param_export(c"dialog".as_ptr(), c"default_timeout".as_ptr(), sys::INT_PARAM) as *const c_int;
        p.as_ref().map_or(FALLBACK_DEFAULT_TIMEOUT, |v| (*v).max(0) as u32)
    };

    // Both before the fork, as the core requires: context slots are sized
    // for every message from then on, and events are a table each process
    // inherits.
    let call_slots = CallSlots::register().ok_or("cannot register per-message context slots for $sst()")?;
    let expired_event = Event::publish(EXPIRED_EVENT);
    if expired_event.is_none() {
        sst_log!(ERR, "cannot publish the {} event; session-timer expiries will not be raised as events", EXPIRED_EVENT);
    }

    let settings = Settings {
        policy: Config {
            min_se: min_se as u32,
            sst_interval: sst_interval as u32,
            reject_to_small: reject != 0,
            default_timeout,
            max_se: max_se as u32,
        },
        flag_mask: 1u32 << bit,
        call_slots,
        expired_event,
    };
    sst_log!(
        DBG,
        "sst_flag {} (bit {}), min_se {}, sst_interval {}, reject_to_small {}, max_se {}, dialog default_timeout {}",
        flag_str, bit, settings.policy.min_se, settings.policy.sst_interval,
        settings.policy.reject_to_small, settings.policy.max_se, default_timeout
    );
    if SETTINGS.set(settings).is_err() {
        return Err("mod_init ran twice".into());
    }

    let api = DlgApi::get().ok_or("dialog API vanished")?;
    if !api.register(None, sys::DLGCB_CREATED, dialog_created) {
        return Err("cannot register the dialog-created callback".into());
    }
    // Runs at once for dialogs already loaded (e.g. from the database), so
    // everything it needs is set up above.
    if !api.register(None, sys::DLGCB_LOADED, dialog_loaded) {
        return Err("cannot register the dialog-loaded callback".into());
    }
    Ok(())
}

fn settings() -> Option<&'static Settings> {
    SETTINGS.get()
}

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

// ---------------------------------------------------------------- sstCheckMin

/// `sstCheckMin([send_reply])`: 1 when our min_se is larger than what the
/// INVITE/UPDATE offers (and a 422 was sent if send_reply is non-zero), -1
/// otherwise, -2 for a malformed Session-Expires or Min-SE, -3 when the 422
/// was asked for but could not be sent (so `if (sstCheckMin(1)) exit;` goes
/// on and the script answers the caller). Never 0, which would silently end
/// the script.
pub(crate) unsafe extern "C" fn sst_check_min(
    msg: *mut sys::sip_msg,
    send_reply: *mut c_void,
    _p2: *mut c_void,
    _p3: *mut c_void,
    _p4: *mut c_void,
    _p5: *mut c_void,
    _p6: *mut c_void,
    _p7: *mut c_void,
    _p8: *mut c_void,
) -> c_int {
    guard("sstCheckMin", -1, || {
        // SAFETY: the core passes the message being routed, and for the
        // optional int parameter NULL (omitted) or a temporary int*.
        let (msg, reply) = unsafe { (SipMsg::from_ptr(msg), (send_reply as *const c_int).as_ref().copied()) };
        let Some(mut msg) = msg else { return -1 };
        check_min(&mut msg, reply.unwrap_or(0) != 0)
    })
}

fn check_min(msg: &mut SipMsg, send_reply: bool) -> c_int {
    let Some(s) = settings() else { return -1 };
    let is_refresh = matches!(
        msg.first_line(),
        FirstLine::Request { method } if method == sys::METHOD_INVITE || method == sys::METHOD_UPDATE
    );
    if !is_refresh {
        return -1;
    }
    let Some(facts) = read_facts(msg, What { kind: &"sstCheckMin", callid: &[] }) else { return -2 };
    match policy::check_min(true, &facts, s.policy.min_se) {
        CheckMin::NotApplicable | CheckMin::LargeEnough => -1,
        CheckMin::TooSmall { min_se } => {
            if send_reply && !send_422(msg, min_se) {
                return CHECK_MIN_REPLY_FAILED;
            }
            1
        }
    }
}

/// sstCheckMin's value when the 422 it was asked to send could not be sent.
const CHECK_MIN_REPLY_FAILED: c_int = -3;

fn send_422(msg: &mut SipMsg, min_se: u32) -> bool {
    let line = format!("Min-SE: {min_se}\r\n");
    let header = match msg.add_reply_header(line.as_bytes()) {
        Ok(h) => h,
        Err(e) => {
            sst_log!(ERR, "cannot add Min-SE to the 422 reply ({:?})", e);
            return false;
        }
    };
    let sent = SigApi::get().is_some_and(|sig| sig.reply(msg, 422, REASON_422));
    if !sent {
        // Whatever the script answers instead must not carry our Min-SE.
        msg.withdraw_reply_header(header);
        sst_log!(ERR, "cannot send the 422 reply");
    }
    sent
}

// ------------------------------------------------------------ dialog: created

unsafe extern "C" fn dialog_created(dlg: *mut sys::dlg_cell, _ty: c_int, params: *mut sys::dlg_cb_params) {
    guard("dialog_created", (), || {
        // SAFETY: the dialog module passes the new dialog and its shared
        // params struct (msg = the initial INVITE) for this call only.
        let (dlg, msg) = unsafe {
            let msg = params.as_ref().map_or(null_mut(), |p| p.msg);
            (Dialog::from_ptr(dlg), SipMsg::from_ptr(msg))
        };
        if let (Some(dlg), Some(mut msg)) = (dlg, msg) {
            on_dialog_created(&dlg, &mut msg);
        }
    })
}

fn on_dialog_created(dlg: &Dialog, msg: &mut SipMsg) {
    let (Some(s), Some(api)) = (settings(), DlgApi::get()) else { return };
    if msg.flags() & s.flag_mask == 0 {
        sst_log!(DBG, "sst flag not set on this INVITE; dialog not tracked");
        return;
    }
    if msg.first_line() != (FirstLine::Request { method: sys::METHOD_INVITE }) {
        sst_log!(WARN, "dialog created by a request that is not an INVITE; not tracked");
        return;
    }
    let what = What { kind: &"initial INVITE", callid: dlg.callid() };
    let Some(facts) = read_facts(msg, what) else {
        sst_log!(WARN, "{}: session timer not tracked; the dialog keeps its default timeout", what);
        return;
    };
    // Never reject from here: with the usual `create_dialog(); t_relay();`
    // this callback runs inside tm while the transaction is still being
    // built (before the request is cloned and the reply address set);
    // replying is what crashes the C module, and once the transaction is
    // built tm forwards with no hook to stop it. The 422 belongs in the
    // script: sstCheckMin(1) before create_dialog().
    // What the script asked for this call ($sst(interval), $sst(insert)).
    let call = s.call_slots.requested().unwrap_or_default();
    match policy::initial_invite_for_call(&facts, &s.policy, &call, false) {
        InitialDecision::Reject { .. } => {
            sst_log!(ERR, "{}: unexpected reject decision; dialog not tracked", what);
        }
        InitialDecision::Track { state, edits, raised_instead_of_422 } => {
            if raised_instead_of_422 {
                sst_log!(
                    NOTICE,
                    "{}: Session-Expires below min_se {}: raised to it and forwarded (no 422 can be sent \
                     from the dialog callback; call sstCheckMin(1) before create_dialog() to reject)",
                    what, s.policy.min_se
                );
            }
            // Callbacks first: without them nothing would follow the call,
            // so the INVITE and the dialog are then left as they are.
            if !api.register(Some(dlg), DIALOG_EVENTS, dialog_event) {
                sst_log!(ERR, "{}: cannot register dialog callbacks; session timer not tracked", what);
                return;
            }
            apply_edits(msg, &edits, what);
            if !api.store_value(dlg, STATE_VALUE, &state.to_bytes()) {
                sst_log!(ERR, "{}: cannot store sst_info on the dialog; it won't survive a restart", what);
            }
            api.set_mod_flag(dlg, sys::SST_DIALOG_FLAG);
            sst_log!(DBG, "{}: tracked, interval {} (requester {}, supported {})", what, state.interval, state.requester, state.supported);
        }
    }
}

/// Carries out the policy's edits on the message being forwarded, in order;
/// one that cannot be made (each is whole or not at all) leaves out those
/// after it, which may rely on it (e.g. Min-SE raised only with the
/// Session-Expires it must not exceed).
fn apply_edits(msg: &mut SipMsg, edits: &Edits, what: What<'_>) {
    for e in edits.placed() {
        let text = e.text.as_bytes();
        let made = match e.place {
            Place::Replace { at, len } => msg.replace(at, len, text),
            Place::Insert { at } => msg.insert(at, text),
            Place::EndOfHeaders => msg.append_header(text),
        };
        if let Err(err) = made {
            sst_log!(ERR, "{}: could not apply {:?} ({:?}); the message goes on without it and what follows", what, e.edit, err);
            return;
        }
    }
}

// ------------------------------------------------------------- dialog: loaded

unsafe extern "C" fn dialog_loaded(dlg: *mut sys::dlg_cell, _ty: c_int, _params: *mut sys::dlg_cb_params) {
    guard("dialog_loaded", (), || {
        // SAFETY: a dialog restored from the database or a cluster peer.
        let Some(dlg) = (unsafe { Dialog::from_ptr(dlg) }) else { return };
        let Some(api) = DlgApi::get() else { return };
        if !api.is_mod_flag_set(&dlg, sys::SST_DIALOG_FLAG) {
            return;
        }
        if !api.register(Some(&dlg), DIALOG_EVENTS, dialog_event) {
            sst_log!(ERR, "dialog {}: cannot re-attach session timer callbacks", String::from_utf8_lossy(dlg.callid()));
        }
    })
}

// ------------------------------------------------------- dialog: later events

unsafe extern "C" fn dialog_event(dlg: *mut sys::dlg_cell, ty: c_int, params: *mut sys::dlg_cb_params) {
    guard("dialog_event", (), || {
        // SAFETY: the dialog and the shared params struct are valid for this
        // callback (params.msg is NULL for MI_CONTEXT, checked where used).
        let (dlg, params) = unsafe { (Dialog::from_ptr(dlg), params.as_ref()) };
        let (Some(dlg), Some(params)) = (dlg, params) else { return };
        on_dialog_event(&dlg, ty as u32, params);
    })
}

/// The dialog's record; None (with a log line) when missing or corrupt, in
/// which case the call simply continues without session timing.
fn load_state(api: &DlgApi, dlg: &Dialog) -> Option<SstState> {
    let callid = || String::from_utf8_lossy(dlg.callid()).into_owned();
    match api.fetch_value(dlg, STATE_VALUE) {
        Ok(Some(v)) if v.is_str && v.len == STATE_LEN => SstState::from_bytes(v.bytes()).ok(),
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

/// E_SST_EXPIRED for a dialog whose session timer ran out: which call, the
/// interval, and who should have refreshed it (so the dead end is known).
/// Not raised for a tracked call without a running session timer, whose
/// expiry is the dialog module's own timeout.
fn raise_expired(ev: Event, api: &DlgApi, dlg: &Dialog, state: &SstState) {
    let refresher = load_refresher(api, dlg).map_or("", |r| r.as_str());
    let (h_entry, h_id) = dlg.hash_ids();
    let params = [
        Param::Str("callid", dlg.callid()),
        Param::Int("interval", i32::try_from(state.interval).unwrap_or(i32::MAX)),
        Param::Str("refresher", refresher.as_bytes()),
        Param::Str("requester", crate::rfc4028::script::requester_word(state.requester).as_bytes()),
        Param::Int("hash_entry", h_entry as i32),
        Param::Int("hash_id", h_id as i32),
    ];
    if !ev.raise(&params) {
        sst_log!(ERR, "dialog {}: cannot raise {}", String::from_utf8_lossy(dlg.callid()), EXPIRED_EVENT);
    }
}

/// The record, read for `dlg_list_ctx`. OpenSIPS 3.4 prints dialogs holding
/// the hash bucket lock and runs this callback without marking it held, so
/// fetch_dlg_value would lock it again and hang the MI process; the printer
/// walks the value list itself under that lock, and so do we. 3.6 and 4.0
/// release the values lock before the callback: fetch as everywhere else.
fn state_for_mi(api: &DlgApi, dlg: &Dialog) -> Option<(SstState, Option<Refresher>)> {
    #[cfg(osips_abi = "304")]
    {
        let _ = api;
        // SAFETY: called only from DLGCB_MI_CONTEXT, under the printer's lock.
        let (v, r) = unsafe { (dlg.value_under_callers_lock(STATE_VALUE)?, dlg.value_under_callers_lock(REFRESHER_VALUE)) };
        let st = (v.is_str && v.len == STATE_LEN).then(|| SstState::from_bytes(v.bytes()).ok()).flatten()?;
        Some((st, r.and_then(|r| state::refresher_from_bytes(r.bytes()))))
    }
    #[cfg(not(osips_abi = "304"))]
    {
        Some((load_state(api, dlg)?, load_refresher(api, dlg)))
    }
}

/// Who refreshes, as the last settling 2xx said; None when unknown.
fn load_refresher(api: &DlgApi, dlg: &Dialog) -> Option<Refresher> {
    match api.fetch_value(dlg, REFRESHER_VALUE) {
        Ok(Some(v)) if v.is_str => state::refresher_from_bytes(v.bytes()),
        _ => None,
    }
}

/// Records the refresher a reply settled, writing only on change (a write
/// is also a replication message in a cluster).
fn apply_refresher(api: &DlgApi, dlg: &Dialog, update: RefresherUpdate, what: What<'_>) {
    let wanted = match update {
        RefresherUpdate::Keep => return,
        RefresherUpdate::Set(r) => Some(r),
        RefresherUpdate::Clear => None,
    };
    if load_refresher(api, dlg) == wanted {
        return;
    }
    let ok = match wanted {
        Some(r) => api.store_value(dlg, REFRESHER_VALUE, state::refresher_to_bytes(r)),
        None => api.delete_value(dlg, REFRESHER_VALUE),
    };
    if !ok {
        sst_log!(ERR, "{}: cannot record the refresher", what);
    }
}

fn on_dialog_event(dlg: &Dialog, ty: u32, params: &sys::dlg_cb_params) {
    let (Some(s), Some(api)) = (settings(), DlgApi::get()) else { return };
    match ty {
        // A dialog ended by its own timer (DLGCB_EXPIRED), or by the BYEs
        // the dialog module sends when its lifetime ran out with
        // bye-on-timeout (DLGCB_TERMINATED, reason "Lifetime Timeout"). Only
        // the node in charge of the dialog runs expiry actions (is_active:
        // a backup node of a replicated dialog ends it silently), and only a
        // dialog whose session timer was running expired by it: a tracked
        // call without one merely reached the dialog's own timeout. An
        // on-timeout route that extends the dialog ends nothing yet.
        sys::DLGCB_EXPIRED | sys::DLGCB_TERMINATED => {
            let by_timer = ty == sys::DLGCB_EXPIRED || dlg.ended_by_bye_on_timeout();
            if !by_timer || params.is_active == 0 {
                return;
            }
            let Some(state) = load_state(api, dlg).filter(SstState::timer_active) else { return };
            EXPIRED_SST.increment();
            sst_log!(DBG, "dialog {} expired by its session timer", String::from_utf8_lossy(dlg.callid()));
            if let Some(ev) = s.expired_event.filter(|e| e.has_subscribers()) {
                raise_expired(ev, api, dlg, &state);
            }
        }
        sys::DLGCB_MI_CONTEXT => {
            let Some((state, refresher)) = state_for_mi(api, dlg) else { return };
            // SAFETY: for MI_CONTEXT dlg_data is this dialog's "context" item.
            let Some(ctx) = (unsafe { MiObject::from_ptr(params.dlg_data as *mut sys::mi_item_t) }) else { return };
            if let Some(o) = ctx.add_object("sst") {
                o.add_number("requester_flags", f64::from(state.requester));
                o.add_number("supported_flags", f64::from(state.supported));
                o.add_number("interval", f64::from(state.interval));
                // "" while no session timer runs or nobody is known to refresh
                let r = refresher.filter(|_| state.timer_active()).map_or("", |r| r.as_str());
                o.add_string("refresher", r);
            }
        }
        sys::DLGCB_REQ_WITHIN => {
            // SAFETY: msg is the in-dialog request for this callback.
            let Some(mut msg) = (unsafe { SipMsg::from_ptr(params.msg) }) else { return };
            let FirstLine::Request { method } = msg.first_line() else { return };
            let now = dlg.now();
            if !now.confirmed {
                return; // early-dialog requests do not decide the lifetime
            }
            let request = match method {
                sys::METHOD_ACK | sys::METHOD_PRACK => WithinRequest::AckOrPrack,
                sys::METHOD_INVITE | sys::METHOD_UPDATE => WithinRequest::Refresh,
                _ => WithinRequest::Other,
            };
            if request == WithinRequest::Other {
                // re-armed with the lifetime last set, never less than the session left
                // (the clamp was reported when it was first made: no NOTICE
                // on every request of a call whose session outlasts the timer)
                if let Some(l) = policy::refit(&now) {
                    dlg.set_lifetime(l.seconds);
                    sst_log!(DBG, "dialog {}: lifetime refitted to {} s", String::from_utf8_lossy(dlg.callid()), l.seconds);
                }
                return;
            }
            let Some(state) = load_state(api, dlg) else { return };
            let what = What { kind: &"refresh request", callid: dlg.callid() };
            let facts = match request {
                WithinRequest::Refresh => read_facts(&mut msg, what),
                _ => None,
            };
            let d = policy::request_within(&state, request, facts.as_ref(), &s.policy, &now);
            apply_edits(&mut msg, &d.edits, what);
            // The dialog module re-arms its timer right after this callback.
            if let Some(l) = d.lifetime {
                set_lifetime(dlg, l, what);
            }
        }
        sys::DLGCB_RESPONSE_FWDED | sys::DLGCB_RESPONSE_WITHIN => {
            // A locally generated reply comes as the FAKED_REPLY marker (-1).
            let msg_ptr = params.msg;
            if msg_ptr.is_null() || msg_ptr as isize == -1 {
                return;
            }
            // SAFETY: a real reply being forwarded, mutable for this callback.
            let Some(mut msg) = (unsafe { SipMsg::from_ptr(msg_ptr) }) else { return };
            let FirstLine::Reply { status } = msg.first_line() else { return };
            if !policy::reply_can_matter(status) {
                return; // skip the parsing
            }
            let initial = ty == sys::DLGCB_RESPONSE_FWDED;
            let ctx = ReplyContext {
                initial,
                // For DLGCB_RESPONSE_FWDED dlg_data carries the reply's leg
                // index (all three versions); in-dialog replies come from
                // the kept leg by construction.
                kept_leg: !initial || dlg.is_kept_leg(params.dlg_data as isize),
                dialog: dlg.now(),
            };
            let Some(state) = load_state(api, dlg) else { return };
            let kind = format_args!("{status} reply");
            let what = What { kind: &kind, callid: dlg.callid() };
            let facts = read_facts(&mut msg, what);
            let d = policy::reply(state, status, facts.as_ref(), &s.policy, &ctx);
            apply_edits(&mut msg, &d.edits, what);
            if d.state != state && !api.store_value(dlg, STATE_VALUE, &d.state.to_bytes()) {
                sst_log!(ERR, "{}: cannot update sst_info", what);
            }
            apply_refresher(api, dlg, d.refresher, what);
            if let Some(l) = d.lifetime {
                set_lifetime(dlg, l, what);
            }
        }
        _ => {}
    }
}

/// Gives the dialog a lifetime, saying so when the session was longer than
/// the dialog timer can hold (it would otherwise wrap: a dialog that never
/// ends, or one that ends at once).
fn set_lifetime(dlg: &Dialog, l: Lifetime, what: What<'_>) {
    if let Some(asked) = l.clamped_from {
        sst_log!(NOTICE, "{}: a session of {} s is more than the dialog timer can hold; lifetime clamped to {} s", what, asked, l.seconds);
    }
    dlg.set_lifetime(l.seconds);
    sst_log!(DBG, "{}: dialog lifetime {} s", what, l.seconds);
}
