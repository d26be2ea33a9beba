//! Headers for the reply the server itself sends to a request (the 422 of
//! `sstCheckMin`), queued on the request as reply lumps.

use super::{EditError, SipMsg};
use crate::sys;
use core::ffi::c_int;
use core::ptr::NonNull;

/// A header queued for a request's reply (see `SipMsg::add_reply_header`).
pub struct ReplyHeader(NonNull<sys::lump_rpl>);

impl SipMsg<'_> {
    /// Adds a header line to the reply the server will generate for this
    /// request (the core copies the text).
    pub fn add_reply_header(&mut self, line: &[u8]) -> Result<ReplyHeader, EditError> {
        let len = c_int::try_from(line.len()).map_err(|_| EditError::OutOfRange)?;
        // SAFETY: add_lump_rpl copies `line` (no LUMP_RPL_NODUP), so a Rust
        // buffer that lives for the call is fine.
        let r = unsafe {
            sys::add_lump_rpl(self.as_ptr(), line.as_ptr() as *mut _, len, sys::LUMP_RPL_HDR as c_int)
        };
        NonNull::new(r).map(ReplyHeader).ok_or(EditError::NoMemory)
    }

    /// Takes back a header queued by `add_reply_header` (e.g. the reply it
    /// was for could not be sent, so a reply the script sends next must not
    /// carry it). Only a header still on this message's list is freed.
    pub fn withdraw_reply_header(&mut self, h: ReplyHeader) {
        // SAFETY: walking the message's own reply-lump list (next pointers
        // set by the core); a lump found there is ours to unlink and free,
        // as add_lump_rpl made it without NODUP (the core frees the copy).
        unsafe {
            let mut p = (*self.as_ptr()).reply_lump;
            let mut hops = 0;
            while !p.is_null() && hops < 1024 {
                if p == h.0.as_ptr() {
                    sys::unlink_lump_rpl(self.as_ptr(), p);
                    sys::free_lump_rpl(p);
                    return;
                }
                p = (*p).next;
                hops += 1;
            }
        }
    }
}
