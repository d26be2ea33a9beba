//! Thin safe wrappers over the OpenSIPS ABI. Nothing here decides anything:
//! these types read facts out of OpenSIPS structures and carry out edits.

pub mod context;
pub mod dialog;
pub mod event;
pub mod log;
pub mod mem;
pub mod mi;
pub mod msg;
pub mod param;
pub mod pv;
pub mod sig;
pub mod stats;

/// Fills another module's API table `T` through its `load_*` export
/// (`find_export`); None when that module is not loaded, else what the load
/// function returned and the table.
///
/// # Safety
/// The export `name` must have the real type `int (*)(T *)`.
unsafe fn call_load<T: Default>(name: &core::ffi::CStr) -> Option<(core::ffi::c_int, T)> {
    // SAFETY: find_export returns NULL or the named export, whose real type
    // is `int (*)(T *)` (the caller's promise).
    unsafe {
        let f = crate::sys::find_export(name.as_ptr(), 0)?;
        let load = core::mem::transmute::<
            unsafe extern "C" fn(*mut crate::sys::sip_msg, *mut core::ffi::c_void, *mut core::ffi::c_void, *mut core::ffi::c_void, *mut core::ffi::c_void, *mut core::ffi::c_void, *mut core::ffi::c_void, *mut core::ffi::c_void, *mut core::ffi::c_void) -> core::ffi::c_int,
            unsafe extern "C" fn(*mut T) -> core::ffi::c_int,
        >(f);
        let mut binds = T::default();
        Some((load(&mut binds), binds))
    }
}

/// Runs an FFI entry point, turning a panic into a log line and `on_panic`:
/// no unwinding ever crosses into OpenSIPS. `then` says what that value
/// means for the caller (e.g. "the message is left as it was").
pub fn guard<R>(entry: &'static str, on_panic: R, then: &'static str, f: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(cause) => {
            let what = cause
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| cause.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            crate::sst_log!(ERR, "internal error in {}: {}; {}", entry, what, then);
            on_panic
        }
    }
}
