//! The signaling module's reply function (statefully through tm when a
//! transaction exists, else statelessly through sl).

use super::msg::SipMsg;
use crate::sys;
use core::ffi::c_int;
use std::sync::OnceLock;

pub struct SigApi(sys::sig_binds);
// SAFETY: function pointers written once in mod_init, read-only afterwards.
unsafe impl Sync for SigApi {}
unsafe impl Send for SigApi {}

static SIG_API: OnceLock<SigApi> = OnceLock::new();

impl SigApi {
    pub fn load() -> bool {
        // SAFETY: signaling's load_sig is `int (*)(struct sig_binds *)`.
        let Some((rc, binds)) = (unsafe { super::call_load::<sys::sig_binds>(c"load_sig") }) else { return false };
        if rc < 0 || binds.reply.is_none() {
            return false;
        }
        SIG_API.set(SigApi(binds)).is_ok()
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
