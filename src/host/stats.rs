//! Module statistics registered by the core from `exports.stats`.

use crate::sys;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

/// Where the core writes the `stat_var *` after mod_init.
#[repr(transparent)]
pub struct StatSlot(pub AtomicPtr<sys::stat_var>);

impl StatSlot {
    pub const fn new() -> Self {
        StatSlot(AtomicPtr::new(core::ptr::null_mut()))
    }

    /// Whether the core has registered this statistic (it does after
    /// mod_init, and only with enable_stats = 1).
    pub fn is_registered(&self) -> bool {
        !self.0.load(Ordering::Relaxed).is_null()
    }

    pub fn increment(&self) {
        self.add(1);
    }

    pub fn decrement(&self) {
        self.add(-1);
    }

    /// update_stat(var, delta): a sequentially consistent 64-bit add on the
    /// shared counter, exactly as the core's macro does (a negative delta
    /// wraps, as there); nothing when the statistic is not registered
    /// (enable_stats = 0).
    pub fn add(&self, delta: i64) {
        let var = self.0.load(Ordering::Relaxed);
        // SAFETY: the core allocated the stat_var and its counter in shm and
        // never frees them while the server runs.
        unsafe {
            let Some(v) = var.as_ref() else { return };
            if u32::from(v.flags) & sys::STAT_IS_FUNC != 0 || v.u.val.is_null() {
                return;
            }
            AtomicU64::from_ptr(v.u.val as *mut u64).fetch_add(delta as u64, Ordering::SeqCst);
        }
    }
}
