//! Thin safe wrappers over the OpenSIPS ABI. Nothing here decides anything:
//! these types read facts out of OpenSIPS structures and carry out edits.

pub mod dialog;
pub mod event;
pub mod log;
pub mod mi;
pub mod msg;
pub mod param;
pub mod pv;
pub mod sig;
pub mod tm;
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
