//! Per-message integer slots in OpenSIPS's processing context (context.h),
//! the mechanism the dialog module uses for a `$DLG_timeout` set before
//! `create_dialog()`. The core zeroes every slot for each new message and
//! carries the context across async resumption, so 0 means "not set".

use crate::sys;
use core::ffi::c_int;

#[derive(Clone, Copy, Debug)]
pub struct IntSlot(c_int);

impl IntSlot {
    /// Registers a slot in the global (per-message) context; mod_init only,
    /// before any message allocates a context.
    pub fn register() -> Option<IntSlot> {
        // SAFETY: core function, called from mod_init as it requires.
        let pos = unsafe { sys::context_register_int(sys::CONTEXT_GLOBAL, None) };
        (pos >= 0).then_some(IntSlot(pos))
    }

    fn slot(self) -> Option<*mut c_int> {
        // SAFETY: reading the core's exported pointer to the current message's context.
        let ctx = unsafe { sys::current_processing_ctx };
        // The int area starts the context block (context_get_int in C).
        (!ctx.is_null()).then(|| (ctx as *mut c_int).wrapping_add(self.0 as usize))
    }

    /// The value for the message being processed; None without a context.
    pub fn get(self) -> Option<c_int> {
        // SAFETY: a registered int slot lies inside every global context block.
        self.slot().map(|p| unsafe { p.read() })
    }

    /// false when no message is being processed (no context).
    pub fn put(self, v: c_int) -> bool {
        // SAFETY: as get; the context belongs to this process's current message.
        self.slot().map(|p| unsafe { p.write(v) }).is_some()
    }
}
