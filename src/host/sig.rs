//! The signaling module's reply function (statefully through tm when a
//! transaction exists, else statelessly through sl).

use super::msg::SipMsg;
use crate::sys;
use core::ffi::{c_int, c_void};
use std::sync::OnceLock;

pub struct SigApi(sys::sig_binds);
// SAFETY: function pointers written once in mod_init, read-only afterwards.
unsafe impl Sync for SigApi {}
unsafe impl Send for SigApi {}

static SIG_API: OnceLock<SigApi> = OnceLock::new();

impl SigApi {
    pub fn load() -> bool {
        // SAFETY: find_export returns NULL or signaling's load_sig, whose real
        // type is `int (*)(struct sig_binds *)`.
        unsafe {
            let Some(f) = sys::find_export(c"load_sig".as_ptr(), 0) else { return false };
            let load = core::mem::transmute::<
                unsafe extern "C" fn(*mut sys::sip_msg, *mut c_void, *mut c_void, *mut c_void, *mut c_void, *mut c_void, *mut c_void, *mut c_void, *mut c_void) -> c_int,
                unsafe extern "C" fn(*mut sys::sig_binds) -> c_int,
            >(f);
            let mut binds = sys::sig_binds::default();
            if load(&mut binds) < 0 || binds.reply.is_none() {
                return false;
            }
            SIG_API.set(SigApi(binds)).is_ok()
        }
    }

    pub fn get() -> Option<&'static SigApi> {
        SIG_API.get()
    }

    pub fn reply(&self, msg: &mut SipMsg, code: u32, reason: &str) -> bool {
        let Some(reply) = self.0.reply else { return false };
        let r = sys::str_ { s: reason.as_ptr() as *mut _, len: reason.len() as c_int };
        // SAFETY: reason outlives the call; to_tag output not wanted (NULL).
        unsafe { reply(msg.as_ptr(), code as c_int, &r, core::ptr::null_mut()) >= 0 }
    }
}
