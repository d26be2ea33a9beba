//! Module parameters (`modparam`): storage the core writes while it reads
//! the config, before mod_init, in the main process only; and the checks
//! mod_init refuses to start on, declared with each parameter.

use crate::sys;
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_void, CStr};

/// An INT_PARAM with its default and, optionally, the refusal of a
/// negative value.
pub struct IntParam {
    name: &'static CStr,
    value: UnsafeCell<c_int>,
    /// What to give instead of a negative value, said after
    /// "`name` = `value` is negative: ".
    non_negative: Option<&'static str>,
}

/// A STR_PARAM the module needs: refused when unset or blank.
pub struct StrParam {
    name: &'static CStr,
    value: UnsafeCell<*mut c_char>,
    /// Said after "`name` is not set: ".
    when_unset: &'static str,
    /// Said after "`name` is empty: ".
    when_empty: &'static str,
}

// SAFETY: the core writes the storage only while it reads the config, in
// the main process before mod_init and before any other thread or process
// exists; afterwards it is only read.
unsafe impl Sync for IntParam {}
// SAFETY: as for IntParam.
unsafe impl Sync for StrParam {}

fn name_of(n: &'static CStr) -> &'static str {
    n.to_str().unwrap_or("?")
}

impl IntParam {
    pub const fn new(name: &'static CStr, default: c_int) -> Self {
        IntParam { name, value: UnsafeCell::new(default), non_negative: None }
    }

    pub const fn non_negative(self, instead: &'static str) -> Self {
        IntParam { non_negative: Some(instead), ..self }
    }

    /// Its row in `exports.params`.
    pub const fn export(&'static self) -> sys::param_export_t {
        sys::param_export_t { name: self.name.as_ptr(), type_: sys::INT_PARAM, param_pointer: self.value.get() as *mut c_void }
    }

    pub fn get(&self) -> c_int {
        // SAFETY: see `Sync`: no write can happen while module code runs.
        unsafe { *self.value.get() }
    }

    /// The configured value, or why mod_init refuses it.
    pub fn checked(&self) -> Result<c_int, String> {
        let v = self.get();
        match self.non_negative {
            Some(instead) if v < 0 => Err(format!("{} = {v} is negative: {instead}", name_of(self.name))),
            _ => Ok(v),
        }
    }
}

impl StrParam {
    pub const fn required(name: &'static CStr, when_unset: &'static str, when_empty: &'static str) -> Self {
        StrParam { name, value: UnsafeCell::new(core::ptr::null_mut()), when_unset, when_empty }
    }

    /// Its row in `exports.params`.
    pub const fn export(&'static self) -> sys::param_export_t {
        sys::param_export_t { name: self.name.as_ptr(), type_: sys::STR_PARAM, param_pointer: self.value.get() as *mut c_void }
    }

    /// The configured text, or why mod_init refuses it.
    pub fn checked(&self) -> Result<&'static CStr, String> {
        // SAFETY: see `Sync`; a set STR_PARAM is a NUL-terminated strdup()
        // the core owns and never frees.
        let v = unsafe { (*self.value.get()).as_ref().map(|p| CStr::from_ptr(p)) };
        let Some(v) = v else { return Err(format!("{} is not set: {}", name_of(self.name), self.when_unset)) };
        if v.to_string_lossy().trim().is_empty() {
            return Err(format!("{} is empty: {}", name_of(self.name), self.when_empty));
        }
        Ok(v)
    }
}

/// Declares the module's parameters once each (`static NAME: IntParam =
/// ...;` or `StrParam`) and makes `exports.params` from them, in the order
/// written, ending with the NULL row.
#[macro_export]
macro_rules! module_params {
    ($table:ident: $($(#[$m:meta])* static $name:ident: $ty:ty = $init:expr;)*) => {
        $($(#[$m])* pub(crate) static $name: $ty = $init;)*
        pub(crate) static $table: $crate::sys::Table<[$crate::sys::param_export_t; [$(stringify!($name)),*].len() + 1]> =
            $crate::sys::Table([$($name.export(),)* $crate::sys::param_export_t::END]);
    };
}

/// The bit of the message flag named `name` (allocating it if new), or the
/// core's negative error; main process, before the fork.
pub fn message_flag_bit(name: &CStr) -> c_int {
    // SAFETY: core function, called before the fork as it requires; the
    // name is NUL-terminated and outlives the call.
    unsafe { sys::get_flag_id_by_name(sys::FLAG_TYPE_MSG as c_int, name.as_ptr() as *mut c_char, 0) }
}

/// Another module's INT_PARAM value; None when it does not export one.
pub fn int_of(module: &CStr, name: &CStr) -> Option<c_int> {
    // SAFETY: find_param_export returns NULL or that module's INT_PARAM
    // storage, which lives as long as the server.
    unsafe {
        let p = sys::find_param_export(module.as_ptr(), name.as_ptr(), sys::INT_PARAM) as *const c_int;
        p.as_ref().copied()
    }
}
