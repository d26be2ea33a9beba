//! One run of a dialog callback: the dialog, the event, and what the
//! dialog module passes with it (the message, the MI context, the leg).

use super::{Dialog, DlgApi, Fetched};
use crate::host::mi::MiObject;
use crate::host::msg::SipMsg;
use crate::sys;
use core::ffi::c_int;

/// The SIP message of a dialog callback. A locally generated reply comes as
/// the FAKED_REPLY marker (-1), which is no message.
///
/// # Safety
/// `p` must be NULL, -1, or the message of the current callback, valid for
/// all of `'call`.
unsafe fn callback_msg<'call>(p: *mut sys::sip_msg) -> Option<SipMsg<'call>> {
    if p as isize == -1 {
        return None;
    }
    // SAFETY: NULL or the callback's message (the caller's promise).
    unsafe { SipMsg::from_ptr(p) }
}

/// One run of a dialog callback: the dialog, which event, and the params
/// the dialog module shares between the callbacks of that event; all
/// borrowed for the callback (`'a`).
pub struct DlgCall<'a> {
    pub dlg: Dialog<'a>,
    /// The DLGCB_* bit of the event.
    pub kind: u32,
    params: Option<&'a sys::dlg_cb_params>,
}

impl<'a> DlgCall<'a> {
    /// None without a dialog. `_callback` is a borrow that ends with the
    /// callback, which `'a` may not outlive.
    ///
    /// # Safety
    /// The three arguments the dialog module passed to the current callback.
    pub unsafe fn from_raw(
        _callback: &'a (),
        dlg: *mut sys::dlg_cell,
        kind: c_int,
        params: *mut sys::dlg_cb_params,
    ) -> Option<Self> {
        // SAFETY: NULL or the callback's dialog and params, valid for the
        // call (the caller's promise), which outlives `_callback`.
        unsafe { Some(DlgCall { dlg: Dialog::from_ptr(dlg)?, kind: kind as u32, params: params.as_ref() }) }
    }

    /// Whether the dialog module passed its params struct (it always does
    /// for a dialog's own events).
    pub fn has_params(&self) -> bool {
        self.params.is_some()
    }

    /// The event's message: the initial INVITE (CREATED), the in-dialog
    /// request (REQ_WITHIN), the reply being forwarded (RESPONSE_*).
    pub fn msg(&self) -> Option<SipMsg<'a>> {
        // SAFETY: params.msg is NULL, FAKED_REPLY or the message of this
        // event, mutable for the callback.
        unsafe { callback_msg(self.params?.msg) }
    }

    /// Whether this node is in charge of the dialog (a backup node of a
    /// replicated dialog is not).
    pub fn is_active(&self) -> bool {
        self.params.is_some_and(|p| p.is_active != 0)
    }

    /// DLGCB_RESPONSE_FWDED: the reply's leg index, which the dialog module
    /// passes in dlg_data (in all three versions).
    pub fn reply_leg(&self) -> isize {
        self.params.map_or(0, |p| p.dlg_data as isize)
    }

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
