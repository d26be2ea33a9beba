//! tm's callback registration, for one purpose: a final reply tm makes
//! itself (its 408 when the far end never answers a request, or one the
//! script sends with `t_reply()`) reaches no dialog callback, because the
//! dialog module hands on only the replies it forwards. A callback on the
//! request's own transaction sees it.

use super::msg::SipMsg;
use crate::sys;
use core::ffi::{c_int, c_void};
use std::sync::OnceLock;

/// tm's function table, filled once in mod_init (before the fork).
pub struct TmApi(sys::tm_binds);

// SAFETY: a table of function pointers into tm, written once before any
// concurrent use and only read afterwards.
unsafe impl Sync for TmApi {}
unsafe impl Send for TmApi {}

static TM_API: OnceLock<TmApi> = OnceLock::new();

pub type Callback = unsafe extern "C" fn(*mut sys::cell, c_int, *mut sys::tmcb_params);

impl TmApi {
    /// Binds tm's API; false when tm is not loaded.
    pub fn load() -> bool {
        // SAFETY: tm's load_tm is `int (*)(struct tm_binds *)`, and our
        // struct has the release's own size (a layout fact).
        let Some((rc, binds)) = (unsafe { super::call_load::<sys::tm_binds>(c"load_tm") }) else { return false };
        rc != -1 && binds.register_tmcb.is_some() && TM_API.set(TmApi(binds)).is_ok()
    }

    pub fn get() -> Option<&'static TmApi> {
        TM_API.get()
    }

    /// Has `cb` run, with `param`, after each final reply the transaction of
    /// `msg` sends upstream (TMCB_RESPONSE_OUT). The transaction need not
    /// exist yet: tm keeps the callback for the one this message gets, and
    /// drops it if it gets none. `param` must be a number or shared memory
    /// that outlives the transaction: the callback may run in another
    /// process (tm's timer), and no release function is given.
    pub fn on_final_reply_out(&self, msg: &mut SipMsg, cb: Callback, param: *mut c_void) -> bool {
        let Some(register) = self.0.register_tmcb else { return false };
        // SAFETY: documented tm API, called for the message being routed;
        // the parameter is kept by tm as it is, never freed.
        unsafe { register(msg.as_ptr(), core::ptr::null_mut(), sys::TMCB_RESPONSE_OUT as c_int, Some(cb), param, None) >= 0 }
    }
}

/// One run of a TMCB_RESPONSE_OUT callback, borrowed for the callback (`'a`).
pub struct TmReply<'a> {
    params: &'a sys::tmcb_params,
}

impl<'a> TmReply<'a> {
    /// None without params. `_callback` is a borrow that ends with the
    /// callback, which `'a` may not outlive.
    ///
    /// # Safety
    /// `params` must be NULL or the tmcb_params tm passed to the current callback.
    pub unsafe fn from_raw(_callback: &'a (), params: *mut sys::tmcb_params) -> Option<Self> {
        // SAFETY: NULL or tm's params, valid for the callback (the caller's promise).
        unsafe { params.as_ref().map(|params| TmReply { params }) }
    }

    /// The reply was made by tm itself, not received from the far end.
    pub fn made_here(&self) -> bool {
        self.params.rpl as isize == sys::FAKED_REPLY as isize
    }

    pub fn status(&self) -> u32 {
        u32::try_from(self.params.code).unwrap_or(0)
    }

    /// The request the reply answers (tm's copy of it; read only: its
    /// headers must not be parsed further from here).
    pub fn request(&self) -> Option<SipMsg<'a>> {
        // SAFETY: NULL or the transaction's request, live with the transaction.
        unsafe { SipMsg::from_ptr(self.params.req) }
    }

    /// The parameter given at registration.
    pub fn param(&self) -> *mut c_void {
        // SAFETY: tm passes the address of the parameter it keeps, or NULL.
        unsafe { self.params.param.as_ref() }.map_or(core::ptr::null_mut(), |p| *p)
    }
}
