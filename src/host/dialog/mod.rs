//! The dialog module's API, reached through `find_export("load_dlg")`, and
//! the few fields of a dialog we read or write; `call`: one run of a
//! dialog callback (`DlgCall`) and what this node keeps in the dialog's
//! callback registration (`Kept`); `mi_context`: reading inside
//! DLGCB_MI_CONTEXT; `end_reason`: why the dialog module says a dialog
//! ended.

use crate::session::dialog_state::{lifetime_bound, DialogNow};
use crate::sys;
use core::ffi::c_int;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::sync::OnceLock;

mod call;
mod end_reason;
mod mi_context;
pub use call::{DlgCall, Kept};

/// The dialog module's function table, filled once in mod_init (before the
/// fork, so every process inherits it).
pub struct DlgApi(sys::dlg_binds);

// SAFETY: a table of function pointers into the dialog module, written once
// before any concurrent use and only read afterwards.
unsafe impl Sync for DlgApi {}
unsafe impl Send for DlgApi {}

static DLG_API: OnceLock<DlgApi> = OnceLock::new();

pub type Callback = unsafe extern "C" fn(*mut sys::dlg_cell, c_int, *mut sys::dlg_cb_params);

/// A value read back from a dialog: its length and up to 64 bytes of it.
#[derive(Clone, Copy, Debug)]
pub struct Fetched {
    pub len: usize,
    bytes: [u8; 64],
    pub is_str: bool,
}

impl Fetched {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len.min(64)]
    }
}

impl DlgApi {
    /// Binds the dialog API; false when the dialog module is not loaded.
    pub fn load() -> bool {
        // SAFETY: the dialog module's load_dlg is `int (*)(struct dlg_binds *)`.
        let Some((rc, binds)) = (unsafe { super::call_load::<sys::dlg_binds>(c"load_dlg") }) else { return false };
        if rc == -1 {
            return false;
        }
        let ok = binds.register_dlgcb.is_some()
            && binds.store_dlg_value.is_some()
            && binds.fetch_dlg_value.is_some()
            && binds.set_mod_flag.is_some()
            && binds.is_mod_flag_set.is_some();
        ok && DLG_API.set(DlgApi(binds)).is_ok()
    }

    pub fn get() -> Option<&'static DlgApi> {
        DLG_API.get()
    }

    /// Runs `f` with the dialog of the message being routed (request,
    /// reply or failure route), if it has one. It is not referenced, so it
    /// is valid only while that message is: `f` cannot keep it.
    pub fn with_current<R>(&self, f: impl for<'d> FnOnce(Option<Dialog<'d>>) -> R) -> R {
        // SAFETY: documented dialog API; NULL when there is no dialog.
        let p = self.0.get_dlg.map_or(core::ptr::null_mut(), |f| unsafe { f() });
        f(NonNull::new(p).map(|raw| Dialog { raw, _call: PhantomData }))
    }

    /// Gives `dlg` a lifetime of `secs` from now at once, as `$DLG_timeout =
    /// secs` does in a script (`timeout`: that variable, parsed): the dialog
    /// module re-arms its timer and tells a backup node. Only while `msg`
    /// belongs to `dlg` (the setter acts on the message's dialog); false
    /// when it cannot be done now.
    pub fn rearm_now(&self, timeout: &crate::host::pv::ScriptVar, dlg: &Dialog, msg: &mut crate::host::msg::SipMsg, secs: u32) -> bool {
        let ours = self.with_current(|cur| cur.is_some_and(|c| c.raw == dlg.raw));
        ours && timeout.set_int(msg, secs.min(i32::MAX as u32) as i32)
    }

    /// Registers a callback for `dlg` (NULL = global: CREATED or LOADED),
    /// keeping `kept` in the registration (see `Kept`).
    pub fn register(&self, dlg: Option<&Dialog>, types: u32, cb: Callback, kept: Kept) -> bool {
        let Some(reg) = self.0.register_dlgcb else { return false };
        let d = dlg.map_or(core::ptr::null_mut(), |d| d.raw.as_ptr());
        // SAFETY: documented dialog API; the parameter is a number, never
        // dereferenced, and no free function is given.
        unsafe { reg(d, types as c_int, Some(cb), kept.to_param(), None) == 0 }
    }

    pub fn store_value(&self, dlg: &Dialog, name: &str, bytes: &[u8]) -> bool {
        let Some(store) = self.0.store_dlg_value else { return false };
        let mut n = sys::str_ { s: name.as_ptr() as *mut _, len: name.len() as c_int };
        let mut v = sys::int_str::default();
        v.s = sys::str_ { s: bytes.as_ptr() as *mut _, len: bytes.len() as c_int };
        // SAFETY: store_dlg_value copies name and value into shm it owns; our
        // buffers only need to live for the call.
        unsafe { store(dlg.raw.as_ptr(), &mut n, &mut v, sys::DLG_VAL_TYPE_STR as c_int) == 0 }
    }

    /// Removes a value (a NULL value is the dialog API's delete, in all three
    /// versions); true also when there was none.
    pub fn delete_value(&self, dlg: &Dialog, name: &str) -> bool {
        let Some(store) = self.0.store_dlg_value else { return false };
        let mut n = sys::str_ { s: name.as_ptr() as *mut _, len: name.len() as c_int };
        // SAFETY: documented dialog API; the name only needs to live for the call.
        unsafe { store(dlg.raw.as_ptr(), &mut n, core::ptr::null_mut(), sys::DLG_VAL_TYPE_NONE as c_int) == 0 }
    }

    /// Ok(None) when the dialog has no such value; Err(()) on lookup failure.
    pub fn fetch_value(&self, dlg: &Dialog, name: &str) -> Result<Option<Fetched>, ()> {
        let Some(fetch) = self.0.fetch_dlg_value else { return Err(()) };
        let n = sys::str_ { s: name.as_ptr() as *mut _, len: name.len() as c_int };
        let mut ty: c_int = 0;
        let mut v = sys::int_str::default();
        // SAFETY: with val_has_buf = 0 the dialog module points v.s at its own
        // per-process buffer, valid until the next fetch: copied out at once.
        unsafe {
            match fetch(dlg.raw.as_ptr(), &n, &mut ty, &mut v, 0) {
                0 => {}
                -2 => return Ok(None),
                _ => return Err(()),
            }
            let is_str = ty == sys::DLG_VAL_TYPE_STR as c_int;
            let mut out = Fetched { len: 0, bytes: [0; 64], is_str };
            if is_str && !v.s.s.is_null() && v.s.len > 0 {
                out.len = v.s.len as usize;
                let n = out.len.min(64);
                core::ptr::copy_nonoverlapping(v.s.s as *const u8, out.bytes.as_mut_ptr(), n);
            }
            Ok(Some(out))
        }
    }

    pub fn set_mod_flag(&self, dlg: &Dialog, flag: u32) {
        if let Some(f) = self.0.set_mod_flag {
            // SAFETY: documented dialog API on a live dialog.
            unsafe { f(dlg.raw.as_ptr(), flag) }
        }
    }

    pub fn is_mod_flag_set(&self, dlg: &Dialog, flag: u32) -> bool {
        // SAFETY: documented dialog API on a live dialog.
        self.0.is_mod_flag_set.is_some_and(|f| unsafe { f(dlg.raw.as_ptr(), flag) } != 0)
    }
}

/// A dialog the dialog module handed to the current call, borrowed for
/// `'call` (the dialog module keeps it alive while it runs our callback).
pub struct Dialog<'call> {
    raw: NonNull<sys::dlg_cell>,
    _call: PhantomData<&'call sys::dlg_cell>,
}

impl<'call> Dialog<'call> {
    /// # Safety
    /// `p` must be NULL or a dialog passed to the current callback, valid
    /// for all of `'call`.
    pub unsafe fn from_ptr(p: *mut sys::dlg_cell) -> Option<Dialog<'call>> {
        NonNull::new(p).map(|raw| Dialog { raw, _call: PhantomData })
    }

    /// Sets the dialog's timeout; the dialog module re-arms its timer with it
    /// after request callbacks and arms it with it on confirmation.
    pub fn set_lifetime(&self, seconds: u32) {
        // SAFETY: plain fields of a live dialog, written from a dialog
        // callback as the dialog module expects its users to do.
        unsafe {
            let d = self.raw.as_ptr();
            (*d).lifetime = seconds;
            (*d).lifetime_dirty = 1;
        }
    }

    /// Unix time at which the dialog module's timer will end the call, as the
    /// dialog module itself reports it (dlg_list): None while not armed.
    pub fn expires_at(&self, now_unix: u64) -> Option<u64> {
        // SAFETY: plain field of a live dialog; the timer process may update
        // it concurrently, hence the volatile read of one aligned u32.
        let timeout = unsafe { core::ptr::read_volatile(&(*self.raw.as_ptr()).tl.timeout) };
        if timeout == 0 {
            return None;
        }
        // SAFETY: core function reading the shared tick counter.
        let ticks = unsafe { sys::get_ticks() };
        Some(now_unix + u64::from(timeout.saturating_sub(ticks)))
    }

    /// What the dialog module says about this dialog now (see `DialogNow`).
    pub fn now(&self) -> DialogNow {
        // SAFETY: plain fields of a live dialog; the timer process may move
        // tl.timeout concurrently, hence the volatile read of one aligned u32.
        let (state, timeout, lifetime, start_ts) = unsafe {
            let d = self.raw.as_ptr();
            ((*d).state, core::ptr::read_volatile(&(*d).tl.timeout), (*d).lifetime, (*d).start_ts)
        };
        // SAFETY: core function reading the shared tick counter.
        let ticks = unsafe { sys::get_ticks() };
        // SAFETY: time(NULL) only reads the clock.
        let now_unix = unsafe { libc::time(core::ptr::null_mut()) }.max(0) as u64;
        DialogNow {
            confirmed: state == sys::DLG_STATE_CONFIRMED_NA || state == sys::DLG_STATE_CONFIRMED,
            armed_remaining: (timeout != 0).then(|| timeout.saturating_sub(ticks)),
            lifetime,
            bound: lifetime_bound(ticks, now_unix),
            // start_ts: Unix time of the answer, 0 until then.
            answered_ago: (start_ts != 0).then(|| now_unix.saturating_sub(u64::from(start_ts)).min(u64::from(u32::MAX)) as u32),
        }
    }

    /// Unix time of the answer (the first 2xx), as the dialog module noted
    /// it; None before.
    pub fn answered_at(&self) -> Option<u64> {
        // SAFETY: plain field of a live dialog, set once at the answer (or
        // when the dialog is loaded).
        let t = unsafe { (*self.raw.as_ptr()).start_ts };
        (t != 0).then_some(u64::from(t))
    }

    /// Whether leg `leg` (a reply's leg index, as the dialog module passes
    /// it to DLGCB_RESPONSE_FWDED) is the one the dialog keeps: the first
    /// branch that answered 2xx.
    pub fn is_kept_leg(&self, leg: isize) -> bool {
        // SAFETY: plain field of a live dialog, set under the dialog lock
        // before the reply callbacks run.
        let kept = unsafe { (*self.raw.as_ptr()).legs_no[sys::DLG_LEG_200OK as usize] };
        leg > 0 && leg == kept as isize
    }

    pub fn hash_ids(&self) -> (u32, u32) {
        // SAFETY: plain fields of a live dialog, fixed at creation.
        unsafe { ((*self.raw.as_ptr()).h_entry, (*self.raw.as_ptr()).h_id) }
    }

    pub fn callid(&self) -> &[u8] {
        // SAFETY: the Call-ID lives in the dialog's shm block as long as it.
        unsafe {
            let c = (*self.raw.as_ptr()).callid;
            if c.s.is_null() || c.len <= 0 {
                return &[];
            }
            core::slice::from_raw_parts(c.s as *const u8, c.len as usize)
        }
    }
}
