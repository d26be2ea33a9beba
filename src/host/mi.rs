//! Adding items to an MI response (the dialog's `context` in dlg_list_ctx).

use crate::sys;
use core::ffi::c_int;
use core::ptr::NonNull;

/// An MI object owned by the MI response being built.
pub struct MiObject(NonNull<sys::mi_item_t>);

impl MiObject {
    /// # Safety
    /// `p` must be NULL or an MI item of the response currently being built.
    pub unsafe fn from_ptr(p: *mut sys::mi_item_t) -> Option<MiObject> {
        NonNull::new(p).map(MiObject)
    }

    pub fn add_object(&self, name: &str) -> Option<MiObject> {
        // SAFETY: the MI core copies the name; the new item belongs to the response.
        let p = unsafe { sys::add_mi_object(self.0.as_ptr(), name.as_ptr() as *mut _, name.len() as c_int) };
        NonNull::new(p).map(MiObject)
    }

    pub fn add_number(&self, name: &str, value: f64) -> bool {
        // SAFETY: as add_object; the value is passed as the C double it is.
        unsafe { sys::add_mi_number(self.0.as_ptr(), name.as_ptr() as *mut _, name.len() as c_int, value) == 0 }
    }

    pub fn add_string(&self, name: &str, value: &str) -> bool {
        // SAFETY: as add_object; the MI core copies the value too.
        unsafe {
            sys::add_mi_string(self.0.as_ptr(), name.as_ptr() as *mut _, name.len() as c_int, value.as_ptr() as *const _, value.len() as c_int) == 0
        }
    }
}
