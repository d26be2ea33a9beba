//! Why the dialog module says a dialog ended (the `terminate_reason` it
//! records, logs and hands to accounting).

use super::Dialog;
use crate::sys;

/// The termination reason the dialog module records when a dialog's
/// lifetime ran out and it sent BYEs (the same text in 3.4, 3.6 and 4.0).
const LIFETIME_TIMEOUT: &[u8] = b"Lifetime Timeout";

impl Dialog<'_> {
    /// Whether the dialog module ended this dialog because its lifetime ran
    /// out while sending BYEs to both sides (bye-on-timeout): it then runs
    /// DLGCB_TERMINATED, not DLGCB_EXPIRED, with this reason recorded.
    pub fn ended_by_bye_on_timeout(&self) -> bool {
        // SAFETY: plain fields of a live dialog; the reason is set once, in
        // shm the dialog owns, before the BYEs are sent.
        unsafe {
            let d = self.raw.as_ptr();
            let r = (*d).terminate_reason;
            (*d).flags & sys::DLG_FLAG_BYEONTIMEOUT != 0
                && !r.s.is_null()
                && r.len as usize == LIFETIME_TIMEOUT.len()
                && core::slice::from_raw_parts(r.s as *const u8, r.len as usize) == LIFETIME_TIMEOUT
        }
    }
}
