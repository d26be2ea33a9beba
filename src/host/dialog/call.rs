//! One run of a dialog callback (`DlgCall`: the dialog, the event, the
//! params the dialog module shares between that event's callbacks, all
//! borrowed for the callback), and `Kept`: what this node keeps per dialog
//! in the parameter of the dialog's callback registration. That parameter
//! is a pointer-sized number the dialog module stores with the registration
//! and hands every callback of it, and never saves, replicates or frees (no
//! free function is given): reading it costs nothing, unlike a dialog value
//! (a locked lookup); it is lost with the node's memory, so what must
//! survive a restart is kept in a dialog value as well and put back here
//! when the dialog is loaded.

use super::Dialog;
use crate::host::msg::SipMsg;
use crate::sys;
use core::ffi::{c_int, c_void};

/// The SIP message of a dialog callback. A locally generated reply comes as
/// the FAKED_REPLY marker (-1), which is no message.
///
/// # Safety
/// `p` must be NULL, -1, or the message of the current callback, valid for
/// all of `'call`.
unsafe fn callback_msg<'call>(p: *mut sys::sip_msg) -> Option<SipMsg<'call>> {
    if p as isize == sys::FAKED_REPLY as isize {
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
    pub(super) params: Option<&'a sys::dlg_cb_params>,
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

    /// The params a DLGCB_RESPONSE_WITHIN of our registration would have
    /// for a final reply tm made itself, which the dialog module runs no
    /// callback for: no message, the registration's parameter at `slot`
    /// (what `registration_slot` gave).
    pub fn own_reply_params(slot: *mut c_void) -> sys::dlg_cb_params {
        sys::dlg_cb_params {
            msg: core::ptr::without_provenance_mut(sys::FAKED_REPLY as isize as usize),
            is_active: 1,
            param: slot.cast(),
            ..Default::default()
        }
    }

    /// A reply tm made itself to a request of `dlg`, as a DLGCB_RESPONSE_WITHIN.
    ///
    /// # Safety
    /// `params.param` must be NULL or the `registration_slot` of one of our
    /// callbacks of `dlg`, and `dlg` live for `'a`.
    pub unsafe fn of_own_reply(dlg: Dialog<'a>, params: &'a sys::dlg_cb_params) -> Self {
        DlgCall { dlg, kind: sys::DLGCB_RESPONSE_WITHIN, params: Some(params) }
    }

    /// Where the dialog module keeps this registration's parameter: a
    /// shared-memory address, the same in every process and live while the
    /// dialog is, so a tm callback of one of its transactions can reach
    /// `Kept` again.
    pub fn registration_slot(&self) -> *mut c_void {
        self.params.map_or(core::ptr::null_mut(), |p| p.param.cast())
    }

    /// The parameter slot of the callback registration running now, which
    /// the dialog module hands every callback of it.
    fn kept_slot(&self) -> Option<&'a core::sync::atomic::AtomicPtr<core::ffi::c_void>> {
        let slot = self.params.map(|p| p.param).filter(|p| !p.is_null())?;
        // SAFETY: `param` points at the registration's own pointer-sized
        // slot in shm, live while the dialog is (so for this callback);
        // every access to it is ours and atomic.
        Some(unsafe { core::sync::atomic::AtomicPtr::from_ptr(slot) })
    }

    /// What this node keeps in the running registration (see `Kept`).
    pub fn kept(&self) -> Kept {
        self.kept_slot().map_or(Kept::default(), |s| Kept::from_param(s.load(core::sync::atomic::Ordering::SeqCst)))
    }

    /// Changes what the running registration keeps with `change` (None: no
    /// change), atomically: of concurrent callbacks of one dialog in several
    /// processes, exactly one makes a given change. True when it was made.
    fn change_kept(&self, change: impl Fn(Kept) -> Option<Kept>) -> bool {
        let Some(slot) = self.kept_slot() else { return false };
        let o = core::sync::atomic::Ordering::SeqCst;
        slot.fetch_update(o, o, |p| change(Kept::from_param(p)).map(Kept::to_param)).is_ok()
    }

    /// Sets (`on`) or clears the gauge's mark; true when it changed.
    pub fn set_mark(&self, on: bool) -> bool {
        self.change_kept(|k| (k.marked != on).then_some(Kept { marked: on, ..k }))
    }

    /// Notes when a refresh was accepted, in seconds after the answer.
    pub fn note_refresh(&self, secs_after_answer: u32) {
        self.change_kept(|k| Some(Kept { last_refresh: Some(secs_after_answer), ..k }));
    }

    /// Notes that the far end lost the dialog, or answered again.
    pub fn set_lost(&self, lost: bool) {
        self.change_kept(|k| (k.lost != lost).then_some(Kept { lost, ..k }));
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
}

/// Bit 0: the mark (the `active_sst` gauge counts this dialog); bit 1: the
/// far end lost the dialog (a refresh answered 408 or 481); bits 2 to 31:
/// when this node last saw a refresh accepted, in seconds after the answer,
/// plus one (0: none); bits 32 and up: the call's own maximum duration plus
/// one (0: none set for the call).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub marked: bool,
    pub lost: bool,
    /// Below 2^30 - 1 (34 years).
    pub last_refresh: Option<u32>,
    /// Below i32::MAX (what `$sst(max_duration)` accepts).
    pub max_duration: Option<u32>,
}

/// The latest refresh time bits 2 to 31 hold (plus one, 0 meaning none).
const LAST_REFRESH_MAX: u32 = (1 << 30) - 2;

impl Kept {
    pub fn to_param(self) -> *mut c_void {
        let max = self.max_duration.map_or(0, |m| u64::from(m.min(i32::MAX as u32 - 1)) + 1);
        let refresh = self.last_refresh.map_or(0, |s| u64::from(s.min(LAST_REFRESH_MAX)) + 1);
        core::ptr::without_provenance_mut((max << 32 | refresh << 2 | u64::from(self.lost) << 1 | u64::from(self.marked)) as usize)
    }

    pub fn from_param(p: *mut c_void) -> Kept {
        let bits = p as usize as u64;
        let max = (bits >> 32) as u32;
        let refresh = ((bits >> 2) & 0x3fff_ffff) as u32;
        Kept { marked: bits & 1 != 0, lost: bits & 2 != 0, last_refresh: refresh.checked_sub(1), max_duration: max.checked_sub(1) }
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn kept_round_trips_and_null_is_nothing_kept() {
        assert_eq!(Kept::from_param(core::ptr::null_mut()), Kept::default());
        for (marked, lost) in [(false, false), (true, false), (false, true), (true, true)] {
            for max_duration in [None, Some(0), Some(1), Some(14_400), Some(i32::MAX as u32 - 1)] {
                for last_refresh in [None, Some(0), Some(900), Some(super::LAST_REFRESH_MAX)] {
                    let k = Kept { marked, lost, last_refresh, max_duration };
                    assert_eq!(Kept::from_param(k.to_param()), k);
                }
            }
        }
        // beyond what the bits hold: the latest they can say
        let far = Kept { last_refresh: Some(u32::MAX), ..Kept::default() };
        assert_eq!(Kept::from_param(far.to_param()).last_refresh, Some(super::LAST_REFRESH_MAX));
    }
}
