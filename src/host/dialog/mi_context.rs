//! Reading a dialog from inside DLGCB_MI_CONTEXT, which `dlg_list_ctx`
//! runs while it prints the dialog.

#[cfg(osips_abi = "304")]
use super::Dialog;
use super::{DlgApi, DlgCall, Fetched};
use crate::host::mi::MiObject;
use crate::sys;
#[cfg(osips_abi = "304")]
use core::ffi::c_int;

impl DlgCall<'_> {
    /// DLGCB_MI_CONTEXT: the dialog's "context" object of the MI response.
    pub fn mi_context(&self) -> Option<MiObject> {
        if self.kind != sys::DLGCB_MI_CONTEXT {
            return None;
        }
        // SAFETY: for MI_CONTEXT dlg_data is this dialog's "context" item.
        unsafe { MiObject::from_ptr(self.params?.dlg_data as *mut sys::mi_item_t) }
    }

    /// A value of the dialog, read from inside DLGCB_MI_CONTEXT (as
    /// `DlgApi::fetch_value` elsewhere). OpenSIPS 3.4 prints dialogs holding
    /// the hash-bucket lock and runs this callback without marking it held,
    /// so fetch_dlg_value would take that lock again and hang the MI
    /// process: the value list is walked directly, as the 3.4 printer does
    /// itself under that lock. 3.6 and 4.0 release the lock before the
    /// callback: fetched as everywhere else.
    pub fn mi_value(&self, api: &DlgApi, name: &str) -> Result<Option<Fetched>, ()> {
        if self.kind != sys::DLGCB_MI_CONTEXT {
            return Err(());
        }
        #[cfg(osips_abi = "304")]
        {
            let _ = api;
            // SAFETY: inside DLGCB_MI_CONTEXT, under the 3.4 printer's lock.
            Ok(unsafe { self.dlg.value_under_callers_lock(name) })
        }
        #[cfg(not(osips_abi = "304"))]
        {
            api.fetch_value(&self.dlg, name)
        }
    }
}

#[cfg(osips_abi = "304")]
impl Dialog<'_> {
    /// Reads a string value straight from the dialog's value list.
    ///
    /// # Safety
    /// Only while the caller (the dialog module) holds the lock that guards
    /// the list for this whole call (see `DlgCall::mi_value`).
    unsafe fn value_under_callers_lock(&self, name: &str) -> Option<Fetched> {
        // SAFETY: the list and its nodes stay as they are while the caller
        // holds the lock (the caller's promise); names and values are shm
        // strings of the dialog.
        unsafe {
            let mut v = (*self.raw.as_ptr()).vals as *const sys::dlg_val;
            let mut hops = 0;
            while let Some(dv) = v.as_ref() {
                hops += 1;
                if hops > 4096 {
                    return None; // a corrupt (cyclic) list: give up rather than spin
                }
                let n = dv.name;
                if n.len as usize == name.len()
                    && !n.s.is_null()
                    && core::slice::from_raw_parts(n.s as *const u8, n.len as usize) == name.as_bytes()
                {
                    let is_str = dv.type_ == sys::DLG_VAL_TYPE_STR as c_int;
                    let mut out = Fetched { len: 0, bytes: [0; 64], is_str };
                    let s = dv.val.s;
                    if is_str && !s.s.is_null() && s.len > 0 {
                        out.len = s.len as usize;
                        core::ptr::copy_nonoverlapping(s.s as *const u8, out.bytes.as_mut_ptr(), out.len.min(64));
                    }
                    return Some(out);
                }
                v = dv.next;
            }
            None
        }
    }
}
